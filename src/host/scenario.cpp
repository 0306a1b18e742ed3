#include "host/scenario.hpp"

#include <fmt/format.h>
#include <fmt/xchar.h>

#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "win32/system.hpp"

namespace raswarden::host {

namespace {

using json = nlohmann::json;

// Reports the first problem with its JSON path; parsing stops there.
struct scenario_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class reader {
 public:
  reader(const json& value, std::string path) : value_(value), path_(std::move(path)) {}

  void expect_object(const std::set<std::string>& allowed) const {
    if (!value_.is_object()) fail("expected an object");
    for (const auto& [key, item] : value_.items()) {
      if (!allowed.contains(key)) throw scenario_error(fmt::format("{}/{}: unknown key", path_, key));
    }
  }
  [[nodiscard]] bool has(const char* key) const { return value_.contains(key); }
  [[nodiscard]] reader at(const char* key) const { return reader(value_.at(key), path_ + "/" + key); }

  [[nodiscard]] std::wstring text(const char* key, std::wstring fallback = {}) const {
    if (!has(key)) return fallback;
    const json& v = value_.at(key);
    if (!v.is_string()) at(key).fail("expected a string");
    return win32::to_wide(v.get<std::string>());
  }
  template <typename T>
  [[nodiscard]] T number(const char* key, T fallback, T max = std::numeric_limits<T>::max()) const {
    if (!has(key)) return fallback;
    const json& v = value_.at(key);
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
      at(key).fail("expected a non-negative integer");
    }
    const auto n = v.get<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(max)) at(key).fail(fmt::format("expected at most {}", max));
    return static_cast<T>(n);
  }
  [[nodiscard]] double real(const char* key, double fallback) const {
    if (!has(key)) return fallback;
    const json& v = value_.at(key);
    if (!v.is_number() || v.get<double>() < 0) at(key).fail("expected a non-negative number");
    return v.get<double>();
  }
  [[nodiscard]] bool boolean(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const json& v = value_.at(key);
    if (!v.is_boolean()) at(key).fail("expected true or false");
    return v.get<bool>();
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw scenario_error(fmt::format("{}: {}, found {}", path_.empty() ? "/" : path_, what, value_.dump()));
  }
  [[nodiscard]] const json& value() const { return value_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  const json& value_;
  std::string path_;
};

tunnel_type tunnel_of(const reader& session) {
  const std::wstring name = session.text("tunnel", L"sstp");
  if (name == L"pptp") return tunnel_type::pptp;
  if (name == L"l2tp") return tunnel_type::l2tp;
  if (name == L"sstp") return tunnel_type::sstp;
  if (name == L"ikev2") return tunnel_type::ikev2;
  if (name == L"dialup") return tunnel_type::dialup;
  session.at("tunnel").fail("expected one of \"pptp\", \"l2tp\", \"sstp\", \"ikev2\", \"dialup\"");
}

traffic traffic_of(const reader& r) {
  traffic t;
  t.bytes_in = r.number<DWORD>("bytes_in", 0);
  t.bytes_out = r.number<DWORD>("bytes_out", 0);
  t.frames_in = r.number<DWORD>("frames_in", t.bytes_in / 1400);
  t.frames_out = r.number<DWORD>("frames_out", t.bytes_out / 1400);
  return t;
}

std::wstring default_port(tunnel_type tunnel, std::uint64_t index, std::size_t link) {
  return tunnel == tunnel_type::dialup ? fmt::format(L"COM{}", link + 1)
                                       : fmt::format(L"VPN{}-{}", link + 1, index % 1000);
}

scenario_session session_of(const reader& r, std::uint64_t index) {
  r.expect_object({"user", "domain", "tunnel", "remote_computer", "client_ip", "server_ip", "remote_endpoint",
                   "local_endpoint", "start_ms", "hold_ms", "duration_s", "bytes_in", "bytes_out", "frames_in",
                   "frames_out", "links", "reauthenticate", "addresses"});
  scenario_session s;
  connection_spec& c = s.connection;
  c.handle = 0x100000 + index * 0x100;
  c.interface_handle = c.handle + 0x80;
  c.guid = make_guid(0x5CE7A210, index);
  c.tunnel = tunnel_of(r);
  c.user = r.text("user");
  if (c.user.empty()) r.fail("a session needs a non-empty \"user\"");
  c.domain = r.text("domain");
  c.remote_computer = r.text("remote_computer");
  c.client_ipv4 = r.text("client_ip");
  c.server_ipv4 = r.text("server_ip");
  c.remote_endpoint = r.text("remote_endpoint");
  c.local_endpoint = r.text("local_endpoint");
  c.duration_s = r.number<DWORD>("duration_s", 0);
  c.counters = traffic_of(r);
  s.start_ms = r.number<std::uint32_t>("start_ms", 0);
  s.hold_ms = r.number<std::uint32_t>("hold_ms", 0);
  s.reauthenticate = r.boolean("reauthenticate", false);
  s.addresses = r.boolean("addresses", true);

  const auto make_link = [&](std::size_t i) {
    link_spec l;
    l.port = c.handle + 1 + i;
    l.connection = c.handle;
    l.tunnel = c.tunnel;
    l.port_name = default_port(c.tunnel, index, i);
    l.line_speed_bps = c.tunnel == tunnel_type::dialup ? 56000 : 1'000'000'000;
    l.duration_s = c.duration_s;
    return l;
  };
  if (!r.has("links")) {
    s.links.push_back(make_link(0));
    s.links.back().counters = c.counters;
  } else if (r.value().at("links").is_number_unsigned()) {
    const auto count = r.number<std::uint32_t>("links", 1, 16);
    for (std::uint32_t i = 0; i < count; ++i) {
      s.links.push_back(make_link(i));
      s.links.back().counters.bytes_in = c.counters.bytes_in / count;
      s.links.back().counters.bytes_out = c.counters.bytes_out / count;
    }
  } else if (r.value().at("links").is_array()) {
    const reader links = r.at("links");
    if (links.value().size() > 16) links.fail("at most 16 links");
    for (std::size_t i = 0; i < links.value().size(); ++i) {
      const reader link(links.value()[i], fmt::format("{}/{}", links.path(), i));
      link.expect_object({"port", "line_speed_bps", "bytes_in", "bytes_out", "frames_in", "frames_out"});
      link_spec l = make_link(i);
      l.port_name = link.text("port", l.port_name);
      l.line_speed_bps = link.number<DWORD>("line_speed_bps", l.line_speed_bps);
      l.counters = traffic_of(link);
      s.links.push_back(std::move(l));
    }
  } else {
    r.at("links").fail("expected a number of links or an array of links");
  }
  return s;
}

load_options load_of(const reader& r) {
  r.expect_object(
      {"lifecycles", "concurrency", "threads", "arrival_per_s", "hold_ms", "seed", "links_per_session", "addresses"});
  load_options o;
  o.lifecycles = r.number<std::uint64_t>("lifecycles", 1000, 100'000'000);
  o.concurrency = r.number<std::uint32_t>("concurrency", 1, 1'000'000);
  o.threads = r.number<std::uint32_t>("threads", 1, 64);
  o.arrival_per_s = r.real("arrival_per_s", 0);
  o.hold_ms = r.number<std::uint32_t>("hold_ms", 0);
  o.seed = r.number<std::uint64_t>("seed", 1);
  o.links_per_session = r.number<std::uint32_t>("links_per_session", 1, 16);
  o.addresses = r.boolean("addresses", false);
  if (o.concurrency == 0) r.at("concurrency").fail("expected at least 1");
  if (o.threads == 0) r.at("threads").fail("expected at least 1");
  return o;
}

}  // namespace

