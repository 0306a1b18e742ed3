#include "host/registry_dlls.hpp"

#include <fmt/format.h>

#include "win32/registry.hpp"

namespace raswarden::host {

std::optional<common::dll_path_list> read_registered_dlls(std::string& error) {
  std::wstring value;
  switch (win32::read_machine_string(admin_dll_key, L"DLLPath", value, error, win32::expansion::always)) {
    case win32::registry_read::missing: return common::dll_path_list{};
    case win32::registry_read::failed:
      if (error.find("registry type") != std::string::npos) {
        error += "; RRAS fails to start with ERROR_REGISTRY_CORRUPT (1015)";
      }
      return std::nullopt;
    case win32::registry_read::ok: break;
  }
  return common::parse_dll_path(value);
}

}  // namespace raswarden::host
