// DllMain runs under the loader lock: it only remembers the module handle. All work happens in
// MprAdminInitializeDll(Ex), on RRAS's thread.
#include <windows.h>

#include "dll/runtime.hpp"

extern "C" BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID /*reserved*/) {
  if (reason == DLL_PROCESS_ATTACH) raswarden::dll::set_module(instance);
  return TRUE;
}
