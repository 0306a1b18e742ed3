// Loads an RRAS admin DLL the way RRAS does (mprapi-reference.md 1.9, 3): LoadLibraryExW, then
// either MprAdminInitializeDllEx with a zeroed 104-byte callbacks struct (and only that struct is
// used afterwards) or the legacy named exports, then RRAS's validation rules.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/ras_structs.hpp"
#include "win32/mprapi_sdk.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::host {

// What RRAS resolved: the callbacks struct (from InitializeDllEx, or assembled from named
// exports on the legacy path) plus the legacy connection families.
struct entry_points {
  bool ex_path = false;
  PMPRADMININITIALIZEDLL initialize = nullptr;
  PMPRADMININITIALIZEDLLEX initialize_ex = nullptr;
  MPRAPI_ADMIN_DLL_CALLBACKS callbacks{};
  PMPRADMINACCEPTNEWCONNECTION accept_connection = nullptr;
  PMPRADMINACCEPTNEWCONNECTION2 accept_connection2 = nullptr;
  PMPRADMINACCEPTNEWCONNECTION3 accept_connection3 = nullptr;
  PMPRADMINCONNECTIONHANGUPNOTIFICATION hangup = nullptr;
  PMPRADMINCONNECTIONHANGUPNOTIFICATION2 hangup2 = nullptr;
  PMPRADMINCONNECTIONHANGUPNOTIFICATION3 hangup3 = nullptr;
  PMPRADMINACCEPTREAUTHENTICATION accept_reauthentication = nullptr;
};

class admin_dll {
 public:
  // LoadLibraryExW(path, NULL, LOAD_LIBRARY_SEARCH_DEFAULT_DIRS), as RRAS does.
  static std::unique_ptr<admin_dll> load(const std::wstring& path, std::string& error);

  // Runs Initialize(Ex) and RRAS's validation. Returns what RRAS would refuse the DLL for
  // (empty: RRAS would keep it). A non-NO_ERROR Initialize result is one of those reasons.
  [[nodiscard]] std::vector<std::string> initialize();
  // MprAdminTerminateDll, if the DLL provided it. Returns its result.
  DWORD terminate();

  [[nodiscard]] const entry_points& entry() const noexcept { return entry_; }
  [[nodiscard]] const std::wstring& path() const noexcept { return path_; }
  [[nodiscard]] HMODULE module() const noexcept { return module_.get(); }

  // Admission and teardown through the family RRAS would use: the Ex callbacks on the Ex path,
  // else the richest named family the DLL exports (3, then 2, then 1).
  [[nodiscard]] bool accept_connection(connection_structs& c) const;
  void hangup_connection(connection_structs& c) const;
  [[nodiscard]] bool accept_link(port_structs& p) const;
  void hangup_link(port_structs& p) const;
  // Reauthentication (NAP) when the DLL has it; a DLL without it is taken to accept.
  [[nodiscard]] bool reauthenticate(connection_structs& c) const;
  [[nodiscard]] bool has_ip_callbacks() const noexcept {
    return entry_.callbacks.lpfnMprAdminGetIpAddressForUser != nullptr;
  }

 private:
  admin_dll(std::wstring path, win32::unique_hmodule module) : path_(std::move(path)), module_(std::move(module)) {}
  template <typename T>
  T resolve(const char* name) const {
    return reinterpret_cast<T>(reinterpret_cast<void*>(::GetProcAddress(module_.get(), name)));
  }
  [[nodiscard]] std::vector<std::string> validate() const;

  std::wstring path_;
  win32::unique_hmodule module_;
  entry_points entry_;
};

}  // namespace raswarden::host
