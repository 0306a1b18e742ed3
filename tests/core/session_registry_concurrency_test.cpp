// Many threads driving full lifecycles through one registry (and one engine). Run under TSan by
// the native-tsan preset; the counts at the end must balance exactly.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/fakes.hpp"
#include "raswarden/engine.hpp"
#include "raswarden/session_registry.hpp"

namespace raswarden::core {
namespace {

// Counts events and checks, as they arrive, that every close matches an open.
class balancing_events final : public registry_events {
 public:
  void connection_opened(const connection_state& c) override {
    const std::lock_guard lock(mutex_);
    ++connections_opened;
    if (!open_sessions_.insert(c.session_id).second) ++problems;
  }
  void connection_closed(const connection_state& c, close_cause, const timestamps&) override {
    const std::lock_guard lock(mutex_);
    ++connections_closed;
    if (!c.start_seen) ++unknown;
    if (open_sessions_.erase(c.session_id) != 1) ++problems;
    if (!c.live_links.empty()) ++problems;
  }
  void link_opened(const link_state& l) override {
    const std::lock_guard lock(mutex_);
    ++links_opened;
    if (l.session_id.empty()) ++problems;
    if (!open_links_.insert(l.link_id).second) ++problems;
  }
  void link_closed(const link_state& l, close_cause, const timestamps&) override {
    const std::lock_guard lock(mutex_);
    ++links_closed;
    if (open_links_.erase(l.link_id) != 1) ++problems;
  }
  void duplicate(std::string_view, const session_key&) override {
    const std::lock_guard lock(mutex_);
    ++duplicates;
  }

  std::uint64_t connections_opened = 0;
  std::uint64_t connections_closed = 0;
  std::uint64_t links_opened = 0;
  std::uint64_t links_closed = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t unknown = 0;
  std::uint64_t problems = 0;

