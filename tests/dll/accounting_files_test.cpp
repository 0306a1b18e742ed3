// The accounting files as the DLL writes them inside a host process: rotation under
// multi-threaded load, publication while it runs, a torn tail ended with a newline, an unusable folder (records held,
// RRAS kept running, the problem reported), on_failure = reject, configuration records, and recovery of sessions left
// open at a clean stop.
#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "dll/dll_fixture.hpp"
#include "host/ras_structs.hpp"
#include "win32/system.hpp"

namespace raswarden::testing {
namespace {

using accept_ex_fn = BOOL(WINAPI*)(RAS_CONNECTION_EX*);
using hangup_ex_fn = VOID(WINAPI*)(RAS_CONNECTION_EX*);
using link_fn = BOOL(WINAPI*)(RAS_PORT_0*, RAS_PORT_1*);
using link_hangup_fn = VOID(WINAPI*)(RAS_PORT_0*, RAS_PORT_1*);

class accounting_files_test : public dll_test {
 protected:
  std::string config_with(const std::string& extra) {
    return "{\"schema\":1,\"accounting\":{\"directory\":" +
           nlohmann::json(win32::to_utf8(directory() + L"\\logs")).dump() + (extra.empty() ? "" : "," + extra) + "}}";
  }

  static std::unique_ptr<host::connection_structs> connection(std::uintptr_t handle, const wchar_t* user) {
    host::connection_spec c;
    c.handle = handle;
    c.guid = host::make_guid(99, handle);
    c.user = user;
    c.duration_s = 10;
    return host::make_connection(c);
  }

  // Full lifecycles (accept, link, link hangup, hangup) from `threads` threads at once.
  void run_lifecycles(int threads, int lifecycles) {
    const auto accept = fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx");
    const auto hangup = fn<hangup_ex_fn>("MprAdminConnectionHangupNotificationEx");
    const auto accept_link = fn<link_fn>("MprAdminAcceptNewLink");
    const auto hangup_link = fn<link_hangup_fn>("MprAdminLinkHangupNotification");
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (int i = 0; i < lifecycles; ++i) {
          const std::uintptr_t handle = 0x100000u * static_cast<unsigned>(t + 1) + static_cast<unsigned>(i) * 4u;
          host::connection_spec spec;
          spec.handle = handle;
          spec.guid = host::make_guid(99, handle);
          spec.user = L"rotating-user-with-a-long-name";
          spec.duration_s = 10;
          auto c = host::make_connection(spec);
          host::link_spec l;
          l.port = handle + 1;
          l.connection = handle;
          l.port_name = L"VPN1-" + std::to_wstring(i);
          auto p = host::make_port(l);
          EXPECT_TRUE(accept(&c->ex));
          EXPECT_TRUE(accept_link(&p.p0, &p.p1));
          hangup_link(&p.p0, &p.p1);
          hangup(&c->ex);
        }
      });
    }
    for (auto& w : workers) w.join();
  }

  // Every record once, whole, in seq order, one session per lifecycle.
  void expect_every_record_once(std::size_t lifecycles) {
    const auto all = records();  // fails the test on any line that is not a whole JSON object
    ASSERT_EQ(all.size(), 4u * lifecycles + 3);
    std::set<std::string> sessions;
    for (std::size_t i = 0; i < all.size(); ++i) {
      ASSERT_EQ(all[i].at("seq"), i + 1) << "seq out of order or duplicated at line " << i;
      if (all[i].at("event") == "connection-accept") sessions.insert(all[i].at("session_id"));
    }
    EXPECT_EQ(sessions.size(), lifecycles);
  }

  // Waits (up to 10 s) until at least `count` records exist.
  std::vector<nlohmann::json> wait_for_records(std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    auto all = records();
    while (all.size() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      all = records();
    }
    return all;
  }

  // Puts a file where the log folder should be, so the folder cannot be created; returns its path.
  std::wstring block_log_folder() {
    const std::wstring blocker = directory() + L"\\logs";
    const HANDLE file = ::CreateFileW(blocker.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr);
    EXPECT_NE(file, INVALID_HANDLE_VALUE);
    ::CloseHandle(file);
    return blocker;
  }

  static std::string today_file_name() {
    SYSTEMTIME now{};
    ::GetSystemTime(&now);
    char name[64];
    std::snprintf(name, sizeof name, "accounting-%04u%02u%02u.jsonl", now.wYear, now.wMonth, now.wDay);
    return name;
  }
};

