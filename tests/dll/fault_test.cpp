// Fault tests through the real exports under Wine (issue 7, part 3): a configuration file replaced
// by garbage while callbacks run, 10,000 concurrent sessions hung up in random order with
// duplicate and late hangups, and rrashost killed at random points under load. The full and
// read-only log folder cases need a tmpfs and are in fault_fs_test.cpp.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "dll/dll_fixture.hpp"
#include "host/ras_structs.hpp"
#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::testing {
namespace {

using accept2_fn = BOOL(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*);
using hangup2_fn = VOID(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*);
using accept_ex_fn = BOOL(WINAPI*)(RAS_CONNECTION_EX*);
using hangup_ex_fn = VOID(WINAPI*)(RAS_CONNECTION_EX*);
using link_fn = BOOL(WINAPI*)(RAS_PORT_0*, RAS_PORT_1*);
using link_hangup_fn = VOID(WINAPI*)(RAS_PORT_0*, RAS_PORT_1*);

using clock_type = std::chrono::steady_clock;

class fault_test : public dll_test {
 protected:
  void SetUp() override {
    dll_test::SetUp();
    ::SetEnvironmentVariableW(L"RASWARDEN_CONFIG_POLL_MS", L"50");
  }
  void TearDown() override {
    ::SetEnvironmentVariableW(L"RASWARDEN_CONFIG_POLL_MS", nullptr);
    dll_test::TearDown();
  }

  std::string config(const std::string& members) const {
    return "{\"schema\":1,\"accounting\":{\"directory\":" +
           nlohmann::json(win32::to_utf8(directory() + L"\\logs")).dump() + ",\"flush_interval_ms\":50}" +
           (members.empty() ? "" : "," + members) + "}";
  }

  std::wstring config_path() const { return directory() + L"\\raswarden.json"; }

  // Writes raw bytes where the configuration is (write_config would also work, but this keeps
  // the bytes exact, NULs included).
  void put_config_bytes(const std::string& bytes) {
    ::Sleep(20);  // so the timestamp moves even within one clock tick
    const win32::unique_hfile file(
        ::CreateFileW(config_path().c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr));
    ASSERT_TRUE(file) << win32::describe_error(::GetLastError());
    DWORD written = 0;
    if (!bytes.empty()) {
      ASSERT_TRUE(::WriteFile(file.get(), bytes.data(), static_cast<DWORD>(bytes.size()), &written, nullptr));
    }
  }

  // Waits (up to 10 s) until exactly `count` records of `event` exist, then a little longer to
  // see that no extra one follows.
  std::vector<nlohmann::json> wait_for_exactly(std::string_view event, std::size_t count) {
    for (int i = 0; i < 1000 && records_of(event).size() < count; ++i) ::Sleep(10);
    ::Sleep(150);  // three poll intervals: a spurious second record would show up here
    auto found = records_of(event);
    EXPECT_EQ(found.size(), count) << event;
    return found;
  }
};

// A connection through family 2, timed: RRAS must never be kept waiting.
struct timed_caller {
  accept2_fn accept;
  hangup2_fn hangup;
  std::atomic<long long> max_us{0};

  bool call_accept(std::uintptr_t handle, const wchar_t* user) {
    host::connection_spec c;
    c.handle = handle;
    c.guid = host::make_guid(21, handle);
    c.user = user;
    auto s = host::make_connection(c);
    const auto start = clock_type::now();
    const bool answer = accept(&s->c0, &s->c1, &s->c2) != FALSE;
    note(start);
    return answer;
  }
  void call_hangup(std::uintptr_t handle, const wchar_t* user) {
    host::connection_spec c;
    c.handle = handle;
    c.guid = host::make_guid(21, handle);
    c.user = user;
    auto s = host::make_connection(c);
    const auto start = clock_type::now();
    hangup(&s->c0, &s->c1, &s->c2);
    note(start);
  }
  void note(clock_type::time_point start) {
    const long long us = std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - start).count();
    long long seen = max_us.load();
    while (us > seen && !max_us.compare_exchange_weak(seen, us)) {
    }
  }
};

