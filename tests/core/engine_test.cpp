#include "raswarden/engine.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/engine_fixture.hpp"
#include "core/fakes.hpp"

namespace raswarden::core {
namespace {

using nlohmann::json;
using testing::fake_clock;
using testing::recording_diagnostics;

// A policy whose answers the test sets.
class scripted_policy final : public admission_policy {
 public:
  decision connection_decision{true, "default", "", true};
  decision link_decision{true, "default", "", true};
  decision reauth_decision{true, "default", "", true};
  mutable std::vector<registry_counts> connection_counts;

  [[nodiscard]] decision decide_connection(const connection_info&, const registry_counts& counts) const override {
    connection_counts.push_back(counts);
    return connection_decision;
  }
  [[nodiscard]] decision decide_link(const link_info&, const connection_info*, const registry_counts&) const override {
    return link_decision;
  }
  [[nodiscard]] decision decide_reauthentication(const connection_info&) const override { return reauth_decision; }
};

constexpr guid session_guid{0xDEADBEEF, 0x0102, 0x0304, {0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C}};

connection_info full_connection(std::uint64_t handle = 0x1000) {
  connection_info c;
  c.handle = handle;
  c.interface_handle = 0x2000;
  c.id = session_guid;
  c.user = "alice";
  c.domain = "CORP";
  c.interface_name = "alice";
  c.if_type = interface_type::client;
  c.remote_computer = "LAPTOP-7";
  c.client_ipv4 = "10.1.2.3";
  c.auth = authentication{0xC223, 0x81, 0, false};
  c.tunnel = tunnel_kind::ikev2;
  return c;
}

link_info full_link(std::uint64_t port, std::uint64_t owner, std::string port_name = "VPN2-13") {
  link_info l;
  l.port = port;
  l.connection = owner;
  l.port_name = std::move(port_name);
  l.device = "WAN Miniport (SSTP)";
  l.device_type = "vpn";
  l.media = "rastapi";
  l.line_speed_bps = 1000000000;
  return l;
}

class Engine : public testing::engine_fixture {};

TEST(FormatAddress, Ipv4UsesInAddrByteOrder) {
  EXPECT_EQ(format_ipv4(0x0100A8C0), "192.168.0.1");
  EXPECT_EQ(format_ipv4(0), "0.0.0.0");
  EXPECT_EQ(format_ipv4(0xFFFFFFFF), "255.255.255.255");
  EXPECT_EQ(format_ipv4(0x0403020A), "10.2.3.4");
}

std::array<std::uint8_t, 16> ipv6(std::initializer_list<std::uint16_t> groups) {
  std::array<std::uint8_t, 16> out{};
  std::size_t i = 0;
  for (const std::uint16_t g : groups) {
    out[i++] = static_cast<std::uint8_t>(g >> 8);
    out[i++] = static_cast<std::uint8_t>(g & 0xFF);
  }
  return out;
}

TEST(FormatAddress, Ipv6FollowsRfc5952) {
  EXPECT_EQ(format_ipv6(ipv6({0, 0, 0, 0, 0, 0, 0, 1})), "::1");
  EXPECT_EQ(format_ipv6(ipv6({0, 0, 0, 0, 0, 0, 0, 0})), "::");
  EXPECT_EQ(format_ipv6(ipv6({0xfe80, 0, 0, 0, 0, 0, 1, 2})), "fe80::1:2");
  EXPECT_EQ(format_ipv6(ipv6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0})), "2001:db8::");
  EXPECT_EQ(format_ipv6(ipv6({0x2001, 0xdb8, 0x85a3, 0x1, 0x2, 0x8a2e, 0x370, 0x7334})),
            "2001:db8:85a3:1:2:8a2e:370:7334");
  // A single zero group is not shortened; the longest run wins; the first of equal runs wins.
  EXPECT_EQ(format_ipv6(ipv6({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1})), "2001:db8:0:1:1:1:1:1");
  EXPECT_EQ(format_ipv6(ipv6({0x2001, 0, 0, 1, 0, 0, 0, 1})), "2001:0:0:1::1");
  EXPECT_EQ(format_ipv6(ipv6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1})), "2001:db8::1:0:0:1");
  EXPECT_EQ(format_ipv6(ipv6({0xABCD, 0xEF01, 0, 0, 0, 0, 0, 0x0A})), "abcd:ef01::a");
}

