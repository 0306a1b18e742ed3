#include "dll/ras_conversion.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "raswarden/engine.hpp"
#include "raswarden/text.hpp"

namespace raswarden::dll {

namespace {

template <std::size_t N>
std::string read_name(const WCHAR (&field)[N]) {
  static_assert(sizeof(WCHAR) == sizeof(char16_t));
  return core::utf8_from_utf16(reinterpret_cast<const char16_t*>(field), N);
}

core::handle_value handle_of(HANDLE h) {
  return static_cast<core::handle_value>(reinterpret_cast<std::uintptr_t>(h));
}

core::guid guid_of(const GUID& g) {
  core::guid out;
  out.data1 = g.Data1;
  out.data2 = g.Data2;
  out.data3 = g.Data3;
  std::copy(std::begin(g.Data4), std::end(g.Data4), out.data4.begin());
  return out;
}

std::int64_t unix_ms_of(const FILETIME& ft) {
  const std::uint64_t ticks = (std::uint64_t{ft.dwHighDateTime} << 32) | ft.dwLowDateTime;
  constexpr std::uint64_t epoch_difference = 116444736000000000ULL;  // 1601 -> 1970 in 100 ns
  return ticks > epoch_difference ? static_cast<std::int64_t>((ticks - epoch_difference) / 10000) : 0;
}

// Prefix and interface identifier -> address text. Without a prefix the address is link-local.
std::string ipv6_of(const BYTE (&prefix)[8], const BYTE (&interface_id)[8]) {
  const auto zero = [](const BYTE(&bytes)[8]) { return std::all_of(bytes, bytes + 8, [](BYTE b) { return b == 0; }); };
  if (zero(interface_id)) return {};
  std::array<std::uint8_t, 16> address{};
  if (zero(prefix)) {
    address[0] = 0xfe;
    address[1] = 0x80;
  } else {
    std::copy(prefix, prefix + 8, address.begin());
  }
  std::copy(interface_id, interface_id + 8, address.begin() + 8);
  return core::format_ipv6(address);
}

// RAS_CONNECTION_1, RAS_CONNECTION_EX and RAS_PORT_1 name their counters alike. "Xmited" is
// what the server sent (out), "Rcved" what it received from the client (in).
template <typename Counters>
core::traffic_counters traffic_of(const Counters& s) {
  core::traffic_counters t;
  t.bytes_out = s.dwBytesXmited;
  t.bytes_in = s.dwBytesRcved;
  t.frames_out = s.dwFramesXmited;
  t.frames_in = s.dwFramesRcved;
  t.errors = core::error_counters{s.dwCrcErr,     s.dwTimeoutErr,      s.dwAlignmentErr, s.dwHardwareOverrunErr,
                                  s.dwFramingErr, s.dwBufferOverrunErr};
  t.compression_ratio_in = s.dwCompressionRatioIn;
  t.compression_ratio_out = s.dwCompressionRatioOut;
  return t;
}

// RAS_CONNECTION_0 and RAS_CONNECTION_EX share these members' names and meaning.
template <typename Identity>
void apply_identity(core::connection_info& info, const Identity& c) {
  info.handle = handle_of(c.hConnection);
  info.interface_handle = handle_of(c.hInterface);
  info.duration_s = c.dwConnectDuration;
  info.if_type = core::interface_type_from_raw(static_cast<std::uint32_t>(c.dwInterfaceType));
  info.flags = c.dwConnectionFlags;
  info.interface_name = read_name(c.wszInterfaceName);
  info.user = read_name(c.wszUserName);
  info.domain = read_name(c.wszLogonDomain);
  info.remote_computer = read_name(c.wszRemoteComputer);
}

void apply_lcp(core::connection_info& info, const PPP_LCP_INFO& lcp) {
  if (lcp.dwAuthenticationProtocol != 0) {
    info.auth = core::authentication{lcp.dwAuthenticationProtocol, lcp.dwAuthenticationData, lcp.dwEapTypeId, false};
  }
  if (lcp.dwTerminateReason != 0) info.terminate_reason = lcp.dwTerminateReason;
  if (lcp.dwRemoteTerminateReason != 0) info.remote_terminate_reason = lcp.dwRemoteTerminateReason;
}

// PPP_IPCP_INFO speaks from the server's side: wszAddress is the server, wszRemoteAddress the
// client (mprapi-reference.md 2.4).
template <typename Ipcp>
void apply_ipcp(core::connection_info& info, const Ipcp& ip) {
  if (info.client_ipv4.empty()) info.client_ipv4 = read_name(ip.wszRemoteAddress);
  if (info.server_ipv4.empty()) info.server_ipv4 = read_name(ip.wszAddress);
}

}  // namespace

std::optional<core::connection_info> to_connection(const RAS_CONNECTION_0* c0, const RAS_CONNECTION_1* c1,
                                                   const RAS_CONNECTION_2* c2, const RAS_CONNECTION_3* c3) {
  if (c0 == nullptr && c1 == nullptr && c2 == nullptr && c3 == nullptr) return std::nullopt;
  core::connection_info info;
  if (c0 != nullptr) apply_identity(info, *c0);
  if (c1 != nullptr) {
    if (c0 == nullptr) info.handle = handle_of(c1->hConnection);
    if (info.interface_handle == 0) info.interface_handle = handle_of(c1->hInterface);
    info.traffic = traffic_of(*c1);
    apply_ipcp(info, c1->PppInfo.ip);
  }
  if (c2 != nullptr) {
    if (c0 == nullptr && c1 == nullptr) info.handle = handle_of(c2->hConnection);
    if (info.user.empty()) info.user = read_name(c2->wszUserName);
    if (!info.if_type) info.if_type = core::interface_type_from_raw(static_cast<std::uint32_t>(c2->dwInterfaceType));
    info.id = guid_of(c2->guid);
    apply_ipcp(info, c2->PppInfo2.ip);
    apply_lcp(info, c2->PppInfo2.lcp);
  }
  if (c3 != nullptr) {
    if (c0 == nullptr && c1 == nullptr && c2 == nullptr) info.handle = handle_of(c3->hConnection);
    if (info.user.empty()) info.user = read_name(c3->wszUserName);
    if (!info.if_type) info.if_type = core::interface_type_from_raw(static_cast<std::uint32_t>(c3->dwInterfaceType));
    if (!info.id) info.id = guid_of(c3->guid);
    apply_ipcp(info, c3->PppInfo3.ip);
    if (!info.auth) apply_lcp(info, c3->PppInfo3.lcp);
    info.client_ipv6 = ipv6_of(c3->PppInfo3.ipv6.bPrefix, c3->PppInfo3.ipv6.bRemoteInterfaceIdentifier);
    info.quarantine = core::quarantine_state_from_raw(static_cast<std::uint32_t>(c3->rasQuarState));
    if (info.quarantine == core::quarantine_state::probation && unix_ms_of(c3->timer) > 0) {
      info.probation_until_unix_ms = unix_ms_of(c3->timer);
    }
  }
  return info;
}

std::optional<core::connection_info> to_connection(const RAS_CONNECTION_EX* ex, std::string& problem) {
  if (ex == nullptr) {
    problem = "RAS_CONNECTION_EX pointer is null";
    return std::nullopt;
  }
  if (ex->Header.type != MPRAPI_OBJECT_TYPE_RAS_CONNECTION_OBJECT ||
      ex->Header.revision < MPRAPI_RAS_CONNECTION_OBJECT_REVISION_1 ||
      (ex->Header.size != 0 && ex->Header.size < sizeof(RAS_CONNECTION_EX))) {
    problem = "RAS_CONNECTION_EX header is not a connection object of revision 1 (revision " +
              std::to_string(ex->Header.revision) + ", type " + std::to_string(ex->Header.type) + ", size " +
              std::to_string(ex->Header.size) + ")";
    return std::nullopt;
  }
  core::connection_info info;
  apply_identity(info, *ex);
  info.id = guid_of(ex->guid);
  info.quarantine = core::quarantine_state_from_raw(static_cast<std::uint32_t>(ex->rasQuarState));
  if (info.quarantine == core::quarantine_state::probation && unix_ms_of(ex->probationTime) > 0) {
    info.probation_until_unix_ms = unix_ms_of(ex->probationTime);
  }
  info.traffic = traffic_of(*ex);
  info.switch_overs = ex->dwNumSwitchOvers;
  info.remote_endpoint = read_name(ex->wszRemoteEndpointAddress);
  info.local_endpoint = read_name(ex->wszLocalEndpointAddress);

  const PROJECTION_INFO& projection = ex->ProjectionInfo;
  if (projection.projectionInfoType == MPRAPI_IKEV2_PROJECTION_INFO_TYPE) {
    const IKEV2_PROJECTION_INFO& ike = projection.Ikev2ProjectionInfo;
    info.tunnel = core::tunnel_kind::ikev2;
    info.client_ipv4 = read_name(ike.wszRemoteAddress);
    info.server_ipv4 = read_name(ike.wszAddress);
    info.client_ipv6 = ipv6_of(ike.bPrefix, ike.bRemoteInterfaceIdentifier);
    if (ike.dwAuthenticationProtocol != 0) {
      info.auth = core::authentication{ike.dwAuthenticationProtocol, 0, ike.dwEapTypeId, true};
    }
  } else if (projection.projectionInfoType == MPRAPI_PPP_PROJECTION_INFO_TYPE) {
    const PPP_PROJECTION_INFO& ppp = projection.PppProjectionInfo;
    info.client_ipv4 = read_name(ppp.wszRemoteAddress);
    info.server_ipv4 = read_name(ppp.wszAddress);
    info.client_ipv6 = ipv6_of(ppp.bPrefix, ppp.bRemoteInterfaceIdentifier);
    if (ppp.dwAuthenticationProtocol != 0) {
      info.auth = core::authentication{ppp.dwAuthenticationProtocol, ppp.dwAuthenticationData, ppp.dwEapTypeId, false};
    }
    if (ppp.dwLcpTerminateReason != 0) info.terminate_reason = ppp.dwLcpTerminateReason;
    if (ppp.dwLcpRemoteTerminateReason != 0) info.remote_terminate_reason = ppp.dwLcpRemoteTerminateReason;
  }
  if (!info.tunnel && (ex->dwConnectionFlags & core::connection_flags::ikev2) != 0)
    info.tunnel = core::tunnel_kind::ikev2;
  return info;
}

std::optional<core::link_info> to_link(const RAS_PORT_0* p0, const RAS_PORT_1* p1) {
  if (p0 == nullptr && p1 == nullptr) return std::nullopt;
  core::link_info link;
  if (p0 != nullptr) {
    link.port = handle_of(p0->hPort);
    link.connection = handle_of(p0->hConnection);
    link.total_calls = p0->dwTotalNumberOfCalls;
    link.duration_s = p0->dwConnectDuration;
    link.port_name = read_name(p0->wszPortName);
    link.media = read_name(p0->wszMediaName);
    link.device = read_name(p0->wszDeviceName);
    link.device_type = read_name(p0->wszDeviceType);
  }
  if (p1 != nullptr) {
    if (p0 == nullptr) {
      link.port = handle_of(p1->hPort);
      link.connection = handle_of(p1->hConnection);
    }
    link.line_speed_bps = p1->dwLineSpeed;
    link.traffic = traffic_of(*p1);
  }
  return link;
}

core::address_request to_address_request(const WCHAR* user, const WCHAR* port) {
  // A user name can carry its domain ("DOMAIN\user"): UNLEN + DNLEN + separator + NUL.
  constexpr std::size_t max_user = UNLEN + DNLEN + 2;
  constexpr std::size_t max_port = MAX_PORT_NAME + 1;
  return core::address_request{core::utf8_from_utf16(reinterpret_cast<const char16_t*>(user), max_user),
                               core::utf8_from_utf16(reinterpret_cast<const char16_t*>(port), max_port)};
}

}  // namespace raswarden::dll
