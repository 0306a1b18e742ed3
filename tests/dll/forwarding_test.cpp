// accounting.forward against a real rsyslog listening on loopback (started by the CTest fixture
// tests/forwarding/rsyslog.sh): every record of the public files arrives as an RFC 5424 message
// whose MSGID is the event and whose MSG is the record, over RELP (acknowledged), TCP (octet
// counting) and UDP. The forwarder reads the files after a cursor kept on disk, so a collector
// outage or a restart (clean, or a killed host) loses nothing and repeats at most a counted
// window. A collector that is not there costs nothing but a report. The fixture's watcher pauses
// and resumes rsyslogd on request, since this Wine process cannot start Linux programs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "dll/dll_fixture.hpp"
#include "host/host_test_support.hpp"
#include "host/ras_structs.hpp"
#include "raswarden/forward_cursor.hpp"
#include "raswarden/log_format.hpp"
#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::testing {
namespace {

using accept_ex_fn = BOOL(WINAPI*)(RAS_CONNECTION_EX*);
using hangup_ex_fn = VOID(WINAPI*)(RAS_CONNECTION_EX*);
using namespace std::chrono_literals;

const std::wstring syslog_dir = win32::to_wide(RASWARDEN_SYSLOG_DIR);

// Lines of a text, each without its newline; a last line without one is left out.
std::vector<std::string> whole_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end = text.find('\n'); end != std::string_view::npos; end = text.find('\n', start)) {
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

class forwarding_test : public dll_test {
 protected:
  void TearDown() override {
    dll_test::TearDown();
    if (frozen_) {
      EXPECT_EQ(collector("thaw"), "ok");
    }
    if (paused_) {
      EXPECT_EQ(collector("resume"), "ok");  // the next test needs its collector
    }
  }

  void configure(const char* transport, int port) {
    write_config("{\"schema\":1,\"accounting\":{\"directory\":" +
                 nlohmann::json(win32::to_utf8(directory() + L"\\logs")).dump() +
                 ",\"forward\":{\"enabled\":true,\"transport\":\"" + transport +
                 "\",\"host\":\"127.0.0.1\",\"port\":" + std::to_string(port) + "}}}");
  }

  // Asks the fixture's watcher to pause or resume rsyslogd; returns its answer ("ok" or the error).
  std::string collector(const std::string& request) {
    const std::wstring control = syslog_dir + L"\\control\\";
    const std::wstring ack = control + L"ack-" + win32::to_wide(request);
    ::DeleteFileW(ack.c_str());
    const std::wstring ask = control + L"request-" + win32::to_wide(request);
    win32::unique_hfile file(::CreateFileW(ask.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr));
    if (!file) return "cannot create " + win32::to_utf8(ask) + " (is the rsyslog fixture running?)";
    file.reset();
    std::string answer;
    DWORD error = 0;
    for (int i = 0; i < 1500; ++i) {
      if (win32::read_file(ack, answer, error)) {
        while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r')) answer.pop_back();
        if (answer == "ok" && (request == "pause" || request == "resume")) paused_ = request == "pause";
        if (answer == "ok" && (request == "freeze" || request == "thaw")) frozen_ = request == "freeze";
        return answer;
      }
      ::Sleep(10);
    }
    return "the rsyslog watcher did not answer within 15 s";
  }

  // `count` connections (accept and hangup, two records each) for users prefix-0, prefix-1, ...,
  // returning once their records are in the public files (the publisher appends them shortly
  // after the callbacks return).
  void run_connections(const std::string& prefix, int count) {
    for (int i = 0; i < count; ++i) {
      host::connection_spec c;
      c.handle = 0x7000 + static_cast<std::uintptr_t>(i);
      c.guid = host::make_guid(5, ::GetTickCount64() * 1000 + static_cast<std::uint64_t>(i));
      c.user = win32::to_wide(prefix + "-" + std::to_string(i));
      c.duration_s = 42;
      auto s = host::make_connection(c);
      EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&s->ex));
      fn<hangup_ex_fn>("MprAdminConnectionHangupNotificationEx")(&s->ex);
    }
    const std::string last = "\"user\":\"" + prefix + "-" + std::to_string(count - 1) + "\"";
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      const auto lines = local_lines();
      const auto published = std::count_if(
          lines.begin(), lines.end(), [&](const std::string& line) { return line.find(last) != std::string::npos; });
      if (published >= 2) return;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the records of " << prefix << " were not published";
      std::this_thread::sleep_for(20ms);
    }
  }

  // The public lines a forwarder that has stopped could have delivered: all but the
  // service-stop records written after it stopped.
  [[nodiscard]] std::vector<std::string> lines_before_the_last_stop() const {
    std::vector<std::string> lines = local_lines();
    while (!lines.empty() && lines.back().find("\"event\":\"service-stop\"") != std::string::npos) lines.pop_back();
    return lines;
  }

  // Runs one connection for `user` and returns its local records.
  std::vector<nlohmann::json> run_connection(const std::wstring& user) {
    initialize();
    run_connections(win32::to_utf8(user), 1);
    terminate();
    return records();
  }

  // Every whole record line of the test's public files, in file order.
  [[nodiscard]] std::vector<std::string> local_lines() const {
    std::vector<std::string> lines;
    for (const std::wstring& file : accounting_files()) {
      std::string text;
      DWORD error = 0;
      if (!win32::read_file(file, text, error)) continue;
      text.resize(std::min(text.size(), text.find('\0')));
      for (std::string& line : whole_lines(text)) lines.push_back(std::move(line));
    }
    return lines;
  }

  // How often rsyslog received each MSG ("<msgid> <msg>" lines of received.log).
  static std::map<std::string, std::size_t> received_messages() {
    std::string text;
    DWORD error = 0;
    win32::read_file(syslog_dir + L"\\received.log", text, error);
    std::map<std::string, std::size_t> counts;
    for (const std::string& line : whole_lines(text)) {
      const std::size_t space = line.find(' ');
      if (space != std::string::npos) ++counts[line.substr(space + 1)];
    }
    return counts;
  }

  struct delivery {
    std::size_t missing = 0;
    std::size_t repeated = 0;  // arrivals beyond the first
    std::string first_missing;
  };
  static delivery compare(const std::vector<std::string>& lines, const std::map<std::string, std::size_t>& counts) {
    delivery d;
    for (const std::string& line : lines) {
      const auto found = counts.find(line);
      if (found == counts.end()) {
        if (d.missing++ == 0) d.first_missing = line;
      } else {
        d.repeated += found->second - 1;
      }
    }
    return d;
  }
  // Waits up to `patience` for every one of `lines` to reach rsyslog.
  static delivery wait_for_delivery(const std::vector<std::string>& lines, std::chrono::seconds patience) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    for (;;) {
      const delivery d = compare(lines, received_messages());
      if (d.missing == 0 || std::chrono::steady_clock::now() > deadline) return d;
      std::this_thread::sleep_for(200ms);
    }
  }

  // The lines rsyslog wrote ("<msgid> <msg>") that mention `needle`, waiting up to 10 s for
  // `count` of them.
  static std::vector<std::string> received(const std::string& needle, std::size_t count) {
    const std::wstring file = syslog_dir + L"\\received.log";
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::vector<std::string> lines;
    for (;;) {
      lines.clear();
      std::string text;
      DWORD error = 0;
      win32::read_file(file, text, error);
      for (std::string& line : whole_lines(text)) {
        if (line.find(needle) != std::string::npos) lines.push_back(std::move(line));
      }
      if (lines.size() >= count || std::chrono::steady_clock::now() > deadline) return lines;
      std::this_thread::sleep_for(100ms);
    }
  }

  void expect_forwarded(const std::vector<nlohmann::json>& local, const std::string& user) {
    std::vector<nlohmann::json> mine;
    for (const auto& r : local) {
      if (r.value("user", "") == user + "-0") mine.push_back(r);
    }
    ASSERT_EQ(mine.size(), 2u);
    const auto lines = received("\"user\":\"" + user + "-0\"", 2);
    ASSERT_EQ(lines.size(), 2u) << "rsyslog did not receive both records of " << user;
    for (std::size_t i = 0; i < 2; ++i) {
      const std::size_t space = lines[i].find(' ');
      ASSERT_NE(space, std::string::npos);
      EXPECT_EQ(lines[i].substr(0, space), mine[i].at("event").get<std::string>());  // MSGID
      EXPECT_EQ(nlohmann::json::parse(lines[i].substr(space + 1)), mine[i]);         // MSG is the record
    }
  }

  // How often `text` occurs in the DLL's own log.
  [[nodiscard]] std::size_t reports(std::string_view text) const {
    const std::string log = diagnostic_log();
    std::size_t n = 0;
    for (std::size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  }

  [[nodiscard]] std::vector<nlohmann::json> service_stops() const { return records_of("service-stop"); }

  // `raswarden status --json`'s forward section (the lag it measures from the cursor file).
  static nlohmann::json status_forward() {
    const process_result status = run_program(L"raswarden.exe", {L"status", L"--json"});
    const nlohmann::json report = nlohmann::json::parse(status.out, nullptr, false);
    EXPECT_TRUE(report.is_object() && report.contains("forward")) << status.all();
    return report.is_object() ? report.value("forward", nlohmann::json::object()) : nlohmann::json::object();
  }

  // Files and a cursor laid out before the DLL starts, as an earlier run (or an administrator)
  // left them. `days_ago` names a public file of that many days before today.
  [[nodiscard]] std::wstring logs() const { return directory() + L"\\logs"; }
  static std::string file_of(int days_ago) {
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
    return core::log_format::file_name({core::log_format::day_of(now.count()) - days_ago, 0});
  }
  void write_file(const std::wstring& path, const std::string& text) const {
    ASSERT_EQ(win32::create_directories(path.substr(0, path.find_last_of(L'\\'))), 0u);
    write_text_file(path, text);
  }
  void write_cursor(const std::string& text) const { write_file(logs() + L"\\.journal\\forward.cursor", text); }
  // A record line unique to this run.
  static std::string synthetic(const std::string& tag, int seq) {
    return "{\"schema\":1,\"ts\":\"2026-12-01T00:00:00.000Z\",\"event\":\"test-" + tag +
           "\",\"server\":\"t\",\"callback\":\"" + std::to_string(::GetTickCount64()) +
           "\",\"seq\":" + std::to_string(seq) + "}\n";
  }

  bool paused_ = false;
  bool frozen_ = false;
};

