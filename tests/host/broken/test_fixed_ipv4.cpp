// (h) A valid, fully conforming legacy-path admin DLL that also exports the IPv4 pair and always
// assigns 10.99.0.1 (first octet in the low byte, as rrashost builds RRAS's proposal), asking for
// the release. Used to check that the IP callbacks go only to the first DLL that exports them.
// TestAdminCount("MprAdminGetIpAddressForUser") answers how often a callback ran in this process.
#include <atomic>
#include <cstring>

#include "win32/mprapi_sdk.hpp"

namespace {
struct counter {
  const char* name;
  std::atomic<LONG> calls{0};
};
counter initialized{"MprAdminInitializeDll"};
counter terminated{"MprAdminTerminateDll"};
counter accepts{"MprAdminAcceptNewConnection"};
counter hangups{"MprAdminConnectionHangupNotification"};
counter address_gets{"MprAdminGetIpAddressForUser"};
counter address_releases{"MprAdminReleaseIpAddress"};
counter* const counters[] = {&initialized, &terminated, &accepts, &hangups, &address_gets, &address_releases};
}  // namespace

extern "C" {
DWORD WINAPI MprAdminInitializeDll(VOID) {
  ++initialized.calls;
  return NO_ERROR;
}
DWORD WINAPI MprAdminTerminateDll(VOID) {
  ++terminated.calls;
  return NO_ERROR;
}
WINBOOL WINAPI MprAdminAcceptNewConnection(RAS_CONNECTION_0*, RAS_CONNECTION_1*) {
  ++accepts.calls;
  return TRUE;
}
VOID WINAPI MprAdminConnectionHangupNotification(RAS_CONNECTION_0*, RAS_CONNECTION_1*) {
  ++hangups.calls;
}
WINBOOL WINAPI MprAdminAcceptNewLink(RAS_PORT_0*, RAS_PORT_1*) {
  return TRUE;
}
VOID WINAPI MprAdminLinkHangupNotification(RAS_PORT_0*, RAS_PORT_1*) {}
WINBOOL WINAPI MprAdminAcceptReauthentication(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*,
                                              RAS_CONNECTION_3*) {
  return TRUE;
}
DWORD WINAPI MprAdminGetIpAddressForUser(WCHAR*, WCHAR*, DWORD* address, WINBOOL* notify_release) {
  ++address_gets.calls;
  if (address != nullptr) *address = 10u | (99u << 8) | (0u << 16) | (1u << 24);
  if (notify_release != nullptr) *notify_release = TRUE;
  return NO_ERROR;
}
VOID WINAPI MprAdminReleaseIpAddress(WCHAR*, WCHAR*, DWORD*) {
  ++address_releases.calls;
}

LONG WINAPI TestAdminCount(const char* callback) {
  for (const counter* c : counters) {
    if (std::strcmp(callback, c->name) == 0) return c->calls.load();
  }
  return -1;
}
}
