// Service lifetime: MprAdminInitializeDll, MprAdminInitializeDllEx and MprAdminTerminateDll.
//
// RRAS calls Initialize once at service start, in DLLPath order; any result but NO_ERROR stops
// RRAS from starting, so every problem (bad configuration, missing folder, even an exception) is
// reported and NO_ERROR returned. Terminate runs at shutdown; after it returns the DLL may be
// unloaded.
#include "dll/export_guard.hpp"
#include "win32/mprapi_sdk.hpp"

extern "C" {

DWORD WINAPI MprAdminInitializeDll(VOID) {
  raswarden::dll::guarded_notification("MprAdminInitializeDll", [] { raswarden::dll::start("MprAdminInitializeDll"); });
  return NO_ERROR;
}

// Fills RRAS's zeroed 104-byte callbacks struct with revision 2 (RAS_CONNECTION_EX supported).
// RRAS then uses only the struct and looks up none of the named connection exports. The two
// undocumented slots stay NULL (mprapi-reference.md 1.7).
DWORD APIENTRY MprAdminInitializeDllEx(PMPRAPI_ADMIN_DLL_CALLBACKS pAdminCallbacks) {
  raswarden::dll::guarded_notification("MprAdminInitializeDllEx", [&] {
    if (pAdminCallbacks != nullptr) {
      MPRAPI_ADMIN_DLL_CALLBACKS callbacks{};
      callbacks.revision = MPRAPI_ADMIN_DLL_VERSION_2;
      callbacks.lpfnMprAdminGetIpAddressForUser = &MprAdminGetIpAddressForUser;
      callbacks.lpfnMprAdminReleaseIpAddress = &MprAdminReleaseIpAddress;
      callbacks.lpfnMprAdminGetIpv6AddressForUser = &MprAdminGetIpv6AddressForUser;
      callbacks.lpfnMprAdminReleaseIpV6AddressForUser = &MprAdminReleaseIpv6AddressForUser;
      callbacks.lpfnRasAdminAcceptNewLink = &MprAdminAcceptNewLink;
      callbacks.lpfnRasAdminLinkHangupNotification = &MprAdminLinkHangupNotification;
      callbacks.lpfnRasAdminTerminateDll = &MprAdminTerminateDll;
      callbacks.lpfnRasAdminAcceptNewConnectionEx = &MprAdminAcceptNewConnectionEx;
      callbacks.lpfnRasAdminAcceptReauthenticationEx = &MprAdminAcceptReauthenticationEx;
      callbacks.lpfnRasAdminConnectionHangupNotificationEx = &MprAdminConnectionHangupNotificationEx;
      *pAdminCallbacks = callbacks;
    }
    raswarden::dll::start("MprAdminInitializeDllEx");
    if (pAdminCallbacks == nullptr) {
      raswarden::dll::report_failure("MprAdminInitializeDllEx", "called with a null callbacks pointer");
    }
  });
  return NO_ERROR;
}

DWORD WINAPI MprAdminTerminateDll(VOID) {
  raswarden::dll::guarded_notification("MprAdminTerminateDll", [] { raswarden::dll::stop("MprAdminTerminateDll"); });
  return NO_ERROR;
}

}  // extern "C"
