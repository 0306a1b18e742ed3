#include "raswarden/policy.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/fakes.hpp"

namespace raswarden::core {
namespace {

using testing::fake_clock;

// 2024-01-01T00:00:00Z was a Monday. `day` counts from it (0 = that Monday, 6 = Sunday, 7 = the
// next Monday).
constexpr std::int64_t monday_2024_ms = 1704067200000;
constexpr std::int64_t at_utc(int day, int hour, int minute) {
  return monday_2024_ms + ((std::int64_t{day} * 24 + hour) * 60 + minute) * 60000;
}

std::string all(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += p + "\n";
  return out;
}

connection_info user(std::string name, std::string domain = {}) {
  connection_info c;
  c.handle = 0x100;
  c.user = std::move(name);
  c.domain = std::move(domain);
  return c;
}

link_info link_on(std::string device, std::string device_type = "vpn") {
  link_info l;
  l.port = 0x200;
  l.connection = 0x100;
  l.port_name = "VPN2-13";
  l.device = std::move(device);
  l.device_type = std::move(device_type);
  return l;
}

class RulePolicy : public ::testing::Test {
 protected:
  // The policy object of a configuration text (only its "policy" part is used here).
  std::unique_ptr<rule_policy> make(const std::string& policy_json) {
    const auto parsed = parse_settings(R"({"policy": )" + policy_json + "}", "policy.json");
    EXPECT_TRUE(parsed.usable()) << all(parsed.problems);
    return std::make_unique<rule_policy>(parsed.value.policy, time);
  }

  // Whether a rule-only policy (default reject) accepts `c` at the current time.
  decision decide(const rule_policy& p, const connection_info& c, registry_counts counts = {}) {
    return p.decide_connection(c, counts);
  }

  fake_clock time{at_utc(0, 12, 0)};
};

// ---- identify_user, user_count_key -----------------------------------------------------------

TEST(IdentifyUser, SplitsDomainBackslashAccount) {
  const user_identity who = identify_user("CORP\\Alice", "IGNORED");
  EXPECT_EQ(who.account, "alice");
  EXPECT_EQ(who.domain, "corp");
}

TEST(IdentifyUser, SplitsUserAtRealmOnTheLastAt) {
  const user_identity who = identify_user("Alice@Corp.Example", "IGNORED");
  EXPECT_EQ(who.account, "alice");
  EXPECT_EQ(who.domain, "corp.example");
  const user_identity odd = identify_user("a@b@c", {});
  EXPECT_EQ(odd.account, "a@b");
  EXPECT_EQ(odd.domain, "c");
}

TEST(IdentifyUser, PlainAccountTakesTheLogonDomain) {
  const user_identity who = identify_user("ALICE", "CORP");
  EXPECT_EQ(who.account, "alice");
  EXPECT_EQ(who.domain, "corp");
  EXPECT_EQ(identify_user("alice", {}).domain, "");
}

TEST(IdentifyUser, BackslashWinsOverAtAndEmptyPartsStayEmpty) {
  const user_identity both = identify_user("CORP\\alice@x", {});
  EXPECT_EQ(both.domain, "corp");
  EXPECT_EQ(both.account, "alice@x");
  EXPECT_EQ(identify_user("\\alice", "CORP").domain, "");
  EXPECT_EQ(identify_user("alice@", "CORP").domain, "");
  EXPECT_EQ(identify_user("alice@", "CORP").account, "alice");
}

TEST(UserCountKey, EveryFormOfOnePersonCountsAsOneUser) {
  EXPECT_EQ(user_count_key("alice"), "alice");
  EXPECT_EQ(user_count_key("ALICE"), "alice");
  EXPECT_EQ(user_count_key("CORP\\Alice"), "alice");
  EXPECT_EQ(user_count_key("alice@corp.example"), "alice");
  EXPECT_NE(user_count_key("alicia"), "alice");
}

// ---- glob_match ------------------------------------------------------------------------------

TEST(GlobMatch, EmptyPatternAndText) {
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "a"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("**", ""));
  EXPECT_FALSE(glob_match("?", ""));
  EXPECT_FALSE(glob_match("*?", ""));
  EXPECT_FALSE(glob_match("a", ""));
}

TEST(GlobMatch, LiteralsAreExactAndCaseSensitive) {
  EXPECT_TRUE(glob_match("alice", "alice"));
  EXPECT_FALSE(glob_match("alice", "alicea"));
  EXPECT_FALSE(glob_match("alice", "alic"));
  EXPECT_FALSE(glob_match("A", "a"));
}

TEST(GlobMatch, QuestionMarkIsExactlyOneCharacter) {
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_FALSE(glob_match("a?c", "abbc"));
  EXPECT_TRUE(glob_match("???", "xyz"));
  EXPECT_TRUE(glob_match("*?", "x"));
}

TEST(GlobMatch, StarMatchesAnyRunIncludingNone) {
  EXPECT_TRUE(glob_match("a*", "a"));
  EXPECT_TRUE(glob_match("a*", "abc"));
  EXPECT_TRUE(glob_match("*a", "ba"));
  EXPECT_FALSE(glob_match("*a", "ab"));
  EXPECT_TRUE(glob_match("a*b", "ab"));
  EXPECT_FALSE(glob_match("a*b", "abc"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));
  EXPECT_TRUE(glob_match("**x**", "x"));
  EXPECT_TRUE(glob_match("*", "anything at all"));
}

TEST(GlobMatch, BacktracksPastAFalseStart) {
  EXPECT_TRUE(glob_match("*ab", "aab"));
  EXPECT_TRUE(glob_match("*aab", "aaab"));
  EXPECT_TRUE(glob_match("a*ab", "aaaab"));
  EXPECT_TRUE(glob_match("*.corp.example", "vpn.eu.corp.example"));
  EXPECT_FALSE(glob_match("*.corp.example", "corp.example"));
}

TEST(GlobMatch, PathologicalPatternFailsQuickly) {
  const std::string text(2000, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(glob_match("*a*a*a*a*a*a*a*", text));
}

// ---- users and domains -----------------------------------------------------------------------

TEST_F(RulePolicy, UserPatternWithoutDomainMatchesTheAccountInEveryForm) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "alice", "action": "accept",
                          "match": {"users": ["Alice"]}}]})");
  EXPECT_TRUE(decide(*p, user("alice")).accept);
  EXPECT_TRUE(decide(*p, user("ALICE", "CORP")).accept);
  EXPECT_TRUE(decide(*p, user("CORP\\alice")).accept);
  EXPECT_TRUE(decide(*p, user("alice@corp.example")).accept);
  EXPECT_FALSE(decide(*p, user("alicia")).accept);
  EXPECT_FALSE(decide(*p, user("bob")).accept);
  EXPECT_EQ(decide(*p, user("alice")).rule, "alice");
}

