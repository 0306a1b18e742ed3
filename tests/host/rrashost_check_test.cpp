// rrashost --check as an administrator runs it: a child process whose exit code and output say
// whether RRAS would start with the DLL, and why not.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "host/host_test_support.hpp"
#include "win32/system.hpp"

namespace raswarden::testing {
namespace {

struct check_case {
  const wchar_t* dll;
  const char* reason;
};

// Names the DLL in test listings instead of dumping the struct's bytes.
void PrintTo(const check_case& c, std::ostream* out) {
  for (const wchar_t* p = c.dll; *p != L'\0'; ++p) *out << static_cast<char>(*p);
}

class rrashost_check_refuses : public ::testing::TestWithParam<check_case> {};

TEST_P(rrashost_check_refuses, exits_1_naming_the_problem) {
  const check_case& c = GetParam();
  const auto result = run_rrashost({L"--check", L"--dll", beside_tests(c.dll)});
  EXPECT_EQ(result.exit_code, 1u) << result.all();
  // The table (stdout) and the summary (stderr) both name the rule that is broken.
  EXPECT_NE(result.out.find(c.reason), std::string::npos) << result.out;
  EXPECT_NE(result.err.find(c.reason), std::string::npos) << result.err;
  EXPECT_NE(result.out.find("would REFUSE this DLL"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("verdict: DOES NOT CONFORM"), std::string::npos) << result.out;
  EXPECT_NE(result.err.find("RRAS would refuse"), std::string::npos) << result.err;
}

INSTANTIATE_TEST_SUITE_P(
    broken_dlls, rrashost_check_refuses,
    ::testing::Values(check_case{L"broken_missing_link.dll", "MprAdminLinkHangupNotification is missing"},
                      check_case{L"broken_revision3.dll", "callbacks revision is 3"},
                      check_case{L"broken_ipv4_half.dll", "IPv4 pair incomplete"},
                      check_case{L"broken_init_denied.dll", "MprAdminInitializeDll returned 5"},
                      check_case{L"broken_ex_no_hangup.dll",
                                 "revision 2 without lpfnRasAdminConnectionHangupNotificationEx"},
                      check_case{L"broken_no_accept.dll", "none of MprAdminAcceptNewConnection, 2 or 3 is exported"}),
    [](const ::testing::TestParamInfo<check_case>& param) {
      std::string name;
      for (const wchar_t* p = param.param.dll; *p != L'.' && *p != L'\0'; ++p) name.push_back(static_cast<char>(*p));
      return name;
    });

TEST(rrashost_check, raswarden_conforms) {
  const raswarden_config config;  // the child inherits RASWARDEN_CONFIG: records go to a temp folder
  const auto result = run_rrashost({L"--check", L"--dll", beside_tests(L"raswarden.dll")});
  EXPECT_EQ(result.exit_code, 0u) << result.all();
  EXPECT_NE(result.out.find("verdict: CONFORMS"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("MprAdminInitializeDllEx (callbacks revision 2)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("RRAS loader: would load this DLL"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("documented contract: fully met"), std::string::npos) << result.out;
  // --check initializes and then terminates the DLL.
  EXPECT_EQ(config.records_of("service-start").size(), 1u);
  EXPECT_EQ(config.records_of("service-stop").size(), 1u);
}

TEST(rrashost_check, loader_accepts_but_the_contract_is_not_met_exits_1) {
  const auto result = run_rrashost({L"--check", L"--dll", beside_tests(L"test_rejecting.dll")});
  EXPECT_EQ(result.exit_code, 1u) << result.all();
  EXPECT_NE(result.out.find("RRAS loader: would load this DLL"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("neither MprAdminAcceptReauthentication nor its Ex form is exported"), std::string::npos)
      << result.out;
  EXPECT_EQ(result.err.find("RRAS would refuse"), std::string::npos) << result.err;
}

TEST(rrashost_check, every_dll_is_checked_in_order_and_the_first_refusal_stops) {
  const raswarden_config config;
  const auto result =
      run_rrashost({L"--check", L"--dll", beside_tests(L"raswarden.dll"), L"--dll",
                    beside_tests(L"broken_missing_link.dll"), L"--dll", beside_tests(L"test_fixed_ipv4.dll")});
  EXPECT_EQ(result.exit_code, 1u) << result.all();
  EXPECT_NE(result.out.find("raswarden.dll"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("MprAdminLinkHangupNotification is missing"), std::string::npos) << result.out;
  // As RRAS, nothing after the refused DLL is loaded.
  EXPECT_EQ(result.out.find("test_fixed_ipv4.dll"), std::string::npos) << result.out;
  // The DLL loaded before the refusal is terminated.
  EXPECT_EQ(config.records_of("service-stop").size(), 1u);
}

TEST(rrashost_check, a_dll_that_does_not_exist_fails_to_start) {
  const auto result = run_rrashost({L"--check", L"--dll", beside_tests(L"no_such_admin.dll")});
  EXPECT_EQ(result.exit_code, 1u) << result.all();
  EXPECT_NE(result.err.find("cannot load"), std::string::npos) << result.err;
}

TEST(rrashost_check, bad_usage_exits_2) {
  const auto nothing = run_rrashost({L"--dll", beside_tests(L"raswarden.dll")});
  EXPECT_EQ(nothing.exit_code, 2u) << nothing.all();
  EXPECT_NE(nothing.err.find("say what to do"), std::string::npos) << nothing.err;
  const auto unknown = run_rrashost({L"--chekc"});
  EXPECT_EQ(unknown.exit_code, 2u) << unknown.all();
  EXPECT_NE(unknown.err.find("unknown argument \"--chekc\""), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace raswarden::testing