TEST_F(forwarding_test, records_reach_rsyslog_over_relp_each_acknowledged) {
  configure("relp", RASWARDEN_SYSLOG_RELP_PORT);
  const std::string user = "fwd-relp-" + std::to_string(::GetTickCount64());
  expect_forwarded(run_connection(win32::to_wide(user)), user);
  EXPECT_EQ(reports("cannot send"), 0u) << diagnostic_log();
  const auto stops = service_stops();
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].value("forward_lag_records", -1), 0) << stops[0].dump();  // drained before the stop
  EXPECT_EQ(stops[0].value("forward_resent", -1), 0) << stops[0].dump();
}

TEST_F(forwarding_test, records_reach_rsyslog_over_tcp_with_octet_counting) {
  configure("tcp", RASWARDEN_SYSLOG_TCP_PORT);
  const std::string user = "fwd-tcp-" + std::to_string(::GetTickCount64());
  expect_forwarded(run_connection(win32::to_wide(user)), user);
}

TEST_F(forwarding_test, records_reach_rsyslog_over_udp) {
  configure("udp", RASWARDEN_SYSLOG_UDP_PORT);
  const std::string user = "fwd-udp-" + std::to_string(::GetTickCount64());
  expect_forwarded(run_connection(win32::to_wide(user)), user);
}

