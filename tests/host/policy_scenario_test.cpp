// The README demo's policy, played by rrashost against the real DLL as RRAS would call it: each
// refusal comes from the rule the configuration says, and addresses come from the static entry
// and the pool.
#include <fstream>
#include <sstream>

#include "host/host_test_support.hpp"
#include "win32/system.hpp"

namespace raswarden::testing {
namespace {

std::string source_file(const char* relative) {
  std::ifstream in(std::string(RASWARDEN_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::wstring source_path(const char* relative) {
  return L"Z:" + win32::to_wide(std::string(RASWARDEN_SOURCE_DIR) + "/" + relative);
}

nlohmann::json record_for(const std::vector<nlohmann::json>& records, std::string_view event, std::string_view user) {
  for (const auto& r : records) {
    if (r.at("event") == event && r.value("user", "") == user) return r;
  }
  ADD_FAILURE() << "no " << event << " record for " << user;
  return nlohmann::json::object();
}

TEST(policy_scenario, the_demo_policy_refuses_by_its_rules_and_assigns_from_its_pool) {
  nlohmann::json policy = nlohmann::json::parse(source_file("docs/scenarios/demo-policy.json"));
  const raswarden_config config(policy);
  const process_result run =
      run_rrashost({L"--dll", beside_tests(L"raswarden.dll"), L"--scenario", source_path("docs/scenarios/demo.json")});
  ASSERT_EQ(run.exit_code, 0u) << run.all();
  EXPECT_NE(run.out.find("connections: 5 accepted, 3 rejected; links: 5 accepted, 1 rejected; address refusals: 0"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("GetIpAddressForUser       alice      -> NO_ERROR 10.20.0.11"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("GetIpAddressForUser       bob        -> NO_ERROR 10.20.0.100"), std::string::npos) << run.out;

  const auto records = config.records();
  // One session per user: carol's phone arrives while her dial-up connection is up.
  const auto carol = record_for(records, "connection-reject", "carol");
  EXPECT_EQ(carol.value("rule", ""), "policy.max_sessions_per_user");
  EXPECT_EQ(record_for(records, "connection-reject", "ext-mallory").value("rule", ""), "partners");
  EXPECT_EQ(record_for(records, "connection-reject", "frank").value("rule", ""), "blocked-networks");
  // PPTP is known only from erin's first link.
  bool erin_link_refused = false;
  for (const auto& r : records) {
    if (r.at("event") == "link-reject" && r.value("rule", "") == "no-pptp" &&
        r.value("device", "") == "WAN Miniport (PPTP)") {
      erin_link_refused = true;
    }
  }
  EXPECT_TRUE(erin_link_refused);
  const auto alice_address = record_for(records, "ip-assign", "alice");
  EXPECT_EQ(alice_address.value("source", ""), "static");
  // Every address handed out was released, and never twice to live sessions.
  std::size_t assigned = 0;
  std::size_t released = 0;
  for (const auto& r : records) {
    if (r.at("event") == "ip-assign" && r.value("family", "") == "ipv4" && r.contains("address")) ++assigned;
    if (r.at("event") == "ip-release" && r.value("family", "") == "ipv4" && r.value("source", "") == "raswarden")
      ++released;
  }
  EXPECT_EQ(assigned, 8u);
  EXPECT_EQ(released, 8u);
}

}  // namespace
}  // namespace raswarden::testing
