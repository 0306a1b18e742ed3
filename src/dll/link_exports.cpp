// Links (ports) of a connection: AcceptNewLink and LinkHangupNotification.
//
// Called by RRAS right after a connection is accepted (first link) and for every further
// multilink member; the hangup as each link goes down. TRUE admits the link; on an internal
// failure the failure default is answered. Hangups for unknown links are recorded, not fatal.
#include <string_view>

#include "dll/export_guard.hpp"
#include "dll/ras_conversion.hpp"

namespace {
constexpr std::string_view no_port = "both RAS_PORT_0 and RAS_PORT_1 pointers are null";
}

extern "C" {

BOOL WINAPI MprAdminAcceptNewLink(RAS_PORT_0* pRasPort0, RAS_PORT_1* pRasPort1) {
  constexpr std::string_view callback = "MprAdminAcceptNewLink";
  return raswarden::dll::guarded(callback, raswarden::dll::answer_on_failure(),
                                 [&] {
                                   const auto engine = raswarden::dll::engine_for(callback);
                                   const auto link = raswarden::dll::to_link(pRasPort0, pRasPort1);
                                   return link ? engine->accept_link(callback, *link)
                                               : engine->malformed_call(callback, no_port);
                                 })
             ? TRUE
             : FALSE;
}

VOID WINAPI MprAdminLinkHangupNotification(RAS_PORT_0* pRasPort0, RAS_PORT_1* pRasPort1) {
  constexpr std::string_view callback = "MprAdminLinkHangupNotification";
  raswarden::dll::guarded_notification(callback, [&] {
    const auto engine = raswarden::dll::engine_for(callback);
    const auto link = raswarden::dll::to_link(pRasPort0, pRasPort1);
    if (link) {
      engine->link_hangup(callback, *link);
    } else {
      engine->malformed_call(callback, no_port);
    }
  });
}

}  // extern "C"
