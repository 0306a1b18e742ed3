// What a buggy or hostile caller can pass: names without a terminating NUL, invalid UTF-16, null
// pointers, a RAS_CONNECTION_EX with a wrong header, hangups before accepts or twice, and calls
// before initialize. Nothing may crash, every answer is the documented default, and what can be
// recorded is recorded once.
#include <string>
#include <vector>

#include "dll/dll_fixture.hpp"
#include "host/ras_structs.hpp"

namespace raswarden::testing {
namespace {

using accept3_fn = BOOL(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*, RAS_CONNECTION_3*);
using hangup3_fn = VOID(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*, RAS_CONNECTION_3*);
using accept1_fn = BOOL(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*);
using hangup1_fn = VOID(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*);
using accept2_fn = BOOL(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*);
using hangup2_fn = VOID(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*);
using accept_ex_fn = BOOL(WINAPI*)(RAS_CONNECTION_EX*);
using hangup_ex_fn = VOID(WINAPI*)(RAS_CONNECTION_EX*);
using reauth_fn = BOOL(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*, RAS_CONNECTION_3*);
using link_fn = BOOL(WINAPI*)(RAS_PORT_0*, RAS_PORT_1*);
using link_hangup_fn = VOID(WINAPI*)(RAS_PORT_0*, RAS_PORT_1*);
using get_ip_fn = DWORD(WINAPI*)(WCHAR*, WCHAR*, DWORD*, BOOL*);
using release_ip_fn = VOID(WINAPI*)(WCHAR*, WCHAR*, DWORD*);
using get_ip6_fn = DWORD(WINAPI*)(WCHAR*, WCHAR*, IN6_ADDR*, BOOL*);
using release_ip6_fn = VOID(WINAPI*)(WCHAR*, WCHAR*, IN6_ADDR*);
using nt4_accept_fn = BOOL(WINAPI*)(void*, void*, void*);
using nt4_hangup_fn = VOID(WINAPI*)(void*, void*, void*);
using nt4_get_ip_fn = DWORD(WINAPI*)(WCHAR*, WCHAR*, DWORD*, BOOL*);
using nt4_release_ip_fn = VOID(WINAPI*)(WCHAR*, WCHAR*, DWORD*);

class hostile_input_test : public dll_test {};

host::connection_spec spec(std::uintptr_t handle) {
  host::connection_spec c;
  c.handle = handle;
  c.guid = host::make_guid(11, handle);
  c.user = L"mallory";
  c.domain = L"EVIL";
  c.duration_s = 60;
  c.counters.bytes_in = 100;
  c.counters.bytes_out = 200;
  return c;
}

TEST_F(hostile_input_test, names_without_a_terminating_nul_are_read_within_their_arrays) {
  initialize();
  auto s = host::make_connection(spec(0x100));
  host::fill_unterminated(s->c0.wszUserName, L'U');
  host::fill_unterminated(s->c0.wszLogonDomain, L'D');
  host::fill_unterminated(s->c0.wszRemoteComputer, L'C');
  host::fill_unterminated(s->c0.wszInterfaceName, L'I');
  host::fill_unterminated(s->c1.PppInfo.ip.wszRemoteAddress, L'9');
  EXPECT_TRUE(fn<accept1_fn>("MprAdminAcceptNewConnection")(&s->c0, &s->c1));
  host::link_spec l;
  l.port = 0x101;
  l.connection = 0x100;
  auto p = host::make_port(l);
  host::fill_unterminated(p.p0.wszPortName, L'P');
  host::fill_unterminated(p.p0.wszDeviceName, L'N');
  EXPECT_TRUE(fn<link_fn>("MprAdminAcceptNewLink")(&p.p0, &p.p1));
  terminate();
  const auto accepts = records_of("connection-accept");
  ASSERT_EQ(accepts.size(), 1u);
  EXPECT_EQ(accepts[0].at("user"), std::string(UNLEN + 1, 'U'));
  EXPECT_EQ(accepts[0].at("domain"), std::string(DNLEN + 1, 'D'));
  EXPECT_EQ(accepts[0].at("remote_computer"), std::string(NETBIOS_NAME_LEN + 1, 'C'));
  EXPECT_EQ(accepts[0].at("interface"), std::string(MAX_INTERFACE_NAME_LEN + 1, 'I'));
  EXPECT_EQ(accepts[0].at("client_ip"), std::string(IPADDRESSLEN + 1, '9'));
  const auto links = records_of("link-accept");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].at("port"), std::string(MAX_PORT_NAME + 1, 'P'));
  EXPECT_EQ(links[0].at("device"), std::string(MAX_DEVICE_NAME + 1, 'N'));
}