TEST_F(RulePolicy, UserGlobs) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "a-or-bob", "action": "accept",
                          "match": {"users": ["a*", "?ob"]}}]})");
  EXPECT_TRUE(decide(*p, user("alice")).accept);
  EXPECT_TRUE(decide(*p, user("a")).accept);
  EXPECT_TRUE(decide(*p, user("bob")).accept);
  EXPECT_TRUE(decide(*p, user("rob")).accept);
  EXPECT_FALSE(decide(*p, user("bobby")).accept);
  EXPECT_FALSE(decide(*p, user("carol")).accept);
}

TEST_F(RulePolicy, DomainBackslashPatternMatchesDomainAndAccountWhicheverFormTheUserCameIn) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "corp", "action": "accept",
                          "match": {"users": ["CORP\\a*"]}}]})");
  EXPECT_TRUE(decide(*p, user("alice", "CORP")).accept);
  EXPECT_TRUE(decide(*p, user("CORP\\Alice")).accept);
  EXPECT_TRUE(decide(*p, user("alice@corp")).accept);
  EXPECT_FALSE(decide(*p, user("alice", "OTHER")).accept);
  EXPECT_FALSE(decide(*p, user("alice")).accept) << "no domain known";
  EXPECT_FALSE(decide(*p, user("bob", "CORP")).accept);
  EXPECT_FALSE(decide(*p, user("alice@corp.example")).accept);
}

TEST_F(RulePolicy, RealmPatternMatchesAccountAndRealm) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "realm", "action": "accept",
                          "match": {"users": ["*@corp.example"]}}]})");
  EXPECT_TRUE(decide(*p, user("bob@CORP.EXAMPLE")).accept);
  EXPECT_TRUE(decide(*p, user("bob", "corp.example")).accept);
  EXPECT_TRUE(decide(*p, user("corp.example\\bob")).accept);
  EXPECT_FALSE(decide(*p, user("bob@other.example")).accept);
  EXPECT_FALSE(decide(*p, user("bob")).accept);
}

TEST_F(RulePolicy, Domains) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "domains", "action": "accept",
                          "match": {"domains": ["corp", "lab*"]}}]})");
  EXPECT_TRUE(decide(*p, user("x", "CORP")).accept);
  EXPECT_TRUE(decide(*p, user("LAB1\\x")).accept);
  EXPECT_TRUE(decide(*p, user("x@lab.example")).accept);
  EXPECT_FALSE(decide(*p, user("x", "corporate")).accept);
  EXPECT_FALSE(decide(*p, user("x")).accept);
}

TEST_F(RulePolicy, EveryMatchKeyOfARuleMustHold) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "both", "action": "accept",
                          "match": {"users": ["alice"], "domains": ["corp"]}}]})");
  EXPECT_TRUE(decide(*p, user("alice", "corp")).accept);
  EXPECT_FALSE(decide(*p, user("alice", "lab")).accept);
  EXPECT_FALSE(decide(*p, user("bob", "corp")).accept);
}

// ---- policy.domain_aliases -------------------------------------------------------------------

// The bypass the aliases close: without them, a reject rule for "CORP\bob" misses the UPN form.
TEST_F(RulePolicy, WithoutAliasesARejectRuleForTheNetbiosFormMissesTheUpnForm) {
  const auto p = make(R"({"rules": [{"name": "no-bob", "action": "reject", "match": {"users": ["CORP\\bob"]}}]})");
  EXPECT_FALSE(decide(*p, user("bob", "CORP")).accept);
  EXPECT_FALSE(decide(*p, user("CORP\\bob")).accept);
  EXPECT_TRUE(decide(*p, user("bob@corp.example")).accept) << "check-config warns about this rule";
}

TEST_F(RulePolicy, WithAnAliasARejectRuleForTheNetbiosFormRejectsEveryForm) {
  const auto p = make(R"({"domain_aliases": {"corp.example": "CORP"},
                          "rules": [{"name": "no-bob", "action": "reject", "match": {"users": ["CORP\\bob"]}}]})");
  for (const connection_info& c : {user("bob", "CORP"), user("CORP\\bob"), user("bob@corp.example"),
                                   user("BOB@Corp.Example", "IGNORED"), user("Corp\\Bob", "OTHER")}) {
    const decision d = decide(*p, c);
    EXPECT_FALSE(d.accept) << c.user << " / " << c.domain;
    EXPECT_EQ(d.rule, "no-bob") << c.user << " / " << c.domain;
  }
  EXPECT_TRUE(decide(*p, user("bob@other.example")).accept) << "an unmapped suffix is another domain";
  EXPECT_TRUE(decide(*p, user("OTHER\\bob")).accept);
  EXPECT_TRUE(decide(*p, user("bob")).accept) << "no domain known";
  EXPECT_TRUE(decide(*p, user("alice@corp.example")).accept);
  EXPECT_TRUE(decide(*p, user("corp.example.evil\\bob")).accept) << "names are compared whole";
}

TEST_F(RulePolicy, WithAnAliasARuleForTheUpnFormMatchesTheNetbiosForm) {
  const auto p = make(R"({"domain_aliases": {"Corp.Example": "corp"},
                          "rules": [{"name": "no-bob", "action": "reject", "match": {"users": ["bob@corp.example"]}}]})");
  EXPECT_FALSE(decide(*p, user("bob", "CORP")).accept);
  EXPECT_FALSE(decide(*p, user("CORP\\bob")).accept);
  EXPECT_FALSE(decide(*p, user("bob@CORP.example")).accept);
  EXPECT_TRUE(decide(*p, user("bob", "LAB")).accept);
}

