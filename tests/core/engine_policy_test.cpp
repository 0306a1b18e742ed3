// The engine with the configured rule_policy: what callbacks answer and what they record.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/engine_fixture.hpp"
#include "core/fakes.hpp"
#include "raswarden/address.hpp"
#include "raswarden/engine.hpp"

namespace raswarden::core {
namespace {

using nlohmann::json;
using testing::fake_clock;
using testing::recording_diagnostics;

std::string all(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += p + "\n";
  return out;
}

connection_info connection(std::uint64_t handle, std::string user, std::string domain = "CORP") {
  connection_info c;
  c.handle = handle;
  c.user = std::move(user);
  c.domain = std::move(domain);
  c.if_type = interface_type::client;
  return c;
}

link_info link(std::uint64_t port, std::uint64_t owner, std::string device = "WAN Miniport (SSTP)") {
  link_info l;
  l.port = port;
  l.connection = owner;
  l.port_name = "VPN2-" + std::to_string(port);
  l.device = std::move(device);
  l.device_type = "vpn";
  return l;
}

std::uint32_t rras(const char* text) {
  return rras_from_number(ipv4_to_number(parse_ip_address(text).value()));
}

// Answers as a policy whose deciding fails.
class throwing_policy final : public admission_policy {
 public:
  explicit throwing_policy(bool accept_on_error) : accept_on_error_(accept_on_error) {}
  [[nodiscard]] decision decide_connection(const connection_info&, const registry_counts&) const override {
    throw std::runtime_error("rule table corrupted");
  }
  [[nodiscard]] decision decide_link(const link_info&, const connection_info*, const registry_counts&) const override {
    throw std::runtime_error("link rules corrupted");
  }
  [[nodiscard]] decision decide_reauthentication(const connection_info&) const override {
    throw std::logic_error("reauthentication rules corrupted");
  }
  [[nodiscard]] bool accept_on_error() const noexcept override { return accept_on_error_; }

 private:
  bool accept_on_error_;
};

class EnginePolicy : public testing::engine_fixture {
 protected:
  // The whole configuration text, parsed; the test fails if it has problems.
  settings configuration(const std::string& text) {
    const auto parsed = parse_settings(text, "raswarden.json");
    EXPECT_TRUE(parsed.usable()) << all(parsed.problems);
    return parsed.value;
  }

  std::shared_ptr<const admission_policy> policy(const settings& s) {
    return std::make_shared<rule_policy>(s.policy, time);
  }

  // Swaps in the policy and address settings of a configuration text, as a reload does.
  void load(const std::string& text) {
    const settings s = configuration(text);
    eng->replace_policy(policy(s), s.ip_assignment);
  }

