// The naive baseline of the end-to-end benchmark (docs/performance.md, "End to end under Wine"):
// an RRAS admin DLL that keeps an accounting log the way the public admin-DLL samples do. It opens
// a text file in append mode when RRAS initializes it, and every callback takes one critical
// section, writes one line (local time, event, user or port, handle) with fprintf and fflushes it
// before answering. It accepts everything.
//
// The log is the file named by the environment variable RASWARDEN_BASELINE_LOG, else
// %TEMP%\raswarden-baseline-naive.log. Each connection lifecycle of rrashost's load writes four
// lines (connection-accept, link-accept, link-stop, connection-stop); initialize and terminate
// write none, so a test can count the lines.
//
// Legacy path (no MprAdminInitializeDllEx): the named exports of baseline_naive_admin.def, with
// connection family 2.
#include <windows.h>
// clang-format off
#include <mprapi.h>
// clang-format on

#include <cstdio>
#include <cwchar>

namespace {

CRITICAL_SECTION log_lock;
FILE* log_file = nullptr;

void log_event(const char* event, const WCHAR* who, HANDLE handle) {
  EnterCriticalSection(&log_lock);
  if (log_file != nullptr) {
    SYSTEMTIME now;
    GetLocalTime(&now);
    std::fprintf(log_file, "%04u-%02u-%02u %02u:%02u:%02u.%03u %s %ls %p\n", unsigned{now.wYear}, unsigned{now.wMonth},
                 unsigned{now.wDay}, unsigned{now.wHour}, unsigned{now.wMinute}, unsigned{now.wSecond},
                 unsigned{now.wMilliseconds}, event, who != nullptr ? who : L"-", handle);
    std::fflush(log_file);
  }
  LeaveCriticalSection(&log_lock);
}

}  // namespace

extern "C" {

DWORD WINAPI MprAdminInitializeDll(VOID) {
  InitializeCriticalSection(&log_lock);
  WCHAR path[MAX_PATH + 64];
  const DWORD length = GetEnvironmentVariableW(L"RASWARDEN_BASELINE_LOG", path, MAX_PATH);
  if (length == 0 || length >= MAX_PATH) {
    const DWORD temp = GetTempPathW(MAX_PATH, path);
    if (temp == 0 || temp >= MAX_PATH) return ERROR_PATH_NOT_FOUND;
    std::wcscat(path, L"raswarden-baseline-naive.log");
  }
  log_file = _wfopen(path, L"a");
  // A baseline that cannot write its log would measure nothing: refuse to start, loudly.
  return log_file != nullptr ? NO_ERROR : ERROR_OPEN_FAILED;
}

DWORD WINAPI MprAdminTerminateDll(VOID) {
  EnterCriticalSection(&log_lock);
  if (log_file != nullptr) std::fclose(log_file);
  log_file = nullptr;
  LeaveCriticalSection(&log_lock);
  DeleteCriticalSection(&log_lock);
  return NO_ERROR;
}

WINBOOL WINAPI MprAdminAcceptNewConnection2(RAS_CONNECTION_0* c0, RAS_CONNECTION_1*, RAS_CONNECTION_2*) {
  log_event("connection-accept", c0 != nullptr ? c0->wszUserName : nullptr, c0 != nullptr ? c0->hConnection : nullptr);
  return TRUE;
}

VOID WINAPI MprAdminConnectionHangupNotification2(RAS_CONNECTION_0* c0, RAS_CONNECTION_1*, RAS_CONNECTION_2*) {
  log_event("connection-stop", c0 != nullptr ? c0->wszUserName : nullptr, c0 != nullptr ? c0->hConnection : nullptr);
}

WINBOOL WINAPI MprAdminAcceptNewLink(RAS_PORT_0* p0, RAS_PORT_1*) {
  log_event("link-accept", p0 != nullptr ? p0->wszPortName : nullptr, p0 != nullptr ? p0->hConnection : nullptr);
  return TRUE;
}

VOID WINAPI MprAdminLinkHangupNotification(RAS_PORT_0* p0, RAS_PORT_1*) {
  log_event("link-stop", p0 != nullptr ? p0->wszPortName : nullptr, p0 != nullptr ? p0->hConnection : nullptr);
}

}  // extern "C"