TEST_F(RulePolicy, DomainRulesMatchAUpnSuffixThroughAnAlias) {
  const auto p = make(R"({"domain_aliases": {"corp.example": "CORP", "corp.com": "CORP", "lab.example": "LAB"},
                          "rules": [{"name": "no-corp", "action": "reject", "match": {"domains": ["corp"]}},
                                    {"name": "lab-by-suffix", "action": "reject", "match": {"domains": ["lab.example"]}},
                                    {"name": "globbed", "action": "reject", "match": {"domains": ["*.test"]}}]})");
  EXPECT_EQ(decide(*p, user("bob@corp.example")).rule, "no-corp");
  EXPECT_EQ(decide(*p, user("carol@Corp.Com")).rule, "no-corp") << "every suffix of the domain";
  EXPECT_EQ(decide(*p, user("dave", "corp")).rule, "no-corp");
  EXPECT_EQ(decide(*p, user("LAB\\erin")).rule, "lab-by-suffix") << "a suffix rule matches the NetBIOS form";
  EXPECT_EQ(decide(*p, user("erin", "lab")).rule, "lab-by-suffix");
  EXPECT_TRUE(decide(*p, user("frank@partner.example")).accept);
  EXPECT_TRUE(decide(*p, user("frank", "PARTNER")).accept);
}

TEST_F(RulePolicy, SiblingSuffixesOfOneDomainAreOneDomain) {
  const auto p = make(R"({"domain_aliases": {"corp.example": "CORP", "corp.com": "CORP"}, "default": "reject",
                          "rules": [{"name": "corp", "action": "accept", "match": {"users": ["*@corp.com"]}}]})");
  EXPECT_TRUE(decide(*p, user("bob@corp.example")).accept);
  EXPECT_TRUE(decide(*p, user("bob", "CORP")).accept);
  EXPECT_FALSE(decide(*p, user("bob@corp.net")).accept);
}

TEST_F(RulePolicy, AliasesApplyToTheRulesPerUserLimit) {
  const auto p = make(R"({"domain_aliases": {"corp.example": "CORP"}, "max_sessions_per_user": 5,
                          "rules": [{"name": "bob-once", "action": "accept", "max_sessions_per_user": 1,
                                     "match": {"users": ["CORP\\bob"]}}]})");
  registry_counts counts;
  counts.user_connections = 1;
  const decision d = decide(*p, user("bob@corp.example"), counts);
  EXPECT_FALSE(d.accept);
  EXPECT_EQ(d.rule, "bob-once");
}

TEST_F(RulePolicy, AliasesApplyToThePoolChoice) {
  const auto parsed = parse_settings(R"({"policy": {"domain_aliases": {"corp.example": "CORP"},
      "rules": [{"name": "corp", "action": "accept", "pool": "corp", "match": {"domains": ["corp"]}}]},
      "ip_assignment": {"pools": [{"name": "general", "range": "10.0.0.0/24"}, {"name": "corp", "range": "10.0.2.0/24"}]}})",
                                     "pools.json");
  ASSERT_TRUE(parsed.usable()) << all(parsed.problems);
  const rule_policy p(parsed.value.policy, time);
  EXPECT_EQ(p.pool_for(address_request{"bob@corp.example", "VPN2-1"}), "corp");
  EXPECT_EQ(p.pool_for(address_request{"bob@lab.example", "VPN2-1"}), "");
}

// ---- interface types, tunnels, endpoints -----------------------------------------------------

TEST_F(RulePolicy, InterfaceTypes) {
  const auto p = make(R"({"rules": [{"name": "no-routers", "action": "reject",
                          "match": {"interface_types": ["full-router", "home-router"]}}]})");
  connection_info c = user("branch1");
  c.if_type = interface_type::full_router;
  EXPECT_FALSE(decide(*p, c).accept);
  c.if_type = interface_type::home_router;
  EXPECT_FALSE(decide(*p, c).accept);
  c.if_type = interface_type::client;
  EXPECT_TRUE(decide(*p, c).accept);
  c.if_type.reset();
  EXPECT_TRUE(decide(*p, c).accept) << "an unknown interface type matches no interface_types rule";
}

TEST_F(RulePolicy, TunnelsKnownAtConnectionTime) {
  const auto p = make(R"({"rules": [{"name": "no-pptp", "action": "reject", "match": {"tunnels": ["pptp"]}}]})");
  connection_info c = user("alice");
  c.tunnel = tunnel_kind::pptp;
  EXPECT_FALSE(decide(*p, c).accept);
  EXPECT_EQ(decide(*p, c).rule, "no-pptp");
  c.tunnel = tunnel_kind::ikev2;
  EXPECT_TRUE(decide(*p, c).accept);
  c.tunnel.reset();
  EXPECT_TRUE(decide(*p, c).accept) << "an unknown tunnel matches no tunnels rule at connection time";
}

TEST_F(RulePolicy, LinkRechecksTunnelRulesWhenTheConnectionDidNotNameItsTunnel) {
  const auto p = make(R"({"rules": [{"name": "no-pptp", "action": "reject", "match": {"tunnels": ["pptp"]}}]})");
  const connection_info c = user("alice");  // PPP-based: no tunnel at accept time
  ASSERT_TRUE(decide(*p, c).accept);

  const decision pptp = p->decide_link(link_on("WAN Miniport (PPTP)"), &c, {});
  EXPECT_FALSE(pptp.accept);
  EXPECT_EQ(pptp.rule, "no-pptp");
  EXPECT_EQ(pptp.reason, "matched rule \"no-pptp\", which rejects, once the link showed the tunnel (pptp)");

  const decision sstp = p->decide_link(link_on("WAN Miniport (SSTP)", "vpn"), &c, {});
  EXPECT_TRUE(sstp.accept);
  EXPECT_EQ(sstp.rule, "default");
  EXPECT_EQ(sstp.reason, "links are not limited");
}

TEST_F(RulePolicy, LinkRecheckSeesTheSstpMiniport) {
  const auto p = make(R"({"rules": [{"name": "no-sstp-for-guests", "action": "reject",
                          "match": {"users": ["guest*"], "tunnels": ["sstp"]}}]})");
  const connection_info guest = user("guest7");
  const connection_info staff = user("alice");
  ASSERT_TRUE(decide(*p, guest).accept);
  const decision d = p->decide_link(link_on("WAN Miniport (SSTP)", "vpn"), &guest, {});
  EXPECT_FALSE(d.accept);
  EXPECT_EQ(d.rule, "no-sstp-for-guests");
  EXPECT_TRUE(p->decide_link(link_on("WAN Miniport (SSTP)", "vpn"), &staff, {}).accept);
  EXPECT_TRUE(p->decide_link(link_on("WAN Miniport (L2TP)", "vpn"), &guest, {}).accept);
}