  [[nodiscard]] json last() const { return records().back(); }
};

TEST_F(EnginePolicy, ConnectionRejectedByARuleIsRecordedWithRuleAndReason) {
  load(R"({"policy": {"rules": [{"name": "no-bob", "action": "reject", "match": {"users": ["bob"]}}]}})");
  EXPECT_FALSE(eng->accept_connection("MprAdminAcceptNewConnection3", connection(0x10, "Bob")));
  EXPECT_TRUE(eng->accept_connection("MprAdminAcceptNewConnection3", connection(0x11, "alice")));
  const auto rejects = records_of("connection-reject");
  ASSERT_EQ(rejects.size(), 1U);
  EXPECT_EQ(rejects[0]["user"], "Bob");
  EXPECT_EQ(rejects[0]["decision"], "reject");
  EXPECT_EQ(rejects[0]["rule"], "no-bob");
  EXPECT_EQ(rejects[0]["reason"], "matched rule \"no-bob\", which rejects");
  EXPECT_EQ(rejects[0]["enforced"], true);
  const auto accepts = records_of("connection-accept");
  ASSERT_EQ(accepts.size(), 1U);
  EXPECT_EQ(accepts[0]["rule"], "default");
  EXPECT_EQ(accepts[0]["reason"], "no rule matched and policy.default is \"accept\"");
  EXPECT_EQ(eng->registry_stats().live_connections, 1U) << "the rejected connection is not live";

  bool reported = false;
  for (const auto& e : diag.entries()) {
    if (e.about == topic::connection_rejected && e.message.find("no-bob") != std::string::npos) reported = true;
  }
  EXPECT_TRUE(reported);
}

TEST_F(EnginePolicy, SimultaneousUseLimitAcrossConnectAndHangup) {
  load(R"({"policy": {"max_sessions_per_user": 2}})");
  // One person in three forms: all count as "alice".
  EXPECT_TRUE(eng->accept_connection("cb", connection(1, "alice")));
  EXPECT_TRUE(eng->accept_connection("cb", connection(2, "CORP\\Alice", "")));
  EXPECT_FALSE(eng->accept_connection("cb", connection(3, "alice@corp.example", "")));
  EXPECT_TRUE(eng->accept_connection("cb", connection(4, "bob"))) << "another user has their own count";
  const json reject = records_of("connection-reject").at(0);
  EXPECT_EQ(reject["rule"], "policy.max_sessions_per_user");
  EXPECT_EQ(reject["reason"],
            "user \"alice\" already has 2 live session(s); the limit is 2 (policy.max_sessions_per_user)");

  eng->connection_hangup("cb", connection(3, "alice@corp.example", ""));  // the rejected one: no change
  EXPECT_FALSE(eng->accept_connection("cb", connection(5, "alice")));
  eng->connection_hangup("cb", connection(1, "alice"));
  EXPECT_TRUE(eng->accept_connection("cb", connection(6, "alice"))) << "a hangup frees a place";
  EXPECT_FALSE(eng->accept_connection("cb", connection(7, "alice")));
  EXPECT_EQ(eng->registry_stats().live_connections, 3U);
}

TEST_F(EnginePolicy, WithAnAliasARejectRuleRefusesEveryFormOfTheUser) {
  load(R"({"policy": {"domain_aliases": {"corp.example": "CORP"},
                      "rules": [{"name": "no-bob", "action": "reject", "match": {"users": ["CORP\\bob"]}}]}})");
  EXPECT_FALSE(eng->accept_connection("cb", connection(1, "bob", "CORP")));
  EXPECT_FALSE(eng->accept_connection("cb", connection(2, "CORP\\bob", "")));
  EXPECT_FALSE(eng->accept_connection("cb", connection(3, "bob@corp.example", "")));
  EXPECT_TRUE(eng->accept_connection("cb", connection(4, "alice@corp.example", "")));
  const auto rejects = records_of("connection-reject");
  ASSERT_EQ(rejects.size(), 3U);
  EXPECT_EQ(rejects[2]["user"], "bob@corp.example");
  EXPECT_EQ(rejects[2]["rule"], "no-bob");
}

// Simultaneous use is counted by account, so both forms share one count; with an alias the rule
// that sets the limit also matches both forms, so neither form escapes the rule's limit.
TEST_F(EnginePolicy, WithAnAliasARulesLimitCountsBothFormsTogether) {
  const std::string rule = R"("rules": [{"name": "bob-once", "action": "accept", "max_sessions_per_user": 1,
                                         "match": {"users": ["CORP\\bob"]}}])";
  load(R"({"policy": {"domain_aliases": {"corp.example": "CORP"}, )" + rule + "}}");
  EXPECT_TRUE(eng->accept_connection("cb", connection(1, "CORP\\bob", "")));
  EXPECT_FALSE(eng->accept_connection("cb", connection(2, "bob@corp.example", "")));
  EXPECT_FALSE(eng->accept_connection("cb", connection(3, "bob", "CORP")));
  const json reject = records_of("connection-reject").at(0);
  EXPECT_EQ(reject["rule"], "bob-once");
  EXPECT_EQ(reject["reason"],
            "user \"bob\" already has 1 live session(s); the limit is 1 (max_sessions_per_user of rule \"bob-once\")");
  eng->connection_hangup("cb", connection(1, "CORP\\bob", ""));
  EXPECT_TRUE(eng->accept_connection("cb", connection(4, "bob@corp.example", ""))) << "the hangup freed the place";
  EXPECT_FALSE(eng->accept_connection("cb", connection(5, "CORP\\bob", "")));
  EXPECT_EQ(eng->registry_stats().live_connections, 1U);

  // Without the alias the UPN form matches no rule and gets the (unlimited) default instead:
  // check-config warns about such a rule.
  load(R"({"policy": {)" + rule + "}}");
  EXPECT_TRUE(eng->accept_connection("cb", connection(6, "bob@corp.example", "")));
  EXPECT_FALSE(eng->accept_connection("cb", connection(7, "CORP\\bob", ""))) << "two live sessions of bob";
}

