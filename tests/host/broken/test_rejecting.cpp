// (g) A valid legacy-path admin DLL for chain tests: it rejects every user whose name starts with
// "deny", accepts everything else, and counts its calls. TestAdminCount("MprAdminAcceptNewLink")
// answers how often a callback ran in this process ("rejected" counts the refusals).
#include <atomic>
#include <cstring>
#include <cwchar>

#include "win32/mprapi_sdk.hpp"

namespace {
struct counter {
  const char* name;
  std::atomic<LONG> calls{0};
};
counter initialized{"MprAdminInitializeDll"};
counter terminated{"MprAdminTerminateDll"};
counter accepts{"MprAdminAcceptNewConnection"};
counter rejections{"rejected"};
counter hangups{"MprAdminConnectionHangupNotification"};
counter link_accepts{"MprAdminAcceptNewLink"};
counter link_hangups{"MprAdminLinkHangupNotification"};
counter* const counters[] = {&initialized, &terminated, &accepts, &rejections, &hangups, &link_accepts, &link_hangups};
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
WINBOOL WINAPI MprAdminAcceptNewConnection(RAS_CONNECTION_0* c0, RAS_CONNECTION_1*) {
  ++accepts.calls;
  if (c0 != nullptr && std::wcsncmp(c0->wszUserName, L"deny", 4) == 0) {
    ++rejections.calls;
    return FALSE;
  }
  return TRUE;
}
VOID WINAPI MprAdminConnectionHangupNotification(RAS_CONNECTION_0*, RAS_CONNECTION_1*) {
  ++hangups.calls;
}
WINBOOL WINAPI MprAdminAcceptNewLink(RAS_PORT_0*, RAS_PORT_1*) {
  ++link_accepts.calls;
  return TRUE;
}
VOID WINAPI MprAdminLinkHangupNotification(RAS_PORT_0*, RAS_PORT_1*) {
  ++link_hangups.calls;
}

LONG WINAPI TestAdminCount(const char* callback) {
  for (const counter* c : counters) {
    if (std::strcmp(callback, c->name) == 0) return c->calls.load();
  }
  return -1;
}
}
