// host::run_sessions and host::run_load against raswarden.dll: the counts they report match the
// callbacks made, and raswarden.dll's accounting file has one record per acknowledged decision.
// The acknowledgement journal lines match those records.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "host/admin_chain.hpp"
#include "host/driver.hpp"
#include "host/host_test_support.hpp"
#include "host/scenario.hpp"
#include "win32/system.hpp"

namespace raswarden::testing {
namespace {

constexpr std::string_view three_sessions = R"({
  "schema": 1,
  "sessions": [
    {"user": "alice", "tunnel": "sstp", "client_ip": "10.1.0.5", "start_ms": 0, "hold_ms": 30},
    {"user": "carol", "tunnel": "dialup", "links": 2, "client_ip": "10.1.0.6", "start_ms": 5, "hold_ms": 10},
    {"user": "dave", "tunnel": "l2tp", "client_ip": "10.1.0.7", "start_ms": 10, "hold_ms": 0, "reauthenticate": true}
  ]
})";

host::scenario parse(std::string_view text) {
  std::string error;
  auto s = host::parse_scenario(text, "test.json", error);
  EXPECT_TRUE(s.has_value()) << error;
  return s ? std::move(*s) : host::scenario{};
}

std::unique_ptr<host::admin_chain> raswarden_chain(std::unique_ptr<host::ack_journal> journal = nullptr) {
  std::vector<std::unique_ptr<host::admin_dll>> dlls;
  auto dll = load_accepted(L"raswarden.dll");
  if (!dll) return nullptr;
  dlls.push_back(std::move(dll));
  return std::make_unique<host::admin_chain>(std::move(dlls), true, std::move(journal));
}

const host::latency_summary* latency_of(const host::run_report& report, host::callback_kind kind) {
  for (const auto& l : report.latency) {
    if (l.kind == kind) return &l;
  }
  return nullptr;
}

// What every latency summary must satisfy, whatever the machine's timings.
void expect_consistent(const host::latency_summary& l, const std::string& what) {
  EXPECT_GT(l.calls, 0u) << what;
  EXPECT_LE(l.over_10ms, l.over_1ms) << what;
  EXPECT_LE(l.over_1ms, l.calls) << what;
  EXPECT_GE(l.p50_us, 0.0) << what;
  EXPECT_LE(l.p50_us, l.p99_us) << what;
  EXPECT_LE(l.p99_us, l.p999_us) << what;
  EXPECT_LE(l.p999_us, l.p9999_us) << what;
  EXPECT_LE(l.p9999_us, l.max_us) << what;
  // The counts agree with the order statistics: a call over 1 ms exists exactly when the slowest
  // is over 1 ms, and more than half of them are when the median is.
  EXPECT_EQ(l.over_1ms > 0, l.max_us > 1000.0) << what;
  EXPECT_EQ(l.over_10ms > 0, l.max_us > 10000.0) << what;
  if (l.p50_us > 1000.0) {
    EXPECT_GE(2 * l.over_1ms, l.calls) << what;
  }
  if (l.p9999_us <= 1000.0) {
    EXPECT_LE(l.over_1ms, l.calls / 10000 + 1) << what;  // only the ranks above p99.99
  }
}

// The overall summary pools the kinds' calls.
void expect_overall(const std::vector<host::latency_summary>& rows, const host::latency_summary& all,
                    const std::string& what) {
  ASSERT_FALSE(rows.empty()) << what;
  expect_consistent(all, what + " overall");
  EXPECT_EQ(all.kind, host::callback_kind::count) << what;
  std::uint64_t calls = 0, over_1ms = 0, over_10ms = 0;
  double max_us = 0, min_p50 = rows.front().p50_us, max_p50 = rows.front().p50_us;
  for (const auto& l : rows) {
    expect_consistent(l, what + " " + std::string(host::to_string(l.kind)));
    calls += l.calls;
    over_1ms += l.over_1ms;
    over_10ms += l.over_10ms;
    max_us = std::max(max_us, l.max_us);
    min_p50 = std::min(min_p50, l.p50_us);
    max_p50 = std::max(max_p50, l.p50_us);
  }
  EXPECT_EQ(all.calls, calls) << what;
  EXPECT_EQ(all.over_1ms, over_1ms) << what;
  EXPECT_EQ(all.over_10ms, over_10ms) << what;
  EXPECT_EQ(all.max_us, max_us) << what;
  EXPECT_GE(all.p50_us, min_p50) << what;
  EXPECT_LE(all.p50_us, max_p50) << what;
}

