// The floor of the end-to-end benchmark (docs/performance.md, "End to end under Wine"): an RRAS
// admin DLL that accepts every connection and link and does nothing else. Whatever rrashost
// measures over it is the cost of the host itself: building the RAS structs, calling through the
// export, timing the call and serializing the callbacks as RRAS does.
//
// Legacy path (no MprAdminInitializeDllEx): RRAS, and rrashost, resolve the named exports of
// baseline_null_admin.def and call the richest connection family present, here family 2.
#include <windows.h>
// clang-format off
#include <mprapi.h>
// clang-format on

extern "C" {

DWORD WINAPI MprAdminInitializeDll(VOID) {
  return NO_ERROR;
}

DWORD WINAPI MprAdminTerminateDll(VOID) {
  return NO_ERROR;
}

WINBOOL WINAPI MprAdminAcceptNewConnection2(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*) {
  return TRUE;
}

VOID WINAPI MprAdminConnectionHangupNotification2(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*) {}

WINBOOL WINAPI MprAdminAcceptNewLink(RAS_PORT_0*, RAS_PORT_1*) {
  return TRUE;
}

VOID WINAPI MprAdminLinkHangupNotification(RAS_PORT_0*, RAS_PORT_1*) {}

}  // extern "C"