  [[nodiscard]] std::size_t still_open() const {
    const std::lock_guard lock(mutex_);
    return open_sessions_.size() + open_links_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::string> open_sessions_;
  std::set<std::string> open_links_;
};

constexpr int thread_count = 8;
constexpr std::uint64_t lifecycles_per_thread = 700;
constexpr std::uint64_t shared_marker = 0xFFFFULL << 40;

TEST(SessionRegistryConcurrency, ParallelLifecyclesBalance) {
  id_generator ids(0xabcdULL);
  session_registry registry(ids);
  balancing_events events;
  std::atomic<std::uint64_t> decided_connections{0};
  const session_registry::connection_decider accept_connection = [&](const connection_info&,
                                                                     const registry_counts& counts) {
    decided_connections.fetch_add(1, std::memory_order_relaxed);
    // The counts are taken under the registry lock, so they are never torn.
    return decision{counts.live_connections < 1000000, "default", "", true};
  };
  const session_registry::link_decider accept_link = [](const link_info&, const connection_info*,
                                                        const registry_counts&) {
    return decision{true, "default", "", true};
  };

  std::uint64_t expected_duplicate_hangups = 0;
  std::uint64_t shared_rounds = 0;
  for (std::uint64_t j = 0; j < lifecycles_per_thread; ++j) {
    if (j % 10 == 0) expected_duplicate_hangups += 2 * thread_count;
    if (j % 7 == 0) ++shared_rounds;
  }

  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      const std::uint64_t base = std::uint64_t(t + 1) << 32;
      for (std::uint64_t j = 0; j < lifecycles_per_thread; ++j) {
        const timestamps now{1700000000000 + static_cast<std::int64_t>(j), j * 1000};
        const session_key conn{key_origin::handle, base | j};
        const session_key port{key_origin::handle, (base | j) + (1ULL << 60)};
        connection_info info;
        info.handle = conn.value;
        info.user = (j % 2 == 0) ? "User" + std::to_string(t % 3) : "user" + std::to_string(t % 3);
        link_info l;
        l.port = port.value;
        l.connection = conn.value;
        l.device = "WAN Miniport (IKEv2)";

        EXPECT_TRUE(registry.open_connection(conn, info, now, accept_connection, events).accept);
        EXPECT_TRUE(registry.open_link(port, conn, l, now, accept_link, events).accept);
        registry.close_link(port, l, now, events);
        registry.close_connection(conn, info, now, events);
        if (j % 10 == 0) {
          registry.close_link(port, l, now, events);           // duplicate
          registry.close_connection(conn, info, now, events);  // duplicate
        }
        if (j % 7 == 0) {
          // Every thread opens and closes the same handle: depending on the interleaving this is
          // one connection seen many times or several connections in turn, never a leak.
          const session_key shared{key_origin::handle, shared_marker | j};
          connection_info s;
          s.handle = shared.value;
          s.user = "shared";
          registry.open_connection(shared, s, now, accept_connection, events);
          registry.close_connection(shared, s, now, events);
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  const auto stats = registry.snapshot();
  EXPECT_EQ(stats.live_connections, 0U);
  EXPECT_EQ(stats.live_links, 0U);
  EXPECT_EQ(stats.unknown_hangups, 0U);
  EXPECT_EQ(stats.reused_handles, 0U);
  EXPECT_TRUE(registry.live_session_ids().empty());

  const std::uint64_t own = thread_count * lifecycles_per_thread;
  EXPECT_EQ(events.problems, 0U);
  EXPECT_EQ(events.unknown, 0U);
  EXPECT_EQ(events.still_open(), 0U);
  EXPECT_EQ(events.connections_opened, events.connections_closed);
  EXPECT_EQ(events.links_opened, events.links_closed);
  EXPECT_EQ(events.links_opened, own);
  // Each shared round opens between 1 and thread_count connections.
  EXPECT_GE(events.connections_opened, own + shared_rounds);
  EXPECT_LE(events.connections_opened, own + shared_rounds * thread_count);
  EXPECT_EQ(decided_connections.load(), events.connections_opened);
  // Every accept or hangup of a shared handle that did not open or close a connection was a
  // duplicate; the scripted repeats are duplicates too.
  const std::uint64_t shared_calls = 2 * shared_rounds * thread_count;
  const std::uint64_t shared_connections = events.connections_opened - own;
  EXPECT_EQ(events.duplicates, expected_duplicate_hangups + shared_calls - 2 * shared_connections);
  EXPECT_EQ(stats.duplicates, events.duplicates);
}

TEST(SessionRegistryConcurrency, EngineRecordsStayOrderedAndBalanced) {
  testing::fake_clock time(1700000000000, 1);
  testing::recording_diagnostics diag;
  auto owned = std::make_unique<memory_sink>();
  memory_sink* sink = owned.get();
  engine eng(engine_options{"gw"}, std::move(owned), nullptr, time, diag);

  constexpr int workers = 4;
  constexpr std::uint64_t per_worker = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < workers; ++t) {
    threads.emplace_back([&eng, t] {
      for (std::uint64_t j = 0; j < per_worker; ++j) {
        connection_info c;
        c.handle = (std::uint64_t(t + 1) << 32) | j;
        c.user = "u" + std::to_string(t);
        link_info l;
        l.port = c.handle | (1ULL << 62);
        l.connection = c.handle;
        l.port_name = "VPN" + std::to_string(t) + "-" + std::to_string(j);
        EXPECT_TRUE(eng.accept_connection("MprAdminAcceptNewConnection3", c));
        EXPECT_TRUE(eng.accept_connection("MprAdminAcceptNewConnection2", c));  // another family
        EXPECT_TRUE(eng.accept_link("MprAdminAcceptNewLink", l));
        eng.link_hangup("MprAdminLinkHangupNotification", l);
        eng.connection_hangup("MprAdminConnectionHangupNotification3", c);
        eng.connection_hangup("MprAdminConnectionHangupNotification2", c);  // another family
      }
    });
  }
  for (auto& th : threads) th.join();

  const auto lines = sink->lines();
  ASSERT_EQ(lines.size(), workers * per_worker * 4);
  std::map<std::string, std::uint64_t> per_event;
  std::string last_ts;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto r = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(r["seq"].get<std::uint64_t>(), i + 1);
    const auto ts = r["ts"].get<std::string>();
    EXPECT_GE(ts, last_ts);
    last_ts = ts;
    ++per_event[r["event"].get<std::string>()];
  }
  EXPECT_EQ(per_event["connection-accept"], workers * per_worker);
  EXPECT_EQ(per_event["connection-stop"], workers * per_worker);
  EXPECT_EQ(per_event["link-accept"], workers * per_worker);
  EXPECT_EQ(per_event["link-stop"], workers * per_worker);
  const auto stats = eng.registry_stats();
  EXPECT_EQ(stats.live_connections, 0U);
  EXPECT_EQ(stats.live_links, 0U);
  EXPECT_EQ(stats.duplicates, 2 * workers * per_worker);
  EXPECT_EQ(eng.writer().records_written(), lines.size());
}

}  // namespace
}  // namespace raswarden::core