// One latency object of the --json report carries every field, with the summary's values.
void expect_json_summary(const nlohmann::json& j, const host::latency_summary& l, const std::string& what) {
  for (const char* key : {"calls", "p50_us", "p99_us", "p99_9_us", "p99_99_us", "max_us", "over_1ms", "over_10ms"}) {
    ASSERT_TRUE(j.contains(key) && j[key].is_number()) << what << ": no number " << key << " in " << j.dump();
  }
  for (const char* key : {"calls", "over_1ms", "over_10ms"}) {
    EXPECT_TRUE(j[key].is_number_unsigned()) << what << ": " << key << " is not a count: " << j.dump();
  }
  EXPECT_EQ(j["calls"].get<std::uint64_t>(), l.calls) << what;
  EXPECT_EQ(j["over_1ms"].get<std::uint64_t>(), l.over_1ms) << what;
  EXPECT_EQ(j["over_10ms"].get<std::uint64_t>(), l.over_10ms) << what;
  EXPECT_DOUBLE_EQ(j["p50_us"].get<double>(), l.p50_us) << what;
  EXPECT_DOUBLE_EQ(j["p99_us"].get<double>(), l.p99_us) << what;
  EXPECT_DOUBLE_EQ(j["p99_9_us"].get<double>(), l.p999_us) << what;
  EXPECT_DOUBLE_EQ(j["p99_99_us"].get<double>(), l.p9999_us) << what;
  EXPECT_DOUBLE_EQ(j["max_us"].get<double>(), l.max_us) << what;
}

// The whole report: every summary consistent, in the text table and in the JSON.
void expect_complete_report(const host::run_report& report) {
  expect_overall(report.latency, report.latency_overall, "latency");
  expect_overall(report.latency_with_wait, report.latency_with_wait_overall, "latency_with_wait");

  const auto json = nlohmann::json::parse(host::report_json(report));
  for (const auto& [key, rows, overall] :
       {std::tuple{"latency", &report.latency, &report.latency_overall},
        std::tuple{"latency_with_wait", &report.latency_with_wait, &report.latency_with_wait_overall}}) {
    ASSERT_TRUE(json.contains(key) && json[key].is_object()) << key;
    EXPECT_EQ(json[key].size(), rows->size()) << key;
    for (const auto& l : *rows) {
      const std::string name(host::to_string(l.kind));
      ASSERT_TRUE(json[key].contains(name)) << key << " has no " << name;
      expect_json_summary(json[key][name], l, std::string(key) + "/" + name);
    }
    const std::string overall_key = std::string(key) + "_overall";
    ASSERT_TRUE(json.contains(overall_key)) << overall_key;
    expect_json_summary(json[overall_key], *overall, overall_key);
  }

  const std::string text = host::format_report(report);
  for (const char* column : {"p50 us", "p99 us", "p99.9 us", "p99.99 us", "max us", "> 1 ms", "> 10 ms"}) {
    EXPECT_NE(text.find(column), std::string::npos) << "no column \"" << column << "\" in\n" << text;
  }
  if (report.latency.size() > 1) {
    // The overall row: its name, the calls of every kind, and its over-1 ms and over-10 ms counts.
    const auto row = text.find("all callbacks");
    ASSERT_NE(row, std::string::npos) << text;
    const std::string line = text.substr(row, text.find('\n', row) - row);
    std::vector<std::string> cells;
    for (std::size_t i = 0; i < line.size();) {
      const auto start = line.find_first_not_of(' ', i);
      if (start == std::string::npos) break;
      const auto end = std::min(line.find(' ', start), line.size());
      cells.push_back(line.substr(start, end - start));
      i = end;
    }
    ASSERT_EQ(cells.size(), 10u) << line;  // "all", "callbacks", then 8 numbers
    EXPECT_EQ(cells[2], std::to_string(report.latency_overall.calls)) << line;
    EXPECT_EQ(cells[8], std::to_string(report.latency_overall.over_1ms)) << line;
    EXPECT_EQ(cells[9], std::to_string(report.latency_overall.over_10ms)) << line;
  }
}

