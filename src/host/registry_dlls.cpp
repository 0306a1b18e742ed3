#include "host/registry_dlls.hpp"

#include <fmt/format.h>

#include <vector>

#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::host {

std::optional<common::dll_path_list> read_registered_dlls(std::string& error) {
  HKEY raw = nullptr;
  LSTATUS status = ::RegOpenKeyExW(HKEY_LOCAL_MACHINE, admin_dll_key, 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &raw);
  const win32::unique_hkey key(raw);
  if (status == ERROR_FILE_NOT_FOUND) return common::dll_path_list{};
  if (status != ERROR_SUCCESS) {
    error = fmt::format("cannot open HKLM\\{}: {}", win32::to_utf8(admin_dll_key),
                        win32::describe_error(static_cast<DWORD>(status)));
    return std::nullopt;
  }
  DWORD type = 0;
  DWORD size = 0;
  status = ::RegQueryValueExW(key.get(), L"DLLPath", nullptr, &type, nullptr, &size);
  if (status == ERROR_FILE_NOT_FOUND || (status == ERROR_SUCCESS && size <= sizeof(wchar_t))) {
    return common::dll_path_list{};
  }
  if (status != ERROR_SUCCESS) {
    error = fmt::format("cannot read DLLPath: {}", win32::describe_error(static_cast<DWORD>(status)));
    return std::nullopt;
  }
  if (type != REG_SZ && type != REG_EXPAND_SZ) {
    error = fmt::format(
        "DLLPath has registry type {} ({}); RRAS accepts only REG_SZ or REG_EXPAND_SZ and fails to start with "
        "ERROR_REGISTRY_CORRUPT (1015)",
        type,
        type == REG_MULTI_SZ ? "REG_MULTI_SZ"
        : type == REG_DWORD  ? "REG_DWORD"
                             : "other");
    return std::nullopt;
  }
  std::vector<wchar_t> buffer(size / sizeof(wchar_t) + 1, L'\0');
  DWORD read = size;
  status = ::RegQueryValueExW(key.get(), L"DLLPath", nullptr, &type, reinterpret_cast<BYTE*>(buffer.data()), &read);
  if (status != ERROR_SUCCESS) {
    error = fmt::format("cannot read DLLPath: {}", win32::describe_error(static_cast<DWORD>(status)));
    return std::nullopt;
  }
  const std::wstring value(buffer.data());  // stops at the first NUL, as RRAS's string handling does
  return common::parse_dll_path(win32::expand_environment(value));
}

}  // namespace raswarden::host