TEST_F(forwarding_test, an_absent_collector_never_holds_up_rras) {
  configure("tcp", RASWARDEN_SYSLOG_TCP_PORT + 7);  // nothing listens there
  const auto start = std::chrono::steady_clock::now();
  const auto local = run_connection(L"nobody-listens");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(records_of("connection-accept").size(), 1u);  // the local file has everything
  EXPECT_EQ(records_of("connection-stop").size(), 1u);
  EXPECT_EQ(reports("accounting.forward: cannot send to 127.0.0.1"), 1u) << diagnostic_log();
  const auto stops = service_stops();
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_GT(stops[0].value("forward_lag_records", 0), 0) << "the stop record says what is still to send";
}

TEST_F(forwarding_test, relp_keeps_every_record_while_rsyslog_is_stopped_and_started_again) {
  configure("relp", RASWARDEN_SYSLOG_RELP_PORT);
  const std::string run = std::to_string(::GetTickCount64());
  initialize();
  run_connections("outage-a-" + run, 50);
  const delivery before = wait_for_delivery(local_lines(), 20s);
  ASSERT_EQ(before.missing, 0u) << "before the outage, e.g. " << before.first_missing;

  ASSERT_EQ(collector("pause"), "ok");
  run_connections("outage-b-" + run, 100);  // written while nothing listens
  std::this_thread::sleep_for(4s);
  EXPECT_GE(compare(local_lines(), received_messages()).missing, 200u) << "the outage should hold records back";
  ASSERT_EQ(collector("resume"), "ok");
  run_connections("outage-c-" + run, 50);

  const auto resumed = std::chrono::steady_clock::now();
  const delivery after = wait_for_delivery(local_lines(), 40s);
  EXPECT_EQ(after.missing, 0u) << "e.g. " << after.first_missing;
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - resumed);
  EXPECT_LT(took, 35s);
  terminate();

  // One report for the outage and one for the recovery, with the count of records sent again.
  EXPECT_EQ(reports("accounting.forward: cannot send to 127.0.0.1:" + std::to_string(RASWARDEN_SYSLOG_RELP_PORT) +
                    " over relp"),
            1u)
      << diagnostic_log();
  EXPECT_EQ(reports(" over relp again after "), 1u) << diagnostic_log();
  const auto stops = service_stops();
  ASSERT_EQ(stops.size(), 1u);
  const auto resent = stops[0].value("forward_resent", std::int64_t{-1});
  EXPECT_GE(resent, 0) << stops[0].dump();
  EXPECT_LE(resent, 128) << "RELP resends only what was not acknowledged (a window of 128)";
  EXPECT_LE(after.repeated, static_cast<std::size_t>(std::max<std::int64_t>(resent, 0)))
      << "every repeat is a counted resend";
  EXPECT_EQ(stops[0].value("forward_lag_records", -1), 0) << stops[0].dump();
  std::printf("outage: recovered in %lld ms, %zu repeated, %lld counted as resent\n",
              static_cast<long long>(took.count()), after.repeated, static_cast<long long>(resent));
}