std::optional<scenario> parse_scenario(std::string_view json_text, std::string_view source, std::string& error) {
  try {
    const json document = json::parse(json_text);
    const reader root(document, "");
    root.expect_object({"schema", "name", "sessions", "load"});
    if (root.number<std::uint32_t>("schema", 0) != 1) {
      // Point at the value when there is one, rather than dumping the whole document.
      (root.has("schema") ? root.at("schema") : root).fail("expected \"schema\": 1");
    }
    scenario result;
    result.name = win32::to_utf8(root.text("name", L"scenario"));
    if (root.has("sessions")) {
      const reader sessions = root.at("sessions");
      if (!sessions.value().is_array()) sessions.fail("expected an array of sessions");
      for (std::size_t i = 0; i < sessions.value().size(); ++i) {
        result.sessions.push_back(session_of(reader(sessions.value()[i], fmt::format("/sessions/{}", i)), i));
      }
    }
    if (root.has("load")) result.load = load_of(root.at("load"));
    if (result.sessions.empty() && !result.load) root.fail("a scenario needs \"sessions\" or \"load\"");
    return result;
  } catch (const json::parse_error& e) {
    error = fmt::format("{}: not valid JSON at byte {}: {}", source, e.byte, e.what());
  } catch (const std::exception& e) {
    error = fmt::format("{}: {}", source, e.what());
  }
  return std::nullopt;
}