TEST_F(Engine, ServiceStartAndStop) {
  eng->start("MprAdminInitializeDll");
  ASSERT_TRUE(eng->accept_connection("MprAdminAcceptNewConnection3", full_connection()));
  eng->stop("MprAdminTerminateDll");
  const auto r = records();
  ASSERT_EQ(r.size(), 3U);
  EXPECT_EQ(r[0]["event"], "service-start");
  EXPECT_EQ(r[0]["callback"], "MprAdminInitializeDll");
  EXPECT_EQ(r[0]["server"], "vpn-gw1");
  EXPECT_EQ(r[0]["schema"], 1);
  EXPECT_EQ(r[0]["seq"], 1);
  EXPECT_EQ(r[0]["ts"], "2024-02-29T12:34:56.789Z");
  EXPECT_EQ(r[2]["event"], "service-stop");
  EXPECT_EQ(r[2]["callback"], "MprAdminTerminateDll");
  EXPECT_EQ(r[2]["open_sessions"], 1);
  EXPECT_EQ(r[2]["open_links"], 0);
  EXPECT_EQ(r[2]["records_failed"], 0);
  EXPECT_EQ(r[2]["seq"], 3);
}

TEST_F(Engine, ServiceStopCarriesTheDiagnosticsCounts) {
  stop_details details;
  details.diagnostics = diagnostic_counts{12, 999, 3, 990};
  eng->stop("MprAdminTerminateDll", details);
  const auto r = records();
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0]["diagnostics_written"], 12);
  EXPECT_EQ(r[0]["diagnostics_suppressed"], 999);
  EXPECT_EQ(r[0]["diagnostics_dropped"], 3);
}

TEST_F(Engine, ConnectionAcceptRecord) {
  ASSERT_TRUE(eng->accept_connection("MprAdminAcceptNewConnection3", full_connection()));
  const auto r = records();
  ASSERT_EQ(r.size(), 1U);
  const json& a = r[0];
  EXPECT_EQ(a["event"], "connection-accept");
  EXPECT_EQ(a["callback"], "MprAdminAcceptNewConnection3");
  EXPECT_TRUE(a["session_id"].is_string());
  EXPECT_EQ(a["session_id"].get<std::string>().size(), 29U);
  EXPECT_EQ(a["user"], "alice");
  EXPECT_EQ(a["domain"], "CORP");
  EXPECT_EQ(a["interface"], "alice");
  EXPECT_EQ(a["interface_type"], "client");
  EXPECT_EQ(a["remote_computer"], "LAPTOP-7");
  EXPECT_EQ(a["tunnel"], "ikev2");
  EXPECT_EQ(a["client_ip"], "10.1.2.3");
  EXPECT_EQ(a["guid"], "deadbeef-0102-0304-0506-0708090a0b0c");
  EXPECT_EQ(a["auth_protocol"], "mschapv2");
  EXPECT_EQ(a["decision"], "accept");
  EXPECT_EQ(a["rule"], "default");
  EXPECT_EQ(a["enforced"], true);
  EXPECT_EQ(a["reason"], "no policy configured: accept all");
  EXPECT_FALSE(a.contains("client_ipv6"));  // empty fields are omitted
  EXPECT_FALSE(a.contains("quarantine_state"));
}

TEST_F(Engine, ConnectionAcceptOmitsNilGuidAndMissingFields) {
  connection_info c;
  c.handle = 5;
  c.id = guid{};
  ASSERT_TRUE(eng->accept_connection("MprAdminAcceptNewConnection", c));
  const auto r = records();
  ASSERT_EQ(r.size(), 1U);
  EXPECT_FALSE(r[0].contains("guid"));
  EXPECT_FALSE(r[0].contains("user"));
  EXPECT_FALSE(r[0].contains("interface_type"));
  EXPECT_FALSE(r[0].contains("auth_protocol"));
  EXPECT_EQ(r[0]["tunnel"], "unknown");
}