TEST_F(RulePolicy, LinkDoesNotRecheckWhenTheConnectionNamedItsTunnelOrIsUnknown) {
  const auto p = make(R"({"rules": [{"name": "no-pptp", "action": "reject", "match": {"tunnels": ["pptp"]}}]})");
  connection_info c = user("alice");
  c.tunnel = tunnel_kind::ikev2;
  EXPECT_TRUE(p->decide_link(link_on("WAN Miniport (PPTP)"), &c, {}).accept);
  EXPECT_TRUE(p->decide_link(link_on("WAN Miniport (PPTP)"), nullptr, {}).accept);
  // A device that tells no tunnel decides nothing new.
  const connection_info unknown = user("alice");
  EXPECT_TRUE(p->decide_link(link_on("Some Adapter", "vpn"), &unknown, {}).accept);
}

TEST_F(RulePolicy, TunnelAllowListWaitsForTheLinkWhenTheConnectionDidNotNameItsTunnel) {
  const auto p = make(R"({"rules": [{"name": "sstp-only", "action": "accept", "match": {"tunnels": ["sstp"]}},
                                    {"name": "others", "action": "reject"}]})");
  const connection_info ppp = user("alice");
  const decision provisional = decide(*p, ppp);
  EXPECT_TRUE(provisional.accept) << "an accepting tunnel rule matches while the tunnel is not known";
  EXPECT_EQ(provisional.rule, "sstp-only");
  EXPECT_TRUE(p->decide_link(link_on("WAN Miniport (SSTP)", "vpn"), &ppp, {}).accept);
  const decision pptp = p->decide_link(link_on("WAN Miniport (PPTP)"), &ppp, {});
  EXPECT_FALSE(pptp.accept);
  EXPECT_EQ(pptp.rule, "others");

  connection_info ikev2 = user("alice");
  ikev2.tunnel = tunnel_kind::ikev2;
  EXPECT_FALSE(decide(*p, ikev2).accept) << "a known tunnel is matched at once";
  EXPECT_EQ(decide(*p, ikev2).rule, "others");
}

TEST_F(RulePolicy, TunnelAllowListWithDefaultRejectDecidesAtTheLink) {
  const auto p = make(R"({"default": "reject",
                          "rules": [{"name": "sstp-only", "action": "accept", "match": {"tunnels": ["sstp"]}}]})");
  const connection_info ppp = user("alice");
  EXPECT_TRUE(decide(*p, ppp).accept);
  EXPECT_TRUE(p->decide_link(link_on("WAN Miniport (SSTP)", "vpn"), &ppp, {}).accept);
  const decision l2tp = p->decide_link(link_on("WAN Miniport (L2TP)"), &ppp, {});
  EXPECT_FALSE(l2tp.accept);
  EXPECT_EQ(l2tp.rule, "default");
  EXPECT_EQ(l2tp.reason, "no rule matched once the link showed the tunnel (l2tp) and policy.default is \"reject\"");
}

TEST_F(RulePolicy, LinkDoesNotRecheckWhenNoRuleNamesTunnels) {
  // The user rule already had its say at connection time; the link adds nothing for it.
  const auto p = make(R"({"rules": [{"name": "no-bob", "action": "reject", "match": {"users": ["bob"]}}]})");
  const connection_info bob = user("bob");
  EXPECT_TRUE(p->decide_link(link_on("WAN Miniport (PPTP)"), &bob, {}).accept);
}

TEST_F(RulePolicy, RemoteEndpointsIpv4Cidr) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "office", "action": "accept",
                          "match": {"remote_endpoints": ["203.0.113.0/24", "198.51.100.7"]}}]})");
  connection_info c = user("alice");
  for (const char* inside : {"203.0.113.0", "203.0.113.7", "203.0.113.255", "198.51.100.7", "::ffff:203.0.113.9",
                             "::FFFF:198.51.100.7"}) {
    c.remote_endpoint = inside;
    EXPECT_TRUE(decide(*p, c).accept) << inside;
  }
  for (const char* outside : {"203.0.114.1", "203.0.112.255", "198.51.100.8", "::203.0.113.9", "2001:db8::1",
                              "not-an-address", ""}) {
    c.remote_endpoint = outside;
    EXPECT_FALSE(decide(*p, c).accept) << outside;
  }
}

TEST_F(RulePolicy, RemoteEndpointsIpv6Cidr) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "v6", "action": "accept",
                          "match": {"remote_endpoints": ["2001:db8::/32", "fd00:1:2::/48"]}}]})");
  connection_info c = user("alice");
  for (const char* inside : {"2001:db8::1", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:DB8:1::5",
                             "fd00:1:2:3::4"}) {
    c.remote_endpoint = inside;
    EXPECT_TRUE(decide(*p, c).accept) << inside;
  }
  for (const char* outside : {"2001:db9::1", "fd00:1:3::1", "203.0.113.7", "::ffff:32.1.13.184"}) {
    c.remote_endpoint = outside;
    EXPECT_FALSE(decide(*p, c).accept) << outside;
  }
}

// ---- days and hours --------------------------------------------------------------------------

TEST_F(RulePolicy, DaysInUtc) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "weekend", "action": "accept",
                          "match": {"days": ["sat", "sun"], "time_zone": "utc"}}]})");
  time.set_unix_ms(at_utc(5, 0, 0));  // Saturday 00:00
  EXPECT_TRUE(decide(*p, user("a")).accept);
  time.set_unix_ms(at_utc(6, 23, 59));  // Sunday 23:59
  EXPECT_TRUE(decide(*p, user("a")).accept);
  time.set_unix_ms(at_utc(7, 0, 0));  // the next Monday 00:00
  EXPECT_FALSE(decide(*p, user("a")).accept);
  time.set_unix_ms(at_utc(4, 23, 59));  // Friday 23:59
  EXPECT_FALSE(decide(*p, user("a")).accept);
}

