// The NT 4.0 admin interface (rassapi.h): RasAdminAcceptNewConnection,
// RasAdminConnectionHangupNotification, RasAdminGetIpAddressForUser, RasAdminReleaseIpAddress.
// Windows 2000 and later never call them; they are exported so a host that does is served.
// Called once per port of a multilink connection. No handles exist: the core keys connections by
// user, domain, computer and start time, and links by port name. rassapi.h cannot share a
// translation unit with mprapi.h, so this family converts its own structs here.
// windows.h must come first.
// clang-format off
#include <windows.h>
#include <lmcons.h>
#include <rassapi.h>
// clang-format on

#include <string_view>

#include "dll/export_guard.hpp"
#include "raswarden/engine.hpp"
#include "raswarden/text.hpp"

namespace {

using raswarden::core::legacy_port;

template <std::size_t N>
std::string read_name(const WCHAR (&field)[N]) {
  return raswarden::core::utf8_from_utf16(reinterpret_cast<const char16_t*>(field), N);
}

raswarden::core::traffic_counters connection_totals(const RAS_PORT_STATISTICS& s) {
  raswarden::core::traffic_counters t;
  t.bytes_out = s.dwBytesXmited;
  t.bytes_in = s.dwBytesRcved;
  t.frames_out = s.dwFramesXmited;
  t.frames_in = s.dwFramesRcved;
  t.errors = {s.dwCrcErr,     s.dwTimeoutErr,      s.dwAlignmentErr, s.dwHardwareOverrunErr,
              s.dwFramingErr, s.dwBufferOverrunErr};
  return t;
}

raswarden::core::traffic_counters port_totals(const RAS_PORT_STATISTICS& s) {
  raswarden::core::traffic_counters t;
  t.bytes_out = s.dwPortBytesXmited;
  t.bytes_in = s.dwPortBytesRcved;
  t.frames_out = s.dwPortFramesXmited;
  t.frames_in = s.dwPortFramesRcved;
  t.errors = {s.dwPortCrcErr,     s.dwPortTimeoutErr,      s.dwPortAlignmentErr, s.dwPortHardwareOverrunErr,
              s.dwPortFramingErr, s.dwPortBufferOverrunErr};
  return t;
}

std::optional<legacy_port> to_legacy_port(const RAS_PORT_1* port, const RAS_PORT_STATISTICS* stats) {
  if (port == nullptr) return std::nullopt;
  const RAS_PORT_0& p0 = port->rasport0;
  legacy_port out;
  out.link.port_name = read_name(p0.wszPortName);
  out.link.device_type = read_name(p0.wszDeviceType);
  out.link.device = read_name(p0.wszDeviceName);
  out.link.media = read_name(p0.wszMediaName);
  out.link.line_speed_bps = port->LineSpeed;
  out.connection.user = read_name(p0.wszUserName);
  out.connection.domain = read_name(p0.wszLogonDomain);
  out.connection.remote_computer = read_name(p0.wszComputer);
  out.connection.client_ipv4 = read_name(port->ProjResult.ip.wszAddress);
  out.start_session_time = p0.dwStartSessionTime;
  if (stats != nullptr) {
    out.connection.traffic = connection_totals(*stats);
    out.link.traffic = port_totals(*stats);
  }
  return out;
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
    const raswarden::core::address_request request{
        raswarden::core::utf8_from_utf16(reinterpret_cast<const char16_t*>(lpszUserName), UNLEN + DNLEN + 2),
        raswarden::core::utf8_from_utf16(reinterpret_cast<const char16_t*>(lpszPortName), RASSAPI_MAX_PORT_NAME + 1)};
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
    const raswarden::core::address_request request{
        raswarden::core::utf8_from_utf16(reinterpret_cast<const char16_t*>(lpszUserName), UNLEN + DNLEN + 2),
        raswarden::core::utf8_from_utf16(reinterpret_cast<const char16_t*>(lpszPortName), RASSAPI_MAX_PORT_NAME + 1)};
    engine->release_ipv4(callback, request, *pipAddress);
  });
}

}  // extern "C"