// A public file: whole records only, never a NUL.
void expect_closed_file(const std::wstring& file, std::size_t most_bytes) {
  std::string text;
  DWORD error = 0;
  ASSERT_TRUE(win32::read_file(file, text, error));
  EXPECT_LE(text.size(), most_bytes) << win32::to_utf8(file);
  ASSERT_FALSE(text.empty()) << win32::to_utf8(file);
  EXPECT_EQ(text.back(), '\n') << win32::to_utf8(file) << " ends inside a record";
  EXPECT_EQ(text.find('\0'), std::string::npos) << win32::to_utf8(file) << " holds a NUL";
}

TEST_F(accounting_files_test, rotation_under_load_keeps_every_record_exactly_once_and_whole) {
  write_config(config_with("\"rotate_mb\":1,\"flush_interval_ms\":50"));
  initialize();
  constexpr int threads = 4;
  constexpr int lifecycles = 1500;
  run_lifecycles(threads, lifecycles);
  terminate();

  const auto files = accounting_files();
  ASSERT_GT(files.size(), 3u) << "1 MB files should have rotated several times";
  for (const auto& file : files) expect_closed_file(file, 1u << 20);
  expect_every_record_once(threads * lifecycles);
}

// While the DLL runs, records reach the public file within the publish interval, and whatever a
// reader sees then is complete lines only; stopping adds records and changes none.
TEST_F(accounting_files_test, records_are_published_while_the_dll_runs_as_complete_lines_only) {
  write_config(config_with("\"publish_interval_ms\":50"));
  initialize();
  constexpr int threads = 4;
  constexpr int lifecycles = 500;
  run_lifecycles(threads, lifecycles);
  const auto published = wait_for_records(4u * threads * lifecycles + 2);  // records() checks every line
  ASSERT_EQ(published.size(), 4u * threads * lifecycles + 2) << "published while running";
  const auto open_files = accounting_files();
  ASSERT_EQ(open_files.size(), 1u);
  std::string running;
  DWORD error = 0;
  ASSERT_TRUE(win32::read_file(open_files.front(), running, error));
  EXPECT_EQ(running.back(), '\n');
  terminate();
  expect_every_record_once(threads * lifecycles);
  expect_closed_file(open_files.front(), 64u << 20);
  std::string closed;
  ASSERT_TRUE(win32::read_file(open_files.front(), closed, error));
  EXPECT_EQ(closed.substr(0, running.size()), running) << "stopping changed what was published";
}

// A file whose last line was cut off (by an earlier crash, a power loss, or another program) is
// never cut back: it gets a newline, so the next record starts on its own line, and the torn
// bytes are reported.
TEST_F(accounting_files_test, a_torn_line_at_the_end_of_the_file_is_ended_with_a_newline_not_cut_off) {
  ASSERT_EQ(win32::create_directories(directory() + L"\\logs"), 0u);
  const std::wstring today = directory() + L"\\logs\\" + win32::to_wide(today_file_name());
  const std::string before = "{\"schema\":1,\"event\":\"service-start\",\"seq\":1}\n{\"schema\":1,\"event\":\"conn";
  const HANDLE file = ::CreateFileW(today.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr);
  ASSERT_NE(file, INVALID_HANDLE_VALUE);
  DWORD written = 0;
  ::WriteFile(file, before.data(), static_cast<DWORD>(before.size()), &written, nullptr);
  ::CloseHandle(file);

  initialize();
  terminate();
  std::string text;
  DWORD error = 0;
  ASSERT_TRUE(win32::read_file(today, text, error));
  ASSERT_EQ(text.substr(0, before.size() + 1), before + "\n") << "the file was rewritten";
  std::size_t lines = 0;
  for (std::size_t at = before.size() + 1; at < text.size(); at = text.find('\n', at) + 1) {
    EXPECT_TRUE(nlohmann::json::parse(text.substr(at, text.find('\n', at) - at), nullptr, false).is_object());
    ++lines;
  }
  EXPECT_EQ(lines, 3u) << "service-start, config-loaded, service-stop";
  EXPECT_NE(diagnostic_log().find("ended in 25 bytes of an unfinished line; a newline was appended"), std::string::npos)
      << diagnostic_log();
}

