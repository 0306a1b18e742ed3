// (a) Legacy-path admin DLL without MprAdminLinkHangupNotification. RRAS's validation demands both
// link callbacks, so it refuses the DLL (mprapi-reference.md 1.9).
#include "win32/mprapi_sdk.hpp"

extern "C" {
DWORD WINAPI MprAdminInitializeDll(VOID) {
  return NO_ERROR;
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
}
