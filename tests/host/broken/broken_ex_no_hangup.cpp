// (e) MprAdminInitializeDllEx with revision 2 that sets lpfnRasAdminAcceptNewConnectionEx but
// leaves lpfnRasAdminConnectionHangupNotificationEx NULL. Revision 2 needs both (mprapi-reference.md 1.9).
#include "win32/mprapi_sdk.hpp"

namespace {
DWORD APIENTRY terminate_dll() {
  return NO_ERROR;
}
WINBOOL APIENTRY accept_connection(RAS_CONNECTION_EX*) {
  return TRUE;
}
WINBOOL APIENTRY accept_link(RAS_PORT_0*, RAS_PORT_1*) {
  return TRUE;
}
VOID APIENTRY hangup_link(RAS_PORT_0*, RAS_PORT_1*) {}
}  // namespace

extern "C" DWORD APIENTRY MprAdminInitializeDllEx(PMPRAPI_ADMIN_DLL_CALLBACKS callbacks) {
  callbacks->revision = MPRAPI_ADMIN_DLL_VERSION_2;
  callbacks->lpfnRasAdminTerminateDll = &terminate_dll;
  callbacks->lpfnRasAdminAcceptNewConnectionEx = &accept_connection;
  callbacks->lpfnRasAdminAcceptNewLink = &accept_link;
  callbacks->lpfnRasAdminLinkHangupNotification = &hangup_link;
  return NO_ERROR;
}