TEST_F(RulePolicy, EveryDayOfTheWeekIsItsOwnBit) {
  const char* names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  for (int day = 0; day < 7; ++day) {
    const auto p = make(std::string(R"({"default": "reject", "rules": [{"name": "one-day", "action": "accept",
                          "match": {"time_zone": "utc", "days": [")") +
                        names[day] + "\"]}}]}");
    for (int now = 0; now < 14; ++now) {
      time.set_unix_ms(at_utc(now, 12, 0));
      EXPECT_EQ(decide(*p, user("a")).accept, now % 7 == day) << names[day] << " on day " << now;
    }
  }
}

TEST_F(RulePolicy, HoursWindowStartIsInclusiveEndExclusive) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "office-hours", "action": "accept",
                          "match": {"hours": ["08:00-18:00"], "time_zone": "utc"}}]})");
  time.set_unix_ms(at_utc(2, 7, 59));
  EXPECT_FALSE(decide(*p, user("a")).accept);
  time.set_unix_ms(at_utc(2, 8, 0));
  EXPECT_TRUE(decide(*p, user("a")).accept);
  time.set_unix_ms(at_utc(2, 17, 59) + 59999);
  EXPECT_TRUE(decide(*p, user("a")).accept);
  time.set_unix_ms(at_utc(2, 18, 0));
  EXPECT_FALSE(decide(*p, user("a")).accept);
}

TEST_F(RulePolicy, SeveralWindowsAndTheWholeDay) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "split", "action": "accept",
                          "match": {"hours": ["06:00-07:00", "20:00-24:00"], "time_zone": "utc"}}]})");
  time.set_unix_ms(at_utc(1, 6, 30));
  EXPECT_TRUE(decide(*p, user("a")).accept);
  time.set_unix_ms(at_utc(1, 12, 0));
  EXPECT_FALSE(decide(*p, user("a")).accept);
  time.set_unix_ms(at_utc(1, 23, 59));
  EXPECT_TRUE(decide(*p, user("a")).accept);
  time.set_unix_ms(at_utc(2, 0, 0));
  EXPECT_FALSE(decide(*p, user("a")).accept) << "24:00 is the end of the day, exclusive";

  const auto whole = make(R"({"default": "reject", "rules": [{"name": "all-day", "action": "accept",
                              "match": {"hours": ["00:00-24:00"], "time_zone": "utc"}}]})");
  for (const int hour : {0, 11, 23}) {
    time.set_unix_ms(at_utc(3, hour, 59));
    EXPECT_TRUE(decide(*whole, user("a")).accept) << hour;
  }
}

TEST_F(RulePolicy, WindowCrossingMidnightBelongsToTheDayItStarts) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "fri-night", "action": "accept",
                          "match": {"days": ["fri"], "hours": ["22:00-02:00"], "time_zone": "utc"}}]})");
  const auto accepts_at = [&](int day, int hour, int minute) {
    time.set_unix_ms(at_utc(day, hour, minute));
    return decide(*p, user("a")).accept;
  };
  EXPECT_FALSE(accepts_at(4, 21, 59));  // Friday before the window
  EXPECT_TRUE(accepts_at(4, 22, 0));    // Friday 22:00
  EXPECT_TRUE(accepts_at(4, 23, 59));
  EXPECT_TRUE(accepts_at(5, 0, 0));   // Saturday 00:00, still Friday night
  EXPECT_TRUE(accepts_at(5, 1, 59));  // Saturday 01:59
  EXPECT_FALSE(accepts_at(5, 2, 0));  // Saturday 02:00: the window has ended
  EXPECT_FALSE(accepts_at(5, 22, 30));  // Saturday night is not selected
  EXPECT_FALSE(accepts_at(4, 1, 0));    // Friday 01:00 belongs to Thursday night
  EXPECT_FALSE(accepts_at(3, 23, 0));   // Thursday night
}

TEST_F(RulePolicy, SundayNightWindowRunsIntoMondayAcrossTheWeekBoundary) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "sun-night", "action": "accept",
                          "match": {"days": ["sun"], "hours": ["23:00-01:00"], "time_zone": "utc"}}]})");
  const auto accepts_at = [&](int day, int hour, int minute) {
    time.set_unix_ms(at_utc(day, hour, minute));
    return decide(*p, user("a")).accept;
  };
  EXPECT_TRUE(accepts_at(6, 23, 30));   // Sunday 23:30
  EXPECT_TRUE(accepts_at(7, 0, 30));    // the next Monday 00:30
  EXPECT_TRUE(accepts_at(0, 0, 59));    // this Monday 00:59 (the Sunday before)
  EXPECT_FALSE(accepts_at(7, 1, 0));    // Monday 01:00
  EXPECT_FALSE(accepts_at(7, 23, 30));  // Monday night is not selected
  EXPECT_FALSE(accepts_at(5, 23, 30));  // Saturday night
  EXPECT_FALSE(accepts_at(6, 0, 30));   // Sunday 00:30 belongs to Saturday night
}

TEST_F(RulePolicy, HoursWithoutDaysApplyEveryDayAcrossMidnight) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "nights", "action": "accept",
                          "match": {"hours": ["22:00-06:00"], "time_zone": "utc"}}]})");
  for (int day = 0; day < 7; ++day) {
    time.set_unix_ms(at_utc(day, 3, 0));
    EXPECT_TRUE(decide(*p, user("a")).accept) << day;
    time.set_unix_ms(at_utc(day, 12, 0));
    EXPECT_FALSE(decide(*p, user("a")).accept) << day;
  }
}

TEST_F(RulePolicy, LocalTimeFollowsTheServersUtcOffset) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "office", "action": "accept",
                          "match": {"days": ["mon", "tue", "wed", "thu", "fri"], "hours": ["09:00-17:00"]}}]})");
  time.set_utc_offset_minutes(120);  // UTC+2
  time.set_unix_ms(at_utc(0, 7, 30));  // Monday 09:30 local
  EXPECT_TRUE(decide(*p, user("a")).accept);
  time.set_unix_ms(at_utc(0, 15, 30));  // 17:30 local
  EXPECT_FALSE(decide(*p, user("a")).accept);
  time.set_unix_ms(at_utc(0, 6, 59));  // 08:59 local
  EXPECT_FALSE(decide(*p, user("a")).accept);

  time.set_utc_offset_minutes(330);  // UTC+5:30
  time.set_unix_ms(at_utc(0, 3, 30));  // Monday 09:00 local
  EXPECT_TRUE(decide(*p, user("a")).accept);
  time.set_unix_ms(at_utc(0, 3, 29));  // 08:59 local
  EXPECT_FALSE(decide(*p, user("a")).accept);
}

