#include "raswarden/session_registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/registry_recorder.hpp"

namespace raswarden::core {
namespace {

using testing::event_kind;
using testing::recorded_event;
using testing::recording_events;

session_key handle_key(std::uint64_t value) {
  return session_key{key_origin::handle, value};
}

timestamps at_second(std::uint64_t s) {
  return timestamps{1700000000000 + static_cast<std::int64_t>(s) * 1000, 1000000000000ULL + s * 1000000000ULL};
}

decision accept_with(std::string rule) {
  return decision{true, std::move(rule), "", true};
}

const session_registry::connection_decider accept_connection = [](const connection_info&, const registry_counts&) {
  return accept_with("default");
};
const session_registry::connection_decider reject_connection = [](const connection_info&, const registry_counts&) {
  return decision{false, "deny-all", "rejected by test", true};
};
const session_registry::link_decider accept_link = [](const link_info&, const connection_info*,
                                                      const registry_counts&) { return accept_with("default"); };
const session_registry::link_decider reject_link = [](const link_info&, const connection_info*,
                                                      const registry_counts&) {
  return decision{false, "no-links", "", true};
};

connection_info connection(std::uint64_t handle, std::string user, std::optional<guid> id = std::nullopt) {
  connection_info info;
  info.handle = handle;
  info.user = std::move(user);
  info.id = id;
  return info;
}

link_info link(std::uint64_t port, std::uint64_t owner, std::string device = "WAN Miniport (SSTP)") {
  link_info info;
  info.port = port;
  info.connection = owner;
  info.port_name = "VPN2-" + std::to_string(port);
  info.device = std::move(device);
  info.device_type = "vpn";
  return info;
}

constexpr guid guid_a{0x11111111, 0x2222, 0x3333, {1, 2, 3, 4, 5, 6, 7, 8}};
constexpr guid guid_b{0x99999999, 0x2222, 0x3333, {1, 2, 3, 4, 5, 6, 7, 8}};

std::vector<event_kind> kinds(const std::vector<recorded_event>& events) {
  std::vector<event_kind> out;
  for (const auto& e : events) out.push_back(e.kind);
  return out;
}

class SessionRegistry : public ::testing::Test {
 protected:
  id_generator ids{0x0123456789abcdefULL};
  session_registry registry{ids};
  recording_events events;
};

TEST(IdGenerator, FormatsPrefixAndCounter) {
  id_generator ids(0x3f9c0a1b2c3d4e5fULL);
  EXPECT_EQ(ids.next(), "3f9c0a1b2c3d4e5f-000000000001");
  EXPECT_EQ(ids.next(), "3f9c0a1b2c3d4e5f-000000000002");
  id_generator random_a;
  id_generator random_b;
  const std::string a = random_a.next();
  const std::string b = random_b.next();
  EXPECT_EQ(a.size(), 29U);
  EXPECT_NE(a, b);  // 64 random bits each; equal only by a 2^-64 accident
}

TEST(CloseCause, Names) {
  EXPECT_EQ(to_string(close_cause::hangup), "hangup");
  EXPECT_EQ(to_string(close_cause::handle_reused), "handle-reused");
  EXPECT_EQ(to_string(close_cause::connection_closed), "connection-closed");
}

TEST_F(SessionRegistry, OpenThenCloseReportsOpenedThenClosed) {
  const decision d =
      registry.open_connection(handle_key(1), connection(1, "alice", guid_a), at_second(10), accept_connection, events);
  EXPECT_TRUE(d.accept);
  EXPECT_EQ(registry.snapshot().live_connections, 1U);

  connection_info final_info;
  final_info.handle = 1;
  final_info.duration_s = 30;
  final_info.traffic = traffic_counters{};
  final_info.traffic->bytes_in = 500;
  registry.close_connection(handle_key(1), final_info, at_second(40), events);

  const auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::connection_opened, event_kind::connection_closed}));
  const connection_state& opened = *ev[0].connection;
  const connection_state& closed = *ev[1].connection;
  EXPECT_EQ(opened.session_id, "0123456789abcdef-000000000001");
  EXPECT_EQ(closed.session_id, opened.session_id);
  EXPECT_TRUE(opened.start_seen);
  EXPECT_TRUE(closed.start_seen);
  EXPECT_TRUE(opened.admission.accept);
  EXPECT_EQ(opened.started.unix_ms, at_second(10).unix_ms);
  EXPECT_EQ(closed.started.steady_ns, at_second(10).steady_ns);
  EXPECT_EQ(ev[1].cause, close_cause::hangup);
  EXPECT_EQ(ev[1].at.unix_ms, at_second(40).unix_ms);
  // Final counters from the hangup, accept-time fields kept.
  EXPECT_EQ(closed.info.user, "alice");
  EXPECT_EQ(closed.info.id, guid_a);
  EXPECT_EQ(closed.info.duration_s, 30U);
  ASSERT_TRUE(closed.info.traffic.has_value());
  EXPECT_EQ(closed.info.traffic->bytes_in, 500U);

  const auto stats = registry.snapshot();
  EXPECT_EQ(stats.live_connections, 0U);
  EXPECT_EQ(stats.duplicates, 0U);
  EXPECT_EQ(stats.unknown_hangups, 0U);
  EXPECT_TRUE(registry.live_session_ids().empty());
}