TEST_F(hostile_input_test, invalid_utf16_becomes_replacement_characters) {
  initialize();
  auto s = host::make_connection(spec(0x200));
  const WCHAR name[] = {L'a', 0xD800, L'b', 0xDC00, 0xD83D, 0xDE00, 0};  // lone high, lone low, one emoji
  std::copy(std::begin(name), std::end(name), s->c0.wszUserName);
  EXPECT_TRUE(fn<accept1_fn>("MprAdminAcceptNewConnection")(&s->c0, &s->c1));
  terminate();
  const auto accepts = records_of("connection-accept");
  ASSERT_EQ(accepts.size(), 1u);
  EXPECT_EQ(accepts[0].at("user"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xF0\x9F\x98\x80");
}

TEST_F(hostile_input_test, null_pointers_in_every_export_answer_the_defaults) {
  initialize();
  EXPECT_TRUE(fn<accept1_fn>("MprAdminAcceptNewConnection")(nullptr, nullptr));
  EXPECT_TRUE(fn<accept2_fn>("MprAdminAcceptNewConnection2")(nullptr, nullptr, nullptr));
  EXPECT_TRUE(fn<accept3_fn>("MprAdminAcceptNewConnection3")(nullptr, nullptr, nullptr, nullptr));
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(nullptr));
  fn<hangup1_fn>("MprAdminConnectionHangupNotification")(nullptr, nullptr);
  fn<hangup2_fn>("MprAdminConnectionHangupNotification2")(nullptr, nullptr, nullptr);
  fn<hangup3_fn>("MprAdminConnectionHangupNotification3")(nullptr, nullptr, nullptr, nullptr);
  fn<hangup_ex_fn>("MprAdminConnectionHangupNotificationEx")(nullptr);
  EXPECT_TRUE(fn<reauth_fn>("MprAdminAcceptReauthentication")(nullptr, nullptr, nullptr, nullptr));
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptReauthenticationEx")(nullptr));
  EXPECT_TRUE(fn<link_fn>("MprAdminAcceptNewLink")(nullptr, nullptr));
  fn<link_hangup_fn>("MprAdminLinkHangupNotification")(nullptr, nullptr);
  EXPECT_EQ(fn<get_ip_fn>("MprAdminGetIpAddressForUser")(nullptr, nullptr, nullptr, nullptr),
            static_cast<DWORD>(NO_ERROR));
  DWORD address = 0x0100000A;
  EXPECT_EQ(fn<get_ip_fn>("MprAdminGetIpAddressForUser")(nullptr, nullptr, &address, nullptr),
            static_cast<DWORD>(NO_ERROR));
  EXPECT_EQ(address, 0x0100000Au);
  fn<release_ip_fn>("MprAdminReleaseIpAddress")(nullptr, nullptr, nullptr);
  fn<release_ip_fn>("MprAdminReleaseIpAddress")(nullptr, nullptr, &address);
  EXPECT_EQ(fn<get_ip6_fn>("MprAdminGetIpv6AddressForUser")(nullptr, nullptr, nullptr, nullptr),
            static_cast<DWORD>(NO_ERROR));
  fn<release_ip6_fn>("MprAdminReleaseIpv6AddressForUser")(nullptr, nullptr, nullptr);
  EXPECT_TRUE(fn<nt4_accept_fn>("RasAdminAcceptNewConnection")(nullptr, nullptr, nullptr));
  fn<nt4_hangup_fn>("RasAdminConnectionHangupNotification")(nullptr, nullptr, nullptr);
  EXPECT_EQ(fn<nt4_get_ip_fn>("RasAdminGetIpAddressForUser")(nullptr, nullptr, nullptr, nullptr),
            static_cast<DWORD>(NO_ERROR));
  fn<nt4_release_ip_fn>("RasAdminReleaseIpAddress")(nullptr, nullptr, nullptr);
  terminate();
  // Calls that identify nothing are reported, not recorded; the address calls with an address
  // but no names are recorded with what they have.
  EXPECT_EQ(records_of("connection-accept").size(), 0u);
  EXPECT_EQ(records_of("connection-stop").size(), 0u);
  EXPECT_EQ(records_of("ip-assign").size(), 1u);
  EXPECT_EQ(records_of("ip-release").size(), 1u);
  const std::string log = diagnostic_log();
  EXPECT_NE(
      log.find("MprAdminAcceptNewConnectionEx called with unusable arguments (RAS_CONNECTION_EX pointer is null)"),
      std::string::npos)
      << log;
}

TEST_F(hostile_input_test, connection_ex_with_a_wrong_header_is_not_trusted) {
  initialize();
  auto s = host::make_connection(spec(0x300));
  s->ex.Header.type = 5;  // an update-connection object, not a connection
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&s->ex));
  s->ex.Header.type = MPRAPI_OBJECT_TYPE_RAS_CONNECTION_OBJECT;
  s->ex.Header.size = 16;  // claims to be smaller than the struct
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&s->ex));
  terminate();
  EXPECT_EQ(records_of("connection-accept").size(), 0u);
  EXPECT_NE(diagnostic_log().find("header is not a connection object"), std::string::npos);
}