TEST_F(EnginePolicy, CountsSurviveAReload) {
  load(R"({"policy": {}})");
  for (std::uint64_t h = 1; h <= 3; ++h) ASSERT_TRUE(eng->accept_connection("cb", connection(h, "alice")));
  load(R"({"policy": {"max_sessions_per_user": 2}})");
  EXPECT_FALSE(eng->accept_connection("cb", connection(4, "alice")))
      << "sessions admitted under the old policy count against the new limit";
  eng->connection_hangup("cb", connection(1, "alice"));
  EXPECT_FALSE(eng->accept_connection("cb", connection(5, "alice"))) << "two are still live";
  eng->connection_hangup("cb", connection(2, "alice"));
  EXPECT_TRUE(eng->accept_connection("cb", connection(6, "alice")));
  EXPECT_EQ(eng->registry_stats().live_connections, 2U);
}

TEST_F(EnginePolicy, TotalLimitAcrossUsers) {
  load(R"({"policy": {"max_sessions_total": 2}})");
  EXPECT_TRUE(eng->accept_connection("cb", connection(1, "a")));
  EXPECT_TRUE(eng->accept_connection("cb", connection(2, "b")));
  EXPECT_FALSE(eng->accept_connection("cb", connection(3, "c")));
  EXPECT_EQ(records_of("connection-reject").at(0)["rule"], "policy.max_sessions_total");
  eng->connection_hangup("cb", connection(2, "b"));
  EXPECT_TRUE(eng->accept_connection("cb", connection(4, "c")));
}

TEST_F(EnginePolicy, MultilinkLimitThroughAcceptLink) {
  load(R"({"policy": {"max_links_per_connection": 2}})");
  ASSERT_TRUE(eng->accept_connection("cb", connection(0x100, "alice")));
  EXPECT_TRUE(eng->accept_link("MprAdminAcceptNewLink", link(1, 0x100)));
  EXPECT_TRUE(eng->accept_link("MprAdminAcceptNewLink", link(2, 0x100)));
  EXPECT_FALSE(eng->accept_link("MprAdminAcceptNewLink", link(3, 0x100)));
  const auto rejects = records_of("link-reject");
  ASSERT_EQ(rejects.size(), 1U);
  EXPECT_EQ(rejects[0]["rule"], "policy.max_links_per_connection");
  EXPECT_EQ(rejects[0]["reason"], "the connection already has 2 live link(s); the limit is 2");
  EXPECT_EQ(rejects[0]["port"], "VPN2-3");
  EXPECT_EQ(records_of("link-accept").at(1)["reason"], "link 2 of at most 2");

  eng->link_hangup("MprAdminLinkHangupNotification", link(1, 0x100));
  EXPECT_TRUE(eng->accept_link("MprAdminAcceptNewLink", link(4, 0x100)));
  ASSERT_TRUE(eng->accept_connection("cb", connection(0x200, "bob")));
  EXPECT_TRUE(eng->accept_link("MprAdminAcceptNewLink", link(5, 0x200))) << "each connection has its own count";
  EXPECT_EQ(eng->registry_stats().live_links, 3U);
}