TEST(summarize_latency, exact_order_statistics_and_counts_over_1_and_10_ms) {
  // 100,000 calls: 2 us but for a tail that p99.9 cannot see and p99.99 must. Sorted:
  // [0, 99977] 2 us, 99978 exactly 1 ms, [99979, 99993] 3 ms, 99994 exactly 10 ms, [99995, 99999] 50 ms.
  std::vector<std::uint32_t> samples(99'978, 2'000);
  samples.push_back(1'000'000);
  samples.push_back(10'000'000);
  samples.insert(samples.end(), 15, 3'000'000);
  samples.insert(samples.end(), 5, 50'000'000);
  std::reverse(samples.begin(), samples.end());  // unsorted, as the recorders hand them over
  const auto l = host::summarize_latency(host::callback_kind::accept_link, samples);
  EXPECT_EQ(l.kind, host::callback_kind::accept_link);
  EXPECT_EQ(l.calls, 100'000u);
  EXPECT_DOUBLE_EQ(l.p50_us, 2.0);
  EXPECT_DOUBLE_EQ(l.p99_us, 2.0);
  EXPECT_DOUBLE_EQ(l.p999_us, 2.0);      // rank round(0.999 * 99999) = 99899
  EXPECT_DOUBLE_EQ(l.p9999_us, 3000.0);  // rank round(0.9999 * 99999) = 99989: the 11th slowest
  EXPECT_DOUBLE_EQ(l.max_us, 50000.0);
  EXPECT_EQ(l.over_1ms, 21u);  // strictly over: 15 x 3 ms, 10 ms and 5 x 50 ms, not the 1 ms one
  EXPECT_EQ(l.over_10ms, 5u);  // not the call of exactly 10 ms
  expect_consistent(l, "synthetic");

  // Sub-microsecond resolution is kept (samples are nanoseconds).
  std::vector<std::uint32_t> fine{150, 250, 350, 1'000'001};
  const auto f = host::summarize_latency(host::callback_kind::hangup_link, fine);
  EXPECT_DOUBLE_EQ(f.p50_us, 0.35);  // rank round(1.5) = 2
  EXPECT_DOUBLE_EQ(f.p9999_us, 1000.001);
  EXPECT_EQ(f.over_1ms, 1u);
  EXPECT_EQ(f.over_10ms, 0u);

  std::vector<std::uint32_t> none;
  const auto e = host::summarize_latency(host::callback_kind::hangup_link, none);
  EXPECT_EQ(e.calls, 0u);
  EXPECT_EQ(e.over_1ms, 0u);
  EXPECT_EQ(e.p9999_us, 0.0);
  EXPECT_EQ(e.max_us, 0.0);
}

TEST(run_sessions, counts_lifecycles_links_and_records) {
  const raswarden_config config;
  const auto scenario = parse(three_sessions);
  ASSERT_EQ(scenario.sessions.size(), 3u);
  auto chain = raswarden_chain();
  ASSERT_NE(chain, nullptr);
  std::vector<std::string> printed;
  const auto report =
      host::run_sessions(*chain, scenario.sessions, [&](std::string_view line) { printed.emplace_back(line); });
  chain->terminate();

  EXPECT_EQ(report.lifecycles, 3u);
  EXPECT_EQ(report.connections_accepted, 3u);
  EXPECT_EQ(report.connections_rejected, 0u);
  EXPECT_EQ(report.links_accepted, 4u);
  EXPECT_EQ(report.links_rejected, 0u);
  EXPECT_EQ(report.address_refusals, 0u);
  EXPECT_EQ(report.threads, 1u);
  EXPECT_GE(report.seconds, 0.025);  // alice is held 30 ms (sleeps may end a timer tick early)
  const auto* accepts = latency_of(report, host::callback_kind::accept_connection);
  const auto* links = latency_of(report, host::callback_kind::accept_link);
  const auto* reauth = latency_of(report, host::callback_kind::reauthenticate);
  const auto* addresses = latency_of(report, host::callback_kind::get_ipv4);
  ASSERT_NE(accepts, nullptr);
  ASSERT_NE(links, nullptr);
  ASSERT_NE(reauth, nullptr);
  ASSERT_NE(addresses, nullptr);  // raswarden.dll has the IPv4 pair; sessions ask by default
  EXPECT_EQ(accepts->calls, 3u);
  EXPECT_EQ(links->calls, 4u);
  EXPECT_EQ(reauth->calls, 1u);
  EXPECT_EQ(addresses->calls, 3u);
  const auto* addresses6 = latency_of(report, host::callback_kind::get_ipv6);
  ASSERT_NE(addresses6, nullptr);  // and the IPv6 pair
  EXPECT_EQ(addresses6->calls, 3u);
  EXPECT_LE(accepts->p50_us, accepts->max_us);
  expect_complete_report(report);
  EXPECT_EQ(report.latency_overall.calls, 3u + 3u + 4u + 4u + 1u + 3u + 3u + 3u + 3u);  // and the releases

  EXPECT_EQ(config.records_of("connection-accept").size(), 3u);
  EXPECT_EQ(config.records_of("connection-stop").size(), 3u);
  EXPECT_EQ(config.records_of("link-accept").size(), 4u);
  EXPECT_EQ(config.records_of("link-stop").size(), 4u);
  EXPECT_EQ(config.records_of("reauth-accept").size(), 1u);
  EXPECT_EQ(config.records_of("ip-assign").size(), 6u);  // IPv4 and IPv6 for each session
  EXPECT_EQ(config.records_of("ip-release").size(), 6u);
  // carol's two links are one connection with two links.
  for (const auto& stop : config.records_of("connection-stop")) {
    EXPECT_EQ(stop.value("links", 0), stop.value("user", "") == "carol" ? 2 : 1) << stop.dump();
  }

  // The timeline: dave (10 ms, held 0) hangs up before carol (5 + 10 ms) and alice (30 ms).
  std::vector<std::string> hangups;
  for (const auto& line : printed) {
    if (line.rfind("ConnectionHangup", 0) != 0) continue;
    const std::size_t user = line.find_first_not_of(' ', std::string_view("ConnectionHangup").size());
    hangups.push_back(line.substr(user, line.find(' ', user) - user));
  }
  EXPECT_EQ(hangups, (std::vector<std::string>{"dave", "carol", "alice"}));
  EXPECT_NE(std::find_if(printed.begin(), printed.end(),
                         [](const std::string& l) {
                           return l.find("carol") != std::string::npos && l.find("COM2") != std::string::npos &&
                                  l.find("ACCEPT") != std::string::npos;
                         }),
            printed.end());
}

TEST(run_load, runs_every_lifecycle_on_two_threads) {
  const raswarden_config config;
  auto chain = raswarden_chain();
  ASSERT_NE(chain, nullptr);
  host::load_options options;
  options.lifecycles = 2000;
  options.threads = 2;
  options.concurrency = 50;
  options.seed = 7;
  const auto report = host::run_load(*chain, options, true);
  chain->terminate();

  EXPECT_EQ(report.lifecycles, 2000u);
  EXPECT_EQ(report.connections_accepted, 2000u);
  EXPECT_EQ(report.links_accepted, 2000u);
  EXPECT_EQ(report.threads, 2u);
  EXPECT_TRUE(report.serialized);
  ASSERT_EQ(report.latency.size(), 4u) << host::format_report(report);
  const host::callback_kind expected[] = {host::callback_kind::accept_connection,
                                          host::callback_kind::hangup_connection, host::callback_kind::accept_link,
                                          host::callback_kind::hangup_link};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(report.latency[i].kind, expected[i]);
    EXPECT_EQ(report.latency[i].calls, 2000u) << host::to_string(report.latency[i].kind);
    EXPECT_LE(report.latency[i].p50_us, report.latency[i].p99_us);
    EXPECT_LE(report.latency[i].p99_us, report.latency[i].max_us);
  }
  expect_complete_report(report);
  EXPECT_EQ(report.latency_overall.calls, 4 * 2000u);
  EXPECT_EQ(report.latency_with_wait_overall.calls, 4 * 2000u);
  // Two threads: the same calls also timed with the wait for the serialization lock, which can
  // only add to the time in the DLL.
  ASSERT_EQ(report.latency_with_wait.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(report.latency_with_wait[i].kind, expected[i]);
    EXPECT_EQ(report.latency_with_wait[i].calls, 2000u);
    EXPECT_LE(report.latency[i].p50_us, report.latency_with_wait[i].p50_us + 0.05);
    EXPECT_LE(report.latency[i].max_us, report.latency_with_wait[i].max_us + 0.05);
    EXPECT_LE(report.latency[i].p9999_us, report.latency_with_wait[i].max_us + 0.05);
  }
  EXPECT_LE(report.latency_overall.max_us, report.latency_with_wait_overall.max_us + 0.05);
  EXPECT_GT(report.lifecycles_per_s, 0.0);

  const auto accepted = config.records_of("connection-accept");
  EXPECT_EQ(accepted.size(), report.lifecycles);
  EXPECT_EQ(config.records_of("connection-stop").size(), report.lifecycles);
  // Every generated connection is a distinct session.
  std::set<std::string> guids;
  for (const auto& r : accepted) guids.insert(r.value("guid", ""));
  EXPECT_EQ(guids.size(), 2000u);

  const auto json = nlohmann::json::parse(host::report_json(report));
  EXPECT_EQ(json["lifecycles"], 2000);
  EXPECT_EQ(json["latency"]["AcceptNewConnection"]["calls"], 2000);
}

