// (f) A legacy-path admin DLL with hangup notifications and link callbacks but no
// MprAdminAcceptNewConnection, 2 or 3. Revision 1 needs one of them (mprapi-reference.md 1.9).
#include "win32/mprapi_sdk.hpp"

extern "C" {
DWORD WINAPI MprAdminInitializeDll(VOID) {
  return NO_ERROR;
}
DWORD WINAPI MprAdminTerminateDll(VOID) {
  return NO_ERROR;
}
VOID WINAPI MprAdminConnectionHangupNotification(RAS_CONNECTION_0*, RAS_CONNECTION_1*) {}
WINBOOL WINAPI MprAdminAcceptNewLink(RAS_PORT_0*, RAS_PORT_1*) {
  return TRUE;
}
VOID WINAPI MprAdminLinkHangupNotification(RAS_PORT_0*, RAS_PORT_1*) {}
}