scenario_session generated_session(const load_options& options, std::uint64_t index) {
  // A small deterministic mix: the seed picks users, tunnels and counters, so two runs with the
  // same seed drive the same calls.
  std::uint64_t x = (options.seed + 1) * 0x9E3779B97F4A7C15ULL ^ (index * 0xBF58476D1CE4E5B9ULL);
  const auto next = [&x] {
    x ^= x >> 31;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 29;
    return x;
  };
  static constexpr tunnel_type tunnels[] = {tunnel_type::sstp, tunnel_type::ikev2, tunnel_type::l2tp, tunnel_type::pptp,
                                            tunnel_type::sstp};
  scenario_session s;
  connection_spec& c = s.connection;
  c.handle = 0x1000000 + index * 0x40;
  c.interface_handle = c.handle + 0x20;
  c.guid = make_guid(options.seed, index);
  c.tunnel = tunnels[next() % std::size(tunnels)];
  c.user = fmt::format(L"user{:05}", next() % 5000);
  c.domain = L"LOAD";
  c.remote_computer = fmt::format(L"PC{:05}", index % 100000);
  c.client_ipv4 = fmt::format(L"10.{}.{}.{}", 64 + (index >> 16) % 64, (index >> 8) % 256, index % 256);
  c.server_ipv4 = L"10.63.255.254";
  c.remote_endpoint = fmt::format(L"198.18.{}.{}", (index >> 8) % 256, index % 256);
  c.local_endpoint = L"192.0.2.1";
  c.duration_s = static_cast<DWORD>(next() % 7200);
  c.counters.bytes_in = static_cast<DWORD>(next() % 500'000'000);
  c.counters.bytes_out = static_cast<DWORD>(next() % 2'000'000'000);
  c.counters.frames_in = c.counters.bytes_in / 1400;
  c.counters.frames_out = c.counters.bytes_out / 1400;
  s.addresses = options.addresses;
  s.hold_ms = options.hold_ms;
  for (std::uint32_t i = 0; i < options.links_per_session; ++i) {
    link_spec l;
    l.port = c.handle + 1 + i;
    l.connection = c.handle;
    l.tunnel = c.tunnel;
    l.port_name = default_port(c.tunnel, index, i);
    l.line_speed_bps = 1'000'000'000;
    l.duration_s = c.duration_s;
    l.counters.bytes_in = c.counters.bytes_in / options.links_per_session;
    l.counters.bytes_out = c.counters.bytes_out / options.links_per_session;
    s.links.push_back(std::move(l));
  }
  return s;
}

}  // namespace raswarden::host