TEST_F(forwarding_test, relp_resends_what_a_hung_collector_never_acknowledged_and_counts_it) {
  configure("relp", RASWARDEN_SYSLOG_RELP_PORT);
  const std::string run = std::to_string(::GetTickCount64());
  initialize();
  run_connections("hung-a-" + run, 10);
  ASSERT_EQ(wait_for_delivery(local_lines(), 20s).missing, 0u);
  // Frozen, rsyslogd takes the frames into its socket buffer and answers none: after 10 s
  // without an acknowledgement the forwarder gives the connection up. Thawed, rsyslogd still
  // writes what it had read from the old connection, and the new one carries the same records.
  ASSERT_EQ(collector("freeze"), "ok");
  run_connections("hung-b-" + run, 30);
  std::this_thread::sleep_for(12s);
  ASSERT_EQ(collector("thaw"), "ok");
  const delivery d = wait_for_delivery(local_lines(), 40s);
  EXPECT_EQ(d.missing, 0u) << "e.g. " << d.first_missing;
  terminate();
  EXPECT_EQ(reports("no acknowledgement for 10 s"), 1u) << diagnostic_log();
  const auto resent = service_stops().at(0).value("forward_resent", std::int64_t{-1});
  EXPECT_GT(resent, 0) << "the unacknowledged records were sent again";
  EXPECT_LE(resent, 128) << "at most the window";
  EXPECT_LE(d.repeated, static_cast<std::size_t>(std::max<std::int64_t>(resent, 0)))
      << "every repeat is a counted resend";
  std::printf("hung collector: %zu repeated, %lld counted as resent\n", d.repeated, static_cast<long long>(resent));
}

TEST_F(forwarding_test, relp_resumes_after_a_restart_from_the_saved_cursor) {
  configure("relp", RASWARDEN_SYSLOG_RELP_PORT);
  const std::string run = std::to_string(::GetTickCount64());
  initialize();
  run_connections("restart-a-" + run, 20);
  terminate();
  ASSERT_EQ(wait_for_delivery(lines_before_the_last_stop(), 20s).missing, 0u);

  // A whole run while the collector is away: nothing of it can be delivered before its stop.
  ASSERT_EQ(collector("pause"), "ok");
  initialize();
  run_connections("restart-b-" + run, 20);
  terminate();
  ASSERT_EQ(collector("resume"), "ok");
  const auto stops = service_stops();
  ASSERT_EQ(stops.size(), 2u);
  EXPECT_EQ(stops[0].value("forward_lag_records", -1), 0) << stops[0].dump();
  const int lag_at_stop = stops[1].value("forward_lag_records", 0);
  EXPECT_GE(lag_at_stop, 40) << "the second stop had run b's records to send";
  // raswarden status measures the same from the cursor, plus the service-stop record written after.
  const nlohmann::json forward = status_forward();
  EXPECT_EQ(forward.value("enabled", false), true) << forward.dump();
  EXPECT_EQ(forward.value("transport", ""), "relp") << forward.dump();
  EXPECT_EQ(forward.value("lag_records", -1), lag_at_stop + 1) << forward.dump();

  // The next start sends them from the cursor, and then its own.
  initialize();
  run_connections("restart-c-" + run, 20);
  const delivery d = wait_for_delivery(local_lines(), 40s);
  EXPECT_EQ(d.missing, 0u) << "e.g. " << d.first_missing;
  EXPECT_EQ(d.repeated, 0u) << "a clean stop leaves nothing to send twice";
  terminate();
  EXPECT_EQ(service_stops().back().value("forward_resent", -1), 0);
  EXPECT_EQ(service_stops().back().value("forward_lag_records", -1), 0);
  EXPECT_EQ(status_forward().value("lag_records", -1), 1) << "only the last service-stop is still to send";
}