TEST_F(Engine, ConnectionStopRecord) {
  ASSERT_TRUE(eng->accept_connection("MprAdminAcceptNewConnection3", full_connection()));
  ASSERT_TRUE(eng->accept_link("MprAdminAcceptNewLink", full_link(0x77, 0x1000)));
  connection_info hangup;
  hangup.handle = 0x1000;
  hangup.duration_s = 125;
  traffic_counters t;
  t.bytes_in = 1000;
  t.bytes_out = 2000;
  t.frames_in = 10;
  t.frames_out = 20;
  t.errors = error_counters{1, 2, 3, 4, 5, 6};
  hangup.traffic = t;
  hangup.terminate_reason = 0x10;
  eng->connection_hangup("MprAdminConnectionHangupNotification3", hangup);

  const auto r = records();
  ASSERT_EQ(event_names(),
            (std::vector<std::string>{"connection-accept", "link-accept", "link-stop", "connection-stop"}));
  const json& s = r[3];
  EXPECT_EQ(s["callback"], "MprAdminConnectionHangupNotification3");
  EXPECT_EQ(s["session_id"], r[0]["session_id"]);
  EXPECT_EQ(s["user"], "alice");  // from the accept
  EXPECT_EQ(s["guid"], "deadbeef-0102-0304-0506-0708090a0b0c");
  EXPECT_EQ(s["duration_s"], 125);
  EXPECT_EQ(s["bytes_in"], 1000);
  EXPECT_EQ(s["bytes_out"], 2000);
  EXPECT_EQ(s["frames_in"], 10);
  EXPECT_EQ(s["frames_out"], 20);
  ASSERT_TRUE(s["errors"].is_object());
  EXPECT_EQ(s["errors"].size(), 6U);
  EXPECT_EQ(s["errors"]["crc"], 1);
  EXPECT_EQ(s["errors"]["timeout"], 2);
  EXPECT_EQ(s["errors"]["alignment"], 3);
  EXPECT_EQ(s["errors"]["hw_overrun"], 4);
  EXPECT_EQ(s["errors"]["framing"], 5);
  EXPECT_EQ(s["errors"]["buffer_overrun"], 6);
  EXPECT_EQ(s["links"], 1);
  EXPECT_EQ(s["start_seen"], true);
  EXPECT_EQ(s["terminate_reason"], "ppp-16");
  EXPECT_FALSE(s.contains("decision"));  // only rejected sessions repeat their decision
  // The link closed with its connection.
  EXPECT_EQ(r[2]["terminate_reason"], "connection-closed");
}

TEST_F(Engine, ConnectionStopWithoutDurationUsesTheClock) {
  connection_info c = full_connection();
  c.tunnel.reset();
  ASSERT_TRUE(eng->accept_connection("MprAdminAcceptNewConnection3", c));
  ASSERT_TRUE(eng->accept_link("MprAdminAcceptNewLink", full_link(0x77, 0x1000)));
  time.advance_ms(90500);
  connection_info hangup;
  hangup.handle = 0x1000;
  hangup.remote_terminate_reason = 3;
  eng->connection_hangup("MprAdminConnectionHangupNotification3", hangup);
  const auto r = records();
  ASSERT_EQ(r.size(), 4U);
  EXPECT_EQ(r[0]["tunnel"], "unknown");  // not yet known at accept time
  const json& s = r[3];
  EXPECT_EQ(s["event"], "connection-stop");
  EXPECT_EQ(s["duration_s"], 90);
  EXPECT_EQ(s["tunnel"], "sstp");  // learned from the link
  EXPECT_EQ(s["terminate_reason"], "ppp-remote-3");
  EXPECT_FALSE(s.contains("bytes_in"));
  EXPECT_FALSE(s.contains("errors"));
  EXPECT_EQ(s["ts"], "2024-02-29T12:36:27.289Z");
}

TEST_F(Engine, SameConnectionThroughTwoCallbackFamiliesIsRecordedOnce) {
  ASSERT_TRUE(eng->accept_connection("MprAdminAcceptNewConnection3", full_connection()));
  connection_info older = full_connection();
  older.id.reset();
  older.client_ipv6 = "2001:db8::5";
  ASSERT_TRUE(eng->accept_connection("MprAdminAcceptNewConnection2", older));
  connection_info hangup;
  hangup.handle = 0x1000;
  eng->connection_hangup("MprAdminConnectionHangupNotification3", hangup);
  eng->connection_hangup("MprAdminConnectionHangupNotification2", hangup);

  EXPECT_EQ(event_names(), (std::vector<std::string>{"connection-accept", "connection-stop"}));
  const auto r = records();
  EXPECT_EQ(r[1]["client_ipv6"], "2001:db8::5");  // merged from the second family
  EXPECT_EQ(diag.count(severity::debug), 2U);
  EXPECT_EQ(eng->registry_stats().duplicates, 2U);
  EXPECT_EQ(eng->registry_stats().live_connections, 0U);
}