TEST_F(SessionRegistry, DuplicateAcceptWithSameGuidReturnsFirstDecisionAndMerges) {
  int decided = 0;
  const session_registry::connection_decider first = [&](const connection_info&, const registry_counts&) {
    ++decided;
    return accept_with("first");
  };
  const session_registry::connection_decider second = [&](const connection_info&, const registry_counts&) {
    ++decided;
    return decision{false, "second", "", true};
  };
  EXPECT_EQ(registry.open_connection(handle_key(7), connection(7, "alice", guid_a), at_second(1), first, events).rule,
            "first");
  connection_info other = connection(7, "", guid_a);
  other.domain = "CORP";
  other.client_ipv4 = "10.0.0.7";
  const decision again = registry.open_connection(handle_key(7), other, at_second(2), second, events);
  EXPECT_TRUE(again.accept);
  EXPECT_EQ(again.rule, "first");
  EXPECT_EQ(decided, 1);

  auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::connection_opened, event_kind::duplicate}));
  EXPECT_EQ(ev[1].what, "connection accept");
  EXPECT_EQ(ev[1].key, handle_key(7));
  EXPECT_EQ(registry.snapshot().duplicates, 1U);
  EXPECT_EQ(registry.snapshot().live_connections, 1U);

  registry.close_connection(handle_key(7), connection_info{}, at_second(3), events);
  ev = events.events();
  ASSERT_EQ(ev.size(), 3U);
  const connection_state& closed = *ev[2].connection;
  EXPECT_EQ(closed.info.user, "alice");   // kept
  EXPECT_EQ(closed.info.domain, "CORP");  // merged from the duplicate
  EXPECT_EQ(closed.info.client_ipv4, "10.0.0.7");
}

TEST_F(SessionRegistry, DuplicateAcceptWithoutGuidIsTheSameConnection) {
  registry.open_connection(handle_key(7), connection(7, "alice", guid_a), at_second(1), accept_connection, events);
  registry.open_connection(handle_key(7), connection(7, "alice"), at_second(2), reject_connection, events);
  // A nil GUID does not conflict either.
  const decision d =
      registry.open_connection(handle_key(7), connection(7, "alice", guid{}), at_second(2), reject_connection, events);
  EXPECT_TRUE(d.accept);
  EXPECT_EQ(kinds(events.events()),
            (std::vector{event_kind::connection_opened, event_kind::duplicate, event_kind::duplicate}));
  EXPECT_EQ(registry.snapshot().duplicates, 2U);
  EXPECT_EQ(registry.snapshot().reused_handles, 0U);
}

TEST_F(SessionRegistry, FirstAcceptWithoutGuidLearnsItFromTheDuplicate) {
  registry.open_connection(handle_key(7), connection(7, "alice"), at_second(1), accept_connection, events);
  registry.open_connection(handle_key(7), connection(7, "alice", guid_a), at_second(2), accept_connection, events);
  // Now the GUID is known, so a different one means a reused handle.
  registry.open_connection(handle_key(7), connection(7, "bob", guid_b), at_second(3), accept_connection, events);
  EXPECT_EQ(kinds(events.events()), (std::vector{event_kind::connection_opened, event_kind::duplicate,
                                                 event_kind::connection_closed, event_kind::connection_opened}));
  EXPECT_EQ(registry.snapshot().reused_handles, 1U);
}

TEST_F(SessionRegistry, SameHandleWithDifferentGuidClosesOldAsReused) {
  registry.open_connection(handle_key(5), connection(5, "alice", guid_a), at_second(1), accept_connection, events);
  registry.open_link(handle_key(50), handle_key(5), link(50, 5), at_second(1), accept_link, events);
  registry.open_connection(handle_key(5), connection(5, "bob", guid_b), at_second(9), accept_connection, events);

  const auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::connection_opened, event_kind::link_opened, event_kind::link_closed,
                                    event_kind::connection_closed, event_kind::connection_opened}));
  EXPECT_EQ(ev[2].cause, close_cause::connection_closed);
  EXPECT_EQ(ev[3].cause, close_cause::handle_reused);
  EXPECT_EQ(ev[3].connection->info.user, "alice");
  EXPECT_EQ(ev[3].connection->session_id, ev[0].connection->session_id);
  EXPECT_EQ(ev[4].connection->info.user, "bob");
  EXPECT_NE(ev[4].connection->session_id, ev[0].connection->session_id);

  const auto stats = registry.snapshot();
  EXPECT_EQ(stats.reused_handles, 1U);
  EXPECT_EQ(stats.live_connections, 1U);
  EXPECT_EQ(stats.live_links, 0U);
  EXPECT_EQ(registry.live_session_ids(), (std::vector{ev[4].connection->session_id}));

  // The new connection's hangup closes the new session, and is not a duplicate of the old one.
  events.clear();
  registry.close_connection(handle_key(5), connection_info{}, at_second(20), events);
  const auto closed = events.events();
  ASSERT_EQ(kinds(closed), (std::vector{event_kind::connection_closed}));
  EXPECT_EQ(closed[0].connection->session_id, ev[4].connection->session_id);
  EXPECT_TRUE(closed[0].connection->start_seen);
}