TEST(run_load, address_option_adds_the_ipv4_and_ipv6_pairs) {
  const raswarden_config config;
  auto chain = raswarden_chain();
  ASSERT_NE(chain, nullptr);
  host::load_options options;
  options.lifecycles = 40;
  options.concurrency = 4;
  options.links_per_session = 2;
  options.addresses = true;
  const auto report = host::run_load(*chain, options, false);
  chain->terminate();
  EXPECT_EQ(report.lifecycles, 40u);
  EXPECT_EQ(report.links_accepted, 80u);
  EXPECT_FALSE(report.serialized);
  const auto* gets = latency_of(report, host::callback_kind::get_ipv4);
  const auto* releases = latency_of(report, host::callback_kind::release_ipv4);
  ASSERT_NE(gets, nullptr);
  ASSERT_NE(releases, nullptr);
  EXPECT_EQ(gets->calls, 40u);
  EXPECT_EQ(releases->calls, 40u);
  const auto* gets6 = latency_of(report, host::callback_kind::get_ipv6);
  const auto* releases6 = latency_of(report, host::callback_kind::release_ipv6);
  ASSERT_NE(gets6, nullptr);
  ASSERT_NE(releases6, nullptr);
  EXPECT_EQ(gets6->calls, 40u);
  EXPECT_EQ(releases6->calls, 40u);
  EXPECT_EQ(config.records_of("ip-assign").size(), 80u);
  EXPECT_EQ(config.records_of("link-accept").size(), 80u);
  expect_complete_report(report);
  EXPECT_EQ(report.latency_overall.calls, 40u * 6 + 80u * 2);  // 4 address, 2 connection, 2 x 2 link calls
}

