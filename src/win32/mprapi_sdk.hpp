// The RRAS admin-DLL contract as the Windows SDK defines it, for mingw-w64.
//
// mingw-w64's mprapi.h has every RAS_* struct right, but declares an obsolete 11-member
// MPRAPI_ADMIN_DLL_CALLBACKS (88 bytes on x64) where the SDK and RRAS use 13 members (104 bytes),
// lacks the Ex export prototypes, and declares MprAdminReleaseIpv6AddressForUser with a DWORD
// result the SDK does not have (mprapi-reference.md 1.6, 1.8, 5.1). Its wrong declarations are
// renamed out of the way while the header is included, and the SDK forms are declared here.
// rassapi.h (NT 4.0) cannot share a translation unit with this header; see rassapi_sdk.hpp.
#pragma once

#define MprAdminInitializeDllEx raswarden_mingw_MprAdminInitializeDllEx
#define MprAdminReleaseIpv6AddressForUser raswarden_mingw_MprAdminReleaseIpv6AddressForUser
#define _MPRAPI_ADMIN_DLL_CALLBACKS raswarden_mingw_MPRAPI_ADMIN_DLL_CALLBACKS_tag
#define MPRAPI_ADMIN_DLL_CALLBACKS raswarden_mingw_MPRAPI_ADMIN_DLL_CALLBACKS
#define PMPRAPI_ADMIN_DLL_CALLBACKS raswarden_mingw_PMPRAPI_ADMIN_DLL_CALLBACKS
// clang-format off
#include <windows.h>
#include <mprapi.h>
// clang-format on
#undef MprAdminInitializeDllEx
#undef MprAdminReleaseIpv6AddressForUser
#undef _MPRAPI_ADMIN_DLL_CALLBACKS
#undef MPRAPI_ADMIN_DLL_CALLBACKS
#undef PMPRAPI_ADMIN_DLL_CALLBACKS

#include <cstddef>

// Values from the SDK; mingw-w64 defines only some of them (as macros).
#ifndef MPRAPI_ADMIN_DLL_VERSION_1
#define MPRAPI_ADMIN_DLL_VERSION_1 0x1
#endif
#ifndef MPRAPI_ADMIN_DLL_VERSION_2
#define MPRAPI_ADMIN_DLL_VERSION_2 0x2
#endif
#ifndef MPRAPI_RAS_CONNECTION_OBJECT_REVISION_1
#define MPRAPI_RAS_CONNECTION_OBJECT_REVISION_1 0x1
#endif
#ifndef MPRAPI_PPP_PROJECTION_INFO_TYPE
#define MPRAPI_PPP_PROJECTION_INFO_TYPE 0x1
#endif
#ifndef MPRAPI_IKEV2_PROJECTION_INFO_TYPE
#define MPRAPI_IKEV2_PROJECTION_INFO_TYPE 0x2
#endif

// The two slots mingw-w64 lacks. Their semantics are undocumented (mprapi-reference.md 1.7).
typedef BOOL(APIENTRY* PMPRADMINACCEPTTUNNELENDPOINTCHANGEEX)(RAS_CONNECTION_EX*);
typedef DWORD(APIENTRY* PMPRADMINRASVALIDATEPREAUTHENTICATEDCONNECTIONEX)(AUTH_VALIDATION_EX*);

// SDK layout: 13 members, 104 bytes on x64, 52 on x86. Only ever grows at the end.
typedef struct _MPRAPI_ADMIN_DLL_CALLBACKS {
  UCHAR revision;
  PMPRADMINGETIPADDRESSFORUSER lpfnMprAdminGetIpAddressForUser;
  PMPRADMINRELEASEIPADRESS lpfnMprAdminReleaseIpAddress;
  PMPRADMINGETIPV6ADDRESSFORUSER lpfnMprAdminGetIpv6AddressForUser;
  PMPRADMINRELEASEIPV6ADDRESSFORUSER lpfnMprAdminReleaseIpV6AddressForUser;
  PMPRADMINACCEPTNEWLINK lpfnRasAdminAcceptNewLink;
  PMPRADMINLINKHANGUPNOTIFICATION lpfnRasAdminLinkHangupNotification;
  PMPRADMINTERMINATEDLL lpfnRasAdminTerminateDll;
  PMPRADMINACCEPTNEWCONNECTIONEX lpfnRasAdminAcceptNewConnectionEx;
  PMPRADMINACCEPTTUNNELENDPOINTCHANGEEX lpfnRasAdminAcceptEndpointChangeEx;
  PMPRADMINACCEPTREAUTHENTICATIONEX lpfnRasAdminAcceptReauthenticationEx;
  PMPRADMINCONNECTIONHANGUPNOTIFICATIONEX lpfnRasAdminConnectionHangupNotificationEx;
  PMPRADMINRASVALIDATEPREAUTHENTICATEDCONNECTIONEX lpfnRASValidatePreAuthenticatedConnectionEx;
} MPRAPI_ADMIN_DLL_CALLBACKS, *PMPRAPI_ADMIN_DLL_CALLBACKS;