TEST_F(SessionRegistry, HangupForUnknownKeyBackComputesStart) {
  connection_info final_info = connection(42, "carol");
  final_info.duration_s = 60;
  registry.close_connection(handle_key(42), final_info, at_second(100), events);

  const auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::connection_closed}));
  const connection_state& c = *ev[0].connection;
  EXPECT_FALSE(c.start_seen);
  EXPECT_FALSE(c.session_id.empty());
  EXPECT_EQ(c.started.unix_ms, at_second(40).unix_ms);
  EXPECT_EQ(c.started.steady_ns, at_second(40).steady_ns);
  EXPECT_EQ(c.info.user, "carol");
  EXPECT_TRUE(c.admission.accept);
  EXPECT_EQ(ev[0].cause, close_cause::hangup);
  EXPECT_EQ(registry.snapshot().unknown_hangups, 1U);
  EXPECT_EQ(registry.snapshot().live_connections, 0U);
}

TEST_F(SessionRegistry, HangupForUnknownKeyWithoutDurationStartsNow) {
  registry.close_connection(handle_key(43), connection_info{}, at_second(100), events);
  const auto ev = events.events();
  ASSERT_EQ(ev.size(), 1U);
  EXPECT_EQ(ev[0].connection->started.unix_ms, at_second(100).unix_ms);
  EXPECT_FALSE(ev[0].connection->start_seen);
}

TEST_F(SessionRegistry, HangupForUnknownKeyNeverUnderflowsSteadyTime) {
  connection_info final_info;
  final_info.duration_s = 4000000000U;
  registry.close_connection(handle_key(44), final_info, timestamps{5000, 7}, events);
  const auto ev = events.events();
  ASSERT_EQ(ev.size(), 1U);
  EXPECT_EQ(ev[0].connection->started.steady_ns, 0U);
  EXPECT_EQ(ev[0].connection->started.unix_ms, 5000 - std::int64_t{4000000000} * 1000);
}

TEST_F(SessionRegistry, SecondHangupIsDuplicate) {
  registry.open_connection(handle_key(1), connection(1, "alice"), at_second(1), accept_connection, events);
  registry.close_connection(handle_key(1), connection_info{}, at_second(2), events);
  registry.close_connection(handle_key(1), connection_info{}, at_second(3), events);
  const auto ev = events.events();
  ASSERT_EQ(kinds(ev),
            (std::vector{event_kind::connection_opened, event_kind::connection_closed, event_kind::duplicate}));
  EXPECT_EQ(ev[2].what, "connection hangup");
  const auto stats = registry.snapshot();
  EXPECT_EQ(stats.duplicates, 1U);
  EXPECT_EQ(stats.unknown_hangups, 0U);

  // An unknown hangup repeated is a duplicate too.
  events.clear();
  registry.close_connection(handle_key(2), connection_info{}, at_second(4), events);
  registry.close_connection(handle_key(2), connection_info{}, at_second(5), events);
  EXPECT_EQ(kinds(events.events()), (std::vector{event_kind::connection_closed, event_kind::duplicate}));
  EXPECT_EQ(registry.snapshot().unknown_hangups, 1U);
  EXPECT_EQ(registry.snapshot().duplicates, 2U);
}

TEST_F(SessionRegistry, HangupAfterRejectClosesTheRejectedState) {
  const decision d =
      registry.open_connection(handle_key(3), connection(3, "mallory"), at_second(1), reject_connection, events);
  EXPECT_FALSE(d.accept);
  EXPECT_FALSE(d.answer());
  EXPECT_EQ(registry.snapshot().live_connections, 0U);

  // RRAS may call the accept again through another family: same rejection, decider not asked.
  const decision again =
      registry.open_connection(handle_key(3), connection(3, "mallory"), at_second(1), accept_connection, events);
  EXPECT_FALSE(again.accept);
  EXPECT_EQ(again.rule, "deny-all");

  connection_info final_info;
  final_info.duration_s = 1;
  registry.close_connection(handle_key(3), final_info, at_second(2), events);
  registry.close_connection(handle_key(3), final_info, at_second(3), events);

  const auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::connection_opened, event_kind::duplicate, event_kind::connection_closed,
                                    event_kind::duplicate}));
  EXPECT_FALSE(ev[0].connection->admission.accept);
  EXPECT_EQ(ev[1].what, "connection accept (rejected)");
  const connection_state& closed = *ev[2].connection;
  EXPECT_FALSE(closed.admission.accept);
  EXPECT_EQ(closed.admission.rule, "deny-all");
  EXPECT_EQ(closed.session_id, ev[0].connection->session_id);
  EXPECT_TRUE(closed.start_seen);
  EXPECT_EQ(closed.info.user, "mallory");
  EXPECT_EQ(closed.info.duration_s, 1U);
  EXPECT_EQ(ev[3].what, "connection hangup");
  EXPECT_EQ(registry.snapshot().unknown_hangups, 0U);
}

