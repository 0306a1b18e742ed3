// A legacy-path admin DLL whose only connection pair is the Ex pair, exported by name. RRAS looks
// the Ex connection exports up only through MprAdminInitializeDllEx's struct, never by name, so
// on the legacy path this DLL has no connection callback at all (mprapi-reference.md 1.9).
#include "win32/mprapi_sdk.hpp"

extern "C" {
DWORD WINAPI MprAdminInitializeDll(VOID) {
  return NO_ERROR;
}
DWORD WINAPI MprAdminTerminateDll(VOID) {
  return NO_ERROR;
}
BOOL APIENTRY MprAdminAcceptNewConnectionEx(RAS_CONNECTION_EX*) {
  return TRUE;
}
VOID APIENTRY MprAdminConnectionHangupNotificationEx(RAS_CONNECTION_EX*) {}
WINBOOL WINAPI MprAdminAcceptNewLink(RAS_PORT_0*, RAS_PORT_1*) {
  return TRUE;
}
VOID WINAPI MprAdminLinkHangupNotification(RAS_PORT_0*, RAS_PORT_1*) {}
}