TEST_F(accounting_files_test, an_unusable_folder_keeps_rras_running_and_records_are_written_once_it_is_usable) {
  write_config(config_with("\"flush_interval_ms\":50"));
  const std::wstring blocker = block_log_folder();

  initialize();
  auto c = connection(0x42, L"held");
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&c->ex));  // on_failure = continue
  EXPECT_TRUE(records().empty());
  // Reported in the default folder's log, naming the unusable one.
  std::string fallback;
  DWORD error = 0;
  win32::read_file(win32::expand_environment(L"%ProgramData%\\RasWarden\\logs\\raswarden.log"), fallback, error);
  EXPECT_NE(fallback.find(win32::to_utf8(blocker) + " is not usable"), std::string::npos) << fallback;

  ASSERT_NE(::DeleteFileW(blocker.c_str()), 0);
  const auto all = wait_for_records(3);  // the background thread retries
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].at("event"), "service-start");
  EXPECT_EQ(all[1].at("event"), "config-loaded");
  EXPECT_EQ(all[2].at("event"), "connection-accept");
  EXPECT_EQ(all[2].at("user"), "held");
  terminate();
  const auto stop = records().back();
  EXPECT_EQ(stop.at("event"), "service-stop");
  EXPECT_EQ(stop.at("records_lost"), 0);
  EXPECT_GE(stop.at("records_failed"), 1);
}

TEST_F(accounting_files_test, on_failure_reject_refuses_connections_until_records_can_be_written) {
  write_config(config_with("\"flush_interval_ms\":50,\"on_failure\":\"reject\""));
  const std::wstring blocker = block_log_folder();

  initialize();
  auto refused = connection(0x51, L"refused");
  EXPECT_FALSE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&refused->ex));
  ASSERT_NE(::DeleteFileW(blocker.c_str()), 0);
  wait_for_records(3);
  auto admitted = connection(0x52, L"admitted");
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&admitted->ex));
  terminate();
  const auto rejects = records_of("connection-reject");
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].at("user"), "refused");
  EXPECT_EQ(rejects[0].at("rule"), "accounting.on_failure");
  EXPECT_EQ(records_of("connection-accept").size(), 1u);
}

TEST_F(accounting_files_test, configuration_problems_are_recorded_with_their_json_paths) {
  // The file is rejected as a whole, but its valid accounting keys (the folder) still apply, so
  // the record lands where the administrator looks for it.
  write_config(config_with("\"rotate\":true,\"on_failure\":\"panic\""));
  initialize();
  terminate();
  EXPECT_TRUE(records_of("config-loaded").empty());
  const auto loaded = records_of("config-rejected");
  ASSERT_EQ(loaded.size(), 1u);
  const auto problems = loaded[0].at("problems");
  ASSERT_EQ(problems.size(), 2u);
  // In file order, each naming its JSON path and what was expected.
  EXPECT_NE(problems[0].get<std::string>().find("/accounting/rotate: unknown key"), std::string::npos) << problems;
  EXPECT_NE(problems[1].get<std::string>().find(
                "/accounting/on_failure: expected one of \"continue\", \"reject\", found \"panic\""),
            std::string::npos)
      << problems;
}

