// host::admin_dll loads admin DLLs as RRAS does and refuses what RRAS's loader refuses
// (mprapi-reference.md 1.9), checked in-process against small DLLs built with the tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "host/admin_dll.hpp"
#include "host/conformance.hpp"
#include "host/host_test_support.hpp"

namespace raswarden::testing {
namespace {

struct refusal_case {
  const wchar_t* dll;
  const char* reason;          // what the refusal must say
  bool ex_path;                // loaded through MprAdminInitializeDllEx
  const char* also = nullptr;  // a second rule the DLL breaks, if any
};

// Names the DLL in test listings instead of dumping the struct's bytes.
void PrintTo(const refusal_case& c, std::ostream* out) {
  for (const wchar_t* p = c.dll; *p != L'\0'; ++p) *out << static_cast<char>(*p);
}

class admin_dll_refusal : public ::testing::TestWithParam<refusal_case> {};

TEST_P(admin_dll_refusal, is_refused_with_its_reason) {
  const refusal_case& c = GetParam();
  std::string error;
  auto dll = host::admin_dll::load(beside_tests(c.dll), error);
  ASSERT_NE(dll, nullptr) << error;
  const std::vector<std::string> problems = dll->initialize();
  ASSERT_EQ(problems.size(), c.also != nullptr ? 2u : 1u) << "got " << problems.size() << " refusals";
  EXPECT_NE(problems.front().find(c.reason), std::string::npos) << problems.front();
  if (c.also != nullptr) {
    EXPECT_NE(problems.back().find(c.also), std::string::npos) << problems.back();
  }
  EXPECT_EQ(dll->entry().ex_path, c.ex_path);
  // The conformance report keeps the loader's refusal and so does not conform.
  const auto report = host::check_conformance(*dll, problems);
  EXPECT_FALSE(report.conforms());
  EXPECT_EQ(report.loader_refusals, problems);
}

INSTANTIATE_TEST_SUITE_P(
    broken_dlls, admin_dll_refusal,
    ::testing::Values(
        refusal_case{L"broken_missing_link.dll", "MprAdminLinkHangupNotification is missing", false},
        refusal_case{L"broken_revision3.dll", "callbacks revision is 3", true},
        refusal_case{L"broken_ipv4_half.dll",
                     "MprAdminGetIpAddressForUser without MprAdminReleaseIpAddress (IPv4 pair incomplete)", false},
        refusal_case{L"broken_init_denied.dll", "MprAdminInitializeDll returned 5", false},
        refusal_case{L"broken_ex_no_hangup.dll", "revision 2 without lpfnRasAdminConnectionHangupNotificationEx", true},
        refusal_case{L"broken_no_accept.dll", "none of MprAdminAcceptNewConnection, 2 or 3 is exported", false},
        // The Ex pair exported by name is never looked up on the legacy path: neither half counts.
        refusal_case{L"broken_ex_by_name.dll", "none of MprAdminAcceptNewConnection, 2 or 3 is exported", false,
                     "none of MprAdminConnectionHangupNotification, 2 or 3 is exported"}),
    [](const ::testing::TestParamInfo<refusal_case>& param) {
      std::string name;
      for (const wchar_t* p = param.param.dll; *p != L'.' && *p != L'\0'; ++p) name.push_back(static_cast<char>(*p));
      return name;
    });

TEST(admin_dll, legacy_path_stops_after_a_failed_initialize) {
  // RRAS resolves MprAdminLinkHangupNotification and the IP pairs only after a successful
  // MprAdminInitializeDll, so a DLL refused there has none of them resolved.
  std::string error;
  auto dll = host::admin_dll::load(beside_tests(L"broken_init_denied.dll"), error);
  ASSERT_NE(dll, nullptr) << error;
  ASSERT_FALSE(dll->initialize().empty());
  EXPECT_NE(dll->entry().callbacks.lpfnRasAdminAcceptNewLink, nullptr);
  EXPECT_EQ(dll->entry().callbacks.lpfnRasAdminLinkHangupNotification, nullptr);
}

TEST(admin_dll, a_missing_file_is_a_load_error) {
  std::string error;
  EXPECT_EQ(host::admin_dll::load(beside_tests(L"no_such_admin.dll"), error), nullptr);
  EXPECT_NE(error.find("cannot load"), std::string::npos) << error;
  EXPECT_NE(error.find("no_such_admin.dll"), std::string::npos) << error;
}

TEST(admin_dll, raswarden_is_loaded_through_initialize_dll_ex_revision_2) {
  const raswarden_config config;
  auto dll = load_accepted(L"raswarden.dll");
  ASSERT_NE(dll, nullptr);
  const auto& e = dll->entry();
  EXPECT_TRUE(e.ex_path);
  EXPECT_EQ(e.callbacks.revision, MPRAPI_ADMIN_DLL_VERSION_2);
  EXPECT_NE(e.callbacks.lpfnRasAdminAcceptNewConnectionEx, nullptr);
  EXPECT_NE(e.callbacks.lpfnRasAdminConnectionHangupNotificationEx, nullptr);
  // On the Ex path RRAS looks up none of the named connection families.
  EXPECT_EQ(e.accept_connection, nullptr);
  EXPECT_EQ(e.accept_connection3, nullptr);
  EXPECT_TRUE(dll->has_ip_callbacks());
  const auto report = host::check_conformance(*dll, {});
  EXPECT_TRUE(report.conforms()) << host::format_conformance(report);
  EXPECT_EQ(dll->terminate(), static_cast<DWORD>(NO_ERROR));
  EXPECT_EQ(config.records_of("service-start").size(), 1u);
  EXPECT_EQ(config.records_of("service-stop").size(), 1u);
}

TEST(admin_dll, legacy_dll_uses_its_named_family_and_terminate) {
  auto dll = load_accepted(L"test_rejecting.dll");
  ASSERT_NE(dll, nullptr);
  EXPECT_FALSE(dll->entry().ex_path);
  EXPECT_EQ(dll->entry().callbacks.revision, MPRAPI_ADMIN_DLL_VERSION_1);
  EXPECT_FALSE(dll->has_ip_callbacks());
  const long initialized = test_dll_count(*dll, "MprAdminInitializeDll");
  EXPECT_GE(initialized, 1);

  auto alice = host::make_connection(connection_for(L"alice", 1));
  auto denied = host::make_connection(connection_for(L"deny-bob", 2));
  const long accepts = test_dll_count(*dll, "MprAdminAcceptNewConnection");
  EXPECT_TRUE(dll->accept_connection(*alice));
  EXPECT_FALSE(dll->accept_connection(*denied));
  EXPECT_EQ(test_dll_count(*dll, "MprAdminAcceptNewConnection"), accepts + 2);
  // Without an AcceptReauthentication export a DLL is taken to accept.
  EXPECT_TRUE(dll->reauthenticate(*denied));

  const long terminated = test_dll_count(*dll, "MprAdminTerminateDll");
  EXPECT_EQ(dll->terminate(), static_cast<DWORD>(NO_ERROR));
  EXPECT_EQ(test_dll_count(*dll, "MprAdminTerminateDll"), terminated + 1);
}

TEST(conformance, legacy_dll_without_reauthentication_loads_but_breaks_the_documented_contract) {
  auto dll = load_accepted(L"test_rejecting.dll");
  ASSERT_NE(dll, nullptr);
  const auto report = host::check_conformance(*dll, {});
  EXPECT_TRUE(report.loader_refusals.empty());
  EXPECT_FALSE(report.conforms());
  EXPECT_NE(std::find(report.contract_problems.begin(), report.contract_problems.end(),
                      "neither MprAdminAcceptReauthentication nor its Ex form is exported"),
            report.contract_problems.end());
  const std::string text = host::format_conformance(report);
  EXPECT_NE(text.find("RRAS loader: would load this DLL"), std::string::npos) << text;
  EXPECT_NE(text.find("verdict: DOES NOT CONFORM"), std::string::npos) << text;
  dll->terminate();
}

TEST(conformance, complete_legacy_dll_conforms) {
  auto dll = load_accepted(L"test_fixed_ipv4.dll");
  ASSERT_NE(dll, nullptr);
  const auto report = host::check_conformance(*dll, {});
  EXPECT_TRUE(report.conforms()) << host::format_conformance(report);
  EXPECT_EQ(report.load_path, "legacy named exports (revision 1)");
  EXPECT_EQ(report.architecture, sizeof(void*) == 8 ? "x64" : "x86");
  dll->terminate();
}

}  // namespace
}  // namespace raswarden::testing
