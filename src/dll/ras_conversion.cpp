#include "dll/ras_conversion.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "raswarden/engine.hpp"
#include "raswarden/text.hpp"

namespace raswarden::dll {

namespace {

template <std::size_t N>
std::string read_name(const char16_t (&field)[N]) {
  return core::utf8_from_utf16(field, N);
}

core::handle_value handle_of(const void* h) {
  return static_cast<core::handle_value>(reinterpret_cast<std::uintptr_t>(h));
}

core::guid guid_of(const layout::win_guid& g) {
  core::guid out;
  out.data1 = g.Data1;
  out.data2 = g.Data2;
  out.data3 = g.Data3;
  std::copy(std::begin(g.Data4), std::end(g.Data4), out.data4.begin());
  return out;
}

std::int64_t unix_ms_of(const layout::win_filetime& ft) {
  const std::uint64_t ticks = (std::uint64_t{ft.dwHighDateTime} << 32) | ft.dwLowDateTime;
  constexpr std::uint64_t epoch_difference = 116444736000000000ULL;  // 1601 -> 1970 in 100 ns
  return ticks > epoch_difference ? static_cast<std::int64_t>((ticks - epoch_difference) / 10000) : 0;
}

using eight_bytes = std::uint8_t[8];

// Prefix and interface identifier -> address text. Without a prefix the address is link-local.
std::string ipv6_of(const eight_bytes& prefix, const eight_bytes& interface_id) {
  const auto zero = [](const eight_bytes& bytes) {
    return std::all_of(std::begin(bytes), std::end(bytes), [](std::uint8_t b) { return b == 0; });
  };
  if (zero(interface_id)) return {};
  std::array<std::uint8_t, 16> address{};
  if (zero(prefix)) {
    address[0] = 0xfe;
    address[1] = 0x80;
  } else {
    std::copy(std::begin(prefix), std::end(prefix), address.begin());
  }
  std::copy(std::begin(interface_id), std::end(interface_id), address.begin() + 8);
  return core::format_ipv6(address);
}

core::interface_type interface_type_of(std::int32_t raw) {
  return core::interface_type_from_raw(static_cast<std::uint32_t>(raw));
}

core::quarantine_state quarantine_of(std::int32_t raw) {
  return core::quarantine_state_from_raw(static_cast<std::uint32_t>(raw));
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
  info.if_type = interface_type_of(c.dwInterfaceType);
  info.flags = c.dwConnectionFlags;
  info.interface_name = read_name(c.wszInterfaceName);
  info.user = read_name(c.wszUserName);
  info.domain = read_name(c.wszLogonDomain);
  info.remote_computer = read_name(c.wszRemoteComputer);
}

void apply_lcp(core::connection_info& info, const layout::ppp_lcp_info& lcp) {
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

// Both projections of RAS_CONNECTION_EX carry the addresses alike.
template <typename Projection>
void apply_projection_addresses(core::connection_info& info, const Projection& p) {
  info.client_ipv4 = read_name(p.wszRemoteAddress);
  info.server_ipv4 = read_name(p.wszAddress);
  info.client_ipv6 = ipv6_of(p.bPrefix, p.bRemoteInterfaceIdentifier);
}

}  // namespace

std::optional<core::connection_info> to_connection(const layout::ras_connection_0* c0,
                                                   const layout::ras_connection_1* c1,
                                                   const layout::ras_connection_2* c2,
                                                   const layout::ras_connection_3* c3) {
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
    if (!info.if_type) info.if_type = interface_type_of(c2->dwInterfaceType);
    info.id = guid_of(c2->guid);
    apply_ipcp(info, c2->PppInfo2.ip);
    apply_lcp(info, c2->PppInfo2.lcp);
  }
  if (c3 != nullptr) {
    if (c0 == nullptr && c1 == nullptr && c2 == nullptr) info.handle = handle_of(c3->hConnection);
    if (info.user.empty()) info.user = read_name(c3->wszUserName);
    if (!info.if_type) info.if_type = interface_type_of(c3->dwInterfaceType);
    if (!info.id) info.id = guid_of(c3->guid);
    apply_ipcp(info, c3->PppInfo3.ip);
    if (!info.auth) apply_lcp(info, c3->PppInfo3.lcp);
    info.client_ipv6 = ipv6_of(c3->PppInfo3.ipv6.bPrefix, c3->PppInfo3.ipv6.bRemoteInterfaceIdentifier);
    info.quarantine = quarantine_of(c3->rasQuarState);
    if (info.quarantine == core::quarantine_state::probation && unix_ms_of(c3->timer) > 0) {
      info.probation_until_unix_ms = unix_ms_of(c3->timer);
    }
  }
  return info;
}

std::optional<core::connection_info> to_connection(const layout::ras_connection_ex* ex, std::string& problem) {
  if (ex == nullptr) {
    problem = "RAS_CONNECTION_EX pointer is null";
    return std::nullopt;
  }
  if (ex->Header.type != layout::object_type_ras_connection ||
      ex->Header.revision < layout::ras_connection_revision_1 ||
      (ex->Header.size != 0 && ex->Header.size < sizeof(layout::ras_connection_ex))) {
    problem = "RAS_CONNECTION_EX header is not a connection object of revision 1 (revision " +
              std::to_string(ex->Header.revision) + ", type " + std::to_string(ex->Header.type) + ", size " +
              std::to_string(ex->Header.size) + ")";
    return std::nullopt;
  }
  core::connection_info info;
  apply_identity(info, *ex);
  info.id = guid_of(ex->guid);
  info.quarantine = quarantine_of(ex->rasQuarState);
  if (info.quarantine == core::quarantine_state::probation && unix_ms_of(ex->probationTime) > 0) {
    info.probation_until_unix_ms = unix_ms_of(ex->probationTime);
  }
  info.traffic = traffic_of(*ex);
  info.switch_overs = ex->dwNumSwitchOvers;
  info.remote_endpoint = read_name(ex->wszRemoteEndpointAddress);
  info.local_endpoint = read_name(ex->wszLocalEndpointAddress);

  const layout::projection_info& projection = ex->ProjectionInfo;
  if (projection.projectionInfoType == layout::ikev2_projection_info_type) {
    const layout::ikev2_projection_info& ike = projection.Ikev2ProjectionInfo;
    info.tunnel = core::tunnel_kind::ikev2;
    apply_projection_addresses(info, ike);
    if (ike.dwAuthenticationProtocol != 0) {
      info.auth = core::authentication{ike.dwAuthenticationProtocol, 0, ike.dwEapTypeId, true};
    }
  } else if (projection.projectionInfoType == layout::ppp_projection_info_type) {
    const layout::ppp_projection_info& ppp = projection.PppProjectionInfo;
    apply_projection_addresses(info, ppp);
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

std::optional<core::link_info> to_link(const layout::ras_port_0* p0, const layout::ras_port_1* p1) {
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

core::address_request to_address_request(const char16_t* user, const char16_t* port) {
  return core::address_request{core::utf8_from_utf16(user, layout::max_address_user),
                               core::utf8_from_utf16(port, layout::max_address_port)};
}

#ifdef _WIN32
}  // namespace raswarden::dll

#include "dll/mirror_checks.hpp"

namespace raswarden::dll {

// ---- The SDK's structs, read through the mirrors ----------------------------------------------------
//
// Each SDK struct and its mirror must agree on size and alignment, and on the offset and size of
// every member the conversion reads; otherwise the build fails here (for x64 and for x86). The
// macros come from mirror_checks.hpp.

#define RASWARDEN_SAME_COUNTERS(sdk, mirror)                                   \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, dwBytesXmited, dwBytesRcved);          \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, dwFramesXmited, dwFramesRcved);        \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, dwCrcErr, dwTimeoutErr);               \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, dwAlignmentErr, dwHardwareOverrunErr); \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, dwFramingErr, dwBufferOverrunErr);     \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, dwCompressionRatioIn, dwCompressionRatioOut)
#define RASWARDEN_SAME_IDENTITY(sdk, mirror)                                  \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, dwConnectDuration, dwInterfaceType);  \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, dwConnectionFlags, wszInterfaceName); \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, wszUserName, wszLogonDomain);         \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, wszRemoteComputer, hConnection);      \
  RASWARDEN_SAME_MEMBER(sdk, mirror, hInterface)
// RAS_CONNECTION_2 and RAS_CONNECTION_3 begin alike.
#define RASWARDEN_SAME_ACCOUNT(sdk, mirror)                        \
  RASWARDEN_SAME_STRUCT(sdk, mirror);                              \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, hConnection, wszUserName); \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, dwInterfaceType, guid)
#define RASWARDEN_SAME_ADDRESSES(sdk, mirror)                          \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, wszAddress, wszRemoteAddress); \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, bPrefix, bRemoteInterfaceIdentifier)

static_assert(sizeof(WCHAR) == sizeof(char16_t));
static_assert(layout::max_address_user == UNLEN + DNLEN + 2 && layout::max_address_port == MAX_PORT_NAME + 1);
static_assert(layout::object_type_ras_connection == MPRAPI_OBJECT_TYPE_RAS_CONNECTION_OBJECT &&
              layout::ras_connection_revision_1 == MPRAPI_RAS_CONNECTION_OBJECT_REVISION_1 &&
              layout::ppp_projection_info_type == MPRAPI_PPP_PROJECTION_INFO_TYPE &&
              layout::ikev2_projection_info_type == MPRAPI_IKEV2_PROJECTION_INFO_TYPE);

RASWARDEN_SAME_STRUCT(GUID, win_guid);
RASWARDEN_SAME_MEMBERS_2(GUID, win_guid, Data1, Data2);
RASWARDEN_SAME_MEMBERS_2(GUID, win_guid, Data3, Data4);
RASWARDEN_SAME_STRUCT(FILETIME, win_filetime);
RASWARDEN_SAME_MEMBERS_2(FILETIME, win_filetime, dwLowDateTime, dwHighDateTime);

RASWARDEN_SAME_STRUCT(PPP_IPCP_INFO, ppp_ipcp_info);
RASWARDEN_SAME_MEMBERS_2(PPP_IPCP_INFO, ppp_ipcp_info, wszAddress, wszRemoteAddress);
RASWARDEN_SAME_STRUCT(PPP_IPCP_INFO2, ppp_ipcp_info2);
RASWARDEN_SAME_MEMBERS_2(PPP_IPCP_INFO2, ppp_ipcp_info2, wszAddress, wszRemoteAddress);
RASWARDEN_SAME_STRUCT(PPP_IPV6_CP_INFO, ppp_ipv6_cp_info);
RASWARDEN_SAME_MEMBERS_2(PPP_IPV6_CP_INFO, ppp_ipv6_cp_info, bPrefix, bRemoteInterfaceIdentifier);
RASWARDEN_SAME_STRUCT(PPP_LCP_INFO, ppp_lcp_info);
RASWARDEN_SAME_MEMBERS_2(PPP_LCP_INFO, ppp_lcp_info, dwAuthenticationProtocol, dwAuthenticationData);
RASWARDEN_SAME_MEMBERS_2(PPP_LCP_INFO, ppp_lcp_info, dwTerminateReason, dwRemoteTerminateReason);
RASWARDEN_SAME_MEMBER(PPP_LCP_INFO, ppp_lcp_info, dwEapTypeId);
RASWARDEN_SAME_STRUCT(PPP_INFO, ppp_info);
RASWARDEN_SAME_MEMBER(PPP_INFO, ppp_info, ip);
RASWARDEN_SAME_STRUCT(PPP_INFO_2, ppp_info_2);
RASWARDEN_SAME_MEMBERS_2(PPP_INFO_2, ppp_info_2, ip, lcp);
RASWARDEN_SAME_STRUCT(PPP_INFO_3, ppp_info_3);
RASWARDEN_SAME_MEMBERS_2(PPP_INFO_3, ppp_info_3, ip, lcp);
RASWARDEN_SAME_MEMBER(PPP_INFO_3, ppp_info_3, ipv6);

RASWARDEN_SAME_STRUCT(RAS_CONNECTION_0, ras_connection_0);
RASWARDEN_SAME_IDENTITY(RAS_CONNECTION_0, ras_connection_0);
RASWARDEN_SAME_STRUCT(RAS_CONNECTION_1, ras_connection_1);
RASWARDEN_SAME_MEMBERS_2(RAS_CONNECTION_1, ras_connection_1, hConnection, hInterface);
RASWARDEN_SAME_MEMBER(RAS_CONNECTION_1, ras_connection_1, PppInfo);
RASWARDEN_SAME_COUNTERS(RAS_CONNECTION_1, ras_connection_1);
RASWARDEN_SAME_ACCOUNT(RAS_CONNECTION_2, ras_connection_2);
RASWARDEN_SAME_MEMBER(RAS_CONNECTION_2, ras_connection_2, PppInfo2);
RASWARDEN_SAME_ACCOUNT(RAS_CONNECTION_3, ras_connection_3);
RASWARDEN_SAME_MEMBERS_2(RAS_CONNECTION_3, ras_connection_3, PppInfo3, rasQuarState);
RASWARDEN_SAME_MEMBER(RAS_CONNECTION_3, ras_connection_3, timer);

RASWARDEN_SAME_STRUCT(MPRAPI_OBJECT_HEADER, mprapi_object_header);
RASWARDEN_SAME_MEMBERS_2(MPRAPI_OBJECT_HEADER, mprapi_object_header, revision, type);
RASWARDEN_SAME_MEMBER(MPRAPI_OBJECT_HEADER, mprapi_object_header, size);
RASWARDEN_SAME_STRUCT(PPP_PROJECTION_INFO, ppp_projection_info);
RASWARDEN_SAME_ADDRESSES(PPP_PROJECTION_INFO, ppp_projection_info);
RASWARDEN_SAME_MEMBERS_2(PPP_PROJECTION_INFO, ppp_projection_info, dwAuthenticationProtocol, dwAuthenticationData);
RASWARDEN_SAME_MEMBERS_2(PPP_PROJECTION_INFO, ppp_projection_info, dwLcpTerminateReason, dwLcpRemoteTerminateReason);
RASWARDEN_SAME_MEMBER(PPP_PROJECTION_INFO, ppp_projection_info, dwEapTypeId);
RASWARDEN_SAME_STRUCT(IKEV2_PROJECTION_INFO, ikev2_projection_info);
RASWARDEN_SAME_ADDRESSES(IKEV2_PROJECTION_INFO, ikev2_projection_info);
RASWARDEN_SAME_MEMBERS_2(IKEV2_PROJECTION_INFO, ikev2_projection_info, dwAuthenticationProtocol, dwEapTypeId);
RASWARDEN_SAME_STRUCT(PROJECTION_INFO, projection_info);
RASWARDEN_SAME_MEMBER(PROJECTION_INFO, projection_info, projectionInfoType);
RASWARDEN_SAME_MEMBERS_2(PROJECTION_INFO, projection_info, Ikev2ProjectionInfo, PppProjectionInfo);
RASWARDEN_SAME_STRUCT(RAS_CONNECTION_EX, ras_connection_ex);
RASWARDEN_SAME_IDENTITY(RAS_CONNECTION_EX, ras_connection_ex);
RASWARDEN_SAME_COUNTERS(RAS_CONNECTION_EX, ras_connection_ex);
RASWARDEN_SAME_MEMBERS_2(RAS_CONNECTION_EX, ras_connection_ex, Header, guid);
RASWARDEN_SAME_MEMBERS_2(RAS_CONNECTION_EX, ras_connection_ex, rasQuarState, probationTime);
RASWARDEN_SAME_MEMBERS_2(RAS_CONNECTION_EX, ras_connection_ex, dwNumSwitchOvers, ProjectionInfo);
RASWARDEN_SAME_MEMBERS_2(RAS_CONNECTION_EX, ras_connection_ex, wszRemoteEndpointAddress, wszLocalEndpointAddress);

RASWARDEN_SAME_STRUCT(RAS_PORT_0, ras_port_0);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_0, ras_port_0, hPort, hConnection);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_0, ras_port_0, dwTotalNumberOfCalls, dwConnectDuration);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_0, ras_port_0, wszPortName, wszMediaName);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_0, ras_port_0, wszDeviceName, wszDeviceType);
RASWARDEN_SAME_STRUCT(RAS_PORT_1, ras_port_1);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_1, ras_port_1, hPort, hConnection);
RASWARDEN_SAME_MEMBER(RAS_PORT_1, ras_port_1, dwLineSpeed);
RASWARDEN_SAME_COUNTERS(RAS_PORT_1, ras_port_1);

