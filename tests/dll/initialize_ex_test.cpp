// MprAdminInitializeDllEx fills the SDK's 13-member, 104-byte struct: revision 2, every slot the
// DLL implements, the two undocumented slots NULL, and not one byte past the struct.
#include <cstring>

#include "dll/dll_fixture.hpp"
#include "win32/mprapi_sdk.hpp"

namespace raswarden::testing {
namespace {

class initialize_ex_test : public dll_test {};

TEST_F(initialize_ex_test, fills_the_sdk_layout_with_revision_2) {
  using init_ex_fn = DWORD(APIENTRY*)(void*);
  constexpr std::size_t sdk_size = 104;
  static_assert(sizeof(MPRAPI_ADMIN_DLL_CALLBACKS) == sdk_size);
  // RRAS zero-fills exactly 104 bytes; a guard area after them must stay untouched.
  alignas(8) unsigned char buffer[sdk_size + 64];
  std::memset(buffer, 0, sdk_size);
  std::memset(buffer + sdk_size, 0xCC, 64);
  ASSERT_EQ(fn<init_ex_fn>("MprAdminInitializeDllEx")(buffer), static_cast<DWORD>(NO_ERROR));
  for (std::size_t i = sdk_size; i < sizeof buffer; ++i) ASSERT_EQ(buffer[i], 0xCC) << "wrote past the struct at " << i;

  MPRAPI_ADMIN_DLL_CALLBACKS callbacks;
  std::memcpy(&callbacks, buffer, sdk_size);
  EXPECT_EQ(callbacks.revision, 2);
  const auto same = [](auto slot, const char* name) {
    return reinterpret_cast<void*>(slot) == reinterpret_cast<void*>(::GetProcAddress(module_, name));
  };
  EXPECT_TRUE(same(callbacks.lpfnMprAdminGetIpAddressForUser, "MprAdminGetIpAddressForUser"));
  EXPECT_TRUE(same(callbacks.lpfnMprAdminReleaseIpAddress, "MprAdminReleaseIpAddress"));
  EXPECT_TRUE(same(callbacks.lpfnMprAdminGetIpv6AddressForUser, "MprAdminGetIpv6AddressForUser"));
  EXPECT_TRUE(same(callbacks.lpfnMprAdminReleaseIpV6AddressForUser, "MprAdminReleaseIpv6AddressForUser"));
  EXPECT_TRUE(same(callbacks.lpfnRasAdminAcceptNewLink, "MprAdminAcceptNewLink"));
  EXPECT_TRUE(same(callbacks.lpfnRasAdminLinkHangupNotification, "MprAdminLinkHangupNotification"));
  EXPECT_TRUE(same(callbacks.lpfnRasAdminTerminateDll, "MprAdminTerminateDll"));
  EXPECT_TRUE(same(callbacks.lpfnRasAdminAcceptNewConnectionEx, "MprAdminAcceptNewConnectionEx"));
  EXPECT_TRUE(same(callbacks.lpfnRasAdminAcceptReauthenticationEx, "MprAdminAcceptReauthenticationEx"));
  EXPECT_TRUE(same(callbacks.lpfnRasAdminConnectionHangupNotificationEx, "MprAdminConnectionHangupNotificationEx"));
  EXPECT_EQ(callbacks.lpfnRasAdminAcceptEndpointChangeEx, nullptr);
  EXPECT_EQ(callbacks.lpfnRASValidatePreAuthenticatedConnectionEx, nullptr);

  // Terminate through the slot RRAS uses.
  EXPECT_EQ(callbacks.lpfnRasAdminTerminateDll(), static_cast<DWORD>(NO_ERROR));
  const auto all = records();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].at("callback"), "MprAdminInitializeDllEx");
  EXPECT_EQ(all[1].at("event"), "config-loaded");
  EXPECT_EQ(all[2].at("event"), "service-stop");
}

TEST_F(initialize_ex_test, null_struct_pointer_still_returns_no_error) {
  using init_ex_fn = DWORD(APIENTRY*)(void*);
  EXPECT_EQ(fn<init_ex_fn>("MprAdminInitializeDllEx")(nullptr), static_cast<DWORD>(NO_ERROR));
  terminate();
  EXPECT_EQ(records_of("service-start").size(), 1u);
  EXPECT_NE(diagnostic_log().find("null callbacks pointer"), std::string::npos) << diagnostic_log();
}

TEST_F(initialize_ex_test, initialize_returns_no_error_for_a_broken_configuration) {
  write_config("{\"accounting\": {\"directory\": 42}, \"policyy\": {}");  // invalid JSON
  initialize();
  using accept_ex_fn = BOOL(WINAPI*)(RAS_CONNECTION_EX*);
  RAS_CONNECTION_EX ex{};
  ex.Header = {MPRAPI_RAS_CONNECTION_OBJECT_REVISION_1, MPRAPI_OBJECT_TYPE_RAS_CONNECTION_OBJECT,
               sizeof(RAS_CONNECTION_EX)};
  ex.hConnection = reinterpret_cast<HANDLE>(0x77);
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&ex));
  terminate();
}

TEST_F(initialize_ex_test, initialize_returns_no_error_when_the_log_folder_cannot_be_created) {
  // Drive Q: does not exist in the test prefix, so neither the folder nor the log can be created.
  write_config("{\"schema\":1,\"accounting\":{\"directory\":\"Q:\\\\no\\\\such\\\\drive\"}}");
  initialize();
  using accept_ex_fn = BOOL(WINAPI*)(RAS_CONNECTION_EX*);
  RAS_CONNECTION_EX ex{};
  ex.Header = {MPRAPI_RAS_CONNECTION_OBJECT_REVISION_1, MPRAPI_OBJECT_TYPE_RAS_CONNECTION_OBJECT,
               sizeof(RAS_CONNECTION_EX)};
  ex.hConnection = reinterpret_cast<HANDLE>(0x78);
  EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&ex));
  terminate();
}

}  // namespace
}  // namespace raswarden::testing