TEST_F(fault_test, a_configuration_replaced_by_garbage_keeps_the_running_policy_until_a_valid_file_returns) {
  const std::string first = config(
      R"("policy":{"rules":[{"name":"no-bob","action":"reject","match":{"users":["bob"]}}]})");
  write_config(first);
  initialize();
  timed_caller rras{fn<accept2_fn>("MprAdminAcceptNewConnection2"),
                    fn<hangup2_fn>("MprAdminConnectionHangupNotification2")};

  // RRAS keeps calling while the file is vandalised: alice is accepted and bob refused throughout.
  std::atomic<bool> done{false};
  std::atomic<int> wrong_answers{0};
  std::atomic<int> calls{0};
  std::thread traffic;
  struct joiner {
    std::atomic<bool>& done;
    std::thread& thread;
    ~joiner() {
      done = true;
      if (thread.joinable()) thread.join();
    }
  } join_on_exit{done, traffic};
  traffic = std::thread([&] {
    for (std::uintptr_t i = 1; !done.load(); ++i) {
      if (!rras.call_accept(0x100000 + i * 4, L"alice")) ++wrong_answers;
      rras.call_hangup(0x100000 + i * 4, L"alice");
      if (rras.call_accept(0x800000 + i * 4, L"bob")) ++wrong_answers;
      rras.call_hangup(0x800000 + i * 4, L"bob");
      calls += 4;
      ::Sleep(2);  // a busy server's pace, and a log the waits below can re-read quickly
    }
  });

  std::mt19937 random(7);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(random() & 0xFF);
  std::size_t rejected = 0;
  // 1. Random bytes (NULs and invalid UTF-8 included).
  put_config_bytes(noise);
  wait_for_exactly("config-rejected", ++rejected);
  // 2. Truncated JSON: an editor or a copy interrupted half-way.
  put_config_bytes(first.substr(0, first.size() / 2));
  wait_for_exactly("config-rejected", ++rejected);
  // 3. An empty file.
  put_config_bytes("");
  wait_for_exactly("config-rejected", ++rejected);
  // 4. A directory where the file was.
  ::Sleep(20);
  ASSERT_NE(::DeleteFileW(config_path().c_str()), 0);
  ASSERT_NE(::CreateDirectoryW(config_path().c_str(), nullptr), 0);
  const auto after_directory = wait_for_exactly("config-rejected", ++rejected);
  done = true;
  traffic.join();
  EXPECT_EQ(wrong_answers.load(), 0) << "an answer changed while the configuration was garbage";
  EXPECT_GT(calls.load(), 40) << "the callbacks should have run throughout";
  EXPECT_LT(rras.max_us.load(), 100'000) << "a callback waited for the configuration";
  ASSERT_FALSE(after_directory.empty());
  ASSERT_FALSE(after_directory.back().at("problems").empty());
  EXPECT_NE(after_directory.back().at("problems")[0].get<std::string>().find("cannot read the configuration"),
            std::string::npos)
      << after_directory.back().dump();
  for (const auto& r : after_directory) EXPECT_EQ(r.at("callback"), "configuration-reload");

  // 5. A valid file again, with the opposite policy: it is picked up.
  ::Sleep(20);
  ASSERT_NE(::RemoveDirectoryW(config_path().c_str()), 0);
  put_config_bytes(config(R"("policy":{"rules":[{"name":"no-alice","action":"reject","match":{"users":["alice"]}}]})"));
  const auto loaded = wait_for_exactly("config-loaded", 2);
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[1].at("callback"), "configuration-reload");
  EXPECT_FALSE(rras.call_accept(0x10, L"alice"));
  EXPECT_TRUE(rras.call_accept(0x14, L"bob"));
  rras.call_hangup(0x10, L"alice");
  rras.call_hangup(0x14, L"bob");
  terminate();
  EXPECT_EQ(records_of("config-rejected").size(), rejected);
  const auto stop = records().back();
  EXPECT_EQ(stop.at("event"), "service-stop");
  EXPECT_EQ(stop.at("open_sessions"), 0);
  EXPECT_NE(diagnostic_log().find("the running configuration stays in force"), std::string::npos);
}