TEST_F(EnginePolicy, TunnelRuleGetsItsSayWhenTheFirstLinkShowsTheTunnel) {
  load(R"({"policy": {"rules": [{"name": "no-pptp", "action": "reject", "match": {"tunnels": ["pptp"]}}]}})");
  ASSERT_TRUE(eng->accept_connection("cb", connection(0x100, "alice")));  // PPP-based: tunnel unknown
  EXPECT_FALSE(eng->accept_link("MprAdminAcceptNewLink", link(1, 0x100, "WAN Miniport (PPTP)")));
  const json reject = records_of("link-reject").at(0);
  EXPECT_EQ(reject["rule"], "no-pptp");
  EXPECT_EQ(reject["reason"], "matched rule \"no-pptp\", which rejects, once the link showed the tunnel (pptp)");
  ASSERT_TRUE(eng->accept_connection("cb", connection(0x200, "bob")));
  EXPECT_TRUE(eng->accept_link("MprAdminAcceptNewLink", link(2, 0x200, "WAN Miniport (SSTP)")));
}

TEST_F(EnginePolicy, AuditModeRecordsTheRejectButAnswersAccept) {
  load(R"({"policy": {"mode": "audit", "max_sessions_per_user": 1,
                      "rules": [{"name": "no-bob", "action": "reject", "match": {"users": ["bob"]}}]}})");
  EXPECT_TRUE(eng->accept_connection("cb", connection(1, "bob")));
  const json reject = records_of("connection-reject").at(0);
  EXPECT_EQ(reject["decision"], "reject");
  EXPECT_EQ(reject["rule"], "no-bob");
  EXPECT_EQ(reject["enforced"], false);
  EXPECT_EQ(eng->registry_stats().live_connections, 1U) << "RRAS was told accept, so the session is live";

  EXPECT_TRUE(eng->accept_connection("cb", connection(2, "alice")));
  EXPECT_TRUE(eng->accept_connection("cb", connection(3, "alice")));
  const auto rejects = records_of("connection-reject");
  ASSERT_EQ(rejects.size(), 2U);
  EXPECT_EQ(rejects[1]["rule"], "policy.max_sessions_per_user");
  EXPECT_EQ(rejects[1]["enforced"], false);
  EXPECT_EQ(records_of("connection-accept").at(0)["enforced"], false);
}

TEST_F(EnginePolicy, PolicyThatThrowsAnswersOnErrorReject) {
  make_engine(std::make_unique<throwing_policy>(false));
  EXPECT_FALSE(eng->accept_connection("MprAdminAcceptNewConnection3", connection(1, "alice")));
  const json reject = records_of("connection-reject").at(0);
  EXPECT_EQ(reject["rule"], "policy.on_error");
  EXPECT_EQ(reject["reason"], "deciding failed: rule table corrupted");
  EXPECT_EQ(reject["enforced"], true);
  EXPECT_FALSE(eng->accept_on_internal_error());
  EXPECT_FALSE(eng->accept_reauthentication("MprAdminAcceptReauthenticationEx", connection(1, "alice")));
  EXPECT_EQ(last()["rule"], "policy.on_error");
  EXPECT_EQ(last()["reason"], "deciding failed: reauthentication rules corrupted");
  EXPECT_GE(diag.count(severity::error), 2U);
}

TEST_F(EnginePolicy, PolicyThatThrowsAnswersOnErrorAccept) {
  make_engine(std::make_unique<throwing_policy>(true));
  EXPECT_TRUE(eng->accept_connection("cb", connection(1, "alice")));
  const json accept = records_of("connection-accept").at(0);
  EXPECT_EQ(accept["rule"], "policy.on_error");
  EXPECT_EQ(accept["reason"], "deciding failed: rule table corrupted");
  EXPECT_TRUE(eng->accept_link("cb", link(2, 1)));
  EXPECT_EQ(records_of("link-accept").at(0)["reason"], "deciding failed: link rules corrupted");
  bool reported = false;
  for (const auto& e : diag.entries()) {
    if (e.level == severity::error && e.about == topic::internal_error &&
        e.message.find("rule table corrupted") != std::string::npos) {
      reported = true;
    }
  }
  EXPECT_TRUE(reported);
}

