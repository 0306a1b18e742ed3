// Reading string values from the 64-bit registry view, the way RRAS reads its own: REG_SZ or
// REG_EXPAND_SZ, anything else is an error that names the type found.
#pragma once

#include <windows.h>

#include <string>

namespace raswarden::win32 {

enum class registry_read : std::uint8_t { ok, missing, failed };

// Reads HKLM\`key` `value` into `out` (stopping at the first NUL; REG_EXPAND_SZ is expanded).
// A missing key, missing value or empty string is `missing`; `failed` sets `error` to a sentence
// naming the key and value.
registry_read read_machine_string(const wchar_t* key, const wchar_t* value, std::wstring& out, std::string& error);

[[nodiscard]] const char* registry_type_name(DWORD type) noexcept;

}  // namespace raswarden::win32
