#include "fuzz_support.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "raswarden/policy.hpp"

namespace raswarden::fuzz {

namespace {

// Close to docs/examples/full.json, with small pools (so they run out) and limits low enough to
// be reached. "MODE" becomes enforce or audit.
constexpr std::string_view fuzz_config = R"json({
  "schema": 1,
  "policy": {
    "mode": "MODE",
    "max_sessions_per_user": 2,
    "max_links_per_connection": 2,
    "max_sessions_total": 6,
    "reauthentication": "rules",
    "rules": [
      { "name": "blocked", "action": "reject", "match": { "users": ["guest", "CONTOSO\\svc-*", "*@old.example"] } },
      { "name": "no-pptp", "action": "reject", "match": { "tunnels": ["pptp"] } },
      { "name": "routers", "action": "accept",
        "match": { "interface_types": ["full-router", "home-router"],
                   "remote_endpoints": ["198.51.100.0/24", "2001:db8:100::/48"] } },
      { "name": "admins", "action": "accept", "max_sessions_per_user": 0, "pool": "staff",
        "match": { "users": ["CONTOSO\\adm-*", "adm-*@contoso.example"] } },
      { "name": "contractors", "action": "accept", "max_sessions_per_user": 1, "pool": "contractors",
        "match": { "users": ["ext-*", "c?-*"], "days": ["mon", "tue", "wed", "thu", "fri"],
                   "hours": ["07:00-19:00", "22:00-02:00"], "time_zone": "local" } },
      { "name": "contractors-other-times", "action": "reject", "match": { "users": ["ext-*"] } },
      { "name": "weekend", "action": "accept",
        "match": { "users": ["ops-??"], "interface_types": ["client"], "tunnels": ["sstp", "ikev2", "l2tp"],
                   "days": ["sat", "sun"], "hours": ["22:00-04:00"], "time_zone": "utc" } },
      { "name": "outsiders", "action": "reject", "match": { "domains": ["evil", "*.invalid"] } }
    ]
  },
  "ip_assignment": {
    "enabled": true,
    "static": { "CONTOSO\\alice": "10.20.0.10", "bob": "10.20.9.5" },
    "pools": [
      { "name": "staff", "range": "10.20.0.8/30" },
      { "name": "contractors", "first": "10.20.8.10", "last": "10.20.8.11" }
    ],
    "ipv6_interface_ids": { "first": "0:0:0:1000", "last": "0:0:0:1002" }
  }
})json";

core::settings parse_fuzz_config(std::string_view mode) {
  std::string text(fuzz_config);
  text.replace(text.find("MODE"), 4, mode);
  core::settings_result parsed = core::parse_settings(text, "fuzz-config.json");
  if (!parsed.usable()) fail("the fuzz targets' own configuration is not usable: " + parsed.problems.at(0));
  return parsed.value;
}

// A Monday, 00:00 UTC (2024-03-04).
constexpr std::int64_t monday_unix_ms = 1709510400000;
constexpr std::int64_t minutes_per_week = 7 * 24 * 60;

void check_record(const std::string& line) {
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1) fail("not one line: " + line);
  nlohmann::json record;
  try {
    record = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("not JSON (") + e.what() + "): " + line);
  }
  if (!record.is_object()) fail("not an object: " + line);
  for (const char* field : {"schema", "ts", "event", "server", "callback", "seq"}) {
    if (!record.contains(field)) fail(std::string("no \"") + field + "\": " + line);
  }
}

}  // namespace

void fail(std::string_view what) {
  std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

std::uint8_t byte_source::byte() {
  std::uint8_t b = 0;
  fill(&b, 1);
  return b;
}

std::uint16_t byte_source::u16() {
  const auto low = byte();
  return static_cast<std::uint16_t>(low | (byte() << 8));
}

std::uint32_t byte_source::u32() {
  const std::uint32_t low = u16();
  return low | (std::uint32_t{u16()} << 16);
}

void byte_source::fill(void* out, std::size_t n) {
  const std::size_t available = std::min(n, size_ - used_);
  if (available != 0) std::memcpy(out, data_ + used_, available);
  if (available < n) std::memset(static_cast<std::uint8_t*>(out) + available, 0, n - available);
  used_ += available;
}

std::string_view byte_source::rest() {
  const std::string_view out(reinterpret_cast<const char*>(data_ + used_), size_ - used_);
  used_ = size_;
  return out;
}

const core::settings& fuzz_settings(bool audit) {
  static const core::settings enforcing = parse_fuzz_config("enforce");
  static const core::settings auditing = parse_fuzz_config("audit");
  return audit ? auditing : enforcing;
}

start_time start_time_from(byte_source& in) {
  const std::int64_t minute = in.u16() % minutes_per_week;
  // -12:00 .. +14:00 in half hours, as real zones are.
  const std::int32_t offset = (in.byte() % 53 - 24) * 30;
  return start_time{monday_unix_ms + minute * 60000, offset};
}

engine_harness::engine_harness(const core::settings& config, start_time at) : clock_(at.unix_ms, 1500) {
  clock_.set_utc_offset_minutes(at.utc_offset_minutes);
  auto sink = std::make_unique<core::memory_sink>();
  sink_ = sink.get();
  engine_ = std::make_unique<core::engine>(core::engine_options{"fuzz-gw"}, std::move(sink), nullptr, clock_, diag_);
  policy_ = std::make_shared<core::rule_policy>(config.policy, clock_);
  engine_->replace_policy(policy_, config.ip_assignment);
  engine_->start("MprAdminInitializeDllEx");
}

engine_harness::~engine_harness() {
  engine_->stop("MprAdminTerminateDll");
  // RASWARDEN_FUZZ_PRINT=1 shows the records, to read what a reproducer does.
  static const bool print = std::getenv("RASWARDEN_FUZZ_PRINT") != nullptr;
  for (const std::string& line : sink_->lines()) {
    if (print) std::fputs(line.c_str(), stderr);
    check_record(line);
  }
}

void engine_harness::checking_diagnostics::report(core::severity /*level*/, core::topic about,
                                                  std::string_view message) noexcept {
  if (about == core::topic::internal_error &&
      message.find("called with unusable arguments") == std::string_view::npos) {
    fail(message);
  }
}

}  // namespace raswarden::fuzz