TEST_F(Engine, LinkAcceptAndStopRecords) {
  ASSERT_TRUE(eng->accept_connection("MprAdminAcceptNewConnection3", full_connection()));
  ASSERT_TRUE(eng->accept_link("MprAdminAcceptNewLink", full_link(0x77, 0x1000)));
  link_info hangup;
  hangup.port = 0x77;
  hangup.connection = 0x1000;
  hangup.duration_s = 33;
  hangup.traffic = traffic_counters{};
  hangup.traffic->bytes_in = 44;
  eng->link_hangup("MprAdminLinkHangupNotification", hangup);

  const auto r = records();
  ASSERT_EQ(event_names(), (std::vector<std::string>{"connection-accept", "link-accept", "link-stop"}));
  const json& a = r[1];
  EXPECT_EQ(a["callback"], "MprAdminAcceptNewLink");
  EXPECT_EQ(a["session_id"], r[0]["session_id"]);
  EXPECT_TRUE(a["link_id"].is_string());
  EXPECT_NE(a["link_id"], r[0]["session_id"]);
  EXPECT_EQ(a["port"], "VPN2-13");
  EXPECT_EQ(a["device"], "WAN Miniport (SSTP)");
  EXPECT_EQ(a["device_type"], "vpn");
  EXPECT_EQ(a["media"], "rastapi");
  EXPECT_EQ(a["line_speed_bps"], 1000000000);
  EXPECT_EQ(a["decision"], "accept");
  const json& s = r[2];
  EXPECT_EQ(s["callback"], "MprAdminLinkHangupNotification");
  EXPECT_EQ(s["session_id"], r[0]["session_id"]);
  EXPECT_EQ(s["link_id"], a["link_id"]);
  EXPECT_EQ(s["port"], "VPN2-13");  // kept from the accept
  EXPECT_EQ(s["line_speed_bps"], 1000000000);
  EXPECT_EQ(s["duration_s"], 33);
  EXPECT_EQ(s["bytes_in"], 44);
  EXPECT_EQ(s["start_seen"], true);
  EXPECT_FALSE(s.contains("terminate_reason"));
}

TEST_F(Engine, LinkOfUnknownConnectionHasNoSessionId) {
  ASSERT_TRUE(eng->accept_link("MprAdminAcceptNewLink", full_link(0x77, 0x9999)));
  const auto r = records();
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0]["event"], "link-accept");
  EXPECT_FALSE(r[0].contains("session_id"));
  EXPECT_TRUE(r[0].contains("link_id"));
}

TEST_F(Engine, Ipv4AssignAndRelease) {
  const ipv4_assignment a = eng->assign_ipv4("MprAdminGetIpAddressForUser", {"alice", "VPN2-13"}, 0x0100A8C0);
  EXPECT_EQ(a.address, 0x0100A8C0U);
  EXPECT_TRUE(a.ok);
  EXPECT_TRUE(a.notify_release);
  const ipv4_assignment none = eng->assign_ipv4("MprAdminGetIpAddressForUser", {"bob", ""}, 0);
  EXPECT_EQ(none.address, 0U);
  eng->release_ipv4("MprAdminReleaseIpAddress", {"alice", "VPN2-13"}, 0x0100A8C0);

  const auto r = records();
  ASSERT_EQ(r.size(), 3U);
  EXPECT_EQ(r[0]["event"], "ip-assign");
  EXPECT_EQ(r[0]["callback"], "MprAdminGetIpAddressForUser");
  EXPECT_EQ(r[0]["user"], "alice");
  EXPECT_EQ(r[0]["port"], "VPN2-13");
  EXPECT_EQ(r[0]["family"], "ipv4");
  EXPECT_EQ(r[0]["source"], "rras");
  EXPECT_EQ(r[0]["address"], "192.168.0.1");
  EXPECT_EQ(r[1]["source"], "none");
  EXPECT_FALSE(r[1].contains("address"));
  EXPECT_FALSE(r[1].contains("port"));
  EXPECT_EQ(r[2]["event"], "ip-release");
  EXPECT_EQ(r[2]["family"], "ipv4");
  EXPECT_EQ(r[2]["address"], "192.168.0.1");
}

