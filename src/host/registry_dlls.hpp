// Where RRAS finds admin DLLs: HKLM\SOFTWARE\Microsoft\RAS\AdminDll, value DLLPath, read from the
// 64-bit registry view. REG_SZ or REG_EXPAND_SZ (environment variables expanded), any other type
// is an error (RRAS fails with ERROR_REGISTRY_CORRUPT). A missing key or empty value means no
// admin DLL, which is not an error.
#pragma once

#include <optional>
#include <string>

#include "common/dll_path_list.hpp"

namespace raswarden::host {

inline constexpr const wchar_t* admin_dll_key = L"SOFTWARE\\Microsoft\\RAS\\AdminDll";

// Empty with `error` set when the value exists but RRAS could not use it.
[[nodiscard]] std::optional<common::dll_path_list> read_registered_dlls(std::string& error);

}  // namespace raswarden::host
