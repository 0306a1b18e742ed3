#include "host/ras_structs.hpp"

#include <algorithm>

namespace raswarden::host {

std::string_view to_string(tunnel_type type) noexcept {
  switch (type) {
    case tunnel_type::pptp: return "pptp";
    case tunnel_type::l2tp: return "l2tp";
    case tunnel_type::sstp: return "sstp";
    case tunnel_type::ikev2: return "ikev2";
    case tunnel_type::dialup: return "dialup";
  }
  return "unknown";
}

std::wstring_view device_name(tunnel_type type) noexcept {
  switch (type) {
    case tunnel_type::pptp: return L"WAN Miniport (PPTP)";
    case tunnel_type::l2tp: return L"WAN Miniport (L2TP)";
    case tunnel_type::sstp: return L"WAN Miniport (SSTP)";
    case tunnel_type::ikev2: return L"WAN Miniport (IKEv2)";
    case tunnel_type::dialup: return L"Standard 56000 bps Modem";
  }
  return L"";
}

namespace {
constexpr DWORD ppp_lcp_eap = 0xC227;
constexpr DWORD ppp_lcp_chap = 0xC223;
constexpr DWORD ppp_chap_mschapv2 = 0x81;
constexpr DWORD eap_peap = 25;
constexpr DWORD ikev2_auth_eap = 2;

HANDLE as_handle(std::uintptr_t value) {
  return reinterpret_cast<HANDLE>(value);
}

// IKEv2 clients mostly authenticate with EAP (PEAP); PPP-based tunnels with MS-CHAPv2.
void set_lcp(PPP_LCP_INFO& lcp, tunnel_type tunnel) {
  if (tunnel == tunnel_type::sstp) {
    lcp.dwAuthenticationProtocol = ppp_lcp_eap;
    lcp.dwEapTypeId = eap_peap;
  } else {
    lcp.dwAuthenticationProtocol = ppp_lcp_chap;
    lcp.dwAuthenticationData = ppp_chap_mschapv2;
  }
}

template <typename Ipcp>
void set_ipcp(Ipcp& ip, const connection_spec& spec) {
  copy_name(ip.wszAddress, spec.server_ipv4);
  copy_name(ip.wszRemoteAddress, spec.client_ipv4);
}

// RAS_CONNECTION_1, RAS_CONNECTION_EX and RAS_PORT_1 name their counters alike. "Xmited" is what
// the server sent (out), "Rcved" what it received (in).
template <typename Counters>
void set_counters(Counters& s, const traffic& t) {
  s.dwBytesXmited = t.bytes_out;
  s.dwBytesRcved = t.bytes_in;
  s.dwFramesXmited = t.frames_out;
  s.dwFramesRcved = t.frames_in;
  s.dwCrcErr = t.crc_errors;
  s.dwTimeoutErr = t.timeout_errors;
  s.dwAlignmentErr = t.alignment_errors;
  s.dwHardwareOverrunErr = t.hardware_overruns;
  s.dwFramingErr = t.framing_errors;
  s.dwBufferOverrunErr = t.buffer_overruns;
  s.dwCompressionRatioIn = 100;  // no compression
  s.dwCompressionRatioOut = 100;
}

void interface_id_for(std::uintptr_t handle, BYTE (&id)[8]) {
  for (std::size_t i = 0; i < 8; ++i) id[i] = static_cast<BYTE>((handle >> (8 * (i % 4))) + i);
  id[0] |= 0x02;  // a non-zero identifier, different per connection
}
}  // namespace

std::unique_ptr<connection_structs> make_connection(const connection_spec& spec) {
  auto s = std::make_unique<connection_structs>();
  const bool ikev2 = spec.tunnel == tunnel_type::ikev2;
  const DWORD flags = ikev2 ? 0x10u /* RAS_FLAGS_IKEV2_CONNECTION */ : RAS_FLAGS_PPP_CONNECTION;

  RAS_CONNECTION_0& c0 = s->c0;
  c0.hConnection = as_handle(spec.handle);
  c0.hInterface = as_handle(spec.interface_handle);
  c0.dwConnectDuration = spec.duration_s;
  c0.dwInterfaceType = ROUTER_IF_TYPE_CLIENT;
  c0.dwConnectionFlags = flags;
  copy_name(c0.wszInterfaceName, spec.user);
  copy_name(c0.wszUserName, spec.user);
  copy_name(c0.wszLogonDomain, spec.domain);
  copy_name(c0.wszRemoteComputer, spec.remote_computer);

  RAS_CONNECTION_1& c1 = s->c1;
  c1.hConnection = as_handle(spec.handle);
  c1.hInterface = as_handle(spec.interface_handle);
  set_ipcp(c1.PppInfo.ip, spec);
  set_counters(c1, spec.counters);

  RAS_CONNECTION_2& c2 = s->c2;
  c2.hConnection = as_handle(spec.handle);
  copy_name(c2.wszUserName, spec.user);
  c2.dwInterfaceType = ROUTER_IF_TYPE_CLIENT;
  c2.guid = spec.guid;
  set_ipcp(c2.PppInfo2.ip, spec);
  set_lcp(c2.PppInfo2.lcp, spec.tunnel);

  RAS_CONNECTION_3& c3 = s->c3;
  c3.dwVersion = 3;
  c3.dwSize = sizeof(RAS_CONNECTION_3);
  c3.hConnection = as_handle(spec.handle);
  copy_name(c3.wszUserName, spec.user);
  c3.dwInterfaceType = ROUTER_IF_TYPE_CLIENT;
  c3.guid = spec.guid;
  set_ipcp(c3.PppInfo3.ip, spec);
  set_lcp(c3.PppInfo3.lcp, spec.tunnel);
  c3.PppInfo3.ipv6.dwVersion = 1;
  c3.PppInfo3.ipv6.dwSize = sizeof(PPP_IPV6_CP_INFO);
  interface_id_for(spec.handle, c3.PppInfo3.ipv6.bRemoteInterfaceIdentifier);
  c3.rasQuarState = spec.quarantine;

  RAS_CONNECTION_EX& ex = s->ex;
  ex.Header.revision = MPRAPI_RAS_CONNECTION_OBJECT_REVISION_1;
  ex.Header.type = MPRAPI_OBJECT_TYPE_RAS_CONNECTION_OBJECT;
  ex.Header.size = sizeof(RAS_CONNECTION_EX);
  ex.dwConnectDuration = spec.duration_s;
  ex.dwInterfaceType = ROUTER_IF_TYPE_CLIENT;
  ex.dwConnectionFlags = flags;
  copy_name(ex.wszInterfaceName, spec.user);
  copy_name(ex.wszUserName, spec.user);
  copy_name(ex.wszLogonDomain, spec.domain);
  copy_name(ex.wszRemoteComputer, spec.remote_computer);
  ex.guid = spec.guid;
  ex.rasQuarState = spec.quarantine;
  set_counters(ex, spec.counters);
  copy_name(ex.wszRemoteEndpointAddress, spec.remote_endpoint);
  copy_name(ex.wszLocalEndpointAddress, spec.local_endpoint);
  if (ikev2) {
    ex.ProjectionInfo.projectionInfoType = MPRAPI_IKEV2_PROJECTION_INFO_TYPE;
    IKEV2_PROJECTION_INFO& ike = ex.ProjectionInfo.Ikev2ProjectionInfo;
    copy_name(ike.wszAddress, spec.server_ipv4);
    copy_name(ike.wszRemoteAddress, spec.client_ipv4);
    interface_id_for(spec.handle, ike.bRemoteInterfaceIdentifier);
    ike.dwAuthenticationProtocol = ikev2_auth_eap;
    ike.dwEapTypeId = eap_peap;
  } else {
    ex.ProjectionInfo.projectionInfoType = MPRAPI_PPP_PROJECTION_INFO_TYPE;
    PPP_PROJECTION_INFO& ppp = ex.ProjectionInfo.PppProjectionInfo;
    copy_name(ppp.wszAddress, spec.server_ipv4);
    copy_name(ppp.wszRemoteAddress, spec.client_ipv4);
    interface_id_for(spec.handle, ppp.bRemoteInterfaceIdentifier);
    PPP_LCP_INFO lcp{};
    set_lcp(lcp, spec.tunnel);
    ppp.dwAuthenticationProtocol = lcp.dwAuthenticationProtocol;
    ppp.dwAuthenticationData = lcp.dwAuthenticationData;
    ppp.dwEapTypeId = lcp.dwEapTypeId;
  }
  ex.hConnection = as_handle(spec.handle);
  ex.hInterface = as_handle(spec.interface_handle);
  return s;
}

port_structs make_port(const link_spec& spec) {
  port_structs s;
  s.p0.hPort = as_handle(spec.port);
  s.p0.hConnection = as_handle(spec.connection);
  s.p0.dwPortCondition = RAS_PORT_AUTHENTICATED;
  s.p0.dwTotalNumberOfCalls = 1;
  s.p0.dwConnectDuration = spec.duration_s;
  copy_name(s.p0.wszPortName, spec.port_name);
  copy_name(s.p0.wszMediaName, spec.tunnel == tunnel_type::dialup ? L"unimodem" : L"rastapi");
  copy_name(s.p0.wszDeviceName, device_name(spec.tunnel));
  copy_name(s.p0.wszDeviceType, spec.tunnel == tunnel_type::dialup ? L"modem" : L"vpn");

  s.p1.hPort = as_handle(spec.port);
  s.p1.hConnection = as_handle(spec.connection);
  s.p1.dwHardwareCondition = RAS_HARDWARE_OPERATIONAL;
  s.p1.dwLineSpeed = spec.line_speed_bps;
  set_counters(s.p1, spec.counters);
  return s;
}

GUID make_guid(std::uint64_t seed, std::uint64_t counter) noexcept {
  GUID g{};
  const std::uint64_t mixed = (seed * 0x9E3779B97F4A7C15ULL) ^ (counter + 0x632BE59BD9B4E019ULL);
  g.Data1 = static_cast<unsigned long>(mixed >> 32);
  g.Data2 = static_cast<unsigned short>(mixed >> 16);
  g.Data3 = static_cast<unsigned short>(0x4000 | (mixed & 0x0FFF));  // version 4 shape
  for (int i = 0; i < 8; ++i) g.Data4[i] = static_cast<unsigned char>(counter >> (8 * (i % 8)));
  g.Data4[0] = static_cast<unsigned char>(0x80 | (g.Data4[0] & 0x3F));
  return g;
}

}  // namespace raswarden::host