TEST_F(Engine, Ipv6AssignAndRelease) {
  const auto address = ipv6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x42});
  const ipv6_assignment a = eng->assign_ipv6("MprAdminGetIpv6AddressForUser", {"alice", "VPN2-13"}, address);
  EXPECT_EQ(a.address, address);
  EXPECT_TRUE(a.ok);
  (void)eng->assign_ipv6("MprAdminGetIpv6AddressForUser", {"alice", "VPN2-13"}, {});
  eng->release_ipv6("MprAdminReleaseIpv6AddressForUser", {"alice", "VPN2-13"}, address);
  const auto r = records();
  ASSERT_EQ(r.size(), 3U);
  EXPECT_EQ(r[0]["event"], "ip-assign");
  EXPECT_EQ(r[0]["family"], "ipv6");
  EXPECT_EQ(r[0]["source"], "rras");
  EXPECT_EQ(r[0]["address"], "2001:db8::42");
  EXPECT_EQ(r[1]["source"], "none");
  EXPECT_FALSE(r[1].contains("address"));
  EXPECT_EQ(r[2]["event"], "ip-release");
  EXPECT_EQ(r[2]["family"], "ipv6");
  EXPECT_EQ(r[2]["address"], "2001:db8::42");
}

legacy_port legacy(std::string port_name) {
  legacy_port p;
  p.link.port_name = std::move(port_name);
  p.link.device = "WAN Miniport (PPTP)";
  p.link.device_type = "vpn";
  p.connection.user = "Alice";
  p.connection.domain = "CORP";
  p.connection.remote_computer = "LAPTOP-7";
  p.start_session_time = 1700000000;
  return p;
}

TEST_F(Engine, LegacyPortsOfOneConnection) {
  legacy_port p1 = legacy("VPN1-1");
  legacy_port p2 = legacy("VPN1-2");
  p2.connection.user = "alice";  // the same user, written differently
  ASSERT_TRUE(eng->legacy_accept("RasAdminAcceptNewConnection", p1));
  ASSERT_TRUE(eng->legacy_accept("RasAdminAcceptNewConnection", p2));
  EXPECT_EQ(event_names(), (std::vector<std::string>{"connection-accept", "link-accept", "link-accept"}));
  EXPECT_EQ(eng->registry_stats().live_connections, 1U);
  EXPECT_EQ(eng->registry_stats().live_links, 2U);

  eng->legacy_hangup("RasAdminConnectionHangupNotification", p1);
  EXPECT_EQ(eng->registry_stats().live_connections, 1U);
  p2.link.duration_s = 10;
  eng->legacy_hangup("RasAdminConnectionHangupNotification", p2);
  EXPECT_EQ(event_names(), (std::vector<std::string>{"connection-accept", "link-accept", "link-accept", "link-stop",
                                                     "link-stop", "connection-stop"}));
  const auto r = records();
  const auto session = r[0]["session_id"];
  EXPECT_EQ(r[0]["user"], "Alice");
  for (std::size_t i = 1; i < r.size(); ++i) EXPECT_EQ(r[i]["session_id"], session) << i;
  EXPECT_EQ(r[1]["port"], "VPN1-1");
  EXPECT_EQ(r[2]["port"], "VPN1-2");
  EXPECT_EQ(r[3]["port"], "VPN1-1");
  EXPECT_EQ(r[4]["port"], "VPN1-2");
  EXPECT_EQ(r[5]["links"], 2);
  EXPECT_EQ(r[5]["tunnel"], "pptp");
  EXPECT_EQ(r[5]["start_seen"], true);
  EXPECT_EQ(eng->registry_stats().live_connections, 0U);
  EXPECT_EQ(eng->registry_stats().live_links, 0U);
}

TEST_F(Engine, LegacyDifferentSessionsAreDifferentConnections) {
  legacy_port p1 = legacy("VPN1-1");
  legacy_port p2 = legacy("VPN1-2");
  p2.start_session_time += 60;  // the same user connecting again a minute later
  ASSERT_TRUE(eng->legacy_accept("RasAdminAcceptNewConnection", p1));
  ASSERT_TRUE(eng->legacy_accept("RasAdminAcceptNewConnection", p2));
  EXPECT_EQ(event_names(),
            (std::vector<std::string>{"connection-accept", "link-accept", "connection-accept", "link-accept"}));
  EXPECT_EQ(eng->registry_stats().live_connections, 2U);
}