TEST_F(SessionRegistry, AuditModeRejectionIsLive) {
  const session_registry::connection_decider audit = [](const connection_info&, const registry_counts&) {
    return decision{false, "limit", "audit only", false};
  };
  const decision d = registry.open_connection(handle_key(3), connection(3, "dave"), at_second(1), audit, events);
  EXPECT_FALSE(d.accept);
  EXPECT_TRUE(d.answer());
  EXPECT_EQ(registry.snapshot().live_connections, 1U);
  registry.close_connection(handle_key(3), connection_info{}, at_second(2), events);
  const auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::connection_opened, event_kind::connection_closed}));
  EXPECT_FALSE(ev[1].connection->admission.accept);
  EXPECT_FALSE(ev[1].connection->admission.enforced);
}

TEST_F(SessionRegistry, LinkOfKnownConnectionGetsItsSessionAndTunnel) {
  registry.open_connection(handle_key(1), connection(1, "alice"), at_second(1), accept_connection, events);
  EXPECT_TRUE(registry
                  .open_link(handle_key(100), handle_key(1), link(100, 1, "WAN Miniport (SSTP)"), at_second(2),
                             accept_link, events)
                  .accept);
  EXPECT_EQ(registry.live_links_of(handle_key(1)), 1U);
  registry.open_link(handle_key(101), handle_key(1), link(101, 1, "WAN Miniport (L2TP)"), at_second(3), accept_link,
                     events);
  EXPECT_EQ(registry.live_links_of(handle_key(1)), 2U);
  registry.close_link(handle_key(100), link(100, 1), at_second(4), events);
  EXPECT_EQ(registry.live_links_of(handle_key(1)), 1U);
  EXPECT_EQ(registry.live_links_of(handle_key(999)), 0U);

  registry.close_connection(handle_key(1), connection_info{}, at_second(5), events);
  const auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::connection_opened, event_kind::link_opened, event_kind::link_opened,
                                    event_kind::link_closed, event_kind::link_closed, event_kind::connection_closed}));
  const std::string& session_id = ev[0].connection->session_id;
  EXPECT_EQ(ev[1].link->session_id, session_id);
  EXPECT_EQ(ev[2].link->session_id, session_id);
  EXPECT_FALSE(ev[1].link->link_id.empty());
  EXPECT_NE(ev[1].link->link_id, ev[2].link->link_id);
  EXPECT_NE(ev[1].link->link_id, session_id);
  EXPECT_EQ(ev[1].link->connection, handle_key(1));
  EXPECT_EQ(ev[3].cause, close_cause::hangup);
  EXPECT_EQ(ev[3].link->link_id, ev[1].link->link_id);
  EXPECT_EQ(ev[3].link->info.device, "WAN Miniport (SSTP)");
  EXPECT_EQ(ev[4].cause, close_cause::connection_closed);
  EXPECT_EQ(ev[4].link->link_id, ev[2].link->link_id);
  const connection_state& closed = *ev[5].connection;
  EXPECT_EQ(closed.links_total, 2U);
  EXPECT_EQ(closed.tunnel, tunnel_kind::sstp);  // from the first link
  EXPECT_TRUE(closed.live_links.empty());
  EXPECT_EQ(registry.snapshot().live_links, 0U);
}

TEST_F(SessionRegistry, LinkHangupKeepsAcceptTimeDeviceFields) {
  registry.open_connection(handle_key(1), connection(1, "alice"), at_second(1), accept_connection, events);
  link_info accepted = link(100, 1);
  accepted.line_speed_bps = 1000000;
  accepted.media = "vpn";
  registry.open_link(handle_key(100), handle_key(1), accepted, at_second(2), accept_link, events);
  link_info final_info;
  final_info.port = 100;
  final_info.duration_s = 12;
  registry.close_link(handle_key(100), final_info, at_second(14), events);
  const auto ev = events.events();
  ASSERT_EQ(ev.size(), 3U);
  const link_state& closed = *ev[2].link;
  EXPECT_EQ(closed.info.port_name, "VPN2-100");
  EXPECT_EQ(closed.info.device, "WAN Miniport (SSTP)");
  EXPECT_EQ(closed.info.device_type, "vpn");
  EXPECT_EQ(closed.info.media, "vpn");
  EXPECT_EQ(closed.info.line_speed_bps, 1000000U);
  EXPECT_EQ(closed.info.duration_s, 12U);
}