TEST_F(EnginePolicy, ReauthenticationFollowsPolicyReauthentication) {
  load(R"({"policy": {"reauthentication": "reject"}})");
  ASSERT_TRUE(eng->accept_connection("cb", connection(1, "alice")));
  EXPECT_FALSE(eng->accept_reauthentication("MprAdminAcceptReauthentication", connection(1, "alice")));
  EXPECT_EQ(last()["event"], "reauth-reject");
  EXPECT_EQ(last()["rule"], "policy.reauthentication");
  load(R"({"policy": {"reauthentication": "rules", "default": "reject",
                      "rules": [{"name": "alice", "action": "accept", "match": {"users": ["alice"]}}]}})");
  EXPECT_TRUE(eng->accept_reauthentication("MprAdminAcceptReauthentication", connection(1, "alice")));
  EXPECT_EQ(last()["event"], "reauth-accept");
  EXPECT_EQ(last()["rule"], "alice");
}

// ---- address assignment ----------------------------------------------------------------------

constexpr const char* pools_config = R"({
  "policy": {"rules": [{"name": "guests", "action": "accept", "pool": "guests", "match": {"users": ["guest*"]}}]},
  "ip_assignment": {
    "enabled": true,
    "static": {"alice": "10.0.0.9"},
    "pools": [
      {"name": "general", "range": "10.0.0.0/24"},
      {"name": "guests", "range": "10.0.1.0/30"}
    ],
    "ipv6_interface_ids": {"first": "0:0:0:1", "last": "0:0:0:1"}
  }
})";

TEST_F(EnginePolicy, Ipv4FromTheRulesPoolAndStaticAddresses) {
  load(pools_config);
  const ipv4_assignment guest = eng->assign_ipv4("MprAdminGetIpAddressForUser", {"guest1", "VPN2-1"}, 0);
  EXPECT_TRUE(guest.ok);
  EXPECT_TRUE(guest.notify_release);
  EXPECT_EQ(guest.address, rras("10.0.1.1"));
  json r = last();
  EXPECT_EQ(r["event"], "ip-assign");
  EXPECT_EQ(r["family"], "ipv4");
  EXPECT_EQ(r["user"], "guest1");
  EXPECT_EQ(r["port"], "VPN2-1");
  EXPECT_EQ(r["source"], "pool");
  EXPECT_EQ(r["pool"], "guests");
  EXPECT_EQ(r["address"], "10.0.1.1");
  EXPECT_FALSE(r.contains("decision"));

  EXPECT_EQ(eng->assign_ipv4("cb", {"carol", "VPN2-2"}, rras("192.168.9.9")).address, rras("10.0.0.1"));
  EXPECT_EQ(last()["pool"], "general");

  EXPECT_EQ(eng->assign_ipv4("cb", {"alice", "VPN2-3"}, 0).address, rras("10.0.0.9"));
  EXPECT_EQ(last()["source"], "static");
  EXPECT_FALSE(last().contains("pool"));
}

