// (c) A complete legacy-path admin DLL that exports MprAdminGetIpAddressForUser without
// MprAdminReleaseIpAddress. RRAS refuses a half IP pair (mprapi-reference.md 1.6, 1.9).
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
VOID WINAPI MprAdminLinkHangupNotification(RAS_PORT_0*, RAS_PORT_1*) {}
DWORD WINAPI MprAdminGetIpAddressForUser(WCHAR*, WCHAR*, DWORD*, WINBOOL* notify_release) {
  if (notify_release != nullptr) *notify_release = FALSE;
  return NO_ERROR;
}
}
