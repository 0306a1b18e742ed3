// Every MprAdmin* export driven with realistic structs, asserting on the records written.
#include "dll/dll_fixture.hpp"
#include "host/ras_structs.hpp"

namespace raswarden::testing {
namespace {

using host::connection_spec;
using host::link_spec;
using host::tunnel_type;

connection_spec alice(std::uintptr_t handle = 0x5000, tunnel_type tunnel = tunnel_type::sstp) {
  connection_spec c;
  c.handle = handle;
  c.interface_handle = handle + 1;
  c.guid = host::make_guid(7, handle);
  c.tunnel = tunnel;
  c.user = L"alice";
  c.domain = L"CONTOSO";
  c.remote_computer = L"LAPTOP-ALICE";
  c.client_ipv4 = L"10.20.0.11";
  c.server_ipv4 = L"10.20.0.1";
  c.remote_endpoint = L"203.0.113.7";
  c.local_endpoint = L"198.51.100.10";
  c.duration_s = 1834;
  c.counters = {18'400'512, 240'118'272, 15'000, 200'000, 1, 2, 3, 4, 5, 6};
  return c;
}

link_spec port_of(const connection_spec& c, std::uintptr_t port, const wchar_t* name) {
  link_spec l;
  l.port = port;
  l.connection = c.handle;
  l.tunnel = c.tunnel;
  l.port_name = name;
  l.line_speed_bps = 1'000'000'000;
  l.duration_s = c.duration_s;
  l.counters = {1000, 2000, 10, 20, 0, 0, 0, 0, 0, 0};
  return l;
}

using accept1_fn = BOOL(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*);
using hangup1_fn = VOID(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*);
using accept2_fn = BOOL(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*);
using hangup2_fn = VOID(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*);
using accept3_fn = BOOL(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*, RAS_CONNECTION_3*);
using hangup3_fn = VOID(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*, RAS_CONNECTION_3*);
using accept_ex_fn = BOOL(WINAPI*)(RAS_CONNECTION_EX*);
using hangup_ex_fn = VOID(WINAPI*)(RAS_CONNECTION_EX*);
using link_fn = BOOL(WINAPI*)(RAS_PORT_0*, RAS_PORT_1*);
using link_hangup_fn = VOID(WINAPI*)(RAS_PORT_0*, RAS_PORT_1*);
using get_ip_fn = DWORD(WINAPI*)(WCHAR*, WCHAR*, DWORD*, BOOL*);
using release_ip_fn = VOID(WINAPI*)(WCHAR*, WCHAR*, DWORD*);
using get_ip6_fn = DWORD(WINAPI*)(WCHAR*, WCHAR*, IN6_ADDR*, BOOL*);
using release_ip6_fn = VOID(WINAPI*)(WCHAR*, WCHAR*, IN6_ADDR*);

class exports_test : public dll_test {};

void expect_common_fields(const nlohmann::json& r, const char* callback) {
  EXPECT_EQ(r.at("schema"), 1);
  EXPECT_TRUE(r.at("ts").is_string());
  EXPECT_EQ(r.at("ts").get<std::string>().size(), 24u) << r.dump();
  EXPECT_EQ(r.at("callback"), callback) << r.dump();
  EXPECT_TRUE(r.at("server").is_string());
  EXPECT_TRUE(r.at("seq").is_number_unsigned());
}

TEST_F(exports_test, family1_lifecycle_records_accept_links_and_stop_with_counters) {
  initialize();
  const connection_spec c = alice();
  auto s = host::make_connection(c);
  auto p = host::make_port(port_of(c, 0x5100, L"VPN3-17"));
  EXPECT_TRUE(fn<accept1_fn>("MprAdminAcceptNewConnection")(&s->c0, &s->c1));
  EXPECT_TRUE(fn<link_fn>("MprAdminAcceptNewLink")(&p.p0, &p.p1));
  fn<link_hangup_fn>("MprAdminLinkHangupNotification")(&p.p0, &p.p1);
  fn<hangup1_fn>("MprAdminConnectionHangupNotification")(&s->c0, &s->c1);
  terminate();

  const auto all = records();
  ASSERT_EQ(all.size(), 7u);
  const char* expected[] = {"service-start", "config-loaded",   "connection-accept", "link-accept",
                            "link-stop",     "connection-stop", "service-stop"};
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].at("event"), expected[i]);
    EXPECT_EQ(all[i].at("seq"), i + 1);
  }
  const auto& accept = all[2];
  expect_common_fields(accept, "MprAdminAcceptNewConnection");
  EXPECT_EQ(accept.at("user"), "alice");
  EXPECT_EQ(accept.at("domain"), "CONTOSO");
  EXPECT_EQ(accept.at("remote_computer"), "LAPTOP-ALICE");
  EXPECT_EQ(accept.at("interface_type"), "client");
  EXPECT_EQ(accept.at("client_ip"), "10.20.0.11");
  EXPECT_EQ(accept.at("decision"), "accept");
  EXPECT_EQ(accept.at("rule"), "default");
  EXPECT_EQ(accept.at("enforced"), true);
  const std::string session_id = accept.at("session_id");
  EXPECT_FALSE(session_id.empty());

  const auto& link = all[3];
  expect_common_fields(link, "MprAdminAcceptNewLink");
  EXPECT_EQ(link.at("session_id"), session_id);
  EXPECT_EQ(link.at("port"), "VPN3-17");
  EXPECT_EQ(link.at("device"), "WAN Miniport (SSTP)");
  EXPECT_EQ(link.at("line_speed_bps"), 1'000'000'000);

  const auto& link_stop = all[4];
  EXPECT_EQ(link_stop.at("link_id"), link.at("link_id"));
  EXPECT_EQ(link_stop.at("bytes_in"), 1000);
  EXPECT_EQ(link_stop.at("bytes_out"), 2000);

  const auto& stop = all[5];
  expect_common_fields(stop, "MprAdminConnectionHangupNotification");
  EXPECT_EQ(stop.at("session_id"), session_id);
  EXPECT_EQ(stop.at("duration_s"), 1834);
  EXPECT_EQ(stop.at("bytes_in"), 18'400'512);
  EXPECT_EQ(stop.at("bytes_out"), 240'118'272);
  EXPECT_EQ(stop.at("frames_in"), 15'000);
  EXPECT_EQ(stop.at("frames_out"), 200'000);
  EXPECT_EQ(
      stop.at("errors"),
      (nlohmann::json{
          {"crc", 1}, {"timeout", 2}, {"alignment", 3}, {"hw_overrun", 4}, {"framing", 5}, {"buffer_overrun", 6}}));
  EXPECT_EQ(stop.at("links"), 1);
  EXPECT_EQ(stop.at("start_seen"), true);
  EXPECT_EQ(stop.at("tunnel"), "sstp");  // learned from the link's device
}

TEST_F(exports_test, family2_and_3_carry_guid_authentication_and_ipv6) {
  initialize();
  const connection_spec c2 = alice(0x6000, tunnel_type::l2tp);
  auto s2 = host::make_connection(c2);
  EXPECT_TRUE(fn<accept2_fn>("MprAdminAcceptNewConnection2")(&s2->c0, &s2->c1, &s2->c2));
  fn<hangup2_fn>("MprAdminConnectionHangupNotification2")(&s2->c0, &s2->c1, &s2->c2);

  connection_spec c3 = alice(0x7000, tunnel_type::sstp);
  c3.user = L"bob";
  auto s3 = host::make_connection(c3);
  EXPECT_TRUE(fn<accept3_fn>("MprAdminAcceptNewConnection3")(&s3->c0, &s3->c1, &s3->c2, &s3->c3));
  fn<hangup3_fn>("MprAdminConnectionHangupNotification3")(&s3->c0, &s3->c1, &s3->c2, &s3->c3);
  terminate();

  const auto accepts = records_of("connection-accept");
  ASSERT_EQ(accepts.size(), 2u);
  EXPECT_EQ(accepts[0].at("callback"), "MprAdminAcceptNewConnection2");
  EXPECT_EQ(accepts[0].at("auth_protocol"), "mschapv2");
  EXPECT_EQ(accepts[0].at("guid").get<std::string>().size(), 36u);
  EXPECT_FALSE(accepts[0].contains("client_ipv6"));
  EXPECT_EQ(accepts[1].at("callback"), "MprAdminAcceptNewConnection3");
  EXPECT_EQ(accepts[1].at("user"), "bob");
  EXPECT_EQ(accepts[1].at("auth_protocol"), "peap");
  EXPECT_EQ(accepts[1].at("quarantine_state"), "normal");
  EXPECT_EQ(accepts[1].at("client_ipv6").get<std::string>().rfind("fe80::", 0), 0u);
  EXPECT_NE(accepts[0].at("guid"), accepts[1].at("guid"));
  const auto stops = records_of("connection-stop");
  ASSERT_EQ(stops.size(), 2u);
  EXPECT_EQ(stops[0].at("session_id"), accepts[0].at("session_id"));
  EXPECT_EQ(stops[1].at("session_id"), accepts[1].at("session_id"));
}

TEST_F(exports_test, ex_family_records_endpoints_and_ikev2) {
  initialize();
  const connection_spec c = alice(0x8000, tunnel_type::ikev2);
  auto s = host::make_connection(c);
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&s->ex));
  fn<hangup_ex_fn>("MprAdminConnectionHangupNotificationEx")(&s->ex);
  terminate();
  const auto accepts = records_of("connection-accept");
  ASSERT_EQ(accepts.size(), 1u);
  EXPECT_EQ(accepts[0].at("tunnel"), "ikev2");
  EXPECT_EQ(accepts[0].at("remote_endpoint"), "203.0.113.7");
  EXPECT_EQ(accepts[0].at("local_endpoint"), "198.51.100.10");
  EXPECT_EQ(accepts[0].at("auth_protocol"), "ikev2-eap-25");
  EXPECT_EQ(accepts[0].at("client_ip"), "10.20.0.11");
  const auto stops = records_of("connection-stop");
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].at("bytes_in"), 18'400'512);
  EXPECT_EQ(stops[0].at("callback"), "MprAdminConnectionHangupNotificationEx");
}

