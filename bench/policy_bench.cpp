// Admission-decision cost at scale: 1,000 policy rules and 100,000 live sessions.
//
// Four groups, each reported as time per iteration and items/s (docs/performance.md):
//   BM_DecideConnection/*      rule_policy::decide_connection alone, 1,000 rules, the matching
//                              rule last (every rule is tried) or first.
//   BM_RegistryAdmission/*     session_registry holding 100,000 live connections of 20,000 users:
//                              open_connection (decided by the 1,000-rule policy, with
//                              max_sessions_per_user set) then close_connection of that handle.
//                              The registry_events observer does nothing (no disk, no JSON).
//   BM_EngineAcceptHangup/*    engine with the same policy installed by replace_policy, 100,000
//                              live sessions, accept_connection + connection_hangup; the two
//                              accounting records are built and handed to a sink that drops them.
//                              Both come in a last_rule_matches (the bar) and a first_rule_matches
//                              variant; the difference is the rule scan, the rest is the registry
//                              (and, for the engine, the records).
//   BM_ReplacePolicy/*         a reload: swapping a prebuilt 1,000-rule policy in, and building
//                              one from its settings then swapping it in.
//
// Everything is deterministic: fixed seeds, a fixed clock (Wednesday 2026-03-11 10:00 UTC), and
// every setup checks that the decision it will measure is the one intended (SkipWithError if not).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "raswarden/accounting.hpp"
#include "raswarden/address.hpp"
#include "raswarden/engine.hpp"
#include "raswarden/platform.hpp"
#include "raswarden/policy.hpp"
#include "raswarden/session_registry.hpp"
#include "raswarden/settings.hpp"
#include "raswarden/types.hpp"

namespace {

using namespace raswarden::core;

constexpr std::size_t rule_count = 1000;
constexpr std::size_t live_sessions = 100000;
constexpr std::size_t distinct_users = 20000;
constexpr std::uint32_t per_user_limit = 10;  // 100,000 / 20,000 = 5 live per user: under the limit
constexpr std::size_t info_pool = 4096;       // distinct prebuilt requests cycled through (power of 2)
constexpr std::string_view matching_rule = "staff-vpn-office-hours";

// Wednesday 2026-03-11 10:00:00 UTC, local time = UTC. Every rule's day/hour test sees this.
class fixed_clock final : public clock {
 public:
  [[nodiscard]] std::int64_t now_unix_ms() const override { return 1773223200000; }
  [[nodiscard]] std::uint64_t steady_ns() const override { return 5000000000000; }
};

class null_events final : public registry_events {
 public:
  void connection_opened(const connection_state&) override {}
  void connection_closed(const connection_state&, close_cause, const timestamps&) override {}
  void link_opened(const link_state&) override {}
  void link_closed(const link_state&, close_cause, const timestamps&) override {}
  void duplicate(std::string_view, const session_key&) override {}
};

// Takes every line and drops it, counting bytes so the record building cannot be optimised away.
class discard_sink final : public record_sink {
 public:
  explicit discard_sink(std::atomic<std::uint64_t>& bytes) : bytes_(bytes) {}
  bool append(std::string_view line) noexcept override {
    benchmark::DoNotOptimize(line.data());
    bytes_.fetch_add(line.size(), std::memory_order_relaxed);
    return true;
  }

