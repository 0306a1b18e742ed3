// IPv4 and IPv6 address assignment: MprAdminGetIpAddressForUser / ReleaseIpAddress and the IPv6
// pair. RRAS calls them only in the first admin DLL that exports them, serialized as a group.
// The Get functions return NO_ERROR to let the connection proceed (anything else terminates it);
// *lpdwIpAddress holds RRAS's proposal (or 0) and may be replaced. On an internal failure the
// proposal is left untouched and NO_ERROR is answered unless the failure default is reject.
#include <algorithm>
#include <array>
#include <string_view>

#include "dll/export_guard.hpp"
#include "dll/ras_conversion.hpp"

namespace {
DWORD failure_result() noexcept {
  return raswarden::dll::answer_on_failure() ? NO_ERROR : ERROR_ACCESS_DENIED;
}
DWORD as_result(bool ok) {
  return ok ? NO_ERROR : ERROR_ACCESS_DENIED;
}

std::array<std::uint8_t, 16> bytes_of(const IN6_ADDR& address) {
  std::array<std::uint8_t, 16> out{};
  std::copy(std::begin(address.u.Byte), std::end(address.u.Byte), out.begin());
  return out;
}
}  // namespace

extern "C" {

DWORD WINAPI MprAdminGetIpAddressForUser(WCHAR* lpwszUserName, WCHAR* lpwszPortName, DWORD* lpdwIpAddress,
                                         WINBOOL* bNotifyRelease) {
  constexpr std::string_view callback = "MprAdminGetIpAddressForUser";
  return raswarden::dll::guarded(callback, failure_result(), [&]() -> DWORD {
    const auto engine = raswarden::dll::engine_for(callback);
    if (lpdwIpAddress == nullptr) return as_result(engine->malformed_call(callback, "lpdwIpAddress is null"));
    const auto assigned =
        engine->assign_ipv4(callback, raswarden::dll::to_address_request(lpwszUserName, lpwszPortName), *lpdwIpAddress);
    *lpdwIpAddress = assigned.address;
    if (bNotifyRelease != nullptr) *bNotifyRelease = assigned.notify_release ? TRUE : FALSE;
    return as_result(assigned.ok);
  });
}

VOID WINAPI MprAdminReleaseIpAddress(WCHAR* lpszUserName, WCHAR* lpszPortName, DWORD* lpdwIpAddress) {
  constexpr std::string_view callback = "MprAdminReleaseIpAddress";
  raswarden::dll::guarded_notification(callback, [&] {
    const auto engine = raswarden::dll::engine_for(callback);
    if (lpdwIpAddress == nullptr) {
      engine->malformed_call(callback, "lpdwIpAddress is null");
      return;
    }
    engine->release_ipv4(callback, raswarden::dll::to_address_request(lpszUserName, lpszPortName), *lpdwIpAddress);
  });
}

DWORD CALLBACK MprAdminGetIpv6AddressForUser(WCHAR* lpwszUserName, WCHAR* lpwszPortName, IN6_ADDR* lpdwIpv6Address,
                                             WINBOOL* bNotifyRelease) {
  constexpr std::string_view callback = "MprAdminGetIpv6AddressForUser";
  return raswarden::dll::guarded(callback, failure_result(), [&]() -> DWORD {
    const auto engine = raswarden::dll::engine_for(callback);
    if (lpdwIpv6Address == nullptr) return as_result(engine->malformed_call(callback, "lpdwIpv6Address is null"));
    const auto assigned = engine->assign_ipv6(
        callback, raswarden::dll::to_address_request(lpwszUserName, lpwszPortName), bytes_of(*lpdwIpv6Address));
    std::copy(assigned.address.begin(), assigned.address.end(), std::begin(lpdwIpv6Address->u.Byte));
    if (bNotifyRelease != nullptr) *bNotifyRelease = assigned.notify_release ? TRUE : FALSE;
    return as_result(assigned.ok);
  });
}

VOID APIENTRY MprAdminReleaseIpv6AddressForUser(WCHAR* lpwszUserName, WCHAR* lpwszPortName, IN6_ADDR* lpdwIpv6Address) {
  constexpr std::string_view callback = "MprAdminReleaseIpv6AddressForUser";
  raswarden::dll::guarded_notification(callback, [&] {
    const auto engine = raswarden::dll::engine_for(callback);
    if (lpdwIpv6Address == nullptr) {
      engine->malformed_call(callback, "lpdwIpv6Address is null");
      return;
    }
    engine->release_ipv6(callback, raswarden::dll::to_address_request(lpwszUserName, lpwszPortName),
                         bytes_of(*lpdwIpv6Address));
  });
}

}  // extern "C"