TEST_F(exports_test, one_connection_through_several_families_is_recorded_once) {
  initialize();
  const connection_spec c = alice(0x9000);
  auto s = host::make_connection(c);
  EXPECT_TRUE(fn<accept2_fn>("MprAdminAcceptNewConnection2")(&s->c0, &s->c1, &s->c2));
  EXPECT_TRUE(fn<accept3_fn>("MprAdminAcceptNewConnection3")(&s->c0, &s->c1, &s->c2, &s->c3));
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&s->ex));
  fn<hangup2_fn>("MprAdminConnectionHangupNotification2")(&s->c0, &s->c1, &s->c2);
  fn<hangup_ex_fn>("MprAdminConnectionHangupNotificationEx")(&s->ex);
  fn<hangup1_fn>("MprAdminConnectionHangupNotification")(&s->c0, &s->c1);
  terminate();
  EXPECT_EQ(records_of("connection-accept").size(), 1u);
  const auto stops = records_of("connection-stop");
  ASSERT_EQ(stops.size(), 1u);
  // The first family lacked the endpoints; the stop carries what the later ones added.
  EXPECT_EQ(stops[0].at("remote_endpoint"), "203.0.113.7");
}

TEST_F(exports_test, reauthentication_is_recorded_against_the_live_session) {
  using reauth_fn = BOOL(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*, RAS_CONNECTION_3*);
  initialize();
  connection_spec c = alice(0xA000);
  auto s = host::make_connection(c);
  EXPECT_TRUE(fn<accept3_fn>("MprAdminAcceptNewConnection3")(&s->c0, &s->c1, &s->c2, &s->c3));
  s->c3.rasQuarState = RAS_QUAR_STATE_PROBATION;
  s->ex.rasQuarState = RAS_QUAR_STATE_QUARANTINE;
  EXPECT_TRUE(fn<reauth_fn>("MprAdminAcceptReauthentication")(&s->c0, &s->c1, &s->c2, &s->c3));
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptReauthenticationEx")(&s->ex));
  terminate();
  const auto reauths = records_of("reauth-accept");
  ASSERT_EQ(reauths.size(), 2u);
  const auto session_id = records_of("connection-accept").at(0).at("session_id");
  EXPECT_EQ(reauths[0].at("session_id"), session_id);
  EXPECT_EQ(reauths[0].at("quarantine_state"), "probation");
  EXPECT_EQ(reauths[1].at("callback"), "MprAdminAcceptReauthenticationEx");
  EXPECT_EQ(reauths[1].at("quarantine_state"), "quarantine");
}