TEST_F(RulePolicy, LocalOffsetCanMoveTheDayAcrossTheWeekBoundary) {
  // UTC-5: Monday 02:00 UTC is still Sunday 21:00 local.
  const auto local = make(R"({"default": "reject", "rules": [{"name": "sunday-evening", "action": "accept",
                              "match": {"days": ["sun"], "hours": ["20:00-22:00"], "time_zone": "local"}}]})");
  const auto utc = make(R"({"default": "reject", "rules": [{"name": "sunday-evening", "action": "accept",
                            "match": {"days": ["sun"], "hours": ["20:00-22:00"], "time_zone": "utc"}}]})");
  time.set_utc_offset_minutes(-300);
  time.set_unix_ms(at_utc(7, 2, 0));
  EXPECT_TRUE(decide(*local, user("a")).accept);
  EXPECT_FALSE(decide(*utc, user("a")).accept) << "time_zone utc ignores the server's offset";
  time.set_unix_ms(at_utc(6, 21, 0));  // Sunday 21:00 UTC, 16:00 local
  EXPECT_FALSE(decide(*local, user("a")).accept);
  EXPECT_TRUE(decide(*utc, user("a")).accept);

  // UTC+13: Sunday 12:00 UTC is already Monday 01:00 local.
  const auto monday = make(R"({"default": "reject", "rules": [{"name": "monday", "action": "accept",
                               "match": {"days": ["mon"]}}]})");
  time.set_utc_offset_minutes(13 * 60);
  time.set_unix_ms(at_utc(6, 12, 0));
  EXPECT_TRUE(decide(*monday, user("a")).accept);
  time.set_unix_ms(at_utc(6, 10, 59));  // Sunday 23:59 local
  EXPECT_FALSE(decide(*monday, user("a")).accept);
}

TEST_F(RulePolicy, TimesBeforeNineteenSeventyStillHaveTheRightDayAndMinute) {
  // 1969-12-31T23:30:00Z, a Wednesday.
  const auto p = make(R"({"default": "reject", "rules": [{"name": "wed-late", "action": "accept",
                          "match": {"days": ["wed"], "hours": ["23:00-24:00"], "time_zone": "utc"}}]})");
  time.set_unix_ms(-30 * 60000);
  EXPECT_TRUE(decide(*p, user("a")).accept);
  time.set_unix_ms(-30 * 60000 - 1);  // 23:29:59.999
  EXPECT_TRUE(decide(*p, user("a")).accept);
  time.set_unix_ms(-61 * 60000);  // 22:59
  EXPECT_FALSE(decide(*p, user("a")).accept);
}

// ---- order, defaults, limits -----------------------------------------------------------------

TEST_F(RulePolicy, FirstMatchingRuleWins) {
  const auto p = make(R"({"rules": [
      {"name": "vip", "action": "accept", "match": {"users": ["alice"]}},
      {"name": "a-block", "action": "reject", "match": {"users": ["a*"]}},
      {"name": "never-reached", "action": "accept", "match": {"users": ["alfred"]}}]})");
  const decision alice = decide(*p, user("alice"));
  EXPECT_TRUE(alice.accept);
  EXPECT_EQ(alice.rule, "vip");
  EXPECT_EQ(alice.reason, "matched rule \"vip\"");
  EXPECT_TRUE(alice.enforced);
  const decision alfred = decide(*p, user("alfred"));
  EXPECT_FALSE(alfred.accept);
  EXPECT_EQ(alfred.rule, "a-block");
  EXPECT_EQ(alfred.reason, "matched rule \"a-block\", which rejects");
  const decision bob = decide(*p, user("bob"));
  EXPECT_TRUE(bob.accept);
  EXPECT_EQ(bob.rule, "default");
  EXPECT_EQ(bob.reason, "no rule matched and policy.default is \"accept\"");
}

TEST_F(RulePolicy, DefaultReject) {
  const auto p = make(R"({"default": "reject", "rules": [{"name": "alice", "action": "accept",
                          "match": {"users": ["alice"]}}]})");
  const decision d = decide(*p, user("mallory"));
  EXPECT_FALSE(d.accept);
  EXPECT_TRUE(d.enforced);
  EXPECT_FALSE(d.answer());
  EXPECT_EQ(d.rule, "default");
  EXPECT_EQ(d.reason, "no rule matched and policy.default is \"reject\"");
}

TEST_F(RulePolicy, RuleWithNoMatchMatchesEveryone) {
  const auto p = make(R"({"rules": [{"name": "closed", "action": "reject"}]})");
  EXPECT_EQ(decide(*p, user("anyone")).rule, "closed");
  EXPECT_FALSE(decide(*p, user("anyone")).accept);
}

TEST_F(RulePolicy, GlobalPerUserLimitCountsLiveSessionsOfTheUser) {
  const auto p = make(R"({"max_sessions_per_user": 2})");
  registry_counts counts;
  counts.user_connections = 1;
  EXPECT_TRUE(decide(*p, user("CORP\\Alice"), counts).accept);
  counts.user_connections = 2;
  const decision d = decide(*p, user("CORP\\Alice"), counts);
  EXPECT_FALSE(d.accept);
  EXPECT_EQ(d.rule, "policy.max_sessions_per_user");
  EXPECT_EQ(d.reason, "user \"alice\" already has 2 live session(s); the limit is 2 (policy.max_sessions_per_user)");
}

TEST_F(RulePolicy, RuleLimitReplacesTheGlobalOne) {
  const auto p = make(R"({"max_sessions_per_user": 5, "rules": [
      {"name": "contractors", "action": "accept", "max_sessions_per_user": 1, "match": {"users": ["c-*"]}},
      {"name": "admins", "action": "accept", "max_sessions_per_user": 0, "match": {"users": ["adm-*"]}},
      {"name": "staff", "action": "accept", "match": {"users": ["s-*"]}}]})");
  registry_counts counts;
  counts.user_connections = 1;
  const decision contractor = decide(*p, user("c-joe"), counts);
  EXPECT_FALSE(contractor.accept);
  EXPECT_EQ(contractor.rule, "contractors");
  EXPECT_EQ(contractor.reason,
            "user \"c-joe\" already has 1 live session(s); the limit is 1 (max_sessions_per_user of rule "
            "\"contractors\")");
  EXPECT_TRUE(decide(*p, user("s-ann"), counts).accept) << "a rule without its own limit uses the global one";
  counts.user_connections = 5;
  EXPECT_FALSE(decide(*p, user("s-ann"), counts).accept);
  EXPECT_EQ(decide(*p, user("s-ann"), counts).rule, "policy.max_sessions_per_user");
  EXPECT_FALSE(decide(*p, user("nobody"), counts).accept) << "the default applies the global limit too";
  counts.user_connections = 50;
  EXPECT_TRUE(decide(*p, user("adm-root"), counts).accept) << "a rule limit of 0 means unlimited";
  counts.user_connections = 0;
  EXPECT_TRUE(decide(*p, user("c-joe"), counts).accept);
}

