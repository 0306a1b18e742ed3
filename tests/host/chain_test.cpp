// host::admin_chain drives several admin DLLs as RRAS does (mprapi-reference.md 4.6): every DLL
// must accept, hangups and terminate reach every DLL, and the IP callbacks go only to the first
// DLL that exports them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/admin_chain.hpp"
#include "host/host_test_support.hpp"
#include "win32/system.hpp"

namespace raswarden::testing {
namespace {

std::vector<std::string> users_of(const std::vector<nlohmann::json>& records) {
  std::vector<std::string> users;
  for (const auto& r : records) users.push_back(r.value("user", ""));
  return users;
}

std::unique_ptr<host::admin_chain> chain_of(std::vector<std::unique_ptr<host::admin_dll>> dlls) {
  return std::make_unique<host::admin_chain>(std::move(dlls), true, nullptr);
}

constexpr DWORD ipv4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return a | (b << 8) | (c << 16) | (d << 24);
}

TEST(admin_chain, a_connection_needs_every_dll_to_accept) {
  const raswarden_config config;
  std::vector<std::unique_ptr<host::admin_dll>> dlls;
  dlls.push_back(load_accepted(L"raswarden.dll"));
  dlls.push_back(load_accepted(L"test_rejecting.dll"));
  ASSERT_NE(dlls[0], nullptr);
  ASSERT_NE(dlls[1], nullptr);
  const host::admin_dll& rejecting = *dlls[1];
  const auto chain = chain_of(std::move(dlls));
  const long accepts = test_dll_count(rejecting, "MprAdminAcceptNewConnection");
  const long refusals = test_dll_count(rejecting, "rejected");
  const long link_accepts = test_dll_count(rejecting, "MprAdminAcceptNewLink");
  const long link_hangups = test_dll_count(rejecting, "MprAdminLinkHangupNotification");
  const long hangups = test_dll_count(rejecting, "MprAdminConnectionHangupNotification");
  const long terminates = test_dll_count(rejecting, "MprAdminTerminateDll");

  const auto alice_spec = connection_for(L"alice", 1);
  auto alice = host::make_connection(alice_spec);
  EXPECT_TRUE(chain->accept_connection(*alice));
  auto port = host::make_port(link_for(alice_spec, 0));
  EXPECT_TRUE(chain->accept_link(port));
  chain->hangup_link(port);
  chain->hangup_connection(*alice);

  // raswarden accepts deny-x; the second DLL refuses, so the connection is refused.
  auto denied = host::make_connection(connection_for(L"deny-x", 2));
  EXPECT_FALSE(chain->accept_connection(*denied));

  EXPECT_EQ(test_dll_count(rejecting, "MprAdminAcceptNewConnection"), accepts + 2);
  EXPECT_EQ(test_dll_count(rejecting, "rejected"), refusals + 1);
  EXPECT_EQ(test_dll_count(rejecting, "MprAdminAcceptNewLink"), link_accepts + 1);
  EXPECT_EQ(test_dll_count(rejecting, "MprAdminLinkHangupNotification"), link_hangups + 1);
  EXPECT_EQ(test_dll_count(rejecting, "MprAdminConnectionHangupNotification"), hangups + 1);
  // Both DLLs saw both connections and alice's link and hangups; raswarden, which had accepted
  // deny-x before the second DLL refused it, sees deny-x hang up (no session stays open).
  EXPECT_EQ(users_of(config.records_of("connection-accept")), (std::vector<std::string>{"alice", "deny-x"}));
  EXPECT_EQ(config.records_of("link-accept").size(), 1u);
  EXPECT_EQ(config.records_of("link-stop").size(), 1u);
  EXPECT_EQ(users_of(config.records_of("connection-stop")), (std::vector<std::string>{"alice", "deny-x"}));

  // Terminate reaches every DLL.
  chain->terminate();
  EXPECT_EQ(test_dll_count(rejecting, "MprAdminTerminateDll"), terminates + 1);
  EXPECT_EQ(config.records_of("service-stop").size(), 1u);
}

TEST(admin_chain, a_refusal_stops_the_chain_before_later_dlls) {
  const raswarden_config config;
  std::vector<std::unique_ptr<host::admin_dll>> dlls;
  dlls.push_back(load_accepted(L"test_rejecting.dll"));
  dlls.push_back(load_accepted(L"raswarden.dll"));
  ASSERT_NE(dlls[0], nullptr);
  ASSERT_NE(dlls[1], nullptr);
  const auto chain = chain_of(std::move(dlls));
  auto denied = host::make_connection(connection_for(L"deny-x", 1));
  auto alice = host::make_connection(connection_for(L"alice", 2));
  EXPECT_FALSE(chain->accept_connection(*denied));
  EXPECT_TRUE(chain->accept_connection(*alice));
  chain->hangup_connection(*alice);
  // raswarden.dll, second in line, was never asked about deny-x.
  EXPECT_EQ(users_of(config.records_of("connection-accept")), (std::vector<std::string>{"alice"}));
  EXPECT_TRUE(config.records_of("connection-reject").empty());
  chain->terminate();
  EXPECT_EQ(config.records_of("service-stop").size(), 1u);
}

TEST(admin_chain, ip_callbacks_go_only_to_the_first_dll_that_exports_them) {
  const raswarden_config config;
  std::vector<std::unique_ptr<host::admin_dll>> dlls;
  dlls.push_back(load_accepted(L"test_rejecting.dll"));  // no IP callbacks: skipped
  dlls.push_back(load_accepted(L"test_fixed_ipv4.dll"));
  dlls.push_back(load_accepted(L"raswarden.dll"));
  for (const auto& dll : dlls) ASSERT_NE(dll, nullptr);
  const host::admin_dll& fixed = *dlls[1];
  const auto chain = chain_of(std::move(dlls));
  ASSERT_TRUE(chain->has_ipv4());
  const long gets = test_dll_count(fixed, "MprAdminGetIpAddressForUser");
  const long releases = test_dll_count(fixed, "MprAdminReleaseIpAddress");

  std::wstring user = L"alice";
  std::wstring port = L"VPN1-7";
  DWORD address = ipv4(10, 1, 2, 3);  // RRAS's proposal
  BOOL notify = FALSE;
  EXPECT_EQ(chain->get_ipv4(user.data(), port.data(), address, notify), static_cast<DWORD>(NO_ERROR));
  EXPECT_EQ(address, ipv4(10, 99, 0, 1));
  EXPECT_EQ(notify, TRUE);
  chain->release_ipv4(user.data(), port.data(), address);
  EXPECT_EQ(test_dll_count(fixed, "MprAdminGetIpAddressForUser"), gets + 1);
  EXPECT_EQ(test_dll_count(fixed, "MprAdminReleaseIpAddress"), releases + 1);
  // raswarden.dll exports the pair too but, being later in line, is never asked.
  EXPECT_TRUE(config.records_of("ip-assign").empty());
  EXPECT_TRUE(config.records_of("ip-release").empty());
  chain->terminate();
}

TEST(admin_chain, ip_callbacks_in_raswarden_first_pass_rras_choice_through) {
  const raswarden_config config;
  std::vector<std::unique_ptr<host::admin_dll>> dlls;
  dlls.push_back(load_accepted(L"raswarden.dll"));
  dlls.push_back(load_accepted(L"test_fixed_ipv4.dll"));
  for (const auto& dll : dlls) ASSERT_NE(dll, nullptr);
  const host::admin_dll& fixed = *dlls[1];
  const auto chain = chain_of(std::move(dlls));
  const long gets = test_dll_count(fixed, "MprAdminGetIpAddressForUser");
  const long releases = test_dll_count(fixed, "MprAdminReleaseIpAddress");

  std::wstring user = L"alice";
  std::wstring port = L"VPN1-7";
  DWORD address = ipv4(10, 1, 2, 3);
  BOOL notify = FALSE;
  EXPECT_EQ(chain->get_ipv4(user.data(), port.data(), address, notify), static_cast<DWORD>(NO_ERROR));
  EXPECT_EQ(address, ipv4(10, 1, 2, 3));
  EXPECT_EQ(notify, TRUE);
  chain->release_ipv4(user.data(), port.data(), address);
  EXPECT_EQ(test_dll_count(fixed, "MprAdminGetIpAddressForUser"), gets);
  EXPECT_EQ(test_dll_count(fixed, "MprAdminReleaseIpAddress"), releases);
  const auto assigned = config.records_of("ip-assign");
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].value("address", ""), "10.1.2.3");
  EXPECT_EQ(assigned[0].value("user", ""), "alice");
  EXPECT_EQ(config.records_of("ip-release").size(), 1u);
  chain->terminate();
}

TEST(admin_chain, without_ip_callbacks_rras_keeps_its_choice) {
  std::vector<std::unique_ptr<host::admin_dll>> dlls;
  dlls.push_back(load_accepted(L"test_rejecting.dll"));
  ASSERT_NE(dlls[0], nullptr);
  const auto chain = chain_of(std::move(dlls));
  EXPECT_FALSE(chain->has_ipv4());
  std::wstring user = L"alice";
  std::wstring port = L"VPN1-7";
  DWORD address = ipv4(10, 1, 2, 3);
  BOOL notify = TRUE;
  EXPECT_EQ(chain->get_ipv4(user.data(), port.data(), address, notify), static_cast<DWORD>(NO_ERROR));
  EXPECT_EQ(address, ipv4(10, 1, 2, 3));
  EXPECT_EQ(notify, FALSE);
  chain->terminate();
}

}  // namespace
}  // namespace raswarden::testing