TEST_F(SessionRegistry, LinkForUnknownConnectionHasNoSession) {
  bool asked = false;
  const connection_info* seen = nullptr;
  const session_registry::link_decider decide = [&](const link_info&, const connection_info* c,
                                                    const registry_counts&) {
    asked = true;
    seen = c;
    return accept_with("default");
  };
  registry.open_link(handle_key(100), handle_key(77), link(100, 77), at_second(1), decide, events);
  EXPECT_TRUE(asked);
  EXPECT_EQ(seen, nullptr);
  const auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::link_opened}));
  EXPECT_TRUE(ev[0].link->session_id.empty());
  EXPECT_FALSE(ev[0].link->link_id.empty());
  EXPECT_EQ(registry.snapshot().live_links, 1U);
}

TEST_F(SessionRegistry, ConnectionHangupClosesLiveLinksFirst) {
  registry.open_connection(handle_key(1), connection(1, "alice"), at_second(1), accept_connection, events);
  registry.open_link(handle_key(10), handle_key(1), link(10, 1), at_second(1), accept_link, events);
  registry.open_link(handle_key(11), handle_key(1), link(11, 1), at_second(1), accept_link, events);
  events.clear();
  registry.close_connection(handle_key(1), connection_info{}, at_second(9), events);
  const auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::link_closed, event_kind::link_closed, event_kind::connection_closed}));
  EXPECT_EQ(ev[0].cause, close_cause::connection_closed);
  EXPECT_EQ(ev[1].cause, close_cause::connection_closed);
  EXPECT_EQ(ev[0].key, handle_key(10));
  EXPECT_EQ(ev[1].key, handle_key(11));
  EXPECT_EQ(ev[2].cause, close_cause::hangup);
  EXPECT_EQ(registry.snapshot().live_links, 0U);

  // The links' own hangups arrive late: duplicates, not unknown hangups.
  events.clear();
  registry.close_link(handle_key(10), link(10, 1), at_second(10), events);
  registry.close_link(handle_key(11), link(11, 1), at_second(10), events);
  const auto late = events.events();
  ASSERT_EQ(kinds(late), (std::vector{event_kind::duplicate, event_kind::duplicate}));
  EXPECT_EQ(late[0].what, "link hangup");
  EXPECT_EQ(registry.snapshot().unknown_hangups, 0U);
}

TEST_F(SessionRegistry, PortReusedForAnotherConnection) {
  registry.open_connection(handle_key(1), connection(1, "alice"), at_second(1), accept_connection, events);
  registry.open_connection(handle_key(2), connection(2, "bob"), at_second(1), accept_connection, events);
  registry.open_link(handle_key(10), handle_key(1), link(10, 1), at_second(2), accept_link, events);
  // Same port, same connection: a duplicate.
  registry.open_link(handle_key(10), handle_key(1), link(10, 1), at_second(2), reject_link, events);
  events.clear();
  EXPECT_TRUE(registry.open_link(handle_key(10), handle_key(2), link(10, 2), at_second(3), accept_link, events).accept);

  const auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::link_closed, event_kind::link_opened}));
  EXPECT_EQ(ev[0].cause, close_cause::handle_reused);
  EXPECT_EQ(ev[0].link->connection, handle_key(1));
  EXPECT_EQ(ev[1].link->connection, handle_key(2));
  EXPECT_NE(ev[0].link->session_id, ev[1].link->session_id);
  EXPECT_NE(ev[0].link->link_id, ev[1].link->link_id);
  EXPECT_EQ(registry.live_links_of(handle_key(1)), 0U);
  EXPECT_EQ(registry.live_links_of(handle_key(2)), 1U);
  const auto stats = registry.snapshot();
  EXPECT_EQ(stats.reused_handles, 1U);
  EXPECT_EQ(stats.duplicates, 1U);
  EXPECT_EQ(stats.live_links, 1U);

  // Closing connection 1 no longer touches the port.
  events.clear();
  registry.close_connection(handle_key(1), connection_info{}, at_second(4), events);
  EXPECT_EQ(kinds(events.events()), (std::vector{event_kind::connection_closed}));
  EXPECT_EQ(registry.live_links_of(handle_key(2)), 1U);
}

TEST_F(SessionRegistry, LinkHangupUnknownThenDuplicate) {
  registry.open_connection(handle_key(1), connection(1, "alice"), at_second(1), accept_connection, events);
  events.clear();
  link_info final_info = link(10, 1);
  final_info.duration_s = 5;
  registry.close_link(handle_key(10), final_info, at_second(2), events);
  registry.close_link(handle_key(10), final_info, at_second(3), events);
  const auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::link_closed, event_kind::duplicate}));
  EXPECT_FALSE(ev[0].link->start_seen);
  EXPECT_EQ(ev[0].cause, close_cause::hangup);
  EXPECT_EQ(ev[0].link->connection, handle_key(1));
  EXPECT_FALSE(ev[0].link->session_id.empty());  // the connection is live, so its session is known
  EXPECT_EQ(ev[1].what, "link hangup");
  const auto stats = registry.snapshot();
  EXPECT_EQ(stats.unknown_hangups, 1U);
  EXPECT_EQ(stats.duplicates, 1U);
}