#undef RASWARDEN_SAME_ADDRESSES
#undef RASWARDEN_SAME_ACCOUNT
#undef RASWARDEN_SAME_IDENTITY
#undef RASWARDEN_SAME_COUNTERS

std::optional<core::connection_info> to_connection(const RAS_CONNECTION_0* c0, const RAS_CONNECTION_1* c1,
                                                   const RAS_CONNECTION_2* c2, const RAS_CONNECTION_3* c3) {
  return to_connection(mirror_of<layout::ras_connection_0>(c0), mirror_of<layout::ras_connection_1>(c1),
                       mirror_of<layout::ras_connection_2>(c2), mirror_of<layout::ras_connection_3>(c3));
}

std::optional<core::connection_info> to_connection(const RAS_CONNECTION_EX* ex, std::string& problem) {
  return to_connection(mirror_of<layout::ras_connection_ex>(ex), problem);
}

std::optional<core::link_info> to_link(const RAS_PORT_0* p0, const RAS_PORT_1* p1) {
  return to_link(mirror_of<layout::ras_port_0>(p0), mirror_of<layout::ras_port_1>(p1));
}

core::address_request to_address_request(const WCHAR* user, const WCHAR* port) {
  return to_address_request(mirror_of<char16_t>(user), mirror_of<char16_t>(port));
}

#endif  // _WIN32

}  // namespace raswarden::dll
