// The accounting folder on a real filesystem that fills up or is read-only (issue 7, part 3).
// The CTest fixture tests/dll/fault_fs.sh mounts a small tmpfs at RASWARDEN_FAULT_FS_DIR and runs
// a watcher that remounts it read-only or read-write on request (this Wine process cannot call
// mount); without the privilege to mount, these tests skip.
//
// Linux refuses to remount a filesystem read-only while a file on it is open for writing
// (EBUSY), and the DLL keeps its accounting file and sessions.state open, so "made read-only
// mid-run" cannot be produced on Linux; what is tested is the reverse flip, a folder that is
// read-only when the service starts and becomes writable while it runs.
#include <chrono>
#include <map>
#include <thread>

#include "dll/dll_fixture.hpp"
#include "host/ras_structs.hpp"
#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::testing {
namespace {

using accept_ex_fn = BOOL(WINAPI*)(RAS_CONNECTION_EX*);
using hangup_ex_fn = VOID(WINAPI*)(RAS_CONNECTION_EX*);
using link_fn = BOOL(WINAPI*)(RAS_PORT_0*, RAS_PORT_1*);
using link_hangup_fn = VOID(WINAPI*)(RAS_PORT_0*, RAS_PORT_1*);
using clock_type = std::chrono::steady_clock;

const std::wstring mount_dir = win32::to_wide(RASWARDEN_FAULT_FS_DIR);
const std::wstring control_dir = win32::to_wide(RASWARDEN_FAULT_FS_CONTROL);

void remove_tree(const std::wstring& path) {
  WIN32_FIND_DATAW found{};
  const HANDLE search = ::FindFirstFileW((path + L"\\*").c_str(), &found);
  if (search != INVALID_HANDLE_VALUE) {
    do {
      const std::wstring name = found.cFileName;
      if (name == L"." || name == L"..") continue;
      if ((found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
        remove_tree(path + L"\\" + name);
      } else {
        ::DeleteFileW((path + L"\\" + name).c_str());
      }
    } while (::FindNextFileW(search, &found) != 0);
    ::FindClose(search);
  }
  ::RemoveDirectoryW(path.c_str());
}

std::uint64_t free_bytes(const std::wstring& path) {
  ULARGE_INTEGER available{};
  ::GetDiskFreeSpaceExW(path.c_str(), &available, nullptr, nullptr);
  return available.QuadPart;
}

class fault_fs_test : public dll_test {
 protected:
  void SetUp() override {
    dll_test::SetUp();
    std::string text;
    DWORD error = 0;
    if (win32::read_file(control_dir + L"\\mount-failed", text, error)) GTEST_SKIP() << text;
    if (!win32::read_file(control_dir + L"\\mounted", text, error)) {
      GTEST_SKIP() << "no tmpfs at " << win32::to_utf8(mount_dir)
                   << ": the CTest fixture fault_fs (tests/dll/fault_fs.sh setup) did not run; run through ctest";
    }
    // Whatever an earlier test left on the small filesystem goes.
    WIN32_FIND_DATAW found{};
    const HANDLE search = ::FindFirstFileW((mount_dir + L"\\*").c_str(), &found);
    if (search != INVALID_HANDLE_VALUE) {
      std::vector<std::wstring> names;
      do {
        const std::wstring name = found.cFileName;
        if (name != L"." && name != L"..") names.push_back(name);
      } while (::FindNextFileW(search, &found) != 0);
      ::FindClose(search);
      for (const auto& name : names) {
        const std::wstring path = mount_dir + L"\\" + name;
        if (::DeleteFileW(path.c_str()) == 0) remove_tree(path);
      }
    }
    logs_ = mount_dir + L"\\" + win32::to_wide(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
            L"\\logs";
  }

  void TearDown() override {
    dll_test::TearDown();  // terminates the DLL first: a read-write remount needs no writer gone,
    if (read_only_) {      // but the next test needs the filesystem writable
      remount("rw");
    }
  }

  std::string config(const std::string& extra) const {
    return "{\"schema\":1,\"accounting\":{\"directory\":" + nlohmann::json(win32::to_utf8(logs_)).dump() +
           ",\"flush_interval_ms\":50,\"min_free_mb\":0,\"journal_mb\":1" + extra + "}}";
  }

  // Asks the fixture's watcher to remount the tmpfs; returns its answer ("ok" or the error).
  std::string remount(const std::string& mode) {
    const std::wstring ack = control_dir + L"\\ack-" + win32::to_wide(mode);
    ::DeleteFileW(ack.c_str());
    const std::wstring request = control_dir + L"\\request-" + win32::to_wide(mode);
    win32::unique_hfile file(::CreateFileW(request.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr));
    if (!file) return "cannot create " + win32::to_utf8(request);
    file.reset();
    std::string answer;
    DWORD error = 0;
    for (int i = 0; i < 500; ++i) {
      if (win32::read_file(ack, answer, error)) {
        while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r')) answer.pop_back();
        if (answer == "ok") read_only_ = mode == "ro";
        return answer;
      }
      ::Sleep(10);
    }
    return "the fault_fs watcher did not answer within 5 s";
  }

  // Every whole record in the test's log folder, in file order (one day, no rotation here).
  std::vector<nlohmann::json> folder_records() const {
    std::vector<std::wstring> files;
    WIN32_FIND_DATAW found{};
    const HANDLE search = ::FindFirstFileW((logs_ + L"\\accounting-*.jsonl").c_str(), &found);
    if (search != INVALID_HANDLE_VALUE) {
      do {
        files.push_back(logs_ + L"\\" + found.cFileName);
      } while (::FindNextFileW(search, &found) != 0);
      ::FindClose(search);
    }
    std::sort(files.begin(), files.end());
    std::vector<nlohmann::json> result;
    for (const auto& file : files) {
      std::string text;
      DWORD error = 0;
      if (!win32::read_file(file, text, error)) continue;
      std::size_t start = 0;
      for (std::size_t end = text.find('\n', start); end != std::string::npos; end = text.find('\n', start)) {
        result.push_back(nlohmann::json::parse(text.substr(start, end - start), nullptr, false));
        start = end + 1;
      }
    }
    return result;
  }

  std::vector<nlohmann::json> wait_for_folder_records(std::size_t count) const {
    auto all = folder_records();
    for (int i = 0; i < 200 && all.size() < count; ++i) {
      ::Sleep(50);
      all = folder_records();
    }
    return all;
  }

  // One full lifecycle (accept, link, link hangup, hangup) through the exports; returns false if
  // any accept was refused, and keeps the slowest callback's time.
  bool lifecycle(std::uintptr_t n) {
    static const auto accept = fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx");
    static const auto hangup = fn<hangup_ex_fn>("MprAdminConnectionHangupNotificationEx");
    static const auto accept_link = fn<link_fn>("MprAdminAcceptNewLink");
    static const auto hangup_link = fn<link_hangup_fn>("MprAdminLinkHangupNotification");
    host::connection_spec c;
    c.handle = 0x10000 + n * 8;
    c.guid = host::make_guid(77, n);
    c.user = L"user" + std::to_wstring(n);
    c.domain = L"CONTOSO";
    c.duration_s = 30;
    auto s = host::make_connection(c);
    host::link_spec l;
    l.port = 0x900000 + n * 8;
    l.connection = c.handle;
    l.port_name = L"VPN1-" + std::to_wstring(n);
    auto p = host::make_port(l);
    bool ok = true;
    ok &= timed([&] { return accept(&s->ex) != FALSE; });
    ok &= timed([&] { return accept_link(&p.p0, &p.p1) != FALSE; });
    timed([&] {
      hangup_link(&p.p0, &p.p1);
      return true;
    });
    timed([&] {
      hangup(&s->ex);
      return true;
    });
    return ok;
  }

  template <typename F>
  bool timed(F call) {
    const auto start = clock_type::now();
    const bool result = call();
    slowest_ = std::max(slowest_, clock_type::now() - start);
    return result;
  }

  // Every record once, whole, in seq order; one accept and one stop per session and link.
  void expect_complete(const std::vector<nlohmann::json>& all, std::size_t lifecycles) {
    std::map<std::string, int> per_session;
    std::map<std::string, int> per_link;
    for (std::size_t i = 0; i < all.size(); ++i) {
      ASSERT_TRUE(all[i].is_object()) << "line " << i << " is not a whole record";
      ASSERT_EQ(all[i].at("seq"), i + 1) << "a record is missing, duplicated or out of order at line " << i;
      const std::string event = all[i].at("event");
      if (event.rfind("connection-", 0) == 0) ++per_session[all[i].at("session_id")];
      if (event.rfind("link-", 0) == 0) ++per_link[all[i].at("link_id")];
      EXPECT_NE(event, "connection-reject");
    }
    EXPECT_EQ(per_session.size(), lifecycles);
    EXPECT_EQ(per_link.size(), lifecycles);
    for (const auto& [id, n] : per_session) EXPECT_EQ(n, 2) << id;
    for (const auto& [id, n] : per_link) EXPECT_EQ(n, 2) << id;
  }

  std::wstring logs_;
  bool read_only_ = false;
  clock_type::duration slowest_{};
};

TEST_F(fault_fs_test, a_full_log_folder_holds_records_keeps_answering_and_writes_each_once_when_space_returns) {
  write_config(config(""));
  initialize();
  ASSERT_EQ(wait_for_folder_records(2).size(), 2u);  // service-start, config-loaded
  // Fill the filesystem but for a few KiB with a file the test can delete later.
  const std::wstring filler = mount_dir + L"\\filler.bin";
  {
    const std::uint64_t target = free_bytes(mount_dir) - 12 * 1024;
    win32::unique_hfile file(::CreateFileW(filler.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr));
    ASSERT_TRUE(file);
    const std::string block(4096, 'f');
    DWORD written = 0;
    for (std::uint64_t done = 0; done < target; done += block.size()) {
      if (!::WriteFile(file.get(), block.data(), static_cast<DWORD>(block.size()), &written, nullptr)) break;
    }
  }
  ASSERT_LT(free_bytes(mount_dir), 64u * 1024);

  // Drive lifecycles until the records stop reaching the file, then 50 more while it is full.
  std::size_t lifecycles = 0;
  std::size_t failing_since = 0;
  bool all_accepted = true;
  while (lifecycles < 600) {
    all_accepted &= lifecycle(lifecycles++);
    if (failing_since == 0 && lifecycles % 5 == 0 && folder_records().size() < 2 + 4 * lifecycles) {
      failing_since = lifecycles;
    }
    if (failing_since != 0 && lifecycles >= failing_since + 50) break;
  }
  ASSERT_NE(failing_since, 0u) << "the records never stopped fitting: is the filesystem full?";
  EXPECT_TRUE(all_accepted) << "on_failure continue must keep answering accept";
  const std::size_t produced = 2 + 4 * lifecycles;
  const std::size_t on_disk_while_full = folder_records().size();
  EXPECT_LT(on_disk_while_full, produced);
  std::cout << "[          ] full after about " << failing_since << " lifecycles; " << on_disk_while_full << " of "
            << produced << " records on disk, the rest in the journal; slowest callback "
            << std::chrono::duration_cast<std::chrono::microseconds>(slowest_).count() << " us\n";

  // Space returns: the journaled records are published by the background thread, in order, once each.
  ASSERT_NE(::DeleteFileW(filler.c_str()), 0);
  const auto after = wait_for_folder_records(produced);
  EXPECT_EQ(after.size(), produced) << "held records were not written once space returned";
  for (int i = 0; i < 10; ++i) all_accepted &= lifecycle(lifecycles++);
  EXPECT_TRUE(all_accepted);
  terminate();
  EXPECT_LT(slowest_, std::chrono::milliseconds(100)) << "a callback waited for the full disk";

  const auto all = folder_records();
  ASSERT_EQ(all.size(), 2 + 4 * lifecycles + 1);
  expect_complete(all, lifecycles);
  const auto& stop = all.back();
  EXPECT_EQ(stop.at("event"), "service-stop");
  EXPECT_EQ(stop.at("open_sessions"), 0);
  // The journal is allocated when it is made, so the full disk stopped only the public file:
  // records waited in the journal and none had to be held in memory. (The report of the failure
  // goes to the Event Log; raswarden.log is on the same full disk.)
  EXPECT_EQ(stop.at("records_failed"), 0);
  EXPECT_EQ(stop.at("records_lost"), 0);
}

TEST_F(fault_fs_test, a_folder_read_only_at_start_holds_records_until_it_is_made_writable) {
  ASSERT_EQ(win32::create_directories(logs_), 0u);
  write_config(config(""));
  ASSERT_EQ(remount("ro"), "ok");
  // Really read-only now, even for root.
  ASSERT_FALSE(win32::unique_hfile(
      ::CreateFileW((logs_ + L"\\probe").c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr)));

  initialize();
  constexpr std::size_t lifecycles = 20;
  bool all_accepted = true;
  for (std::size_t n = 0; n < lifecycles; ++n) all_accepted &= lifecycle(n);
  EXPECT_TRUE(all_accepted) << "on_failure continue must keep answering accept";
  EXPECT_TRUE(folder_records().empty());

  ASSERT_EQ(remount("rw"), "ok");
  const std::size_t produced = 2 + 4 * lifecycles;
  EXPECT_EQ(wait_for_folder_records(produced).size(), produced) << "held records were not written";
  terminate();
  EXPECT_LT(slowest_, std::chrono::milliseconds(100)) << "a callback waited for the read-only folder";
  const auto all = folder_records();
  ASSERT_EQ(all.size(), produced + 1);
  expect_complete(all, lifecycles);
  EXPECT_EQ(all.back().at("records_lost"), 0);
  EXPECT_GE(all.back().at("records_failed"), 1);
}

TEST_F(fault_fs_test, the_filesystem_cannot_be_made_read_only_under_an_open_accounting_file) {
  // Documents why the read-only flip is tested in one direction only (see the top of the file).
  write_config(config(""));
  initialize();
  ASSERT_TRUE(lifecycle(1));
  const std::string answer = remount("ro");
  if (answer == "ok") {
    // A kernel that allowed it: then the DLL must still answer, hold, and write after rw.
    ASSERT_TRUE(lifecycle(2));
    ASSERT_EQ(remount("rw"), "ok");
    EXPECT_EQ(wait_for_folder_records(2 + 8).size(), 10u);
  } else {
    EXPECT_NE(answer.find("busy"), std::string::npos) << answer;
  }
  terminate();
}

}  // namespace
}  // namespace raswarden::testing