TEST_F(SessionRegistry, RejectedLinkHangupClosesRejectedState) {
  registry.open_connection(handle_key(1), connection(1, "alice"), at_second(1), accept_connection, events);
  EXPECT_FALSE(
      registry.open_link(handle_key(10), handle_key(1), link(10, 1), at_second(1), reject_link, events).accept);
  EXPECT_EQ(registry.live_links_of(handle_key(1)), 0U);
  registry.close_link(handle_key(10), link(10, 1), at_second(2), events);
  const auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::connection_opened, event_kind::link_opened, event_kind::link_closed}));
  EXPECT_FALSE(ev[1].link->admission.accept);
  EXPECT_FALSE(ev[2].link->admission.accept);
  EXPECT_TRUE(ev[2].link->start_seen);
  EXPECT_EQ(ev[2].link->link_id, ev[1].link->link_id);
  EXPECT_EQ(registry.snapshot().unknown_hangups, 0U);
}

TEST_F(SessionRegistry, CountsPassedToDeciderAreCaseInsensitivePerUser) {
  std::vector<registry_counts> seen;
  const session_registry::connection_decider decide = [&](const connection_info&, const registry_counts& counts) {
    seen.push_back(counts);
    return accept_with("default");
  };
  registry.open_connection(handle_key(1), connection(1, "Alice"), at_second(1), decide, events);
  registry.open_connection(handle_key(2), connection(2, "alice"), at_second(1), decide, events);
  registry.open_connection(handle_key(3), connection(3, "bob"), at_second(1), decide, events);
  registry.open_connection(handle_key(4), connection(4, "ALICE"), at_second(1), decide, events);
  ASSERT_EQ(seen.size(), 4U);
  EXPECT_EQ(seen[0].user_connections, 0U);
  EXPECT_EQ(seen[0].live_connections, 0U);
  EXPECT_EQ(seen[1].user_connections, 1U);
  EXPECT_EQ(seen[1].live_connections, 1U);
  EXPECT_EQ(seen[2].user_connections, 0U);
  EXPECT_EQ(seen[2].live_connections, 2U);
  EXPECT_EQ(seen[3].user_connections, 2U);
  EXPECT_EQ(seen[3].live_connections, 3U);

  // Closing one of Alice's connections lowers her count; rejected connections never count.
  registry.close_connection(handle_key(1), connection_info{}, at_second(2), events);
  registry.open_connection(handle_key(5), connection(5, "alice"), at_second(2), reject_connection, events);
  registry.open_connection(handle_key(6), connection(6, "aLiCe"), at_second(3), decide, events);
  ASSERT_EQ(seen.size(), 5U);
  EXPECT_EQ(seen[4].user_connections, 2U);
  EXPECT_EQ(seen[4].live_connections, 3U);
}

TEST_F(SessionRegistry, UserCountFollowsTheUserItWasCountedUnder) {
  std::vector<registry_counts> seen;
  const session_registry::connection_decider decide = [&](const connection_info&, const registry_counts& counts) {
    seen.push_back(counts);
    return accept_with("default");
  };
  // The hangup reports the user differently from the accept: the count taken at accept time must
  // still be released.
  registry.open_connection(handle_key(1), connection(1, "alice"), at_second(1), decide, events);
  registry.close_connection(handle_key(1), connection(1, "CORP\\alice"), at_second(2), events);
  registry.open_connection(handle_key(2), connection(2, "alice"), at_second(3), decide, events);
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[1].user_connections, 0U);

  // A connection accepted without a user learns it from a duplicate accept; it then counts for
  // that user, and closing it releases that user's count.
  registry.open_connection(handle_key(3), connection(3, ""), at_second(4), decide, events);
  registry.open_connection(handle_key(3), connection(3, "Carol"), at_second(4), decide, events);
  registry.open_connection(handle_key(4), connection(4, "carol"), at_second(5), decide, events);
  ASSERT_EQ(seen.size(), 4U);
  EXPECT_EQ(seen[3].user_connections, 1U);
  registry.close_connection(handle_key(3), connection_info{}, at_second(6), events);
  registry.close_connection(handle_key(4), connection_info{}, at_second(6), events);
  registry.open_connection(handle_key(5), connection(5, "carol"), at_second(7), decide, events);
  registry.open_connection(handle_key(6), connection(6, ""), at_second(7), decide, events);
  ASSERT_EQ(seen.size(), 6U);
  EXPECT_EQ(seen[4].user_connections, 0U);
  EXPECT_EQ(seen[5].user_connections, 0U);

  // A reauthentication that names another user moves the connection to that user.
  EXPECT_FALSE(registry.update_connection(handle_key(5), connection(5, "Dave")).empty());
  registry.open_connection(handle_key(7), connection(7, "dave"), at_second(8), decide, events);
  registry.open_connection(handle_key(8), connection(8, "carol"), at_second(8), decide, events);
  ASSERT_EQ(seen.size(), 8U);
  EXPECT_EQ(seen[6].user_connections, 1U);
  EXPECT_EQ(seen[7].user_connections, 0U);
}