TEST_F(hostile_input_test, hangup_before_accept_is_recorded_with_start_seen_false) {
  initialize();
  auto s = host::make_connection(spec(0x400));
  fn<hangup3_fn>("MprAdminConnectionHangupNotification3")(&s->c0, &s->c1, &s->c2, &s->c3);
  host::link_spec l;
  l.port = 0x401;
  l.connection = 0x400;
  auto p = host::make_port(l);
  fn<link_hangup_fn>("MprAdminLinkHangupNotification")(&p.p0, &p.p1);
  terminate();
  const auto stops = records_of("connection-stop");
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].at("start_seen"), false);
  EXPECT_EQ(stops[0].at("duration_s"), 60);
  EXPECT_EQ(stops[0].at("bytes_in"), 100);
  EXPECT_EQ(stops[0].at("user"), "mallory");
  const auto link_stops = records_of("link-stop");
  ASSERT_EQ(link_stops.size(), 1u);
  EXPECT_EQ(link_stops[0].at("start_seen"), false);
}

TEST_F(hostile_input_test, duplicate_hangups_are_recorded_once) {
  initialize();
  auto s = host::make_connection(spec(0x500));
  EXPECT_TRUE(fn<accept3_fn>("MprAdminAcceptNewConnection3")(&s->c0, &s->c1, &s->c2, &s->c3));
  for (int i = 0; i < 3; ++i) fn<hangup3_fn>("MprAdminConnectionHangupNotification3")(&s->c0, &s->c1, &s->c2, &s->c3);
  fn<hangup_ex_fn>("MprAdminConnectionHangupNotificationEx")(&s->ex);
  terminate();
  EXPECT_EQ(records_of("connection-stop").size(), 1u);
}

TEST_F(hostile_input_test, reused_handle_with_a_new_guid_closes_the_old_session) {
  initialize();
  auto first = host::make_connection(spec(0x600));
  EXPECT_TRUE(fn<accept3_fn>("MprAdminAcceptNewConnection3")(&first->c0, &first->c1, &first->c2, &first->c3));
  host::connection_spec again = spec(0x600);
  again.guid = host::make_guid(12, 0x600);
  auto second = host::make_connection(again);
  EXPECT_TRUE(fn<accept3_fn>("MprAdminAcceptNewConnection3")(&second->c0, &second->c1, &second->c2, &second->c3));
  terminate();
  const auto accepts = records_of("connection-accept");
  ASSERT_EQ(accepts.size(), 2u);
  EXPECT_NE(accepts[0].at("session_id"), accepts[1].at("session_id"));
  const auto stops = records_of("connection-stop");
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].at("session_id"), accepts[0].at("session_id"));
  EXPECT_EQ(stops[0].at("terminate_reason"), "handle-reused");
}

TEST_F(hostile_input_test, callbacks_before_initialize_start_the_dll_implicitly) {
  auto s = host::make_connection(spec(0x700));
  EXPECT_TRUE(fn<accept3_fn>("MprAdminAcceptNewConnection3")(&s->c0, &s->c1, &s->c2, &s->c3));
  terminate();
  const auto all = records();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].at("event"), "service-start");
  EXPECT_EQ(all[0].at("callback"), "MprAdminAcceptNewConnection3");
  EXPECT_EQ(all[1].at("event"), "config-loaded");
  EXPECT_EQ(all[2].at("event"), "connection-accept");
  EXPECT_EQ(all[3].at("event"), "service-stop");
  EXPECT_EQ(all[3].at("open_sessions"), 1);
}

TEST_F(hostile_input_test, double_initialize_and_double_terminate_are_survived) {
  initialize();
  initialize();
  terminate();
  terminate();
  std::vector<std::string> events;
  for (const auto& r : records()) events.push_back(r.at("event"));
  EXPECT_EQ(events, (std::vector<std::string>{"service-start", "config-loaded", "service-stop", "service-start",
                                              "config-loaded", "service-stop"}));
}

// A configuration that would exhaust the stack (100,000 levels of nesting) or memory (100 MB):
// initialization still returns NO_ERROR, callbacks are answered with the on_error default, and the
// config-rejected record holds one short problem that says what is wrong.
TEST_F(hostile_input_test, a_configuration_nested_100000_deep_or_of_100_mb_still_initializes) {
  const std::string deep = "{\"schema\":1,\"policy\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  const std::string huge = "{\"schema\":1,\"x\":\"" + std::string(100u << 20, ' ') + "\"}";
  std::size_t runs = 0;
  for (const std::string* text : {&deep, &huge}) {
    write_config(*text);
    initialize();
    auto s = host::make_connection(spec(0x800));
    EXPECT_TRUE(fn<accept3_fn>("MprAdminAcceptNewConnection3")(&s->c0, &s->c1, &s->c2, &s->c3));
    terminate();
    const auto rejected = rejections_in_default_folder();  // one per run so far: the same file name
    ASSERT_EQ(rejected.size(), ++runs);
    ASSERT_EQ(rejected.back().at("problems").size(), 1u);
    const std::string problem = rejected.back().at("problems")[0];
    EXPECT_LT(problem.size(), 250u) << problem.substr(0, 300);
    EXPECT_NE(problem.find(text == &deep ? ":1:85: objects and arrays nest more than 64 levels deep"
                                         : "bytes; a configuration may be at most 1048576 bytes (1 MiB)"),
              std::string::npos)
        << problem;
  }
}

}  // namespace
}  // namespace raswarden::testing