TEST_F(Engine, ReauthenticationNamesTheLiveSession) {
  ASSERT_TRUE(eng->accept_connection("MprAdminAcceptNewConnection3", full_connection()));
  connection_info reauth;
  reauth.handle = 0x1000;
  reauth.user = "alice";
  reauth.quarantine = quarantine_state::normal;
  reauth.probation_until_unix_ms = 0;
  ASSERT_TRUE(eng->accept_reauthentication("MprAdminAcceptReauthenticationEx", reauth));
  const auto r = records();
  ASSERT_EQ(r.size(), 2U);
  EXPECT_EQ(r[1]["event"], "reauth-accept");
  EXPECT_EQ(r[1]["callback"], "MprAdminAcceptReauthenticationEx");
  EXPECT_EQ(r[1]["session_id"], r[0]["session_id"]);
  EXPECT_EQ(r[1]["user"], "alice");
  EXPECT_EQ(r[1]["quarantine_state"], "normal");
  EXPECT_EQ(r[1]["probation_until"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(r[1]["decision"], "accept");

  // A reauthentication for a connection we do not know carries no session id.
  connection_info stranger;
  stranger.handle = 0x5555;
  ASSERT_TRUE(eng->accept_reauthentication("MprAdminAcceptReauthentication", stranger));
  const auto after = records();
  ASSERT_EQ(after.size(), 3U);
  EXPECT_FALSE(after[2].contains("session_id"));
}

TEST_F(Engine, MalformedCallAnswersTheFailureDefaultAndRecordsNothing) {
  EXPECT_TRUE(eng->accept_on_internal_error());
  EXPECT_TRUE(eng->malformed_call("MprAdminAcceptNewConnection3", "null RAS_CONNECTION_0"));
  EXPECT_TRUE(sink->lines().empty());
  const auto entries = diag.entries();
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].level, severity::error);
  EXPECT_NE(entries[0].message.find("MprAdminAcceptNewConnection3"), std::string::npos);
  EXPECT_NE(entries[0].message.find("null RAS_CONNECTION_0"), std::string::npos);

  // policy.on_error "reject" makes the failure answer a refusal.
  policy_settings strict_settings;
  strict_settings.accept_on_error = false;
  auto owned = std::make_unique<memory_sink>();
  engine strict(engine_options{"gw"}, std::move(owned), std::make_unique<rule_policy>(strict_settings, time), time,
                diag);
  EXPECT_FALSE(strict.malformed_call("MprAdminAcceptNewLink", "bad header"));
}

TEST_F(Engine, RejectingPolicyRecordsRejectAndAnswersNo) {
  auto policy = std::make_unique<scripted_policy>();
  policy->connection_decision = decision{false, "deny-contractors", "user is a contractor", true};
  make_engine(std::move(policy));
  EXPECT_FALSE(eng->accept_connection("MprAdminAcceptNewConnection3", full_connection()));
  EXPECT_EQ(eng->registry_stats().live_connections, 0U);
  connection_info hangup;
  hangup.handle = 0x1000;
  eng->connection_hangup("MprAdminConnectionHangupNotification3", hangup);

  const auto r = records();
  ASSERT_EQ(event_names(), (std::vector<std::string>{"connection-reject", "connection-stop"}));
  EXPECT_EQ(r[0]["decision"], "reject");
  EXPECT_EQ(r[0]["rule"], "deny-contractors");
  EXPECT_EQ(r[0]["reason"], "user is a contractor");
  EXPECT_EQ(r[0]["enforced"], true);
  EXPECT_EQ(r[0]["user"], "alice");
  EXPECT_EQ(r[1]["session_id"], r[0]["session_id"]);
  EXPECT_EQ(r[1]["decision"], "reject");  // a rejected session's stop repeats its decision
  EXPECT_EQ(r[1]["links"], 0);
}

TEST_F(Engine, AuditModeRecordsRejectButAnswersYes) {
  auto policy = std::make_unique<scripted_policy>();
  policy->connection_decision = decision{false, "max-sessions", "limit reached", false};
  policy->link_decision = decision{false, "no-multilink", "", false};
  make_engine(std::move(policy));
  EXPECT_TRUE(eng->accept_connection("MprAdminAcceptNewConnection3", full_connection()));
  EXPECT_TRUE(eng->accept_link("MprAdminAcceptNewLink", full_link(0x77, 0x1000)));
  EXPECT_EQ(eng->registry_stats().live_connections, 1U);
  EXPECT_EQ(eng->registry_stats().live_links, 1U);
  const auto r = records();
  ASSERT_EQ(event_names(), (std::vector<std::string>{"connection-reject", "link-reject"}));
  EXPECT_EQ(r[0]["decision"], "reject");
  EXPECT_EQ(r[0]["enforced"], false);
  EXPECT_EQ(r[0]["rule"], "max-sessions");
  EXPECT_EQ(r[1]["decision"], "reject");
  EXPECT_EQ(r[1]["enforced"], false);
}

