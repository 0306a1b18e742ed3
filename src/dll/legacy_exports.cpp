// The NT 4.0 admin interface (rassapi.h): RasAdminAcceptNewConnection,
// RasAdminConnectionHangupNotification, RasAdminGetIpAddressForUser, RasAdminReleaseIpAddress.
// Windows 2000 and later never call them; they are exported so a host that does is served.
// Called once per port of a multilink connection. No handles exist: the core keys connections by
// user, domain, computer and start time, and links by port name. rassapi.h cannot share a
// translation unit with mprapi.h, so this family's structs are mirrored in legacy_layout.hpp and
// converted by legacy_conversion.cpp (which the fuzzers run natively); this file checks the
// mirrors against the SDK and adapts the exports' pointers.
// windows.h must come first.
// clang-format off
#include <windows.h>
#include <lmcons.h>
#include <rassapi.h>
// clang-format on

#include <string_view>

#include "dll/export_guard.hpp"
#include "dll/legacy_conversion.hpp"
#include "dll/mirror_checks.hpp"
#include "raswarden/engine.hpp"

namespace layout = raswarden::dll::legacy_layout;

// ---- The SDK's structs, read through the mirrors ----------------------------------------------------
//
// Each SDK struct and its mirror must agree on size and alignment, and on the offset and size of
// every member the conversion reads; otherwise the build fails here (for x64 and for x86). The
// macros come from mirror_checks.hpp.

#define RASWARDEN_SAME_ERRORS(sdk, mirror, prefix)                                         \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, prefix##CrcErr, prefix##TimeoutErr);               \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, prefix##AlignmentErr, prefix##HardwareOverrunErr); \
  RASWARDEN_SAME_MEMBERS_2(sdk, mirror, prefix##FramingErr, prefix##BufferOverrunErr)

static_assert(sizeof(WCHAR) == sizeof(char16_t));
static_assert(layout::max_address_user == UNLEN + DNLEN + 2 && layout::max_address_port == RASSAPI_MAX_PORT_NAME + 1);
static_assert(layout::max_port_name == RASSAPI_MAX_PORT_NAME &&
              layout::max_device_type_name == RASSAPI_MAX_DEVICETYPE_NAME &&
              layout::max_device_name == RASSAPI_MAX_DEVICE_NAME && layout::max_media_name == RASSAPI_MAX_MEDIA_NAME &&
              layout::ip_address_len == RAS_IPADDRESSLEN);

RASWARDEN_SAME_STRUCT(RAS_PORT_0, ras_port_0);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_0, ras_port_0, wszPortName, wszDeviceType);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_0, ras_port_0, wszDeviceName, wszMediaName);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_0, ras_port_0, wszUserName, wszComputer);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_0, ras_port_0, dwStartSessionTime, wszLogonDomain);
RASWARDEN_SAME_STRUCT(RAS_PPP_IPCP_RESULT, ras_ppp_ipcp_result);
RASWARDEN_SAME_MEMBER(RAS_PPP_IPCP_RESULT, ras_ppp_ipcp_result, wszAddress);
RASWARDEN_SAME_STRUCT(RAS_PPP_NBFCP_RESULT, ras_ppp_nbfcp_result);
RASWARDEN_SAME_STRUCT(RAS_PPP_IPXCP_RESULT, ras_ppp_ipxcp_result);
RASWARDEN_SAME_STRUCT(RAS_PPP_ATCP_RESULT, ras_ppp_atcp_result);
RASWARDEN_SAME_STRUCT(RAS_PPP_PROJECTION_RESULT, ras_ppp_projection_result);
RASWARDEN_SAME_MEMBER(RAS_PPP_PROJECTION_RESULT, ras_ppp_projection_result, ip);
RASWARDEN_SAME_STRUCT(RAS_PORT_1, ras_port_1);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_1, ras_port_1, rasport0, LineSpeed);
RASWARDEN_SAME_MEMBER(RAS_PORT_1, ras_port_1, ProjResult);
RASWARDEN_SAME_STRUCT(RAS_PORT_STATISTICS, ras_port_statistics);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_STATISTICS, ras_port_statistics, dwBytesXmited, dwBytesRcved);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_STATISTICS, ras_port_statistics, dwFramesXmited, dwFramesRcved);
RASWARDEN_SAME_ERRORS(RAS_PORT_STATISTICS, ras_port_statistics, dw);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_STATISTICS, ras_port_statistics, dwPortBytesXmited, dwPortBytesRcved);
RASWARDEN_SAME_MEMBERS_2(RAS_PORT_STATISTICS, ras_port_statistics, dwPortFramesXmited, dwPortFramesRcved);
RASWARDEN_SAME_ERRORS(RAS_PORT_STATISTICS, ras_port_statistics, dwPort);