TEST_F(SessionRegistry, LinkDeciderSeesConnectionAndItsLinks) {
  std::vector<registry_counts> seen;
  std::vector<std::string> users;
  const session_registry::link_decider decide = [&](const link_info&, const connection_info* c,
                                                    const registry_counts& counts) {
    seen.push_back(counts);
    users.push_back(c != nullptr ? c->user : "<none>");
    return accept_with("default");
  };
  registry.open_connection(handle_key(1), connection(1, "Alice"), at_second(1), accept_connection, events);
  registry.open_link(handle_key(10), handle_key(1), link(10, 1), at_second(1), decide, events);
  registry.open_link(handle_key(11), handle_key(1), link(11, 1), at_second(1), decide, events);
  registry.open_link(handle_key(12), handle_key(9), link(12, 9), at_second(1), decide, events);
  ASSERT_EQ(seen.size(), 3U);
  EXPECT_EQ(users, (std::vector<std::string>{"Alice", "Alice", "<none>"}));
  EXPECT_EQ(seen[0].connection_links, 0U);
  EXPECT_EQ(seen[0].user_connections, 1U);
  EXPECT_EQ(seen[0].live_links, 0U);
  EXPECT_EQ(seen[1].connection_links, 1U);
  EXPECT_EQ(seen[1].live_links, 1U);
  EXPECT_EQ(seen[2].connection_links, 0U);
  EXPECT_EQ(seen[2].user_connections, 0U);
  EXPECT_EQ(seen[2].live_links, 2U);
  EXPECT_EQ(seen[2].live_connections, 1U);
}

TEST_F(SessionRegistry, SnapshotCountsEverything) {
  registry.open_connection(handle_key(1), connection(1, "a", guid_a), at_second(1), accept_connection, events);
  registry.open_connection(handle_key(2), connection(2, "b"), at_second(1), accept_connection, events);
  registry.open_link(handle_key(10), handle_key(1), link(10, 1), at_second(1), accept_link, events);
  registry.open_connection(handle_key(2), connection(2, "b"), at_second(1), accept_connection, events);  // dup
  registry.open_connection(handle_key(1), connection(1, "c", guid_b), at_second(1), accept_connection,
                           events);                                                   // reuse
  registry.close_connection(handle_key(3), connection_info{}, at_second(2), events);  // unknown
  registry.close_connection(handle_key(3), connection_info{}, at_second(2), events);  // dup
  const auto stats = registry.snapshot();
  EXPECT_EQ(stats.live_connections, 2U);
  EXPECT_EQ(stats.live_links, 0U);
  EXPECT_EQ(stats.duplicates, 2U);
  EXPECT_EQ(stats.reused_handles, 1U);
  EXPECT_EQ(stats.unknown_hangups, 1U);
  EXPECT_EQ(registry.live_session_ids().size(), 2U);
}

TEST_F(SessionRegistry, UpdateConnectionMergesAndReturnsSessionId) {
  registry.open_connection(handle_key(1), connection(1, "alice"), at_second(1), accept_connection, events);
  connection_info reauth = connection(1, "");
  reauth.quarantine = quarantine_state::probation;
  const std::string id = registry.update_connection(handle_key(1), reauth);
  EXPECT_EQ(id, events.events().at(0).connection->session_id);
  EXPECT_EQ(registry.update_connection(handle_key(2), reauth), "");
  registry.close_connection(handle_key(1), connection_info{}, at_second(2), events);
  const auto ev = events.events();
  ASSERT_EQ(ev.size(), 2U);
  EXPECT_EQ(ev[1].connection->info.user, "alice");
  EXPECT_EQ(ev[1].connection->info.quarantine, quarantine_state::probation);
}

TEST(SessionRegistryMemory, OldClosedKeysAreForgotten) {
  id_generator ids(1);
  session_registry registry(ids, 2);
  recording_events events;
  for (std::uint64_t h = 1; h <= 3; ++h) {
    registry.open_connection(handle_key(h), connection(h, "u"), at_second(h), accept_connection, events);
    registry.close_connection(handle_key(h), connection_info{}, at_second(h), events);
  }
  events.clear();
  // Key 1 was pushed out by keys 2 and 3: its repeated hangup is unknown, not a duplicate.
  registry.close_connection(handle_key(1), connection_info{}, at_second(9), events);
  auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::connection_closed}));
  EXPECT_FALSE(ev[0].connection->start_seen);
  EXPECT_EQ(registry.snapshot().unknown_hangups, 1U);
  // Key 1 is now remembered again (most recent) together with key 3; key 2 is forgotten.
  events.clear();
  registry.close_connection(handle_key(3), connection_info{}, at_second(9), events);
  registry.close_connection(handle_key(1), connection_info{}, at_second(9), events);
  registry.close_connection(handle_key(2), connection_info{}, at_second(9), events);
  ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::duplicate, event_kind::duplicate, event_kind::connection_closed}));
  EXPECT_EQ(registry.snapshot().unknown_hangups, 2U);
}

