// The NT 4.0 callbacks (rassapi.h): called once per port, identified by port name, user and
// session start time. A two-port multilink connection is one connection with two links.
#include "dll/dll_fixture.hpp"  // windows.h first: rassapi.h needs its types
// clang-format off
#include <lmcons.h>
#include <rassapi.h>
// clang-format on

namespace raswarden::testing {
namespace {

using nt4_accept_fn = BOOL(WINAPI*)(RAS_PORT_1*, RAS_PORT_STATISTICS*, RAS_PARAMETERS*);
using nt4_hangup_fn = VOID(WINAPI*)(RAS_PORT_1*, RAS_PORT_STATISTICS*, RAS_PARAMETERS*);
using nt4_get_ip_fn = DWORD(WINAPI*)(WCHAR*, WCHAR*, IPADDR*, BOOL*);
using nt4_release_ip_fn = VOID(WINAPI*)(WCHAR*, WCHAR*, IPADDR*);

class legacy_nt4_test : public dll_test {};

template <std::size_t N>
void set(WCHAR (&field)[N], const wchar_t* text) {
  std::size_t i = 0;
  for (; text[i] != 0 && i + 1 < N; ++i) field[i] = text[i];
  for (; i < N; ++i) field[i] = 0;
}

RAS_PORT_1 port(const wchar_t* name) {
  RAS_PORT_1 p{};
  set(p.rasport0.wszPortName, name);
  set(p.rasport0.wszDeviceType, L"modem");
  set(p.rasport0.wszDeviceName, L"Hayes Optima 33.6");
  set(p.rasport0.wszMediaName, L"rasser");
  set(p.rasport0.wszUserName, L"erin");
  set(p.rasport0.wszComputer, L"ERIN-PC");
  set(p.rasport0.wszLogonDomain, L"NTDOM");
  p.rasport0.dwStartSessionTime = 900'000'000;
  p.rasport0.Flags = 0x1 | 0x4 | 0x20;  // authenticated, PPP, multilinked
  p.LineSpeed = 33600;
  set(p.ProjResult.ip.wszAddress, L"10.9.0.5");
  return p;
}

TEST_F(legacy_nt4_test, multilink_ports_form_one_connection) {
  initialize();
  RAS_PORT_1 com1 = port(L"COM1");
  RAS_PORT_1 com2 = port(L"COM2");
  RAS_PORT_STATISTICS stats{};
  stats.dwBytesRcved = 5000;
  stats.dwBytesXmited = 7000;
  stats.dwPortBytesRcved = 2500;
  stats.dwPortBytesXmited = 3500;
  const auto accept = fn<nt4_accept_fn>("RasAdminAcceptNewConnection");
  const auto hangup = fn<nt4_hangup_fn>("RasAdminConnectionHangupNotification");
  EXPECT_TRUE(accept(&com1, &stats, nullptr));
  EXPECT_TRUE(accept(&com2, &stats, nullptr));
  hangup(&com1, &stats, nullptr);
  hangup(&com2, &stats, nullptr);
  terminate();

  const auto accepts = records_of("connection-accept");
  ASSERT_EQ(accepts.size(), 1u);
  EXPECT_EQ(accepts[0].at("user"), "erin");
  EXPECT_EQ(accepts[0].at("domain"), "NTDOM");
  EXPECT_EQ(accepts[0].at("remote_computer"), "ERIN-PC");
  EXPECT_EQ(accepts[0].at("callback"), "RasAdminAcceptNewConnection");
  const auto links = records_of("link-accept");
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].at("port"), "COM1");
  EXPECT_EQ(links[1].at("port"), "COM2");
  EXPECT_EQ(links[0].at("session_id"), accepts[0].at("session_id"));
  EXPECT_EQ(links[0].at("line_speed_bps"), 33600);
  const auto link_stops = records_of("link-stop");
  ASSERT_EQ(link_stops.size(), 2u);
  EXPECT_EQ(link_stops[0].at("bytes_in"), 2500);
  const auto stops = records_of("connection-stop");
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].at("session_id"), accepts[0].at("session_id"));
  EXPECT_EQ(stops[0].at("links"), 2);
  EXPECT_EQ(stops[0].at("bytes_in"), 5000);
  EXPECT_EQ(stops[0].at("bytes_out"), 7000);
  EXPECT_EQ(stops[0].at("tunnel"), "ppp");
}

TEST_F(legacy_nt4_test, address_callbacks_record_assignment_and_release) {
  initialize();
  WCHAR user[] = L"erin";
  WCHAR port_name[] = L"COM1";
  IPADDR address = 10u | (9u << 8) | (0u << 16) | (5u << 24);
  BOOL notify = FALSE;
  EXPECT_EQ(fn<nt4_get_ip_fn>("RasAdminGetIpAddressForUser")(user, port_name, &address, &notify),
            static_cast<DWORD>(NO_ERROR));
  EXPECT_TRUE(notify);
  fn<nt4_release_ip_fn>("RasAdminReleaseIpAddress")(user, port_name, &address);
  terminate();
  const auto assigned = records_of("ip-assign");
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].at("address"), "10.9.0.5");
  EXPECT_EQ(assigned[0].at("callback"), "RasAdminGetIpAddressForUser");
  EXPECT_EQ(records_of("ip-release").size(), 1u);
}

}  // namespace
}  // namespace raswarden::testing
