#include "host/admin_dll.hpp"

#include <fmt/format.h>

#include "win32/system.hpp"

namespace raswarden::host {

std::unique_ptr<admin_dll> admin_dll::load(const std::wstring& path, std::string& error) {
  win32::unique_hmodule module(::LoadLibraryExW(path.c_str(), nullptr, LOAD_LIBRARY_SEARCH_DEFAULT_DIRS));
  if (!module) {
    error = fmt::format("cannot load {}: {}", win32::to_utf8(path), win32::describe_error(::GetLastError()));
    return nullptr;
  }
  return std::unique_ptr<admin_dll>(new admin_dll(path, std::move(module)));
}

std::vector<std::string> admin_dll::initialize() {
  entry_ = entry_points{};
  entry_.initialize_ex = resolve<PMPRADMININITIALIZEDLLEX>("MprAdminInitializeDllEx");
  if (entry_.initialize_ex != nullptr) {
    // RRAS zero-fills the 104-byte struct, calls the DLL, and from then on uses only the struct.
    entry_.ex_path = true;
    MPRAPI_ADMIN_DLL_CALLBACKS callbacks{};
    const DWORD result = entry_.initialize_ex(&callbacks);
    entry_.callbacks = callbacks;
    if (result != NO_ERROR) return {fmt::format("MprAdminInitializeDllEx returned {}", result)};
    return validate();
  }

  entry_.callbacks.revision = MPRAPI_ADMIN_DLL_VERSION_1;
  entry_.initialize = resolve<PMPRADMININITIALIZEDLL>("MprAdminInitializeDll");
  entry_.callbacks.lpfnRasAdminTerminateDll = resolve<PMPRADMINTERMINATEDLL>("MprAdminTerminateDll");
  entry_.accept_connection = resolve<PMPRADMINACCEPTNEWCONNECTION>("MprAdminAcceptNewConnection");
  entry_.accept_connection2 = resolve<PMPRADMINACCEPTNEWCONNECTION2>("MprAdminAcceptNewConnection2");
  entry_.accept_connection3 = resolve<PMPRADMINACCEPTNEWCONNECTION3>("MprAdminAcceptNewConnection3");
  entry_.callbacks.lpfnRasAdminAcceptNewLink = resolve<PMPRADMINACCEPTNEWLINK>("MprAdminAcceptNewLink");
  entry_.accept_reauthentication = resolve<PMPRADMINACCEPTREAUTHENTICATION>("MprAdminAcceptReauthentication");
  entry_.hangup = resolve<PMPRADMINCONNECTIONHANGUPNOTIFICATION>("MprAdminConnectionHangupNotification");
  entry_.hangup2 = resolve<PMPRADMINCONNECTIONHANGUPNOTIFICATION2>("MprAdminConnectionHangupNotification2");
  entry_.hangup3 = resolve<PMPRADMINCONNECTIONHANGUPNOTIFICATION3>("MprAdminConnectionHangupNotification3");
  if (entry_.initialize != nullptr) {
    if (const DWORD result = entry_.initialize(); result != NO_ERROR) {
      return {fmt::format("MprAdminInitializeDll returned {}", result)};
    }
  }
  // RRAS resolves these only after a successful initialize.
  entry_.callbacks.lpfnRasAdminLinkHangupNotification =
      resolve<PMPRADMINLINKHANGUPNOTIFICATION>("MprAdminLinkHangupNotification");
  entry_.callbacks.lpfnMprAdminGetIpAddressForUser =
      resolve<PMPRADMINGETIPADDRESSFORUSER>("MprAdminGetIpAddressForUser");
  entry_.callbacks.lpfnMprAdminReleaseIpAddress = resolve<PMPRADMINRELEASEIPADRESS>("MprAdminReleaseIpAddress");
  entry_.callbacks.lpfnMprAdminGetIpv6AddressForUser =
      resolve<PMPRADMINGETIPV6ADDRESSFORUSER>("MprAdminGetIpv6AddressForUser");
  entry_.callbacks.lpfnMprAdminReleaseIpV6AddressForUser =
      resolve<PMPRADMINRELEASEIPV6ADDRESSFORUSER>("MprAdminReleaseIpv6AddressForUser");
  return validate();
}

std::vector<std::string> admin_dll::validate() const {
  // RRAS's ValidateAdminDllFunctions (mprapi-reference.md 1.9); any failure is error 87.
  std::vector<std::string> problems;
  const MPRAPI_ADMIN_DLL_CALLBACKS& c = entry_.callbacks;
  if (c.revision != MPRAPI_ADMIN_DLL_VERSION_1 && c.revision != MPRAPI_ADMIN_DLL_VERSION_2) {
    problems.push_back(fmt::format("callbacks revision is {}; RRAS accepts only 1 or 2", c.revision));
  }
  if ((c.lpfnMprAdminGetIpAddressForUser == nullptr) != (c.lpfnMprAdminReleaseIpAddress == nullptr)) {
    problems.push_back(c.lpfnMprAdminGetIpAddressForUser == nullptr
                           ? "MprAdminReleaseIpAddress without MprAdminGetIpAddressForUser (IPv4 pair incomplete)"
                           : "MprAdminGetIpAddressForUser without MprAdminReleaseIpAddress (IPv4 pair incomplete)");
  }
  if ((c.lpfnMprAdminGetIpv6AddressForUser == nullptr) != (c.lpfnMprAdminReleaseIpV6AddressForUser == nullptr)) {
    problems.push_back(
        c.lpfnMprAdminGetIpv6AddressForUser == nullptr
            ? "MprAdminReleaseIpv6AddressForUser without MprAdminGetIpv6AddressForUser (IPv6 pair incomplete)"
            : "MprAdminGetIpv6AddressForUser without MprAdminReleaseIpv6AddressForUser (IPv6 pair incomplete)");
  }
  if (c.lpfnRasAdminAcceptNewLink == nullptr) problems.emplace_back("MprAdminAcceptNewLink is missing");
  if (c.lpfnRasAdminLinkHangupNotification == nullptr)
    problems.emplace_back("MprAdminLinkHangupNotification is missing");
  if (c.revision == MPRAPI_ADMIN_DLL_VERSION_2) {
    if (c.lpfnRasAdminAcceptNewConnectionEx == nullptr) {
      problems.emplace_back("revision 2 without lpfnRasAdminAcceptNewConnectionEx");
    }
    if (c.lpfnRasAdminConnectionHangupNotificationEx == nullptr) {
      problems.emplace_back("revision 2 without lpfnRasAdminConnectionHangupNotificationEx");
    }
  } else if (c.revision == MPRAPI_ADMIN_DLL_VERSION_1) {
    if (entry_.accept_connection == nullptr && entry_.accept_connection2 == nullptr &&
        entry_.accept_connection3 == nullptr) {
      problems.emplace_back("none of MprAdminAcceptNewConnection, 2 or 3 is exported");
    }
    if (entry_.hangup == nullptr && entry_.hangup2 == nullptr && entry_.hangup3 == nullptr) {
      problems.emplace_back("none of MprAdminConnectionHangupNotification, 2 or 3 is exported");
    }
  }
  return problems;
}

DWORD admin_dll::terminate() {
  return entry_.callbacks.lpfnRasAdminTerminateDll != nullptr ? entry_.callbacks.lpfnRasAdminTerminateDll() : NO_ERROR;
}

bool admin_dll::accept_connection(connection_structs& c) const {
  if (entry_.ex_path) return entry_.callbacks.lpfnRasAdminAcceptNewConnectionEx(&c.ex) != FALSE;
  if (entry_.accept_connection3 != nullptr) return entry_.accept_connection3(&c.c0, &c.c1, &c.c2, &c.c3) != FALSE;
  if (entry_.accept_connection2 != nullptr) return entry_.accept_connection2(&c.c0, &c.c1, &c.c2) != FALSE;
  return entry_.accept_connection(&c.c0, &c.c1) != FALSE;
}

void admin_dll::hangup_connection(connection_structs& c) const {
  if (entry_.ex_path) {
    entry_.callbacks.lpfnRasAdminConnectionHangupNotificationEx(&c.ex);
  } else if (entry_.hangup3 != nullptr) {
    entry_.hangup3(&c.c0, &c.c1, &c.c2, &c.c3);
  } else if (entry_.hangup2 != nullptr) {
    entry_.hangup2(&c.c0, &c.c1, &c.c2);
  } else {
    entry_.hangup(&c.c0, &c.c1);
  }
}

bool admin_dll::accept_link(port_structs& p) const {
  return entry_.callbacks.lpfnRasAdminAcceptNewLink(&p.p0, &p.p1) != FALSE;
}

bool admin_dll::reauthenticate(connection_structs& c) const {
  if (entry_.ex_path) {
    return entry_.callbacks.lpfnRasAdminAcceptReauthenticationEx == nullptr ||
           entry_.callbacks.lpfnRasAdminAcceptReauthenticationEx(&c.ex) != FALSE;
  }
  return entry_.accept_reauthentication == nullptr ||
         entry_.accept_reauthentication(&c.c0, &c.c1, &c.c2, &c.c3) != FALSE;
}

void admin_dll::hangup_link(port_structs& p) const {
  entry_.callbacks.lpfnRasAdminLinkHangupNotification(&p.p0, &p.p1);
}

}  // namespace raswarden::host