TEST_F(fault_test, ten_thousand_sessions_hung_up_in_random_order_with_duplicates_are_each_recorded_once) {
  constexpr std::size_t sessions = 10'000;
  constexpr unsigned threads = 4;
  initialize();
  const auto accept = fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx");
  const auto hangup = fn<hangup_ex_fn>("MprAdminConnectionHangupNotificationEx");
  const auto accept_link = fn<link_fn>("MprAdminAcceptNewLink");
  const auto hangup_link = fn<link_hangup_fn>("MprAdminLinkHangupNotification");

  std::vector<std::unique_ptr<host::connection_structs>> connections(sessions);
  std::vector<host::port_structs> ports(sessions);
  for (std::size_t i = 0; i < sessions; ++i) {
    host::connection_spec c;
    c.handle = 0x1000000 + i * 8;
    c.guid = host::make_guid(10'000, i);
    c.user = L"user" + std::to_wstring(i % 997);
    c.duration_s = 60;
    connections[i] = host::make_connection(c);
    host::link_spec l;
    l.port = 0x4000000 + i * 8;
    l.connection = c.handle;
    l.port_name = L"VPN1-" + std::to_wstring(i);
    ports[i] = host::make_port(l);
  }

  // Open all of them from several threads; all 10,000 are live at once.
  std::atomic<int> refused{0};
  const auto started = clock_type::now();
  {
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (std::size_t i = t; i < sessions; i += threads) {
          if (!accept(&connections[i]->ex)) ++refused;
          if (!accept_link(&ports[i].p0, &ports[i].p1)) ++refused;
        }
      });
    }
    for (auto& w : workers) w.join();
  }
  ASSERT_EQ(refused.load(), 0);

  // Every session gets its link hangup and its connection hangup in a shuffled global order (so
  // about half the link hangups come after their connection's), and one in ten a second
  // connection hangup; the threads take the operations round-robin, so a duplicate may even race
  // with the first hangup.
  enum class op_kind : std::uint8_t { link, connection };
  struct op {
    op_kind kind;
    std::uint32_t session;
  };
  std::vector<op> ops;
  std::mt19937 random(20'261'122);
  for (std::uint32_t i = 0; i < sessions; ++i) {
    ops.push_back({op_kind::link, i});
    ops.push_back({op_kind::connection, i});
    if (random() % 10 == 0) ops.push_back({op_kind::connection, i});
  }
  std::shuffle(ops.begin(), ops.end(), random);
  std::size_t duplicates = ops.size() - 2 * sessions;
  std::size_t late_links = 0;
  {
    std::vector<bool> connection_done(sessions, false);
    for (const op& o : ops) {
      if (o.kind == op_kind::connection) connection_done[o.session] = true;
      late_links += o.kind == op_kind::link && connection_done[o.session];
    }
  }
  {
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (std::size_t k = t; k < ops.size(); k += threads) {
          const op& o = ops[k];
          if (o.kind == op_kind::link) {
            hangup_link(&ports[o.session].p0, &ports[o.session].p1);
          } else {
            hangup(&connections[o.session]->ex);
          }
        }
      });
    }
    for (auto& w : workers) w.join();
  }
  terminate();
  const double seconds = std::chrono::duration<double>(clock_type::now() - started).count();
  std::cout << "[          ] " << sessions << " sessions, " << duplicates << " duplicate hangups, about " << late_links
            << " link hangups after their connection's, driven in " << seconds << " s\n";
  EXPECT_GT(duplicates, sessions / 20);
  EXPECT_GT(late_links, sessions / 4);

  const auto all = records();
  std::map<std::string, std::pair<int, int>> per_session;  // accepts, stops
  std::map<std::string, std::pair<int, int>> per_link;
  std::size_t closed_by_connection = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& r = all[i];
    ASSERT_EQ(r.at("seq"), i + 1) << "a record is missing, duplicated or out of order";
    const std::string event = r.at("event");
    if (event == "connection-accept") ++per_session[r.at("session_id")].first;
    if (event == "connection-stop") ++per_session[r.at("session_id")].second;
    if (event == "link-accept") ++per_link[r.at("link_id")].first;
    if (event == "link-stop") {
      ++per_link[r.at("link_id")].second;
      closed_by_connection += r.value("terminate_reason", "") == "connection-closed";
    }
    EXPECT_TRUE(event != "connection-reject" && event != "link-reject") << r.dump();
  }
  EXPECT_EQ(per_session.size(), sessions);
  EXPECT_EQ(per_link.size(), sessions);
  for (const auto& [id, counts] : per_session) {
    EXPECT_EQ(counts, std::make_pair(1, 1)) << "session " << id << ": accepts, stops";
  }
  for (const auto& [id, counts] : per_link) {
    EXPECT_EQ(counts, std::make_pair(1, 1)) << "link " << id << ": accepts, stops";
  }
  // A link whose connection hung up first was closed by it, and its own late hangup ignored.
  EXPECT_GT(closed_by_connection, sessions / 4);
  EXPECT_EQ(all.size(), 4 * sessions + 3);
  const auto& stop = all.back();
  EXPECT_EQ(stop.at("event"), "service-stop");
  EXPECT_EQ(stop.at("open_sessions"), 0);
  EXPECT_EQ(stop.at("open_links"), 0);
  EXPECT_EQ(stop.at("records_failed"), 0);
  EXPECT_EQ(stop.at("records_lost"), 0);
}