TEST_F(accounting_files_test, an_unreadable_configuration_is_recorded_as_rejected) {
  write_config("{ this is not json");
  initialize();
  terminate();
  // The defaults apply, so the records and the log are in %ProgramData%\RasWarden\logs.
  const std::wstring logs = win32::expand_environment(L"%ProgramData%\\RasWarden\\logs\\");
  std::string log;
  DWORD error = 0;
  ASSERT_TRUE(win32::read_file(logs + L"raswarden.log", log, error));
  // This test's own file, line and column (the shared log also holds other tests' problems).
  EXPECT_NE(log.find(win32::to_utf8(directory() + L"\\raswarden.json") + ":1:4: not valid JSON"), std::string::npos)
      << log;
  const auto rejected = rejections_in_default_folder();
  ASSERT_EQ(rejected.size(), 1u) << "no config-rejected record for this test's file";
  EXPECT_EQ(rejected[0].at("source"), "defaults");
  EXPECT_EQ(rejected[0].at("problems").size(), 1u);
}

TEST_F(accounting_files_test, sessions_open_at_a_clean_stop_are_recovered_as_service_restart) {
  write_config(config_with(""));
  initialize();
  auto first = connection(0x61, L"still-on");
  auto second = connection(0x62, L"also-on");
  auto gone = connection(0x63, L"gone");
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&first->ex));
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&second->ex));
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&gone->ex));
  fn<hangup_ex_fn>("MprAdminConnectionHangupNotificationEx")(&gone->ex);
  terminate();
  initialize();
  terminate();
  const auto recovered = records_of("session-recovered");
  ASSERT_EQ(recovered.size(), 2u);
  std::set<std::string> users;
  for (const auto& r : recovered) {
    users.insert(r.at("user"));
    EXPECT_EQ(r.at("cause"), "service-restart");
    EXPECT_EQ(r.at("callback"), "MprAdminInitializeDll");
    EXPECT_TRUE(r.contains("duration_s"));
  }
  EXPECT_EQ(users, (std::set<std::string>{"still-on", "also-on"}));
  // Recovered once: a third start finds nothing left.
  initialize();
  terminate();
  EXPECT_EQ(records_of("session-recovered").size(), 2u);
}

}  // namespace
}  // namespace raswarden::testing