 private:
  std::atomic<std::uint64_t>& bytes_;
};

address_range cidr(std::string_view text) {
  range_parse_result parsed = parse_address_range(text);
  if (!parsed.range) throw std::runtime_error(fmt::format("bad range {}: {}", text, parsed.error));
  return *parsed.range;
}

constexpr std::uint8_t weekdays = 0x1F;  // Monday..Friday
constexpr std::uint8_t weekend = 0x60;   // Saturday, Sunday

// The one rule the benchmark's connections match: staff over IKEv2/SSTP/L2TP from two office
// ranges, weekdays 07:00-19:00.
policy_rule staff_rule() {
  policy_rule rule;
  rule.name = std::string(matching_rule);
  rule.accept = true;
  rule.pool = "staff";
  rule.match.users = {"corp\\u*", "corp\\svc-*"};
  rule.match.domains = {"corp"};
  rule.match.interface_types = {interface_type::client};
  rule.match.tunnels = {tunnel_kind::ikev2, tunnel_kind::sstp, tunnel_kind::l2tp};
  rule.match.remote_endpoints = {cidr("198.51.100.0/24"), cidr("203.0.113.0/24")};
  rule.match.days = weekdays;
  rule.match.hours = {hours_window{7 * 60, 19 * 60}};
  return rule;
}

// 999 rules none of which matches the benchmark's connections, failing at different criteria
// (so some stop at the first glob, others get as far as the CIDRs or the hours), then the
// matching rule. Fixed seed: the same rule set every run.
std::vector<policy_rule> make_rules(bool matching_first) {
  std::mt19937 rng(20260311);
  std::uniform_int_distribution<int> octet(0, 255);
  std::vector<policy_rule> rules;
  rules.reserve(rule_count);
  for (std::size_t i = 0; i + 1 < rule_count; ++i) {
    policy_rule r;
    const std::size_t kind = i % 8;
    r.name = fmt::format("rule-{:04}-k{}", i, kind);
    r.accept = (rng() % 3) != 0;
    if (rng() % 4 == 0) r.max_sessions_per_user = 1 + rng() % 4;
    if (r.accept && rng() % 2 == 0) r.pool = fmt::format("pool-{}", i % 16);
    rule_match& m = r.match;
    switch (kind) {
      case 0:  // named operators: the account glob fails on its first character
        m.users = {fmt::format("ops{}-*", i), fmt::format("corp\\admin{}", i)};
        break;
      case 1:  // a partner's users: leading-star account glob matches, the domain does not
        m.users = {fmt::format("*@partner{}.example", i)};
        break;
      case 2:  // whole domains
        m.domains = {fmt::format("partner{}", i), fmt::format("*.vendor{}.example", i)};
        break;
      case 3:  // staff, but only site-to-site interfaces
        m.users = {"corp\\u*"};
        m.interface_types = {interface_type::home_router, interface_type::full_router};
        break;
      case 4:  // anyone over the legacy tunnels
        m.users = {"*"};
        m.tunnels = {tunnel_kind::pptp, tunnel_kind::l2tp};
        break;
      case 5:  // the corp domain from other networks (IPv4 and IPv6)
        m.domains = {"corp"};
        m.remote_endpoints = {cidr(fmt::format("10.{}.0.0/16", octet(rng))),
                              cidr(fmt::format("172.{}.{}.0/24", 16 + octet(rng) % 16, octet(rng))),
                              cidr(fmt::format("2001:db8:{:x}::/48", i))};
        break;
      case 6:  // staff, client, IKEv2/SSTP, weekends only
        m.users = {"corp\\u*"};
        m.domains = {"corp"};
        m.interface_types = {interface_type::client};
        m.tunnels = {tunnel_kind::ikev2, tunnel_kind::sstp};
        m.days = weekend;
        break;
      default:  // staff over IKEv2 from the office range, at night (a window crossing midnight)
        m.users = {"corp\\u*"};
        m.tunnels = {tunnel_kind::ikev2};
        m.remote_endpoints = {cidr("198.51.100.0/24")};
        m.days = weekdays;
        m.hours = {hours_window{22 * 60, 6 * 60}, hours_window{19 * 60 + 30, 20 * 60}};
        m.utc = (i % 2) == 0;
        break;
    }
    rules.push_back(std::move(r));
  }
  if (matching_first) {
    rules.insert(rules.begin(), staff_rule());
  } else {
    rules.push_back(staff_rule());
  }
  return rules;
}

policy_settings make_settings(bool matching_first) {
  policy_settings s;
  s.mode = policy_mode::enforce;
  s.default_accept = false;
  s.max_sessions_per_user = per_user_limit;
  s.rules = make_rules(matching_first);
  return s;
}

// What an RRAS accept callback carries for an IKEv2 client connection.
connection_info make_connection(std::size_t user_index, std::mt19937& rng) {
  connection_info c;
  c.user = fmt::format("CORP\\u{:05}", user_index);
  c.domain = "CORP";
  c.interface_name = c.user;
  c.if_type = interface_type::client;
  c.remote_computer = fmt::format("LAPTOP-{:06X}", rng() & 0xFFFFFF);
  c.flags = connection_flags::ikev2;
  c.client_ipv4 = fmt::format("10.8.{}.{}", (user_index >> 8) & 0xFF, user_index & 0xFF);
  c.server_ipv4 = "10.8.0.1";
  c.remote_endpoint = fmt::format("198.51.100.{}", 1 + rng() % 254);
  c.local_endpoint = "192.0.2.10";
  c.auth = authentication{0, 0, 0, true};
  c.tunnel = tunnel_kind::ikev2;
  c.id = guid{static_cast<std::uint32_t>(rng()), static_cast<std::uint16_t>(rng()), static_cast<std::uint16_t>(rng()),
              {1, 2, 3, 4, 5, 6, 7, static_cast<std::uint8_t>(user_index)}};
  return c;
}

// The hangup for a connection: final counters and duration.
connection_info make_hangup(const connection_info& accepted) {
  connection_info h;
  h.handle = accepted.handle;
  h.user = accepted.user;
  h.domain = accepted.domain;
  h.duration_s = 1834;
  traffic_counters t;
  t.bytes_in = 48123456;
  t.bytes_out = 912345678;
  t.frames_in = 61234;
  t.frames_out = 701234;
  h.traffic = t;
  h.terminate_reason = 0;
  return h;
}

// Requests cycled through by the timed loops: random users of the 20,000 (fixed seed).
std::vector<connection_info> make_request_pool(std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> user(0, distinct_users - 1);
  std::vector<connection_info> pool;
  pool.reserve(info_pool);
  for (std::size_t i = 0; i < info_pool; ++i) pool.push_back(make_connection(user(rng), rng));
  return pool;
}

constexpr handle_value live_handle_base = 0x10000;
constexpr handle_value new_handle_base = 0x100000000;

// ---- rule_policy::decide_connection ------------------------------------------------------------

void decide_connection_bench(benchmark::State& state, bool matching_first) {
  const fixed_clock time;
  const rule_policy policy(make_settings(matching_first), time);
  const std::vector<connection_info> requests = make_request_pool(7);
  registry_counts counts;
  counts.live_connections = live_sessions;
  counts.user_connections = live_sessions / distinct_users;

  const decision check = policy.decide_connection(requests[0], counts);
  if (!check.accept || check.rule != matching_rule) {
    state.SkipWithError(fmt::format("unexpected decision: {} by {} ({})", check.accept, check.rule, check.reason).c_str());
    return;
  }

  std::size_t next = 0;
  for (auto _ : state) {
    decision d = policy.decide_connection(requests[next++ & (info_pool - 1)], counts);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["rules"] = static_cast<double>(policy.settings().rules.size());
}

BENCHMARK_CAPTURE(decide_connection_bench, last_rule_matches, false)
    ->Name("BM_DecideConnection/last_rule_matches")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(decide_connection_bench, first_rule_matches, true)
    ->Name("BM_DecideConnection/first_rule_matches")
    ->Unit(benchmark::kMicrosecond);

// ---- session_registry: open + close against 100,000 live connections ---------------------------

void BM_RegistryAdmission(benchmark::State& state, bool matching_first) {
  const fixed_clock time;
  const rule_policy policy(make_settings(matching_first), time);
  const session_registry::connection_decider decide = [&policy](const connection_info& c, const registry_counts& n) {
    return policy.decide_connection(c, n);
  };
  id_generator ids(0x3f9c0a1b2c3d4e5fULL);
  session_registry registry(ids);
  null_events events;
  const timestamps now{time.now_unix_ms(), time.steady_ns()};

  std::mt19937 rng(11);
  for (std::size_t k = 0; k < live_sessions; ++k) {
    connection_info c = make_connection(k % distinct_users, rng);
    c.handle = live_handle_base + k;
    if (!registry.open_connection(session_key{key_origin::handle, c.handle}, c, now, decide, events).accept) {
      state.SkipWithError("setup: a live connection was rejected");
      return;
    }
  }
  if (registry.snapshot().live_connections != live_sessions) {
    state.SkipWithError("setup: wrong live count");
    return;
  }

  std::vector<connection_info> requests = make_request_pool(13);
  std::vector<connection_info> hangups;
  hangups.reserve(requests.size());
  for (const connection_info& r : requests) hangups.push_back(make_hangup(r));

  handle_value next_handle = new_handle_base;
  std::size_t next = 0;
  std::size_t rejected = 0;
  for (auto _ : state) {
    const std::size_t slot = next++ & (info_pool - 1);
    connection_info& request = requests[slot];
    connection_info& hangup = hangups[slot];
    request.handle = hangup.handle = next_handle++;
    const session_key key{key_origin::handle, request.handle};
    decision d = registry.open_connection(key, request, now, decide, events);
    rejected += d.accept ? 0 : 1;
    benchmark::DoNotOptimize(d);
    registry.close_connection(key, hangup, now, events);
  }
  if (rejected != 0) state.SkipWithError("a timed connection was rejected (the measured path was not the accept path)");
  if (registry.snapshot().live_connections != live_sessions) state.SkipWithError("live count drifted");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["live"] = static_cast<double>(registry.snapshot().live_connections);
  state.counters["rules"] = static_cast<double>(policy.settings().rules.size());
}
// The last-rule case is the bar; the first-rule case isolates what the registry adds.
BENCHMARK_CAPTURE(BM_RegistryAdmission, last_rule_matches, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RegistryAdmission, first_rule_matches, true)->Unit(benchmark::kMicrosecond);

// ---- engine: accept_connection + connection_hangup, accounting records built and dropped -------

void BM_EngineAcceptHangup(benchmark::State& state, bool matching_first) {
  const fixed_clock time;
  null_diagnostics diag;
  std::atomic<std::uint64_t> bytes{0};
  engine eng(engine_options{"RAS-BENCH-01", failure_mode::continue_admitting, 100000},
             std::make_unique<discard_sink>(bytes), nullptr, time, diag);
  eng.replace_policy(std::make_shared<rule_policy>(make_settings(matching_first), time), ip_assignment_settings{});

  std::mt19937 rng(11);
  for (std::size_t k = 0; k < live_sessions; ++k) {
    connection_info c = make_connection(k % distinct_users, rng);
    c.handle = live_handle_base + k;
    if (!eng.accept_connection("MprAdminAcceptNewConnection3", c)) {
      state.SkipWithError("setup: a live connection was rejected");
      return;
    }
  }
  if (eng.registry_stats().live_connections != live_sessions) {
    state.SkipWithError("setup: wrong live count");
    return;
  }

  std::vector<connection_info> requests = make_request_pool(13);
  std::vector<connection_info> hangups;
  hangups.reserve(requests.size());
  for (const connection_info& r : requests) hangups.push_back(make_hangup(r));

  const std::uint64_t records_before = eng.writer().records_written();
  const std::uint64_t bytes_before = bytes.load();
  handle_value next_handle = new_handle_base;
  std::size_t next = 0;
  std::size_t rejected = 0;
  for (auto _ : state) {
    const std::size_t slot = next++ & (info_pool - 1);
    connection_info& request = requests[slot];
    connection_info& hangup = hangups[slot];
    request.handle = hangup.handle = next_handle++;
    const bool accepted = eng.accept_connection("MprAdminAcceptNewConnection3", request);
    rejected += accepted ? 0 : 1;
    benchmark::DoNotOptimize(accepted);
    eng.connection_hangup("MprAdminConnectionHangupNotification3", hangup);
  }
  const std::uint64_t records = eng.writer().records_written() - records_before;
  if (rejected != 0) state.SkipWithError("a timed connection was rejected (the measured path was not the accept path)");
  if (records != 2 * static_cast<std::uint64_t>(state.iterations())) state.SkipWithError("expected two accounting records per iteration");
  if (eng.registry_stats().live_connections != live_sessions) state.SkipWithError("live count drifted");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes.load() - bytes_before));
  state.counters["live"] = static_cast<double>(eng.registry_stats().live_connections);
  state.counters["record_bytes"] =
      benchmark::Counter(static_cast<double>(bytes.load() - bytes_before), benchmark::Counter::kAvgIterations);
}
BENCHMARK_CAPTURE(BM_EngineAcceptHangup, last_rule_matches, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_EngineAcceptHangup, first_rule_matches, true)->Unit(benchmark::kMicrosecond);