// rrashost under generated load killed (TerminateProcess: under Wine the Linux process ends at
// once, like kill -9) after a random number of acknowledged callbacks; then a restart. The fixed
// seed makes the three kill points the same on every run.
std::vector<std::size_t> kill_points() {
  std::mt19937 random(9'091'337);
  std::uniform_int_distribution<std::size_t> acks(200, 4000);
  return {acks(random), acks(random), acks(random)};
}

class fault_kill_test : public dll_test, public ::testing::WithParamInterface<std::size_t> {};

TEST_P(fault_kill_test, a_host_killed_at_a_random_point_loses_no_acknowledged_record_and_recovers_open_sessions) {
  const std::size_t kill_after = kill_points()[GetParam()];
  write_config("{\"schema\":1,\"accounting\":{\"directory\":" +
               nlohmann::json(win32::to_utf8(directory() + L"\\logs")).dump() + ",\"flush_interval_ms\":50}}");
  const std::wstring journal = directory() + L"\\ack.jsonl";
  const owned_process process_handle = start_endless_load(journal);
  ASSERT_TRUE(process_handle) << win32::describe_error(::GetLastError());

  std::string text;
  DWORD error = 0;
  const auto deadline = clock_type::now() + std::chrono::seconds(60);
  while (clock_type::now() < deadline) {
    if (win32::read_file(journal, text, error) &&
        static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) >= kill_after) {
      break;
    }
    ASSERT_EQ(::WaitForSingleObject(process_handle.get(), 10), static_cast<DWORD>(WAIT_TIMEOUT))
        << "rrashost ended by itself";
  }
  ASSERT_NE(::TerminateProcess(process_handle.get(), 9), 0);
  ASSERT_EQ(::WaitForSingleObject(process_handle.get(), 30000), static_cast<DWORD>(WAIT_OBJECT_0));
  ASSERT_TRUE(win32::read_file(journal, text, error));
  const auto acks = complete_lines(text);
  ASSERT_GE(acks.size(), kill_after);

  // The next start publishes what the killed run journaled, before its own records.
  initialize();
  terminate();
  std::set<std::string> accepted_guids;
  std::set<std::string> open_sessions;
  for (const auto& r : records_of_first_run()) {  // a torn line fails records()
    const std::string event = r.at("event");
    if (event == "connection-accept") {
      accepted_guids.insert(r.at("guid"));
      open_sessions.insert(r.at("session_id"));
    } else if (event == "connection-stop") {
      open_sessions.erase(r.at("session_id"));
    }
  }
  std::size_t acknowledged_accepts = 0;
  for (const auto& ack : acks) {
    if (ack.at("callback") != "AcceptNewConnection") continue;
    ++acknowledged_accepts;
    EXPECT_TRUE(accepted_guids.contains(ack.at("guid").get<std::string>()))
        << "acknowledged but not recorded: " << ack.dump();
  }
  EXPECT_GT(acknowledged_accepts, 0u);
  std::cout << "[          ] killed after " << acks.size() << " acknowledged callbacks, " << open_sessions.size()
            << " sessions open\n";

  std::set<std::string> recovered;
  for (const auto& r : records_of("session-recovered")) {
    EXPECT_EQ(r.at("cause"), "unclean-shutdown");
    recovered.insert(r.at("session_id"));
  }
  for (const auto& id : open_sessions) EXPECT_TRUE(recovered.contains(id)) << "open session not recovered: " << id;
  EXPECT_LE(recovered.size(), open_sessions.size() + 2);  // see crash_recovery_test.cpp
  EXPECT_EQ(records().back().at("open_sessions"), 0);
}

INSTANTIATE_TEST_SUITE_P(seeded, fault_kill_test, ::testing::Values(0u, 1u, 2u));

}  // namespace
}  // namespace raswarden::testing