TEST(SessionRegistryMemory, ReusedKeyIsRememberedFromItsLatestClose) {
  id_generator ids(1);
  session_registry registry(ids, 2);
  recording_events events;
  // Key 1 closes, is reused for a new connection, and closes again; then key 2 closes. Key 1's
  // latest close is one of the two most recent, so its repeated hangup is a duplicate.
  registry.open_connection(handle_key(1), connection(1, "u"), at_second(1), accept_connection, events);
  registry.close_connection(handle_key(1), connection_info{}, at_second(2), events);
  registry.open_connection(handle_key(1), connection(1, "u"), at_second(3), accept_connection, events);
  registry.close_connection(handle_key(1), connection_info{}, at_second(4), events);
  registry.open_connection(handle_key(2), connection(2, "u"), at_second(5), accept_connection, events);
  registry.close_connection(handle_key(2), connection_info{}, at_second(6), events);
  events.clear();
  registry.close_connection(handle_key(1), connection_info{}, at_second(7), events);
  registry.close_connection(handle_key(2), connection_info{}, at_second(7), events);
  EXPECT_EQ(kinds(events.events()), (std::vector{event_kind::duplicate, event_kind::duplicate}));
  EXPECT_EQ(registry.snapshot().unknown_hangups, 0U);
}

TEST(SessionRegistryMemory, RejectedKeysAreBoundedAndRememberedFromTheLatestReject) {
  id_generator ids(1);
  session_registry registry(ids, 2);
  recording_events events;
  // Key 1 is rejected, hung up, rejected again; then key 2 is rejected. Both rejections are
  // among the two most recent, so both hangups close their rejected state.
  registry.open_connection(handle_key(1), connection(1, "u"), at_second(1), reject_connection, events);
  registry.close_connection(handle_key(1), connection_info{}, at_second(1), events);
  registry.open_connection(handle_key(1), connection(1, "u"), at_second(2), reject_connection, events);
  registry.open_connection(handle_key(2), connection(2, "u"), at_second(2), reject_connection, events);
  events.clear();
  registry.close_connection(handle_key(1), connection_info{}, at_second(3), events);
  registry.close_connection(handle_key(2), connection_info{}, at_second(3), events);
  auto ev = events.events();
  ASSERT_EQ(kinds(ev), (std::vector{event_kind::connection_closed, event_kind::connection_closed}));
  EXPECT_FALSE(ev[0].connection->admission.accept);
  EXPECT_FALSE(ev[1].connection->admission.accept);
  EXPECT_TRUE(ev[0].connection->start_seen);

  // Three rejections with room for two: the oldest is forgotten.
  for (std::uint64_t h = 10; h <= 12; ++h) {
    registry.open_connection(handle_key(h), connection(h, "u"), at_second(4), reject_connection, events);
  }
  events.clear();
  registry.close_connection(handle_key(10), connection_info{}, at_second(5), events);
  ev = events.events();
  ASSERT_EQ(ev.size(), 1U);
  EXPECT_FALSE(ev[0].connection->start_seen);
  EXPECT_TRUE(ev[0].connection->admission.accept);  // nothing known about it any more
}

TEST(SessionRegistryMemory, ZeroCapacityRemembersNothing) {
  id_generator ids(1);
  session_registry registry(ids, 0);
  recording_events events;
  registry.open_connection(handle_key(1), connection(1, "u"), at_second(1), accept_connection, events);
  registry.close_connection(handle_key(1), connection_info{}, at_second(2), events);
  registry.close_connection(handle_key(1), connection_info{}, at_second(3), events);
  EXPECT_EQ(kinds(events.events()),
            (std::vector{event_kind::connection_opened, event_kind::connection_closed, event_kind::connection_closed}));
  EXPECT_EQ(registry.snapshot().unknown_hangups, 1U);
}

TEST(SessionRegistryMemory, ManyReusedKeysStayBounded) {
  // Each round closes a key that was closed before and reused; the memory must keep working
  // (recognising the most recent keys) however long this goes on.
  id_generator ids(1);
  session_registry registry(ids, 4);
  recording_events events;
  for (std::uint64_t round = 0; round < 200; ++round) {
    const std::uint64_t h = round % 6;
    registry.open_connection(handle_key(h), connection(h, "u"), at_second(round), accept_connection, events);
    registry.close_connection(handle_key(h), connection_info{}, at_second(round), events);
  }
  events.clear();
  // The last four keys closed were 4, 5, 0, 1 (rounds 196-199); 2 and 3 are forgotten.
  for (std::uint64_t h : {4U, 5U, 0U, 1U}) {
    registry.close_connection(handle_key(h), connection_info{}, at_second(300), events);
  }
  EXPECT_EQ(events.count(event_kind::duplicate), 4U);
  registry.close_connection(handle_key(2), connection_info{}, at_second(300), events);
  EXPECT_EQ(events.count(event_kind::connection_closed), 1U);
}

}  // namespace
}  // namespace raswarden::core