TEST_F(forwarding_test, tcp_sends_a_stated_window_again_after_a_reconnect_and_counts_it) {
  configure("tcp", RASWARDEN_SYSLOG_TCP_PORT);
  const std::string run = std::to_string(::GetTickCount64());
  initialize();
  run_connections("tcp-outage-a-" + run, 20);
  ASSERT_EQ(wait_for_delivery(local_lines(), 20s).missing, 0u);
  ASSERT_EQ(collector("pause"), "ok");
  run_connections("tcp-outage-b-" + run, 20);
  std::this_thread::sleep_for(3s);
  ASSERT_EQ(collector("resume"), "ok");
  run_connections("tcp-outage-c-" + run, 20);
  const delivery d = wait_for_delivery(local_lines(), 40s);
  EXPECT_EQ(d.missing, 0u) << "e.g. " << d.first_missing;
  terminate();
  const auto resent = service_stops().at(0).value("forward_resent", std::int64_t{-1});
  EXPECT_GT(resent, 0) << "TCP has no acknowledgements: the last records are sent again";
  EXPECT_LE(resent, 1000);
  EXPECT_LE(d.repeated, static_cast<std::size_t>(std::max<std::int64_t>(resent, 0)));
  EXPECT_EQ(reports(" over tcp again after "), 1u) << diagnostic_log();
}

TEST_F(forwarding_test, relp_follows_size_rotation_from_file_to_file) {
  write_config("{\"schema\":1,\"accounting\":{\"directory\":" + nlohmann::json(win32::to_utf8(logs())).dump() +
               ",\"rotate_mb\":1,\"forward\":{\"enabled\":true,\"transport\":\"relp\",\"host\":\"127.0.0.1\","
               "\"port\":" +
               std::to_string(RASWARDEN_SYSLOG_RELP_PORT) + "}}}");
  initialize();
  run_connections("rotation-" + std::to_string(::GetTickCount64()), 4000);
  ASSERT_GE(accounting_files().size(), 3u) << "1 MiB files: the records should span several";
  const delivery d = wait_for_delivery(local_lines(), 60s);
  EXPECT_EQ(d.missing, 0u) << "e.g. " << d.first_missing;
  EXPECT_EQ(d.repeated, 0u);
  terminate();
  EXPECT_EQ(reports("cannot send"), 0u) << diagnostic_log();
  std::printf("rotation: %zu records in %zu files\n", local_lines().size(), accounting_files().size());
}

TEST_F(forwarding_test, a_file_replaced_under_the_same_name_is_forwarded_from_its_start) {
  configure("relp", RASWARDEN_SYSLOG_RELP_PORT);
  // The cursor was 10 bytes into a file whose first line was another one.
  const std::string old_first = synthetic("old", 1);
  const std::string replaced = synthetic("replaced", 1) + synthetic("replaced", 2);
  const std::string next = synthetic("next", 1);
  write_file(logs() + L"\\" + win32::to_wide(file_of(2)), replaced);
  write_file(logs() + L"\\" + win32::to_wide(file_of(1)), next);
  write_cursor(core::serialize({*core::log_format::parse_file_name(file_of(2)), 10, core::first_line_hash(old_first)}));
  initialize();
  run_connections("replaced-" + std::to_string(::GetTickCount64()), 5);
  const delivery d = wait_for_delivery(local_lines(), 20s);
  EXPECT_EQ(d.missing, 0u) << "e.g. " << d.first_missing;
  terminate();
  EXPECT_EQ(reports("accounting.forward: " + file_of(2) + " was replaced"), 1u) << diagnostic_log();
}