namespace raswarden::testing {
namespace {

class housekeeping_test : public accounting_files_test {
 protected:
  void create_file(const std::wstring& name, const std::string& text = "{\"schema\":1}\n") {
    ASSERT_EQ(win32::create_directories(directory() + L"\\logs"), 0u);
    const HANDLE file =
        ::CreateFileW((directory() + L"\\logs\\" + name).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr);
    ASSERT_NE(file, INVALID_HANDLE_VALUE);
    DWORD written = 0;
    ::WriteFile(file, text.data(), static_cast<DWORD>(text.size()), &written, nullptr);
    ::CloseHandle(file);
  }
  bool exists(const std::wstring& name) const {
    return ::GetFileAttributesW((directory() + L"\\logs\\" + name).c_str()) != INVALID_FILE_ATTRIBUTES;
  }
  // Housekeeping runs on the background thread's first tick, then once a minute.
  bool wait_until_gone(const std::wstring& name) const {
    for (int i = 0; i < 100 && exists(name); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return !exists(name);
  }
};

TEST_F(housekeeping_test, files_older_than_retention_days_are_deleted_and_newer_ones_kept) {
  create_file(
      L"accounting-20200101.jsonl",
      "{\"schema\":1,\"ts\":\"2020-01-01T00:00:01.000Z\"}\n{\"schema\":1,\"ts\":\"2020-01-01T23:59:00.500Z\"}\n");
  create_file(L"accounting-20200101-1.jsonl");
  create_file(L"notes.txt");
  SYSTEMTIME now{};
  ::GetSystemTime(&now);
  // Yesterday's file by name (approximately: the 1st of this month is never older than 31 days).
  wchar_t recent[40];
  std::swprintf(recent, 40, L"accounting-%04u%02u01.jsonl", now.wYear, now.wMonth);
  create_file(recent);
  write_config(config_with("\"retention_days\":31,\"min_free_mb\":0,\"flush_interval_ms\":50"));
  initialize();
  EXPECT_TRUE(wait_until_gone(L"accounting-20200101.jsonl"));
  EXPECT_TRUE(wait_until_gone(L"accounting-20200101-1.jsonl"));
  terminate();
  EXPECT_TRUE(exists(recent) || std::wstring(recent) == win32::to_wide(today_file_name()));
  EXPECT_TRUE(exists(L"notes.txt"));  // only accounting files are ever deleted
  // Each deletion says what went: the file, its records and their time span.
  EXPECT_NE(diagnostic_log().find("accounting-20200101.jsonl (2 record(s), 2020-01-01T00:00:01.000Z to "
                                  "2020-01-01T23:59:00.500Z), older than retention_days = 31"),
            std::string::npos)
      << diagnostic_log();
}

// The audit trail is never deleted to make room: below the floor, nothing is deleted and records
// wait in the journal, unpublished, with an error saying so; they are published at the stop.
TEST_F(housekeeping_test, below_the_free_space_floor_no_file_is_deleted_and_records_wait_in_the_journal) {
  create_file(L"accounting-20240101.jsonl");
  create_file(L"accounting-20240102.jsonl");
  // A floor no disk meets.
  write_config(config_with("\"retention_days\":0,\"min_free_mb\":1048576,\"flush_interval_ms\":50"));
  initialize();
  auto c = connection(0x71, L"while-full");
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&c->ex));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // several publisher rounds
  EXPECT_TRUE(records_of("connection-accept").empty()) << "published below the floor";
  EXPECT_TRUE(exists(L"accounting-20240101.jsonl"));
  EXPECT_TRUE(exists(L"accounting-20240102.jsonl"));
  terminate();
  EXPECT_TRUE(exists(L"accounting-20240101.jsonl"));
  EXPECT_TRUE(exists(L"accounting-20240102.jsonl"));
  EXPECT_EQ(records_of("connection-accept").size(), 1u);  // kept in the journal, written at the stop
  const std::string log = diagnostic_log();
  EXPECT_NE(log.find("below accounting.min_free_mb = 1048576: records are kept in the journal"), std::string::npos)
      << log;
  EXPECT_NE(log.find("no accounting file is deleted to make room"), std::string::npos) << log;
  EXPECT_EQ(log.find("] deleted "), std::string::npos) << log;  // no deletion message
}

TEST_F(accounting_files_test, every_record_of_every_callback_family_has_the_common_fields) {
  write_config(config_with(""));
  initialize();
  // One lifecycle through each family, plus reauthentication and both address pairs.
  using accept3_fn = BOOL(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*, RAS_CONNECTION_3*);
  using hangup3_fn = VOID(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*, RAS_CONNECTION_3*);
  using reauth_fn = BOOL(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*, RAS_CONNECTION_3*);
  using get_ip_fn = DWORD(WINAPI*)(WCHAR*, WCHAR*, DWORD*, BOOL*);
  using release_ip_fn = VOID(WINAPI*)(WCHAR*, WCHAR*, DWORD*);
  auto a = connection(0x91, L"family3");
  auto b = connection(0x92, L"familyex");
  host::link_spec l;
  l.port = 0x93;
  l.connection = 0x91;
  l.port_name = L"VPN1-9";
  auto p = host::make_port(l);
  WCHAR user[] = L"family3";
  WCHAR port[] = L"VPN1-9";
  DWORD address = 0x0B00140A;
  BOOL notify = FALSE;
  EXPECT_EQ(fn<get_ip_fn>("MprAdminGetIpAddressForUser")(user, port, &address, &notify), static_cast<DWORD>(NO_ERROR));
  EXPECT_TRUE(fn<accept3_fn>("MprAdminAcceptNewConnection3")(&a->c0, &a->c1, &a->c2, &a->c3));
  EXPECT_TRUE(fn<link_fn>("MprAdminAcceptNewLink")(&p.p0, &p.p1));
  EXPECT_TRUE(fn<reauth_fn>("MprAdminAcceptReauthentication")(&a->c0, &a->c1, &a->c2, &a->c3));
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&b->ex));
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptReauthenticationEx")(&b->ex));
  fn<link_hangup_fn>("MprAdminLinkHangupNotification")(&p.p0, &p.p1);
  fn<hangup3_fn>("MprAdminConnectionHangupNotification3")(&a->c0, &a->c1, &a->c2, &a->c3);
  fn<hangup_ex_fn>("MprAdminConnectionHangupNotificationEx")(&b->ex);
  fn<release_ip_fn>("MprAdminReleaseIpAddress")(user, port, &address);
  terminate();

  const std::set<std::string> events = {"service-start",     "service-stop",  "connection-accept", "connection-reject",
                                        "connection-stop",   "link-accept",   "link-reject",       "link-stop",
                                        "reauth-accept",     "reauth-reject", "ip-assign",         "ip-release",
                                        "session-recovered", "config-loaded", "config-rejected"};
  const auto all = records();
  ASSERT_EQ(all.size(), 13u);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& r = all[i];
    EXPECT_EQ(r.at("schema"), 1) << r.dump();
    const std::string ts = r.at("ts");
    // RFC 3339, UTC, milliseconds: 2026-11-22T01:02:03.456Z
    EXPECT_EQ(ts.size(), 24u) << ts;
    EXPECT_EQ(ts[10], 'T');
    EXPECT_EQ(ts[19], '.');
    EXPECT_EQ(ts.back(), 'Z');
    EXPECT_TRUE(events.contains(r.at("event").get<std::string>())) << r.dump();
    EXPECT_FALSE(r.at("server").get<std::string>().empty());
    EXPECT_EQ(r.at("callback").get<std::string>().rfind("MprAdmin", 0), 0u) << r.dump();
    EXPECT_EQ(r.at("seq"), i + 1);
    seen.insert(r.at("event").get<std::string>());
    if (r.at("event").get<std::string>().rfind("connection-", 0) == 0 || r.at("event") == "reauth-accept") {
      EXPECT_FALSE(r.at("session_id").get<std::string>().empty()) << r.dump();
    }
  }
  EXPECT_EQ(seen,
            (std::set<std::string>{"service-start", "config-loaded", "ip-assign", "connection-accept", "link-accept",
                                   "reauth-accept", "link-stop", "connection-stop", "ip-release", "service-stop"}));
}

