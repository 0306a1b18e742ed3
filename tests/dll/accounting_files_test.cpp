// The accounting files as the DLL writes them inside a host process: rotation under
// multi-threaded load, repair of a torn tail, an unusable folder (records held, RRAS kept
// running, the problem reported), on_failure = reject, configuration records, and recovery of
// sessions left open at a clean stop.
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

  static std::string today_file_name() {
    SYSTEMTIME now{};
    ::GetSystemTime(&now);
    char name[64];
    std::snprintf(name, sizeof name, "accounting-%04u%02u%02u.jsonl", now.wYear, now.wMonth, now.wDay);
    return name;
  }
};

TEST_F(accounting_files_test, rotation_under_load_keeps_every_record_exactly_once_and_whole) {
  write_config(config_with("\"rotate_mb\":1,\"flush_interval_ms\":50"));
  initialize();
  constexpr int threads = 4;
  constexpr int lifecycles = 1500;
  const auto accept = fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx");
  const auto hangup = fn<hangup_ex_fn>("MprAdminConnectionHangupNotificationEx");
  const auto accept_link = fn<link_fn>("MprAdminAcceptNewLink");
  const auto hangup_link = fn<link_hangup_fn>("MprAdminLinkHangupNotification");
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < lifecycles; ++i) {
        const std::uintptr_t handle = 0x100000u * static_cast<unsigned>(t + 1) + static_cast<unsigned>(i) * 4u;
        auto c = connection(handle, L"rotating-user-with-a-long-name");
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
  terminate();

  const auto files = accounting_files();
  ASSERT_GT(files.size(), 3u) << "1 MB files should have rotated several times";
  for (const auto& file : files) {
    std::string text;
    DWORD error = 0;
    ASSERT_TRUE(win32::read_file(file, text, error));
    EXPECT_LE(text.size(), 1u << 20) << win32::to_utf8(file);
    EXPECT_EQ(text.back(), '\n') << win32::to_utf8(file) << " ends inside a record";
  }
  const auto all = records();  // fails the test on any line that is not a whole JSON object
  const std::size_t expected = 4u * threads * lifecycles + 3;
  ASSERT_EQ(all.size(), expected);
  std::set<std::string> sessions;
  for (std::size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i].at("seq"), i + 1) << "seq out of order or duplicated at line " << i;
    if (all[i].at("event") == "connection-accept") sessions.insert(all[i].at("session_id"));
  }
  EXPECT_EQ(sessions.size(), static_cast<std::size_t>(threads * lifecycles));
}

TEST_F(accounting_files_test, a_torn_record_at_the_end_of_the_file_is_cut_off_at_the_next_start) {
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
  const auto all = records();  // a torn line would fail here
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].at("seq"), 1);
  EXPECT_EQ(all[1].at("event"), "service-start");
  EXPECT_NE(diagnostic_log().find("removed a torn record of 25 bytes"), std::string::npos) << diagnostic_log();
}

TEST_F(accounting_files_test, an_unusable_folder_keeps_rras_running_and_records_are_written_once_it_is_usable) {
  write_config(config_with("\"flush_interval_ms\":50"));
  // A file where the log folder should be: the folder cannot be created.
  const std::wstring blocker = directory() + L"\\logs";
  const HANDLE file = ::CreateFileW(blocker.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr);
  ASSERT_NE(file, INVALID_HANDLE_VALUE);
  ::CloseHandle(file);

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
  const std::wstring blocker = directory() + L"\\logs";
  const HANDLE file = ::CreateFileW(blocker.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr);
  ASSERT_NE(file, INVALID_HANDLE_VALUE);
  ::CloseHandle(file);

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
  write_config(config_with("\"rotate\":true,\"on_failure\":\"panic\""));
  initialize();
  terminate();
  const auto loaded = records_of("config-loaded");
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
  std::string accounting;
  DWORD error = 0;
  ASSERT_TRUE(win32::read_file(logs + L"raswarden.log", log, error));
  EXPECT_NE(log.find("not valid JSON at byte 4"), std::string::npos);
  ASSERT_TRUE(win32::read_file(logs + win32::to_wide(today_file_name()), accounting, error));
  bool found = false;
  const std::string config_path = nlohmann::json(win32::to_utf8(directory() + L"\\raswarden.json")).dump();
  std::size_t start = 0;
  for (std::size_t end = accounting.find('\n'); end != std::string::npos; end = accounting.find('\n', start)) {
    const auto record = nlohmann::json::parse(accounting.substr(start, end - start));
    start = end + 1;
    if (record.at("event") != "config-rejected" || nlohmann::json(record.at("path")).dump() != config_path) continue;
    found = true;
    EXPECT_EQ(record.at("source"), "defaults");
    ASSERT_EQ(record.at("problems").size(), 1u);
  }
  EXPECT_TRUE(found) << "no config-rejected record for " << config_path;
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