#define RASWARDEN_ASSERT_OFFSET(member, x64, x86)                                                     \
  static_assert(offsetof(MPRAPI_ADMIN_DLL_CALLBACKS, member) == (sizeof(void*) == 8 ? (x64) : (x86)), \
                "MPRAPI_ADMIN_DLL_CALLBACKS." #member " is not at its SDK offset")
static_assert(sizeof(MPRAPI_ADMIN_DLL_CALLBACKS) == (sizeof(void*) == 8 ? 104 : 52),
              "MPRAPI_ADMIN_DLL_CALLBACKS must have the Windows SDK's 13-member layout");
RASWARDEN_ASSERT_OFFSET(revision, 0, 0);
RASWARDEN_ASSERT_OFFSET(lpfnMprAdminGetIpAddressForUser, 8, 4);
RASWARDEN_ASSERT_OFFSET(lpfnMprAdminReleaseIpAddress, 16, 8);
RASWARDEN_ASSERT_OFFSET(lpfnMprAdminGetIpv6AddressForUser, 24, 12);
RASWARDEN_ASSERT_OFFSET(lpfnMprAdminReleaseIpV6AddressForUser, 32, 16);
RASWARDEN_ASSERT_OFFSET(lpfnRasAdminAcceptNewLink, 40, 20);
RASWARDEN_ASSERT_OFFSET(lpfnRasAdminLinkHangupNotification, 48, 24);
RASWARDEN_ASSERT_OFFSET(lpfnRasAdminTerminateDll, 56, 28);
RASWARDEN_ASSERT_OFFSET(lpfnRasAdminAcceptNewConnectionEx, 64, 32);
RASWARDEN_ASSERT_OFFSET(lpfnRasAdminAcceptEndpointChangeEx, 72, 36);
RASWARDEN_ASSERT_OFFSET(lpfnRasAdminAcceptReauthenticationEx, 80, 40);
RASWARDEN_ASSERT_OFFSET(lpfnRasAdminConnectionHangupNotificationEx, 88, 44);
RASWARDEN_ASSERT_OFFSET(lpfnRASValidatePreAuthenticatedConnectionEx, 96, 48);
#undef RASWARDEN_ASSERT_OFFSET

// The struct layouts mingw-w64 shares with the SDK, pinned so a header change cannot slip by.
static_assert(sizeof(RAS_CONNECTION_0) == (sizeof(void*) == 8 ? 1128 : 1116));
static_assert(sizeof(RAS_CONNECTION_1) == (sizeof(void*) == 8 ? 296 : 288));
static_assert(sizeof(RAS_CONNECTION_2) == (sizeof(void*) == 8 ? 848 : 844));
static_assert(sizeof(RAS_CONNECTION_3) == (sizeof(void*) == 8 ? 792 : 788));
static_assert(sizeof(RAS_CONNECTION_EX) == (sizeof(void*) == 8 ? 1672 : 1664));
static_assert(offsetof(RAS_CONNECTION_EX, hConnection) == (sizeof(void*) == 8 ? 1656 : 1656));
static_assert(sizeof(RAS_PORT_0) == (sizeof(void*) == 8 ? 392 : 380));
static_assert(sizeof(RAS_PORT_1) == (sizeof(void*) == 8 ? 72 : 64));

// Export prototypes the SDK has and mingw-w64 lacks or declares differently.
extern "C" {
DWORD APIENTRY MprAdminInitializeDllEx(PMPRAPI_ADMIN_DLL_CALLBACKS pAdminCallbacks);
BOOL APIENTRY MprAdminAcceptNewConnectionEx(RAS_CONNECTION_EX* pRasConn);
VOID APIENTRY MprAdminConnectionHangupNotificationEx(RAS_CONNECTION_EX* pRasConn);
BOOL APIENTRY MprAdminAcceptReauthenticationEx(RAS_CONNECTION_EX* pRasConn);
// The SDK's prototype has no calling convention (cdecl on x86) but its pointer typedef is
// APIENTRY; RRAS calls through the typedef, so APIENTRY it is. On x64 there is one convention.
VOID APIENTRY MprAdminReleaseIpv6AddressForUser(WCHAR* lpwszUserName, WCHAR* lpwszPortName, IN6_ADDR* lpdwIpv6Address);
}

// Function-pointer types for the named exports the SDK types but mingw-w64 does not, used by
// hosts that resolve exports by name. (The SDK's HANGUPNOTIFICATION3 typedef takes its fourth
// argument by value, a header bug; this one takes a pointer like the function.)
typedef DWORD(APIENTRY* PMPRADMININITIALIZEDLL)();
typedef DWORD(APIENTRY* PMPRADMININITIALIZEDLLEX)(PMPRAPI_ADMIN_DLL_CALLBACKS);
typedef BOOL(APIENTRY* PMPRADMINACCEPTNEWCONNECTION)(RAS_CONNECTION_0*, RAS_CONNECTION_1*);
typedef BOOL(APIENTRY* PMPRADMINACCEPTNEWCONNECTION2)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*);
typedef BOOL(APIENTRY* PMPRADMINACCEPTNEWCONNECTION3)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*,
                                                      RAS_CONNECTION_3*);
typedef VOID(APIENTRY* PMPRADMINCONNECTIONHANGUPNOTIFICATION)(RAS_CONNECTION_0*, RAS_CONNECTION_1*);
typedef VOID(APIENTRY* PMPRADMINCONNECTIONHANGUPNOTIFICATION2)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*);
typedef VOID(APIENTRY* PMPRADMINCONNECTIONHANGUPNOTIFICATION3)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*,
                                                               RAS_CONNECTION_3*);
typedef BOOL(APIENTRY* PMPRADMINACCEPTREAUTHENTICATION)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*,
                                                        RAS_CONNECTION_3*);