TEST_F(RulePolicy, RejectingRuleIsReportedRatherThanALimit) {
  const auto p = make(R"({"max_sessions_per_user": 1, "max_sessions_total": 1,
                          "rules": [{"name": "blocked", "action": "reject", "match": {"users": ["bob"]}}]})");
  registry_counts counts;
  counts.user_connections = 3;
  counts.live_connections = 3;
  EXPECT_EQ(decide(*p, user("bob"), counts).rule, "blocked");
}

TEST_F(RulePolicy, MaxSessionsTotal) {
  const auto p = make(R"({"max_sessions_total": 3})");
  registry_counts counts;
  counts.live_connections = 2;
  EXPECT_TRUE(decide(*p, user("a"), counts).accept);
  counts.live_connections = 3;
  const decision d = decide(*p, user("a"), counts);
  EXPECT_FALSE(d.accept);
  EXPECT_EQ(d.rule, "policy.max_sessions_total");
  EXPECT_EQ(d.reason, "3 sessions are live; the server-wide limit is 3");
}

TEST_F(RulePolicy, PerUserLimitIsCheckedBeforeTheTotal) {
  const auto p = make(R"({"max_sessions_per_user": 1, "max_sessions_total": 1})");
  registry_counts counts;
  counts.live_connections = 1;
  counts.user_connections = 1;
  EXPECT_EQ(decide(*p, user("a"), counts).rule, "policy.max_sessions_per_user");
  counts.user_connections = 0;
  EXPECT_EQ(decide(*p, user("a"), counts).rule, "policy.max_sessions_total");
}

TEST_F(RulePolicy, MaxLinksPerConnection) {
  const auto p = make(R"({"max_links_per_connection": 2})");
  const connection_info c = user("a");
  registry_counts counts;
  counts.connection_links = 1;
  const decision second = p->decide_link(link_on("WAN Miniport (L2TP)"), &c, counts);
  EXPECT_TRUE(second.accept);
  EXPECT_EQ(second.rule, "policy.max_links_per_connection");
  EXPECT_EQ(second.reason, "link 2 of at most 2");
  counts.connection_links = 2;
  const decision third = p->decide_link(link_on("WAN Miniport (L2TP)"), &c, counts);
  EXPECT_FALSE(third.accept);
  EXPECT_EQ(third.rule, "policy.max_links_per_connection");
  EXPECT_EQ(third.reason, "the connection already has 2 live link(s); the limit is 2");
  EXPECT_TRUE(p->decide_link(link_on("WAN Miniport (L2TP)"), nullptr, counts).accept)
      << "a link of an unknown connection is not limited";
}

// ---- audit mode ------------------------------------------------------------------------------

TEST_F(RulePolicy, AuditModeRecordsTheRejectButAnswersAccept) {
  const auto p = make(R"({"mode": "audit", "default": "reject", "max_links_per_connection": 1,
                          "rules": [{"name": "no-bob", "action": "reject", "match": {"users": ["bob"]}},
                                    {"name": "alice", "action": "accept", "match": {"users": ["alice"]}}]})");
  EXPECT_TRUE(p->audit());
  const decision bob = decide(*p, user("bob"));
  EXPECT_FALSE(bob.accept);
  EXPECT_FALSE(bob.enforced);
  EXPECT_TRUE(bob.answer());
  EXPECT_EQ(bob.rule, "no-bob");
  const decision nobody = decide(*p, user("nobody"));
  EXPECT_FALSE(nobody.accept);
  EXPECT_TRUE(nobody.answer());
  const decision alice = decide(*p, user("alice"));
  EXPECT_TRUE(alice.accept);
  EXPECT_FALSE(alice.enforced);
  EXPECT_TRUE(alice.answer());

  const connection_info c = user("alice");
  registry_counts counts;
  counts.connection_links = 1;
  const decision link = p->decide_link(link_on("WAN Miniport (SSTP)"), &c, counts);
  EXPECT_FALSE(link.accept);
  EXPECT_FALSE(link.enforced);
  EXPECT_TRUE(link.answer());
}

TEST_F(RulePolicy, EnforceModeIsTheDefault) {
  const auto p = make("{}");
  EXPECT_FALSE(p->audit());
  EXPECT_TRUE(decide(*p, user("a")).enforced);
  EXPECT_TRUE(p->accept_on_error());
  EXPECT_FALSE(make(R"({"on_error": "reject"})")->accept_on_error());
}

// ---- reauthentication ------------------------------------------------------------------------

TEST_F(RulePolicy, ReauthenticationAcceptIgnoresTheRules) {
  const auto p = make(R"({"default": "reject", "reauthentication": "accept"})");
  const decision d = p->decide_reauthentication(user("mallory"));
  EXPECT_TRUE(d.accept);
  EXPECT_EQ(d.rule, "policy.reauthentication");
  EXPECT_EQ(d.reason, "policy.reauthentication is \"accept\"");
}

TEST_F(RulePolicy, ReauthenticationReject) {
  const auto p = make(R"({"reauthentication": "reject"})");
  const decision d = p->decide_reauthentication(user("alice"));
  EXPECT_FALSE(d.accept);
  EXPECT_EQ(d.rule, "policy.reauthentication");
  EXPECT_EQ(d.reason, "policy.reauthentication is \"reject\"");
}

TEST_F(RulePolicy, ReauthenticationByRulesAppliesRulesButNotLimits) {
  const auto p = make(R"({"reauthentication": "rules", "default": "reject", "max_sessions_per_user": 1,
                          "rules": [{"name": "night-shift", "action": "accept",
                                     "match": {"users": ["alice"], "hours": ["20:00-08:00"], "time_zone": "utc"}},
                                    {"name": "no-bob", "action": "reject", "match": {"users": ["bob"]}},
                                    {"name": "carol", "action": "accept", "match": {"users": ["carol"]}}]})");
  time.set_unix_ms(at_utc(2, 21, 0));
  EXPECT_TRUE(p->decide_reauthentication(user("alice")).accept);
  EXPECT_EQ(p->decide_reauthentication(user("alice")).rule, "night-shift");
  EXPECT_EQ(p->decide_reauthentication(user("alice")).reason, "matched rule \"night-shift\", which accepts");
  time.set_unix_ms(at_utc(3, 9, 0));  // the shift is over: reauthentication refused
  const decision late = p->decide_reauthentication(user("alice"));
  EXPECT_FALSE(late.accept);
  EXPECT_EQ(late.rule, "default");
  EXPECT_EQ(late.reason, "no rule matched and policy.default is \"reject\"");
  EXPECT_EQ(p->decide_reauthentication(user("bob")).reason, "matched rule \"no-bob\", which rejects");
  EXPECT_TRUE(p->decide_reauthentication(user("carol")).accept) << "the session itself is already counted";
}