TEST_F(exports_test, ipv4_assignment_passes_rras_choice_through_and_asks_for_release) {
  initialize();
  WCHAR user[] = L"alice";
  WCHAR port[] = L"VPN3-17";
  DWORD address = 10u | (20u << 8) | (0u << 16) | (11u << 24);  // 10.20.0.11 as it lies in memory
  BOOL notify = FALSE;
  EXPECT_EQ(fn<get_ip_fn>("MprAdminGetIpAddressForUser")(user, port, &address, &notify), static_cast<DWORD>(NO_ERROR));
  EXPECT_EQ(address, 10u | (20u << 8) | (11u << 24));
  EXPECT_TRUE(notify);
  fn<release_ip_fn>("MprAdminReleaseIpAddress")(user, port, &address);
  terminate();
  const auto assigned = records_of("ip-assign");
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].at("user"), "alice");
  EXPECT_EQ(assigned[0].at("port"), "VPN3-17");
  EXPECT_EQ(assigned[0].at("address"), "10.20.0.11");
  EXPECT_EQ(assigned[0].at("family"), "ipv4");
  const auto released = records_of("ip-release");
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].at("address"), "10.20.0.11");
}

TEST_F(exports_test, ipv6_assignment_records_the_interface_identifier) {
  initialize();
  WCHAR user[] = L"alice";
  WCHAR port[] = L"VPN3-17";
  IN6_ADDR address{};
  address.u.Byte[8] = 0x02;
  address.u.Byte[15] = 0x42;
  BOOL notify = FALSE;
  EXPECT_EQ(fn<get_ip6_fn>("MprAdminGetIpv6AddressForUser")(user, port, &address, &notify),
            static_cast<DWORD>(NO_ERROR));
  EXPECT_EQ(address.u.Byte[15], 0x42);
  EXPECT_TRUE(notify);
  fn<release_ip6_fn>("MprAdminReleaseIpv6AddressForUser")(user, port, &address);
  terminate();
  const auto assigned = records_of("ip-assign");
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].at("family"), "ipv6");
  EXPECT_EQ(assigned[0].at("address"), "::200:0:0:42");
  EXPECT_EQ(records_of("ip-release").size(), 1u);
}

