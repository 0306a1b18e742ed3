// Reading string values from the 64-bit registry view, the way RRAS reads its own: REG_SZ or
// REG_EXPAND_SZ, anything else is an error that names the type found.
#pragma once

#include <windows.h>

#include <cstdint>
#include <string>

namespace raswarden::win32 {

enum class registry_read : std::uint8_t { ok, missing, failed };

enum class expansion : std::uint8_t {
  expand_sz_only,  // the Windows convention: only REG_EXPAND_SZ holds %variables%
  always,          // RRAS's loader runs DLLPath through ExpandEnvironmentStringsW whatever its type
};

// Reads HKLM\`key` `value` into `out` (stopping at the first NUL, environment variables expanded
// as `expand` says). A missing key, missing value or empty string is `missing`; `failed` sets
// `error` to a sentence naming the key and value.
registry_read read_machine_string(const wchar_t* key, const wchar_t* value, std::wstring& out, std::string& error,
                                  expansion expand = expansion::expand_sz_only);

[[nodiscard]] const char* registry_type_name(DWORD type) noexcept;

// Reads HKLM\`key` `value` as a REG_DWORD. A missing key or value is `missing`; a value of another
// type, or one that cannot be read, is `failed` with `error` naming the key, the value and why.
registry_read read_machine_dword(const wchar_t* key, const wchar_t* value, DWORD& out, std::string& error);

// A value as stored, of any type (string types as text, without expansion), for tools that edit
// it and must write it back in the same form.
struct stored_value {
  std::wstring text;
  DWORD type = REG_NONE;
};
registry_read read_machine_value(const wchar_t* key, const wchar_t* value, stored_value& out, std::string& error);
// Creates the key when needed. REG_SZ or REG_EXPAND_SZ.
bool write_machine_string(const wchar_t* key, const wchar_t* value, const std::wstring& text, DWORD type,
                          std::string& error);
// A value that does not exist is not an error.
bool delete_machine_value(const wchar_t* key, const wchar_t* value, std::string& error);
[[nodiscard]] bool machine_key_exists(const wchar_t* key);

}  // namespace raswarden::win32
