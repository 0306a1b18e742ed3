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

TEST_F(crash_recovery_test, a_killed_host_loses_no_acknowledged_record_and_the_restart_recovers_open_sessions) {
  write_config("{\"schema\":1,\"accounting\":{\"directory\":" +
               nlohmann::json(win32::to_utf8(directory() + L"\\logs")).dump() + ",\"flush_interval_ms\":50}}");
  const std::wstring journal = directory() + L"\\ack.jsonl";
  const owned_process process_handle = start_endless_load(journal);
  ASSERT_TRUE(process_handle) << win32::describe_error(::GetLastError());

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