#undef RASWARDEN_SAME_ERRORS

namespace {

using raswarden::dll::mirror_of;

std::optional<raswarden::core::legacy_port> to_legacy_port(const RAS_PORT_1* port, const RAS_PORT_STATISTICS* stats) {
  return raswarden::dll::to_legacy_port(mirror_of<layout::ras_port_1>(port),
                                        mirror_of<layout::ras_port_statistics>(stats));
}

raswarden::core::address_request to_address_request(const WCHAR* user, const WCHAR* port) {
  return raswarden::dll::to_legacy_address_request(mirror_of<char16_t>(user), mirror_of<char16_t>(port));
}

constexpr std::string_view no_port = "RAS_PORT_1 pointer is null";

}  // namespace

extern "C" {

// TRUE admits the port (and, for its first port, the connection). The media parameters are not
// read: nothing in them bears on admission or accounting.
WINBOOL WINAPI RasAdminAcceptNewConnection(RAS_PORT_1* pRasPort1, RAS_PORT_STATISTICS* pRasStats,
                                           RAS_PARAMETERS* /*pRasParams*/) {
  constexpr std::string_view callback = "RasAdminAcceptNewConnection";
  return raswarden::dll::guarded(callback, raswarden::dll::answer_on_failure(),
                                 [&] {
                                   const auto engine = raswarden::dll::engine_for(callback);
                                   const auto port = to_legacy_port(pRasPort1, pRasStats);
                                   return port ? engine->legacy_accept(callback, *port)
                                               : engine->malformed_call(callback, no_port);
                                 })
             ? TRUE
             : FALSE;
}

VOID WINAPI RasAdminConnectionHangupNotification(RAS_PORT_1* pRasPort1, RAS_PORT_STATISTICS* pRasStats,
                                                 RAS_PARAMETERS* /*pRasParams*/) {
  constexpr std::string_view callback = "RasAdminConnectionHangupNotification";
  raswarden::dll::guarded_notification(callback, [&] {
    const auto engine = raswarden::dll::engine_for(callback);
    const auto port = to_legacy_port(pRasPort1, pRasStats);
    if (port) {
      engine->legacy_hangup(callback, *port);
    } else {
      engine->malformed_call(callback, no_port);
    }
  });
}

DWORD WINAPI RasAdminGetIpAddressForUser(WCHAR* lpszUserName, WCHAR* lpszPortName, IPADDR* pipAddress,
                                         WINBOOL* bNotifyRelease) {
  constexpr std::string_view callback = "RasAdminGetIpAddressForUser";
  const DWORD failure = raswarden::dll::answer_on_failure() ? NO_ERROR : ERROR_ACCESS_DENIED;
  return raswarden::dll::guarded(callback, failure, [&]() -> DWORD {
    const auto engine = raswarden::dll::engine_for(callback);
    if (pipAddress == nullptr) {
      return engine->malformed_call(callback, "pipAddress is null") ? NO_ERROR : ERROR_ACCESS_DENIED;
    }
    const auto request = to_address_request(lpszUserName, lpszPortName);
    const auto assigned = engine->assign_ipv4(callback, request, *pipAddress);
    *pipAddress = assigned.address;
    if (bNotifyRelease != nullptr) *bNotifyRelease = assigned.notify_release ? TRUE : FALSE;
    return assigned.ok ? NO_ERROR : ERROR_ACCESS_DENIED;
  });
}

VOID WINAPI RasAdminReleaseIpAddress(WCHAR* lpszUserName, WCHAR* lpszPortName, IPADDR* pipAddress) {
  constexpr std::string_view callback = "RasAdminReleaseIpAddress";
  raswarden::dll::guarded_notification(callback, [&] {
    const auto engine = raswarden::dll::engine_for(callback);
    if (pipAddress == nullptr) {
      engine->malformed_call(callback, "pipAddress is null");
      return;
    }
    const auto request = to_address_request(lpszUserName, lpszPortName);
    engine->release_ipv4(callback, request, *pipAddress);
  });
}

}  // extern "C"
