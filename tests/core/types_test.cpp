#include "raswarden/types.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace raswarden::core {
namespace {

TEST(Guid, ToStringIsLowerCaseRegistryForm) {
  const guid id{0xA1B2C3D4, 0xE5F6, 0x0789, {0xAB, 0xCD, 0x01, 0x23, 0x45, 0x67, 0x89, 0xEF}};
  EXPECT_EQ(id.to_string(), "a1b2c3d4-e5f6-0789-abcd-0123456789ef");
  const guid small{0x1, 0x2, 0x3, {0, 0x4, 0, 0, 0, 0, 0, 0x5}};
  EXPECT_EQ(small.to_string(), "00000001-0002-0003-0004-000000000005");
  EXPECT_EQ(guid{}.to_string(), "00000000-0000-0000-0000-000000000000");
}

TEST(Guid, IsNil) {
  EXPECT_TRUE(guid{}.is_nil());
  EXPECT_FALSE((guid{1, 0, 0, {}}).is_nil());
  EXPECT_FALSE((guid{0, 1, 0, {}}).is_nil());
  EXPECT_FALSE((guid{0, 0, 1, {}}).is_nil());
  EXPECT_FALSE((guid{0, 0, 0, {0, 0, 0, 0, 0, 0, 0, 1}}).is_nil());
}

TEST(Guid, Equality) {
  const guid a{1, 2, 3, {4, 5, 6, 7, 8, 9, 10, 11}};
  guid b = a;
  EXPECT_EQ(a, b);
  b.data4[7] = 12;
  EXPECT_NE(a, b);
}

TEST(InterfaceType, FromRawCoversDocumentedRange) {
  EXPECT_EQ(interface_type_from_raw(0), interface_type::client);
  EXPECT_EQ(interface_type_from_raw(1), interface_type::home_router);
  EXPECT_EQ(interface_type_from_raw(2), interface_type::full_router);
  EXPECT_EQ(interface_type_from_raw(3), interface_type::dedicated);
  EXPECT_EQ(interface_type_from_raw(4), interface_type::internal);
  EXPECT_EQ(interface_type_from_raw(5), interface_type::loopback);
  EXPECT_EQ(interface_type_from_raw(6), interface_type::tunnel);
  EXPECT_EQ(interface_type_from_raw(7), interface_type::dialout);
  EXPECT_EQ(interface_type_from_raw(8), interface_type::unknown);
  EXPECT_EQ(interface_type_from_raw(0xFFFFFFFF), interface_type::unknown);
}

TEST(InterfaceType, Names) {
  EXPECT_EQ(to_string(interface_type::client), "client");
  EXPECT_EQ(to_string(interface_type::home_router), "home-router");
  EXPECT_EQ(to_string(interface_type::full_router), "full-router");
  EXPECT_EQ(to_string(interface_type::dialout), "dialout");
  EXPECT_EQ(to_string(interface_type::unknown), "unknown");
}

TEST(Tunnel, FromDeviceName) {
  EXPECT_EQ(tunnel_from_device("vpn", "WAN Miniport (PPTP)"), tunnel_kind::pptp);
  EXPECT_EQ(tunnel_from_device("vpn", "WAN Miniport (L2TP)"), tunnel_kind::l2tp);
  EXPECT_EQ(tunnel_from_device("vpn", "WAN Miniport (SSTP)"), tunnel_kind::sstp);
  EXPECT_EQ(tunnel_from_device("vpn", "WAN Miniport (IKEv2)"), tunnel_kind::ikev2);
  EXPECT_EQ(tunnel_from_device("", "wan miniport (sstp)"), tunnel_kind::sstp);
  EXPECT_EQ(tunnel_from_device("modem", "Standard 56000 bps Modem"), tunnel_kind::ppp);
  EXPECT_EQ(tunnel_from_device("MODEM", "COM1"), tunnel_kind::ppp);
  EXPECT_EQ(tunnel_from_device("isdn", "AVM ISDN Controller"), tunnel_kind::ppp);
  EXPECT_EQ(tunnel_from_device("", "US Robotics Modem"), tunnel_kind::ppp);
  EXPECT_EQ(tunnel_from_device("vpn", "VPN2-13"), tunnel_kind::unknown);
  EXPECT_EQ(tunnel_from_device("", ""), tunnel_kind::unknown);
}

TEST(Tunnel, Names) {
  EXPECT_EQ(to_string(tunnel_kind::pptp), "pptp");
  EXPECT_EQ(to_string(tunnel_kind::l2tp), "l2tp");
  EXPECT_EQ(to_string(tunnel_kind::sstp), "sstp");
  EXPECT_EQ(to_string(tunnel_kind::ikev2), "ikev2");
  EXPECT_EQ(to_string(tunnel_kind::ppp), "ppp");
  EXPECT_EQ(to_string(tunnel_kind::unknown), "unknown");
}

TEST(Quarantine, FromRawAndNames) {
  EXPECT_EQ(quarantine_state_from_raw(0), quarantine_state::normal);
  EXPECT_EQ(quarantine_state_from_raw(1), quarantine_state::quarantine);
  EXPECT_EQ(quarantine_state_from_raw(2), quarantine_state::probation);
  EXPECT_EQ(quarantine_state_from_raw(3), quarantine_state::not_capable);
  EXPECT_EQ(quarantine_state_from_raw(4), quarantine_state::unknown);
  EXPECT_EQ(to_string(quarantine_state::not_capable), "not-capable");
  EXPECT_EQ(to_string(quarantine_state::probation), "probation");
}

authentication ppp_auth(std::uint32_t protocol, std::uint32_t data = 0, std::uint32_t eap_type = 0) {
  return authentication{protocol, data, eap_type, false};
}

TEST(AuthProtocolName, PppProtocols) {
  EXPECT_EQ(auth_protocol_name(ppp_auth(0)), "");
  EXPECT_EQ(auth_protocol_name(ppp_auth(0xC023)), "pap");
  EXPECT_EQ(auth_protocol_name(ppp_auth(0xC027)), "spap");
  EXPECT_EQ(auth_protocol_name(ppp_auth(0xC223, 0x05)), "chap-md5");
  EXPECT_EQ(auth_protocol_name(ppp_auth(0xC223, 0x80)), "mschap");
  EXPECT_EQ(auth_protocol_name(ppp_auth(0xC223, 0x81)), "mschapv2");
  EXPECT_EQ(auth_protocol_name(ppp_auth(0xC223, 0x99)), "chap");
  EXPECT_EQ(auth_protocol_name(ppp_auth(0x1234)), "0x1234");
}

TEST(AuthProtocolName, EapTypes) {
  EXPECT_EQ(auth_protocol_name(ppp_auth(0xC227, 0, 13)), "eap-tls");
  EXPECT_EQ(auth_protocol_name(ppp_auth(0xC227, 0, 25)), "peap");
  EXPECT_EQ(auth_protocol_name(ppp_auth(0xC227, 0, 26)), "eap-mschapv2");
  EXPECT_EQ(auth_protocol_name(ppp_auth(0xC227, 0, 21)), "eap-21");
}

TEST(AuthProtocolName, Ikev2) {
  EXPECT_EQ(auth_protocol_name(authentication{1, 0, 0, true}), "ikev2-cert");
  EXPECT_EQ(auth_protocol_name(authentication{2, 0, 0, true}), "ikev2-eap");
  EXPECT_EQ(auth_protocol_name(authentication{2, 0, 26, true}), "ikev2-eap-26");
  EXPECT_EQ(auth_protocol_name(authentication{0, 0, 0, true}), "");
  EXPECT_EQ(auth_protocol_name(authentication{9, 0, 0, true}), "ikev2-9");
}

TEST(ConnectionInfo, MergeMissingFromKeepsExistingAndFillsEmpty) {
  connection_info mine;
  mine.handle = 0x10;
  mine.user = "alice";
  mine.duration_s = 5;
  mine.if_type = interface_type::client;
  mine.id = guid{1, 2, 3, {}};

  connection_info theirs;
  theirs.handle = 0x20;
  theirs.interface_handle = 0x30;
  theirs.user = "bob";
  theirs.domain = "CORP";
  theirs.duration_s = 99;
  theirs.if_type = interface_type::full_router;
  theirs.id = guid{9, 9, 9, {}};
  theirs.remote_computer = "laptop";
  theirs.client_ipv4 = "10.0.0.2";
  theirs.client_ipv6 = "fe80::2";
  theirs.auth = authentication{0xC223, 0x81, 0, false};
  theirs.quarantine = quarantine_state::probation;
  theirs.tunnel = tunnel_kind::ikev2;
  theirs.traffic = traffic_counters{};
  theirs.traffic->bytes_in = 1234;
  theirs.terminate_reason = 7;

  mine.merge_missing_from(theirs);
  // Kept.
  EXPECT_EQ(mine.handle, 0x10U);
  EXPECT_EQ(mine.user, "alice");
  EXPECT_EQ(mine.duration_s, 5U);
  EXPECT_EQ(mine.if_type, interface_type::client);
  EXPECT_EQ(mine.id, (guid{1, 2, 3, {}}));
  // Filled.
  EXPECT_EQ(mine.interface_handle, 0x30U);
  EXPECT_EQ(mine.domain, "CORP");
  EXPECT_EQ(mine.remote_computer, "laptop");
  EXPECT_EQ(mine.client_ipv4, "10.0.0.2");
  EXPECT_EQ(mine.client_ipv6, "fe80::2");
  ASSERT_TRUE(mine.auth.has_value());
  EXPECT_EQ(mine.auth->data, 0x81U);
  EXPECT_EQ(mine.quarantine, quarantine_state::probation);
  EXPECT_EQ(mine.tunnel, tunnel_kind::ikev2);
  ASSERT_TRUE(mine.traffic.has_value());
  EXPECT_EQ(mine.traffic->bytes_in, 1234U);
  EXPECT_EQ(mine.terminate_reason, 7U);
  // Empty on both sides stays empty.
  EXPECT_TRUE(mine.server_ipv4.empty());
  EXPECT_FALSE(mine.flags.has_value());
}

TEST(SessionKey, EqualityUsesOriginAndValue) {
  EXPECT_EQ((session_key{key_origin::handle, 5}), (session_key{key_origin::handle, 5}));
  EXPECT_NE((session_key{key_origin::handle, 5}), (session_key{key_origin::legacy, 5}));
  EXPECT_NE((session_key{key_origin::handle, 5}), (session_key{key_origin::handle, 6}));
}

}  // namespace
}  // namespace raswarden::core