TEST_F(forwarding_test, a_file_removed_before_it_was_forwarded_is_reported_and_the_next_one_follows) {
  configure("relp", RASWARDEN_SYSLOG_RELP_PORT);
  const std::string next = synthetic("after-gone", 1) + synthetic("after-gone", 2);
  write_file(logs() + L"\\" + win32::to_wide(file_of(1)), next);
  // The cursor names a file retention has deleted since.
  write_cursor(core::serialize({*core::log_format::parse_file_name(file_of(2)), 500, 0x1234}));
  initialize();
  run_connections("gone-" + std::to_string(::GetTickCount64()), 5);
  const delivery d = wait_for_delivery(local_lines(), 20s);
  EXPECT_EQ(d.missing, 0u) << "e.g. " << d.first_missing;
  terminate();
  EXPECT_EQ(reports("accounting.forward: " + file_of(2) + " was removed before it was completely forwarded"), 1u)
      << diagnostic_log();
}

TEST_F(forwarding_test, an_unusable_cursor_is_set_aside_and_forwarding_restarts_at_the_newest_file) {
  configure("relp", RASWARDEN_SYSLOG_RELP_PORT);
  const std::string older = synthetic("older", 1);
  const std::string newest = synthetic("newest", 1) + synthetic("newest", 2);
  write_file(logs() + L"\\" + win32::to_wide(file_of(2)), older);
  write_file(logs() + L"\\" + win32::to_wide(file_of(1)), newest);
  write_cursor("{\"schema\":1,\"file\":\"accounting-");  // torn
  initialize();
  run_connections("bad-cursor-" + std::to_string(::GetTickCount64()), 5);
  std::vector<std::string> expected;
  for (std::string& line : local_lines()) {
    if (line + "\n" != older) expected.push_back(std::move(line));
  }
  const delivery d = wait_for_delivery(expected, 20s);
  EXPECT_EQ(d.missing, 0u) << "e.g. " << d.first_missing;
  EXPECT_EQ(received_messages().count(older.substr(0, older.size() - 1)), 0u) << "older files stay unsent";
  terminate();
  EXPECT_EQ(reports("is not usable (not JSON); it was kept as"), 1u) << diagnostic_log();
  std::string kept;
  DWORD error = 0;
  EXPECT_TRUE(win32::read_file(logs() + L"\\.journal\\forward.cursor.bad", kept, error));
  EXPECT_EQ(kept, "{\"schema\":1,\"file\":\"accounting-");
}

TEST_F(forwarding_test, a_killed_host_resumes_from_the_cursor_and_repeats_at_most_a_small_window) {
  configure("relp", RASWARDEN_SYSLOG_RELP_PORT);
  // rrashost under load in its own process (it inherits RASWARDEN_CONFIG), killed mid-flight.
  const std::wstring journal = directory() + L"\\ack.jsonl";
  const owned_process process_handle = start_endless_load(journal);
  ASSERT_TRUE(process_handle) << win32::describe_error(::GetLastError());
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  std::size_t delivered_before_kill = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto lines = local_lines();
    delivered_before_kill = lines.size() - compare(lines, received_messages()).missing;
    if (delivered_before_kill > 3000) break;
    ASSERT_EQ(::WaitForSingleObject(process_handle.get(), 200), static_cast<DWORD>(WAIT_TIMEOUT))
        << "rrashost ended by itself";
  }
  ASSERT_GT(delivered_before_kill, 3000u) << "the killed host should have forwarded a good part";
  ASSERT_NE(::TerminateProcess(process_handle.get(), 9), 0);
  ASSERT_EQ(::WaitForSingleObject(process_handle.get(), 30000), static_cast<DWORD>(WAIT_OBJECT_0));

  // The next start publishes what the killed run journaled and forwards from the saved cursor.
  const auto restarted = std::chrono::steady_clock::now();
  initialize();
  const auto lines = local_lines();
  const delivery d = wait_for_delivery(local_lines(), 90s);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - restarted);
  EXPECT_EQ(d.missing, 0u) << "e.g. " << d.first_missing;
  // Delivered but not yet in the saved cursor at the kill: at most 1,000 records (the cursor is
  // saved every 250 ms or 1,000 records) plus the 128 that may have been unacknowledged.
  EXPECT_LE(d.repeated, 1128u);
  terminate();
  std::printf(
      "killed host: %zu records, %zu delivered before the kill, %zu repeated after the restart, caught up in "
      "%lld ms\n",
      lines.size(), delivered_before_kill, d.repeated, static_cast<long long>(took.count()));
}

}  // namespace
}  // namespace raswarden::testing