TEST(ack_journal, every_acknowledged_accept_has_its_accounting_record) {
  const raswarden_config config;
  const temp_directory folder("journal");
  const std::wstring journal_path = folder.path() + L"\\ack.jsonl";
  std::string error;
  auto journal = host::ack_journal::open(journal_path, error);
  ASSERT_NE(journal, nullptr) << error;

  // raswarden.dll first, then a DLL that refuses "deny*" users: the chain refuses deny-eve
  // after raswarden.dll accepted (and recorded) her.
  std::vector<std::unique_ptr<host::admin_dll>> dlls;
  dlls.push_back(load_accepted(L"raswarden.dll"));
  dlls.push_back(load_accepted(L"test_rejecting.dll"));
  for (const auto& dll : dlls) ASSERT_NE(dll, nullptr);
  host::admin_chain chain(std::move(dlls), true, std::move(journal));
  auto scenario = parse(three_sessions);
  scenario.sessions.push_back(parse(R"({"schema":1,"sessions":[{"user":"deny-eve"}]})").sessions.at(0));
  scenario.sessions.back().connection.handle = 0x900000;  // distinct from the other sessions
  scenario.sessions.back().connection.guid = host::make_guid(0xE7E, 1);
  for (auto& link : scenario.sessions.back().links) {
    link.connection = 0x900000;
    link.port = 0x900001;
  }
  const auto report = host::run_sessions(chain, scenario.sessions, {});
  chain.terminate();
  EXPECT_EQ(report.connections_accepted, 3u);
  EXPECT_EQ(report.connections_rejected, 1u);

  const auto lines = read_json_lines(journal_path);
  ASSERT_FALSE(lines.empty());
  std::map<std::string, std::size_t> per_callback;
  std::vector<std::string> accepted_guids;
  std::uint64_t expected_ack = 1;
  for (const auto& line : lines) {
    ASSERT_TRUE(line.contains("ack") && line["ack"].is_number_unsigned()) << line.dump();
    EXPECT_EQ(line["ack"].get<std::uint64_t>(), expected_ack++) << line.dump();
    const std::string callback = line.value("callback", "");
    ++per_callback[callback];
    if (callback == "AcceptNewConnection") {
      const std::string answer = line.value("answer", "");
      EXPECT_EQ(answer, line.value("user", "") == "deny-eve" ? "reject" : "accept") << line.dump();
      if (answer == "accept") accepted_guids.push_back(line.value("guid", ""));
    }
  }
  EXPECT_EQ(per_callback["AcceptNewConnection"], report.connections_accepted + report.connections_rejected);
  EXPECT_EQ(accepted_guids.size(), report.connections_accepted);
  EXPECT_EQ(per_callback["ConnectionHangupNotification"], report.lifecycles);
  EXPECT_EQ(per_callback["AcceptNewLink"], report.links_accepted);
  EXPECT_EQ(per_callback["LinkHangupNotification"], report.links_accepted);
  EXPECT_EQ(per_callback["AcceptReauthentication"], 1u);
  EXPECT_EQ(per_callback["GetIpAddressForUser"], 4u);
  EXPECT_EQ(per_callback["ReleaseIpAddress"], 4u);
  EXPECT_EQ(per_callback["GetIpv6AddressForUser"], 4u);
  EXPECT_EQ(per_callback["ReleaseIpv6AddressForUser"], 4u);

  std::set<std::string> recorded;
  for (const auto& r : config.records_of("connection-accept")) recorded.insert(r.value("guid", ""));
  for (const auto& guid : accepted_guids) {
    EXPECT_EQ(guid.size(), 36u) << guid;
    EXPECT_TRUE(recorded.contains(guid)) << "acknowledged " << guid << " has no connection-accept record";
  }
}

}  // namespace
}  // namespace raswarden::testing
