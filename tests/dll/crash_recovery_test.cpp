// A host killed abruptly under load (TerminateProcess under Wine ends the Linux process at once,
// like kill -9): every callback rrashost acknowledged in its journal has its accounting record,
// no record is torn, and the next start closes every session left open with session-recovered.
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "dll/dll_fixture.hpp"
#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::testing {
namespace {

class crash_recovery_test : public dll_test {};

std::wstring beside_tests(const wchar_t* file) {
  std::wstring path = dll_test::dll_path();
  path.resize(path.find_last_of(L"\\/") + 1);
  return path + file;
}

// Whole lines only: the last one may have been cut by the kill.
std::vector<nlohmann::json> complete_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::size_t start = 0;
  for (std::size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    lines.push_back(nlohmann::json::parse(text.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

TEST_F(crash_recovery_test, a_killed_host_loses_no_acknowledged_record_and_the_restart_recovers_open_sessions) {
  write_config("{\"schema\":1,\"accounting\":{\"directory\":" +
               nlohmann::json(win32::to_utf8(directory() + L"\\logs")).dump() + ",\"flush_interval_ms\":50}}");
  const std::wstring journal = directory() + L"\\ack.jsonl";
  std::wstring command = L"\"" + beside_tests(L"rrashost.exe") + L"\" --dll \"" + dll_path() +
                         L"\" --load 10000000 --threads 2 --concurrency 300 --ack-journal \"" + journal + L"\"";
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION process{};
  ASSERT_NE(::CreateProcessW(nullptr, command.data(), nullptr, nullptr, FALSE, CREATE_NO_WINDOW, nullptr, nullptr,
                             &startup, &process),
            0)
      << win32::describe_error(::GetLastError());
  const win32::unique_handle process_handle(process.hProcess);
  const win32::unique_handle thread_handle(process.hThread);

  // Let it run until a few thousand callbacks were acknowledged, then kill it mid-flight.
  std::string text;
  DWORD error = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (win32::read_file(journal, text, error) && std::count(text.begin(), text.end(), '\n') > 6000) break;
    ASSERT_EQ(::WaitForSingleObject(process_handle.get(), 100), static_cast<DWORD>(WAIT_TIMEOUT))
        << "rrashost ended by itself";
  }
  ASSERT_NE(::TerminateProcess(process_handle.get(), 9), 0);
  ASSERT_EQ(::WaitForSingleObject(process_handle.get(), 30000), static_cast<DWORD>(WAIT_OBJECT_0));
  ASSERT_TRUE(win32::read_file(journal, text, error));
  const auto acks = complete_lines(text);
  ASSERT_GT(acks.size(), 6000u);

  // The next start publishes what the killed run journaled, before its own records, and then
  // closes every session that was open when the host died.
  initialize();
  terminate();
  // What the killed run recorded: every record up to the restart's service-start, each once
  // (seq runs 1, 2, 3, ... without a gap or a repeat).
  std::set<std::string> accepted_guids;
  std::set<std::string> open_sessions;
  std::map<std::string, std::size_t> link_records;
  for (const auto& r : records_of_first_run()) {
    const std::string event = r.at("event");
    if (event == "connection-accept") {
      accepted_guids.insert(r.at("guid"));
      open_sessions.insert(r.at("session_id"));
    } else if (event == "connection-stop") {
      open_sessions.erase(r.at("session_id"));
    } else if (event == "link-accept" || event == "link-stop") {
      ++link_records[event];
    }
  }
  std::size_t acknowledged_accepts = 0;
  std::size_t acknowledged_links = 0;
  for (const auto& ack : acks) {
    if (ack.at("callback") == "AcceptNewConnection") {
      ++acknowledged_accepts;
      EXPECT_TRUE(accepted_guids.contains(ack.at("guid").get<std::string>()))
          << "acknowledged but not recorded: " << ack.dump();
    }
    acknowledged_links += ack.at("callback") == "AcceptNewLink";
  }
  EXPECT_GT(acknowledged_accepts, 1000u);
  EXPECT_GE(link_records["link-accept"], acknowledged_links);
  ASSERT_GT(open_sessions.size(), 100u) << "the kill should leave the concurrency window open";

  std::set<std::string> recovered;
  for (const auto& r : records_of("session-recovered")) {
    EXPECT_EQ(r.at("cause"), "unclean-shutdown");
    EXPECT_TRUE(r.contains("duration_s"));
    recovered.insert(r.at("session_id"));
  }
  for (const auto& id : open_sessions) EXPECT_TRUE(recovered.contains(id)) << "open session not recovered: " << id;
  // A session whose stop record was written just before the kill may still be in the state file
  // (its slot is cleared right after): at most one per worker thread.
  EXPECT_LE(recovered.size(), open_sessions.size() + 2);
}

}  // namespace
}  // namespace raswarden::testing
