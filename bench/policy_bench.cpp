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
// Every benchmark also reports allocs_per_op and bytes_per_op (alloc_counter.hpp).
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

#include "bench_support.hpp"
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
using namespace raswarden::bench;

constexpr std::size_t rule_count = 1000;
constexpr std::uint32_t per_user_limit = 10;  // 100,000 / 20,000 = 5 live per user: under the limit
constexpr std::string_view matching_rule = "staff-vpn-office-hours";

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

// ---- rule_policy::decide_connection ------------------------------------------------------------

void decide_connection_bench(benchmark::State& state, bool matching_first) {
  const fixed_clock time;
  const rule_policy policy(make_settings(matching_first), time);
  const std::vector<connection_info> requests = make_request_pool(7);
  registry_counts counts;
  counts.live_connections = live_sessions;
  counts.user_connections = live_sessions / distinct_users;

  const decision first = policy.decide_connection(requests[0], counts);
  if (!check(state, first.accept && first.rule == matching_rule,
             fmt::format("unexpected decision: {} by {} ({})", first.accept, first.rule, first.reason))) {
    return;
  }

  std::size_t next = 0;
  const alloc_meter allocations;
  for (auto _ : state) {
    decision d = policy.decide_connection(requests[next++ & (info_pool - 1)], counts);
    benchmark::DoNotOptimize(d);
  }
  allocations.report(state);
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
  const session_registry::link_decider decide_link = [&policy](const link_info& l, const connection_info* c,
                                                               const registry_counts& n) {
    return policy.decide_link(l, c, n);
  };
  id_generator ids(0x3f9c0a1b2c3d4e5fULL);
  session_registry registry(ids);
  null_events events;
  const timestamps now = fixed_now(time);
  if (!check(state, open_live_sessions(registry, live_sessions, 0, decide, decide_link, events, now),
             "setup: a live connection was rejected, or the live count is wrong")) {
    return;
  }

  request_cycle cycle(13);
  std::size_t rejected = 0;
  const alloc_meter allocations;
  for (auto _ : state) {
    const request_cycle::pair r = cycle.next();
    const session_key key{key_origin::handle, r.request.handle};
    decision d = registry.open_connection(key, r.request, now, decide, events);
    rejected += d.accept ? 0 : 1;
    benchmark::DoNotOptimize(d);
    registry.close_connection(key, r.hangup, now, events);
  }
  allocations.report(state);
  check(state, rejected == 0, "a timed connection was rejected (the measured path was not the accept path)");
  check(state, registry.snapshot().live_connections == live_sessions, "live count drifted");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["live"] = static_cast<double>(registry.snapshot().live_connections);
  state.counters["rules"] = static_cast<double>(policy.settings().rules.size());
}
// The last-rule case is the bar; the first-rule case isolates what the registry adds.
BENCHMARK_CAPTURE(BM_RegistryAdmission, last_rule_matches, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RegistryAdmission, first_rule_matches, true)->Unit(benchmark::kMicrosecond);

// ---- engine: accept_connection + connection_hangup, accounting records built and dropped -------

void BM_EngineAcceptHangup(benchmark::State& state, bool matching_first) {
  engine_under_test under_test;
  engine& eng = under_test.eng;
  eng.replace_policy(std::make_shared<rule_policy>(make_settings(matching_first), under_test.time),
                     ip_assignment_settings{});
  if (!check(state, open_live_sessions(eng, live_sessions, 0),
             "setup: a live connection was rejected, or the live count is wrong")) {
    return;
  }

  request_cycle cycle(13);
  const std::uint64_t records_before = eng.writer().records_written();
  const std::uint64_t bytes_before = under_test.record_bytes.load();
  std::size_t rejected = 0;
  const alloc_meter allocations;
  for (auto _ : state) {
    const request_cycle::pair r = cycle.next();
    const bool accepted = eng.accept_connection("MprAdminAcceptNewConnection3", r.request);
    rejected += accepted ? 0 : 1;
    benchmark::DoNotOptimize(accepted);
    eng.connection_hangup("MprAdminConnectionHangupNotification3", r.hangup);
  }
  allocations.report(state);
  const std::uint64_t records = eng.writer().records_written() - records_before;
  const std::uint64_t bytes = under_test.record_bytes.load() - bytes_before;
  check(state, rejected == 0, "a timed connection was rejected (the measured path was not the accept path)");
  check(state, records == 2 * static_cast<std::uint64_t>(state.iterations()),
        "expected two accounting records per iteration");
  check(state, eng.registry_stats().live_connections == live_sessions, "live count drifted");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["live"] = static_cast<double>(eng.registry_stats().live_connections);
  state.counters["record_bytes"] = benchmark::Counter(static_cast<double>(bytes), benchmark::Counter::kAvgIterations);
}
BENCHMARK_CAPTURE(BM_EngineAcceptHangup, last_rule_matches, false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_EngineAcceptHangup, first_rule_matches, true)->Unit(benchmark::kMicrosecond);

// ---- replace_policy: a reload ------------------------------------------------------------------

// The swap alone: two prebuilt 1,000-rule policies swapped in turn (neither is freed in the loop).
void BM_ReplacePolicy_Swap(benchmark::State& state) {
  engine_under_test under_test;
  const std::array<std::shared_ptr<const admission_policy>, 2> policies{
      std::make_shared<rule_policy>(make_settings(false), under_test.time),
      std::make_shared<rule_policy>(make_settings(true), under_test.time)};
  const ip_assignment_settings addresses;
  std::size_t next = 0;
  const alloc_meter allocations;
  for (auto _ : state) {
    under_test.eng.replace_policy(policies[next++ & 1], addresses);
  }
  allocations.report(state);
  check(state, policies[0].use_count() + policies[1].use_count() == 3, "the engine does not hold exactly one policy");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ReplacePolicy_Swap)->Name("BM_ReplacePolicy/swap")->Unit(benchmark::kMicrosecond);

// What a reload costs after the file is parsed: build the 1,000-rule policy from its settings
// (a copy, as the runtime hands settings over by value), swap it in, free the one it replaced.
void BM_ReplacePolicy_BuildAndSwap(benchmark::State& state) {
  engine_under_test under_test;
  const policy_settings parsed = make_settings(false);
  const ip_assignment_settings addresses;
  under_test.eng.replace_policy(std::make_shared<rule_policy>(parsed, under_test.time), addresses);
  const alloc_meter allocations;
  for (auto _ : state) {
    under_test.eng.replace_policy(std::make_shared<rule_policy>(parsed, under_test.time), addresses);
  }
  allocations.report(state);
  // The policy in force decides as the one built from these settings must.
  const std::vector<connection_info> requests = make_request_pool(7);
  const bool accepted = under_test.eng.accept_connection("MprAdminAcceptNewConnection3", requests[0]);
  check(state, accepted && under_test.eng.registry_stats().live_connections == 1,
        "the swapped-in policy did not accept the staff connection");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["rules"] = static_cast<double>(parsed.rules.size());
}
BENCHMARK(BM_ReplacePolicy_BuildAndSwap)->Name("BM_ReplacePolicy/build_and_swap")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