TEST_F(Engine, RejectedLinkAnswersNo) {
  auto policy = std::make_unique<scripted_policy>();
  policy->link_decision = decision{false, "no-multilink", "one link per user", true};
  make_engine(std::move(policy));
  ASSERT_TRUE(eng->accept_connection("MprAdminAcceptNewConnection3", full_connection()));
  EXPECT_FALSE(eng->accept_link("MprAdminAcceptNewLink", full_link(0x77, 0x1000)));
  const auto r = records();
  ASSERT_EQ(event_names(), (std::vector<std::string>{"connection-accept", "link-reject"}));
  EXPECT_EQ(r[1]["rule"], "no-multilink");
  EXPECT_EQ(eng->registry_stats().live_links, 0U);
}

TEST_F(Engine, RejectedReauthentication) {
  auto policy = std::make_unique<scripted_policy>();
  policy->reauth_decision = decision{false, "quarantine", "health check failed", true};
  make_engine(std::move(policy));
  ASSERT_TRUE(eng->accept_connection("MprAdminAcceptNewConnection3", full_connection()));
  EXPECT_FALSE(eng->accept_reauthentication("MprAdminAcceptReauthentication", full_connection()));
  const auto r = records();
  ASSERT_EQ(event_names(), (std::vector<std::string>{"connection-accept", "reauth-reject"}));
  EXPECT_EQ(r[1]["decision"], "reject");
  EXPECT_EQ(r[1]["rule"], "quarantine");
}

TEST_F(Engine, PolicySeesCountsOfLiveSessions) {
  auto owned_policy = std::make_unique<scripted_policy>();
  scripted_policy* policy = owned_policy.get();
  make_engine(std::move(owned_policy));
  ASSERT_TRUE(eng->accept_connection("cb", full_connection(1)));
  connection_info second = full_connection(2);
  second.user = "ALICE";
  second.id.reset();
  ASSERT_TRUE(eng->accept_connection("cb", second));
  ASSERT_EQ(policy->connection_counts.size(), 2U);
  EXPECT_EQ(policy->connection_counts[1].user_connections, 1U);
  EXPECT_EQ(policy->connection_counts[1].live_connections, 1U);
}

TEST_F(Engine, HangupWithoutAcceptIsRecordedWithStartSeenFalse) {
  connection_info hangup = full_connection(0x4242);
  hangup.duration_s = 7;
  eng->connection_hangup("MprAdminConnectionHangupNotification3", hangup);
  const auto r = records();
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0]["event"], "connection-stop");
  EXPECT_EQ(r[0]["start_seen"], false);
  EXPECT_EQ(r[0]["duration_s"], 7);
  EXPECT_EQ(r[0]["links"], 0);
  EXPECT_EQ(eng->registry_stats().unknown_hangups, 1U);
}

TEST_F(Engine, RecordsHeldDuringSinkFailureAreWrittenBeforeServiceStop) {
  auto owned = std::make_unique<testing::failing_sink>();
  testing::failing_sink* failing = owned.get();
  engine e(engine_options{"gw"}, std::move(owned), nullptr, time, diag);
  e.start("MprAdminInitializeDll");
  EXPECT_EQ(e.writer().records_failed(), 1U);
  EXPECT_EQ(e.writer().records_held(), 1U);
  failing->fail = false;
  e.stop("MprAdminTerminateDll");
  const auto lines = failing->inner.lines();
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(json::parse(lines[0])["event"], "service-start");
  const auto stop = json::parse(lines[1]);
  EXPECT_EQ(stop["event"], "service-stop");
  EXPECT_EQ(stop["records_failed"], 1);
  EXPECT_EQ(stop["records_lost"], 0);
  EXPECT_EQ(stop["seq"], 2);
}

