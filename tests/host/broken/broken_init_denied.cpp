// (d) A complete legacy-path admin DLL whose MprAdminInitializeDll fails with ERROR_ACCESS_DENIED.
// Any result but NO_ERROR aborts loading and RRAS does not start (mprapi-reference.md 1.9).
#include "win32/mprapi_sdk.hpp"

extern "C" {
DWORD WINAPI MprAdminInitializeDll(VOID) {
  return ERROR_ACCESS_DENIED;
}
DWORD WINAPI MprAdminTerminateDll(VOID) {
  return NO_ERROR;
}
WINBOOL WINAPI MprAdminAcceptNewConnection(RAS_CONNECTION_0*, RAS_CONNECTION_1*) {
  return TRUE;
}
VOID WINAPI MprAdminConnectionHangupNotification(RAS_CONNECTION_0*, RAS_CONNECTION_1*) {}
WINBOOL WINAPI MprAdminAcceptNewLink(RAS_PORT_0*, RAS_PORT_1*) {
  return TRUE;
}
VOID WINAPI MprAdminLinkHangupNotification(RAS_PORT_0*, RAS_PORT_1*) {}
}