TEST_F(exports_test, multilink_connection_counts_its_links) {
  initialize();
  const connection_spec c = alice(0xB000, tunnel_type::dialup);
  auto s = host::make_connection(c);
  auto first = host::make_port(port_of(c, 0xB100, L"COM1"));
  auto second = host::make_port(port_of(c, 0xB101, L"COM2"));
  EXPECT_TRUE(fn<accept3_fn>("MprAdminAcceptNewConnection3")(&s->c0, &s->c1, &s->c2, &s->c3));
  EXPECT_TRUE(fn<link_fn>("MprAdminAcceptNewLink")(&first.p0, &first.p1));
  EXPECT_TRUE(fn<link_fn>("MprAdminAcceptNewLink")(&second.p0, &second.p1));
  fn<link_hangup_fn>("MprAdminLinkHangupNotification")(&second.p0, &second.p1);
  fn<link_hangup_fn>("MprAdminLinkHangupNotification")(&first.p0, &first.p1);
  fn<hangup3_fn>("MprAdminConnectionHangupNotification3")(&s->c0, &s->c1, &s->c2, &s->c3);
  terminate();
  EXPECT_EQ(records_of("link-accept").size(), 2u);
  EXPECT_EQ(records_of("link-stop").size(), 2u);
  const auto stops = records_of("connection-stop");
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].at("links"), 2);
  EXPECT_EQ(stops[0].at("tunnel"), "ppp");
}

TEST_F(exports_test, service_start_and_stop_frame_every_run) {
  initialize();
  terminate();
  const auto all = records();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].at("event"), "service-start");
  EXPECT_EQ(all[0].at("callback"), "MprAdminInitializeDll");
  EXPECT_EQ(all[1].at("event"), "config-loaded");
  EXPECT_EQ(all[1].at("source"), "file");
  EXPECT_FALSE(all[1].contains("problems"));
  EXPECT_NE(all[1].at("path").get<std::string>().find("raswarden.json"), std::string::npos);
  EXPECT_EQ(all[2].at("event"), "service-stop");
  EXPECT_EQ(all[2].at("callback"), "MprAdminTerminateDll");
  EXPECT_EQ(all[2].at("open_sessions"), 0);
}

}  // namespace
}  // namespace raswarden::testing
