// Connection admission, teardown and reauthentication: the 1/2/3/Ex families.
//
// Called by RRAS on its worker threads; AcceptNewConnection* and ConnectionHangupNotification*
// are serialized as a group (mprapi-reference.md 4.1). Accept returns TRUE to admit, FALSE to
// refuse; on an internal failure the configured failure default is answered (accept unless the
// policy says otherwise). RRAS may deliver one connection through several families; the core
// records it once.
#include <string_view>

#include "dll/export_guard.hpp"
#include "dll/ras_conversion.hpp"

namespace {

using raswarden::core::connection_info;
using raswarden::dll::answer_on_failure;
using raswarden::dll::engine_for;
using raswarden::dll::guarded;
using raswarden::dll::guarded_notification;

constexpr std::string_view no_structure = "every RAS_CONNECTION_* pointer is null";

BOOL admit(std::string_view callback, RAS_CONNECTION_0* c0, RAS_CONNECTION_1* c1, RAS_CONNECTION_2* c2,
           RAS_CONNECTION_3* c3) noexcept {
  return guarded(callback, answer_on_failure(),
                 [&] {
                   const auto engine = engine_for(callback);
                   const auto info = raswarden::dll::to_connection(c0, c1, c2, c3);
                   return info ? engine->accept_connection(callback, *info)
                               : engine->malformed_call(callback, no_structure);
                 })
             ? TRUE
             : FALSE;
}

void hang_up(std::string_view callback, RAS_CONNECTION_0* c0, RAS_CONNECTION_1* c1, RAS_CONNECTION_2* c2,
             RAS_CONNECTION_3* c3) noexcept {
  guarded_notification(callback, [&] {
    const auto engine = engine_for(callback);
    const auto info = raswarden::dll::to_connection(c0, c1, c2, c3);
    if (info) {
      engine->connection_hangup(callback, *info);
    } else {
      engine->malformed_call(callback, no_structure);
    }
  });
}

BOOL admit_ex(std::string_view callback, RAS_CONNECTION_EX* ex, bool reauthentication) noexcept {
  return guarded(callback, answer_on_failure(),
                 [&] {
                   const auto engine = engine_for(callback);
                   std::string problem;
                   const auto info = raswarden::dll::to_connection(ex, problem);
                   if (!info) return engine->malformed_call(callback, problem);
                   return reauthentication ? engine->accept_reauthentication(callback, *info)
                                           : engine->accept_connection(callback, *info);
                 })
             ? TRUE
             : FALSE;
}

}  // namespace

extern "C" {

// RRAS (legacy path): a user passed authentication. TRUE admits.
BOOL WINAPI MprAdminAcceptNewConnection(RAS_CONNECTION_0* pRasConnection0, RAS_CONNECTION_1* pRasConnection1) {
  return admit("MprAdminAcceptNewConnection", pRasConnection0, pRasConnection1, nullptr, nullptr);
}

// Same, with RAS_CONNECTION_2 (connection GUID, PPP LCP/CCP details).
BOOL WINAPI MprAdminAcceptNewConnection2(RAS_CONNECTION_0* pRasConnection0, RAS_CONNECTION_1* pRasConnection1,
                                         RAS_CONNECTION_2* pRasConnection2) {
  return admit("MprAdminAcceptNewConnection2", pRasConnection0, pRasConnection1, pRasConnection2, nullptr);
}

// Same, with RAS_CONNECTION_3 (NAP state, IPv6CP).
BOOL CALLBACK MprAdminAcceptNewConnection3(RAS_CONNECTION_0* pRasConnection0, RAS_CONNECTION_1* pRasConnection1,
                                           RAS_CONNECTION_2* pRasConnection2, RAS_CONNECTION_3* pRasConnection3) {
  return admit("MprAdminAcceptNewConnection3", pRasConnection0, pRasConnection1, pRasConnection2, pRasConnection3);
}

// RRAS (MprAdminInitializeDllEx path, through the callbacks struct). TRUE admits.
BOOL APIENTRY MprAdminAcceptNewConnectionEx(RAS_CONNECTION_EX* pRasConn) {
  return admit_ex("MprAdminAcceptNewConnectionEx", pRasConn, false);
}

// RRAS: the connection's last link is gone. Tolerates unknown, rejected and closed handles.
VOID WINAPI MprAdminConnectionHangupNotification(RAS_CONNECTION_0* pRasConnection0, RAS_CONNECTION_1* pRasConnection1) {
  hang_up("MprAdminConnectionHangupNotification", pRasConnection0, pRasConnection1, nullptr, nullptr);
}

VOID WINAPI MprAdminConnectionHangupNotification2(RAS_CONNECTION_0* pRasConnection0, RAS_CONNECTION_1* pRasConnection1,
                                                  RAS_CONNECTION_2* pRasConnection2) {
  hang_up("MprAdminConnectionHangupNotification2", pRasConnection0, pRasConnection1, pRasConnection2, nullptr);
}

void CALLBACK MprAdminConnectionHangupNotification3(RAS_CONNECTION_0* pRasConnection0,
                                                    RAS_CONNECTION_1* pRasConnection1,
                                                    RAS_CONNECTION_2* pRasConnection2,
                                                    RAS_CONNECTION_3* pRasConnection3) {
  hang_up("MprAdminConnectionHangupNotification3", pRasConnection0, pRasConnection1, pRasConnection2, pRasConnection3);
}

VOID APIENTRY MprAdminConnectionHangupNotificationEx(RAS_CONNECTION_EX* pRasConn) {
  constexpr std::string_view callback = "MprAdminConnectionHangupNotificationEx";
  guarded_notification(callback, [&] {
    const auto engine = engine_for(callback);
    std::string problem;
    const auto info = raswarden::dll::to_connection(pRasConn, problem);
    if (info) {
      engine->connection_hangup(callback, *info);
    } else {
      engine->malformed_call(callback, problem);
    }
  });
}

// RRAS: the client's NAP quarantine state changed. TRUE lets it stay connected.
BOOL CALLBACK MprAdminAcceptReauthentication(RAS_CONNECTION_0* pRasConnection0, RAS_CONNECTION_1* pRasConnection1,
                                             RAS_CONNECTION_2* pRasConnection2, RAS_CONNECTION_3* pRasConnection3) {
  constexpr std::string_view callback = "MprAdminAcceptReauthentication";
  return guarded(callback, answer_on_failure(),
                 [&] {
                   const auto engine = engine_for(callback);
                   const auto info = raswarden::dll::to_connection(pRasConnection0, pRasConnection1, pRasConnection2,
                                                                   pRasConnection3);
                   return info ? engine->accept_reauthentication(callback, *info)
                               : engine->malformed_call(callback, no_structure);
                 })
             ? TRUE
             : FALSE;
}

BOOL APIENTRY MprAdminAcceptReauthenticationEx(RAS_CONNECTION_EX* pRasConn) {
  return admit_ex("MprAdminAcceptReauthenticationEx", pRasConn, true);
}

}  // extern "C"