TEST_F(Engine, OnFailureRejectRefusesNewConnectionsWhileRecordsCannotBeWritten) {
  auto owned = std::make_unique<testing::failing_sink>();
  testing::failing_sink* failing = owned.get();
  engine_options options{"gw"};
  options.on_failure = failure_mode::reject_new;
  engine e(options, std::move(owned), nullptr, time, diag);
  e.start("MprAdminInitializeDllEx");  // the sink fails this first record
  connection_info alice;
  alice.handle = 1;
  alice.user = "alice";
  EXPECT_FALSE(e.accept_connection("MprAdminAcceptNewConnectionEx", alice));
  failing->fail = false;
  e.maintain();  // held records written: healthy again
  connection_info bob;
  bob.handle = 2;
  bob.user = "bob";
  EXPECT_TRUE(e.accept_connection("MprAdminAcceptNewConnectionEx", bob));
  const auto lines = failing->inner.lines();
  ASSERT_EQ(lines.size(), 3U);  // nothing was lost: the held records came first
  EXPECT_EQ(json::parse(lines[0])["event"], "service-start");
  const auto rejected = json::parse(lines[1]);
  EXPECT_EQ(rejected["event"], "connection-reject");
  EXPECT_EQ(rejected["rule"], "accounting.on_failure");
  EXPECT_EQ(json::parse(lines[2])["event"], "connection-accept");
}

TEST_F(Engine, OnFailureContinueKeepsAdmitting) {
  auto owned = std::make_unique<testing::failing_sink>();
  engine e(engine_options{"gw"}, std::move(owned), nullptr, time, diag);
  connection_info alice;
  alice.handle = 1;
  alice.user = "alice";
  EXPECT_TRUE(e.accept_connection("MprAdminAcceptNewConnectionEx", alice));
  EXPECT_EQ(e.writer().records_held(), 1U);
}

TEST_F(Engine, SessionStoreFollowsAdmittedConnectionsAndRecoveryClosesThem) {
  memory_session_store store;
  {
    engine e(engine_options{"gw"}, std::make_unique<memory_sink>(), nullptr, time, diag, &store);
    connection_info alice;
    alice.handle = 1;
    alice.user = "alice";
    alice.domain = "CONTOSO";
    alice.client_ipv4 = "10.0.0.2";
    connection_info bob = alice;
    bob.handle = 2;
    bob.user = "bob";
    EXPECT_TRUE(e.accept_connection("MprAdminAcceptNewConnectionEx", alice));
    EXPECT_TRUE(e.accept_connection("MprAdminAcceptNewConnectionEx", bob));
    e.connection_hangup("MprAdminConnectionHangupNotificationEx", bob);
    e.maintain();  // heartbeat
  }
  // The process "dies" with alice open: a new engine recovers her.
  const recovery previous = store.snapshot();
  ASSERT_EQ(previous.sessions.size(), 1U);
  EXPECT_FALSE(previous.clean_shutdown);
  auto owned = std::make_unique<memory_sink>();
  memory_sink* recovered_sink = owned.get();
  engine next(engine_options{"gw"}, std::move(owned), nullptr, time, diag);
  next.recover("MprAdminInitializeDllEx", previous);
  const auto lines = recovered_sink->lines();
  ASSERT_EQ(lines.size(), 1U);
  const auto r = json::parse(lines[0]);
  EXPECT_EQ(r["event"], "session-recovered");
  EXPECT_EQ(r["user"], "alice");
  EXPECT_EQ(r["domain"], "CONTOSO");
  EXPECT_EQ(r["client_ip"], "10.0.0.2");
  EXPECT_EQ(r["cause"], "unclean-shutdown");
  EXPECT_EQ(r["session_id"], previous.sessions[0].session_id);
  EXPECT_TRUE(r.contains("duration_s"));
  EXPECT_TRUE(r.contains("last_seen"));
}

TEST_F(Engine, SessionsOpenAtACleanStopRecoverAsServiceRestart) {
  memory_session_store store;
  {
    engine e(engine_options{"gw"}, std::make_unique<memory_sink>(), nullptr, time, diag, &store);
    connection_info alice;
    alice.handle = 1;
    alice.user = "alice";
    EXPECT_TRUE(e.accept_connection("MprAdminAcceptNewConnectionEx", alice));
    e.stop("MprAdminTerminateDll");
  }
  const recovery previous = store.snapshot();
  EXPECT_TRUE(previous.clean_shutdown);
  auto owned = std::make_unique<memory_sink>();
  memory_sink* recovered_sink = owned.get();
  engine next(engine_options{"gw"}, std::move(owned), nullptr, time, diag);
  next.recover("MprAdminInitializeDll", previous);
  ASSERT_EQ(recovered_sink->lines().size(), 1U);
  EXPECT_EQ(json::parse(recovered_sink->lines()[0])["cause"], "service-restart");
}

}  // namespace
}  // namespace raswarden::core