TEST_F(accounting_files_test, an_unload_without_terminate_leaves_no_code_running_in_an_unmapped_dll) {
  // RRAS unloads a DLL that fails validation with FreeLibrary alone (mprapi-reference.md 1.9).
  // A separate copy is loaded so the test's own instance of the DLL is untouched.
  const std::wstring copy = directory() + L"\\raswarden-unload.dll";
  ASSERT_EQ(win32::create_directories(directory()), 0u);
  ASSERT_NE(::CopyFileW(dll_path().c_str(), copy.c_str(), FALSE), 0);
  write_config(config_with("\"flush_interval_ms\":20"));
  HMODULE module = ::LoadLibraryW(copy.c_str());
  ASSERT_NE(module, nullptr);
  using init_fn = DWORD(WINAPI*)();
  const auto init =
      reinterpret_cast<init_fn>(reinterpret_cast<void*>(::GetProcAddress(module, "MprAdminInitializeDll")));
  ASSERT_EQ(init(), static_cast<DWORD>(NO_ERROR));
  ASSERT_NE(::FreeLibrary(module), 0);
  // The flusher holds its own reference: the code stays mapped while it runs, and keeps working.
  EXPECT_NE(::GetModuleHandleW(copy.c_str()), nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_NE(::GetModuleHandleW(copy.c_str()), nullptr);
  EXPECT_GE(records().size(), 2u);  // the copy wrote its service-start and config-loaded
}

}  // namespace
}  // namespace raswarden::testing