TEST_F(EnginePolicy, ExhaustedPoolRefusesTheAddressAndRecordsWhy) {
  load(pools_config);
  ASSERT_TRUE(eng->assign_ipv4("cb", {"guest1", "VPN2-1"}, 0).ok);
  ASSERT_TRUE(eng->assign_ipv4("cb", {"guest2", "VPN2-2"}, 0).ok);
  const ipv4_assignment none = eng->assign_ipv4("cb", {"guest3", "VPN2-3"}, rras("192.168.9.9"));
  EXPECT_FALSE(none.ok);
  EXPECT_EQ(none.address, 0U);
  EXPECT_FALSE(none.notify_release);
  const json r = last();
  EXPECT_EQ(r["event"], "ip-assign");
  EXPECT_EQ(r["decision"], "reject");
  EXPECT_EQ(r["rule"], "ip_assignment");
  EXPECT_EQ(r["reason"], "pool \"guests\" is exhausted: all 2 addresses are in use");
  EXPECT_EQ(r["enforced"], true);
  EXPECT_EQ(r["pool"], "guests");
  EXPECT_FALSE(r.contains("address"));

  eng->release_ipv4("MprAdminReleaseIpAddress", {"guest1", "VPN2-1"}, rras("10.0.1.1"));
  EXPECT_EQ(last()["event"], "ip-release");
  EXPECT_EQ(last()["source"], "raswarden");
  EXPECT_EQ(last()["address"], "10.0.1.1");
  EXPECT_EQ(eng->assign_ipv4("cb", {"guest3", "VPN2-3"}, 0).address, rras("10.0.1.1"));

  eng->release_ipv4("MprAdminReleaseIpAddress", {"x", "VPN9-9"}, rras("192.168.9.9"));
  EXPECT_EQ(last()["source"], "rras") << "an address we never leased";
}

TEST_F(EnginePolicy, ExhaustedPoolInAuditModeLeavesRrasItsOwnAddress) {
  std::string audit = pools_config;
  audit.replace(audit.find("\"policy\": {"), 11, "\"policy\": {\"mode\": \"audit\", ");
  load(audit);
  ASSERT_TRUE(eng->assign_ipv4("cb", {"guest1", "VPN2-1"}, 0).ok);
  ASSERT_TRUE(eng->assign_ipv4("cb", {"guest2", "VPN2-2"}, 0).ok);
  const ipv4_assignment kept = eng->assign_ipv4("cb", {"guest3", "VPN2-3"}, rras("192.168.9.9"));
  EXPECT_TRUE(kept.ok);
  EXPECT_EQ(kept.address, rras("192.168.9.9"));
  EXPECT_EQ(last()["decision"], "reject");
  EXPECT_EQ(last()["enforced"], false);
  EXPECT_EQ(last()["address"], "192.168.9.9");
}

TEST_F(EnginePolicy, AddressesPassThroughWhileIpAssignmentIsDisabled) {
  load(R"({"ip_assignment": {"enabled": false, "pools": [{"name": "p", "range": "10.0.0.0/24"}]}})");
  const ipv4_assignment a = eng->assign_ipv4("cb", {"u", "VPN2-1"}, rras("192.168.9.9"));
  EXPECT_TRUE(a.ok);
  EXPECT_EQ(a.address, rras("192.168.9.9"));
  EXPECT_EQ(last()["source"], "rras");
}

TEST_F(EnginePolicy, Ipv6InterfaceIdentifiersFromThePool) {
  load(pools_config);
  std::array<std::uint8_t, 16> proposed{0xfe, 0x80};
  proposed[15] = 0x77;  // RRAS's own identifier, replaced by ours
  const ipv6_assignment first = eng->assign_ipv6("MprAdminGetIpv6AddressForUser", {"u1", "VPN2-1"}, proposed);
  EXPECT_TRUE(first.ok);
  std::array<std::uint8_t, 16> expected{0xfe, 0x80};
  expected[15] = 1;
  EXPECT_EQ(first.address, expected) << "RRAS's prefix with our interface identifier";
  EXPECT_EQ(last()["family"], "ipv6");
  EXPECT_EQ(last()["source"], "pool");
  EXPECT_EQ(last()["pool"], "ipv6_interface_ids");
  EXPECT_EQ(last()["address"], "fe80::1");

  const ipv6_assignment none = eng->assign_ipv6("cb", {"u2", "VPN2-2"}, proposed);
  EXPECT_FALSE(none.ok);
  EXPECT_FALSE(none.notify_release);
  EXPECT_EQ(last()["decision"], "reject");
  EXPECT_EQ(last()["reason"], "ipv6_interface_ids is exhausted: all 1 identifiers are in use");

  eng->release_ipv6("MprAdminReleaseIpv6AddressForUser", {"u1", "VPN2-1"}, first.address);
  EXPECT_EQ(last()["event"], "ip-release");
  EXPECT_EQ(last()["source"], "raswarden");
  EXPECT_TRUE(eng->assign_ipv6("cb", {"u2", "VPN2-2"}, proposed).ok);
}