TEST_F(RulePolicy, ReauthenticationInAuditModeAnswersAccept) {
  const auto p = make(R"({"mode": "audit", "reauthentication": "reject"})");
  const decision d = p->decide_reauthentication(user("alice"));
  EXPECT_FALSE(d.accept);
  EXPECT_FALSE(d.enforced);
  EXPECT_TRUE(d.answer());
}

// ---- pool_for --------------------------------------------------------------------------------

class PoolFor : public RulePolicy {
 protected:
  [[nodiscard]] std::string pool(const rule_policy& p, std::string user_name, std::string port = "VPN2-13") const {
    return p.pool_for(address_request{std::move(user_name), std::move(port)});
  }
};

TEST_F(PoolFor, TheFirstMatchingRuleChoosesThePool) {
  const auto parsed = parse_settings(R"({
      "policy": {"rules": [
        {"name": "banned", "action": "reject", "pool": "guests", "match": {"users": ["banned"]}},
        {"name": "guests", "action": "accept", "pool": "guests", "match": {"users": ["guest*"]}},
        {"name": "staff", "action": "accept", "match": {"users": ["s-*"]}},
        {"name": "corp", "action": "accept", "pool": "corp", "match": {"users": ["corp\\*"]}},
        {"name": "anyone", "action": "accept", "pool": "general"}]},
      "ip_assignment": {"enabled": true, "pools": [
        {"name": "general", "range": "10.0.0.0/24"},
        {"name": "guests", "range": "10.0.1.0/24"},
        {"name": "corp", "range": "10.0.2.0/24"}]}})",
                                     "pools.json");
  ASSERT_TRUE(parsed.usable()) << all(parsed.problems);
  const rule_policy p(parsed.value.policy, time);
  EXPECT_EQ(pool(p, "guest12"), "guests");
  EXPECT_EQ(pool(p, "GUEST12"), "guests");
  EXPECT_EQ(pool(p, "CORP\\bob"), "corp");
  EXPECT_EQ(pool(p, "bob@corp"), "corp");
  EXPECT_EQ(pool(p, "bob"), "general") << "an address callback tells no logon domain";
  EXPECT_EQ(pool(p, "banned"), "") << "a rejecting rule chooses no pool";
  EXPECT_EQ(pool(p, "s-ann"), "") << "the rule that admits s-ann names no pool: the default one";
}

TEST_F(PoolFor, RulesThatNeedWhatAnAddressCallbackDoesNotKnowAreSkipped) {
  const auto parsed = parse_settings(R"({"policy": {"rules": [
      {"name": "routers", "action": "accept", "pool": "routers", "match": {"interface_types": ["full-router"]}},
      {"name": "office", "action": "accept", "pool": "office", "match": {"remote_endpoints": ["0.0.0.0/0"]}},
      {"name": "sstp", "action": "accept", "pool": "sstp", "match": {"tunnels": ["sstp"]}},
      {"name": "daytime", "action": "accept", "pool": "day", "match": {"hours": ["08:00-18:00"], "time_zone": "utc"}}]},
    "ip_assignment": {"pools": [{"name": "routers", "range": "10.0.0.0/24"}, {"name": "office", "range": "10.0.1.0/24"},
                                {"name": "sstp", "range": "10.0.2.0/24"}, {"name": "day", "range": "10.0.3.0/24"}]}})",
                                     "pools.json");
  ASSERT_TRUE(parsed.usable()) << all(parsed.problems);
  const auto p = std::make_unique<rule_policy>(parsed.value.policy, time);
  time.set_unix_ms(at_utc(0, 12, 0));
  EXPECT_EQ(pool(*p, "alice"), "day");
  EXPECT_EQ(pool(*p, "alice", "SSTP-VPN1-0"), "sstp") << "a port name that tells the tunnel selects by it";
  time.set_unix_ms(at_utc(0, 20, 0));
  EXPECT_EQ(pool(*p, "alice"), "") << "no rule applies: the default pool";
}

TEST_F(PoolFor, NoRulesMeansTheDefaultPool) {
  EXPECT_EQ(make("{}")->pool_for(address_request{"alice", "VPN1-0"}), "");
  EXPECT_EQ(accept_all_policy{}.pool_for(address_request{"alice", "VPN1-0"}), "");
}

// ---- the other policies ----------------------------------------------------------------------

TEST(AcceptAllPolicy, AcceptsEverythingByDefault) {
  const accept_all_policy p;
  const connection_info c = user("anyone");
  const decision d = p.decide_connection(c, {});
  EXPECT_TRUE(d.accept);
  EXPECT_EQ(d.rule, "default");
  EXPECT_EQ(d.reason, "no policy configured: accept all");
  EXPECT_TRUE(p.decide_link(link_on("WAN Miniport (PPTP)"), &c, {}).accept);
  EXPECT_TRUE(p.decide_reauthentication(c).accept);
  EXPECT_FALSE(p.audit());
  EXPECT_TRUE(p.accept_on_error());
}

TEST(UnusablePolicy, AnswersOnErrorWithTheReason) {
  const unusable_policy refuse(false, "raswarden.json:3:4: /policy: broken");
  const connection_info c = user("anyone");
  for (const decision& d : {refuse.decide_connection(c, {}), refuse.decide_link(link_on("x"), &c, {}),
                            refuse.decide_reauthentication(c)}) {
    EXPECT_FALSE(d.accept);
    EXPECT_TRUE(d.enforced);
    EXPECT_EQ(d.rule, "policy.on_error");
    EXPECT_EQ(d.reason, "raswarden.json:3:4: /policy: broken");
  }
  EXPECT_FALSE(refuse.accept_on_error());
  EXPECT_TRUE(unusable_policy(true, "x").decide_connection(c, {}).accept);
}

}  // namespace
}  // namespace raswarden::core