// ---- replace_policy: a reload ------------------------------------------------------------------

// The swap alone: two prebuilt 1,000-rule policies swapped in turn (neither is freed in the loop).
void BM_ReplacePolicy_Swap(benchmark::State& state) {
  const fixed_clock time;
  null_diagnostics diag;
  std::atomic<std::uint64_t> bytes{0};
  engine eng(engine_options{"RAS-BENCH-01", failure_mode::continue_admitting, 100000},
             std::make_unique<discard_sink>(bytes), nullptr, time, diag);
  const std::array<std::shared_ptr<const admission_policy>, 2> policies{
      std::make_shared<rule_policy>(make_settings(false), time),
      std::make_shared<rule_policy>(make_settings(true), time)};
  const ip_assignment_settings addresses;
  std::size_t next = 0;
  for (auto _ : state) {
    eng.replace_policy(policies[next++ & 1], addresses);
  }
  benchmark::DoNotOptimize(eng.accept_on_internal_error());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ReplacePolicy_Swap)->Name("BM_ReplacePolicy/swap")->Unit(benchmark::kMicrosecond);

// What a reload costs after the file is parsed: build the 1,000-rule policy from its settings
// (a copy, as the runtime hands settings over by value), swap it in, free the one it replaced.
void BM_ReplacePolicy_BuildAndSwap(benchmark::State& state) {
  const fixed_clock time;
  null_diagnostics diag;
  std::atomic<std::uint64_t> bytes{0};
  engine eng(engine_options{"RAS-BENCH-01", failure_mode::continue_admitting, 100000},
             std::make_unique<discard_sink>(bytes), nullptr, time, diag);
  const policy_settings parsed = make_settings(false);
  const ip_assignment_settings addresses;
  eng.replace_policy(std::make_shared<rule_policy>(parsed, time), addresses);
  for (auto _ : state) {
    eng.replace_policy(std::make_shared<rule_policy>(parsed, time), addresses);
  }
  benchmark::DoNotOptimize(eng.accept_on_internal_error());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["rules"] = static_cast<double>(parsed.rules.size());
}
BENCHMARK(BM_ReplacePolicy_BuildAndSwap)->Name("BM_ReplacePolicy/build_and_swap")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