TEST_F(EnginePolicy, LeasesSurviveAReload) {
  load(pools_config);
  const std::uint32_t held = eng->assign_ipv4("cb", {"guest1", "VPN2-1"}, 0).address;
  load(pools_config);
  EXPECT_EQ(eng->assign_ipv4("cb", {"guest1", "VPN2-1"}, 0).address, held) << "the same holder asking again";
  const std::uint32_t other = eng->assign_ipv4("cb", {"guest2", "VPN2-2"}, 0).address;
  EXPECT_NE(other, held);
  EXPECT_FALSE(eng->assign_ipv4("cb", {"guest3", "VPN2-3"}, 0).ok);
}

// ---- reload under load -----------------------------------------------------------------------

TEST_F(EnginePolicy, ReloadUnderLoadDropsNoDecision) {
  const settings open = configuration(R"({"policy": {}})");
  const settings strict = configuration(R"({"policy": {"max_sessions_total": 2,
      "rules": [{"name": "no-odd", "action": "reject", "match": {"users": ["*1", "*3", "*5", "*7", "*9"]}}]}})");
  const auto open_policy = policy(open);
  const auto strict_policy = policy(strict);
  eng->replace_policy(open_policy, open.ip_assignment);

  constexpr int workers = 4;
  constexpr int iterations = 200;
  std::atomic<bool> done{false};
  std::atomic<int> swaps{0};
  std::thread reloader([&] {
    bool flip = true;
    do {
      const settings& s = flip ? strict : open;
      eng->replace_policy(flip ? strict_policy : open_policy, s.ip_assignment);
      swaps.fetch_add(1);
      flip = !flip;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    } while (!done.load());
  });
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < workers; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < iterations; ++i) {
        const std::uint64_t handle = (static_cast<std::uint64_t>(t) + 1) << 32 | static_cast<std::uint64_t>(i);
        const connection_info c = connection(handle, "user" + std::to_string(t) + "-" + std::to_string(i));
        if (eng->accept_connection("MprAdminAcceptNewConnection3", c)) accepted.fetch_add(1);
        eng->connection_hangup("MprAdminConnectionHangupNotification3", c);
      }
    });
  }
  for (auto& th : threads) th.join();
  done = true;
  reloader.join();

  std::map<std::string, int> decisions;  // session id -> accept/reject records
  std::map<std::string, int> stops;
  int accept_records = 0;
  for (const json& r : records()) {
    const std::string event = r["event"];
    if (event == "connection-accept" || event == "connection-reject") {
      ++decisions[r["session_id"].get<std::string>()];
      accept_records += event == "connection-accept" ? 1 : 0;
    } else if (event == "connection-stop") {
      ++stops[r["session_id"].get<std::string>()];
    }
  }
  EXPECT_EQ(decisions.size(), static_cast<std::size_t>(workers * iterations));
  EXPECT_EQ(stops.size(), static_cast<std::size_t>(workers * iterations));
  for (const auto& [id, n] : decisions) {
    EXPECT_EQ(n, 1) << id;
    EXPECT_EQ(stops[id], 1) << id << " has no connection-stop";
  }
  EXPECT_EQ(accept_records, accepted.load());
  EXPECT_GT(swaps.load(), 0);
  const auto stats = eng->registry_stats();
  EXPECT_EQ(stats.live_connections, 0U);
  EXPECT_EQ(stats.live_links, 0U);
  EXPECT_EQ(stats.duplicates, 0U);
  EXPECT_EQ(stats.unknown_hangups, 0U);
}

}  // namespace
}  // namespace raswarden::core
