#include "win32/registry.hpp"

#include <fmt/format.h>

#include <vector>

#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

const char* registry_type_name(DWORD type) noexcept {
  switch (type) {
    case REG_SZ: return "REG_SZ";
    case REG_EXPAND_SZ: return "REG_EXPAND_SZ";
    case REG_MULTI_SZ: return "REG_MULTI_SZ";
    case REG_DWORD: return "REG_DWORD";
    case REG_QWORD: return "REG_QWORD";
    case REG_BINARY: return "REG_BINARY";
    default: return "other";
  }
}

registry_read read_machine_string(const wchar_t* key, const wchar_t* value, std::wstring& out, std::string& error,
                                  expansion expand) {
  stored_value stored;
  const registry_read read = read_machine_value(key, value, stored, error);
  if (read != registry_read::ok) return read;
  if (stored.type != REG_SZ && stored.type != REG_EXPAND_SZ) {
    error = fmt::format("HKLM\\{} value {} has the registry type {} ({}); expected REG_SZ or REG_EXPAND_SZ",
                        to_utf8(key), to_utf8(value), stored.type, registry_type_name(stored.type));
    return registry_read::failed;
  }
  if (stored.text.empty()) return registry_read::missing;
  out = stored.type == REG_EXPAND_SZ || expand == expansion::always ? expand_environment(stored.text) : stored.text;
  return registry_read::ok;
}

namespace {
// HKLM\`key` opened (64-bit view) for reading values: `missing` when the key does not exist.
registry_read open_for_reading(const wchar_t* key, unique_hkey& opened, std::string& error) {
  HKEY raw = nullptr;
  const LSTATUS status = ::RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &raw);
  opened.reset(raw);
  if (status == ERROR_FILE_NOT_FOUND) return registry_read::missing;
  if (status != ERROR_SUCCESS) {
    error = fmt::format("cannot open HKLM\\{}: {}", to_utf8(key), describe_error(static_cast<DWORD>(status)));
    return registry_read::failed;
  }
  return registry_read::ok;
}
}  // namespace

registry_read read_machine_value(const wchar_t* key, const wchar_t* value, stored_value& out, std::string& error) {
  unique_hkey opened;
  if (const registry_read found = open_for_reading(key, opened, error); found != registry_read::ok) return found;
  DWORD size = 0;
  LSTATUS status = ::RegQueryValueExW(opened.get(), value, nullptr, &out.type, nullptr, &size);
  if (status == ERROR_FILE_NOT_FOUND) return registry_read::missing;
  std::vector<wchar_t> buffer(size / sizeof(wchar_t) + 2, L'\0');
  DWORD read = size;
  if (status == ERROR_SUCCESS) {
    status = ::RegQueryValueExW(opened.get(), value, nullptr, &out.type, reinterpret_cast<BYTE*>(buffer.data()), &read);
  }
  if (status != ERROR_SUCCESS) {
    error = fmt::format("cannot read HKLM\\{} value {}: {}", to_utf8(key), to_utf8(value),
                        describe_error(static_cast<DWORD>(status)));
    return registry_read::failed;
  }
  // REG_MULTI_SZ keeps its NULs as separators; a string stops at its first NUL.
  std::size_t length = read / sizeof(wchar_t);
  while (length > 0 && buffer[length - 1] == L'\0') --length;
  out.text.assign(buffer.data(), length);
  if (out.type != REG_MULTI_SZ) out.text = out.text.c_str();
  return registry_read::ok;
}

registry_read read_machine_dword(const wchar_t* key, const wchar_t* value, DWORD& out, std::string& error) {
  unique_hkey opened;
  if (const registry_read found = open_for_reading(key, opened, error); found != registry_read::ok) return found;
  DWORD type = REG_NONE;
  DWORD data = 0;
  DWORD size = sizeof data;
  const LSTATUS status = ::RegQueryValueExW(opened.get(), value, nullptr, &type, reinterpret_cast<BYTE*>(&data), &size);
  if (status == ERROR_FILE_NOT_FOUND) return registry_read::missing;
  if (status == ERROR_SUCCESS && type == REG_DWORD && size == sizeof data) {
    out = data;
    return registry_read::ok;
  }
  error = status == ERROR_SUCCESS || status == ERROR_MORE_DATA
              ? fmt::format("HKLM\\{} value {} has the registry type {} ({}); expected REG_DWORD", to_utf8(key),
                            to_utf8(value), type, registry_type_name(type))
              : fmt::format("cannot read HKLM\\{} value {}: {}", to_utf8(key), to_utf8(value),
                            describe_error(static_cast<DWORD>(status)));
  return registry_read::failed;
}

bool write_machine_string(const wchar_t* key, const wchar_t* value, const std::wstring& text, DWORD type,
                          std::string& error) {
  HKEY raw = nullptr;
  LSTATUS status = ::RegCreateKeyExW(HKEY_LOCAL_MACHINE, key, 0, nullptr, 0, KEY_SET_VALUE | KEY_WOW64_64KEY, nullptr,
                                     &raw, nullptr);
  const unique_hkey opened(raw);
  if (status == ERROR_SUCCESS) {
    status = ::RegSetValueExW(opened.get(), value, 0, type, reinterpret_cast<const BYTE*>(text.c_str()),
                              static_cast<DWORD>((text.size() + 1) * sizeof(wchar_t)));
  }
  if (status != ERROR_SUCCESS) {
    error = fmt::format("cannot write HKLM\\{} value {}: {}", to_utf8(key), to_utf8(value),
                        describe_error(static_cast<DWORD>(status)));
    return false;
  }
  return true;
}

bool delete_machine_value(const wchar_t* key, const wchar_t* value, std::string& error) {
  HKEY raw = nullptr;
  LSTATUS status = ::RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_SET_VALUE | KEY_WOW64_64KEY, &raw);
  const unique_hkey opened(raw);
  if (status == ERROR_FILE_NOT_FOUND) return true;
  if (status == ERROR_SUCCESS) status = ::RegDeleteValueW(opened.get(), value);
  if (status != ERROR_SUCCESS && status != ERROR_FILE_NOT_FOUND) {
    error = fmt::format("cannot delete HKLM\\{} value {}: {}", to_utf8(key), to_utf8(value),
                        describe_error(static_cast<DWORD>(status)));
    return false;
  }
  return true;
}

bool machine_key_exists(const wchar_t* key) {
  HKEY raw = nullptr;
  const LSTATUS status = ::RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &raw);
  const unique_hkey opened(raw);
  return status == ERROR_SUCCESS;
}

}  // namespace raswarden::win32
