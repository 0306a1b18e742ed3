// raswarden register / unregister / status: RasWarden's entry in RRAS's admin-DLL list
// (HKLM\SOFTWARE\Microsoft\RAS\AdminDll DLLPath), edited without disturbing other vendors' DLLs.
#pragma once

#include <string>
#include <vector>

namespace raswarden::tools {

// Each returns the process exit code: 0 success, 1 failure (with a message), 2 bad usage.
int register_command(const std::vector<std::wstring>& arguments);
int unregister_command(const std::vector<std::wstring>& arguments);
int status_command(const std::vector<std::wstring>& arguments);

}  // namespace raswarden::tools
