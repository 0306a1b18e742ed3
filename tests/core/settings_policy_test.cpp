// parse_settings for the "policy" and "ip_assignment" sections. Expected line:column positions
// are counted by hand from the raw-string configurations (each starts with "{" on line 1, column 1).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "raswarden/address.hpp"
#include "raswarden/settings.hpp"

namespace raswarden::core {
namespace {

std::string all(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += p + "\n";
  return out;
}

std::uint32_t ip(const char* text) {
  return ipv4_to_number(parse_ip_address(text).value());
}

settings_result parse(std::string_view text) {
  return parse_settings(text, "raswarden.json");
}

constexpr const char* match_keys =
    "\"days\", \"domains\", \"hours\", \"interface_types\", \"remote_endpoints\", \"time_zone\", \"tunnels\", \"users\"";
constexpr const char* day_names = "\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"";

TEST(SettingsPolicy, FullConfigurationLoadsEveryField) {
  const auto result = parse(R"({
  "schema": 1,
  "policy": {
    "mode": "audit",
    "default": "reject",
    "max_sessions_per_user": 2,
    "max_links_per_connection": 4,
    "max_sessions_total": 500,
    "reauthentication": "rules",
    "on_error": "reject",
    "rules": [
      {
        "name": "Contractors",
        "action": "accept",
        "max_sessions_per_user": 1,
        "pool": "contractors",
        "match": {
          "users": ["CORP\\C-*", "*@Partner.Example"],
          "domains": ["CORP"],
          "interface_types": ["client", "full-router"],
          "tunnels": ["sstp", "ikev2"],
          "remote_endpoints": ["203.0.113.0/24", "2001:db8::/32"],
          "days": ["mon", "fri", "sun"],
          "hours": ["08:00-18:00", "22:00-02:00", "00:00-24:00"],
          "time_zone": "utc"
        }
      },
      {"name": "block-pptp", "action": "reject", "match": {"tunnels": ["pptp", "l2tp", "ppp"]}},
      {"name": "routers", "action": "accept",
       "match": {"interface_types": ["home-router", "dedicated", "internal", "loopback", "tunnel", "dialout"],
                 "time_zone": "local"}}
    ]
  },
  "ip_assignment": {
    "enabled": true,
    "static": {"CORP\\Alice": "10.0.0.5", "bob@corp.example": "10.0.0.6"},
    "pools": [
      {"name": "general", "range": "10.0.0.0/24"},
      {"name": "contractors", "first": "10.0.1.10", "last": "10.0.1.19"}
    ],
    "ipv6_interface_ids": {"first": "0:0:0:1", "last": "0:0:1:ffff"}
  }
})");
  ASSERT_TRUE(result.usable()) << all(result.problems);
  const policy_settings& p = result.value.policy;
  EXPECT_EQ(p.mode, policy_mode::audit);
  EXPECT_FALSE(p.default_accept);
  EXPECT_EQ(p.max_sessions_per_user, 2U);
  EXPECT_EQ(p.max_links_per_connection, 4U);
  EXPECT_EQ(p.max_sessions_total, 500U);
  EXPECT_EQ(p.reauthentication, reauthentication_mode::rules);
  EXPECT_FALSE(p.accept_on_error);
  ASSERT_EQ(p.rules.size(), 3U);

  const policy_rule& c = p.rules[0];
  EXPECT_EQ(c.name, "Contractors");
  EXPECT_TRUE(c.accept);
  EXPECT_EQ(c.max_sessions_per_user, 1U);
  EXPECT_EQ(c.pool, "contractors");
  EXPECT_EQ(c.match.users, (std::vector<std::string>{"corp\\c-*", "*@partner.example"}));
  EXPECT_EQ(c.match.domains, (std::vector<std::string>{"corp"}));
  EXPECT_EQ(c.match.interface_types,
            (std::vector<interface_type>{interface_type::client, interface_type::full_router}));
  EXPECT_EQ(c.match.tunnels, (std::vector<tunnel_kind>{tunnel_kind::sstp, tunnel_kind::ikev2}));
  ASSERT_EQ(c.match.remote_endpoints.size(), 2U);
  EXPECT_EQ(c.match.remote_endpoints[0].network, parse_ip_address("203.0.113.0").value());
  EXPECT_EQ(c.match.remote_endpoints[0].prefix_length, 24);
  EXPECT_EQ(c.match.remote_endpoints[1].network, parse_ip_address("2001:db8::").value());
  EXPECT_EQ(c.match.remote_endpoints[1].prefix_length, 32);
  EXPECT_EQ(c.match.days, (1U << 0) | (1U << 4) | (1U << 6));
  ASSERT_EQ(c.match.hours.size(), 3U);
  EXPECT_EQ(c.match.hours[0].start, 8 * 60);
  EXPECT_EQ(c.match.hours[0].end, 18 * 60);
  EXPECT_EQ(c.match.hours[1].start, 22 * 60);
  EXPECT_EQ(c.match.hours[1].end, 2 * 60);
  EXPECT_EQ(c.match.hours[2].start, 0);
  EXPECT_EQ(c.match.hours[2].end, 1440);
  EXPECT_TRUE(c.match.utc);

  const policy_rule& block = p.rules[1];
  EXPECT_EQ(block.name, "block-pptp");
  EXPECT_FALSE(block.accept);
  EXPECT_FALSE(block.max_sessions_per_user.has_value());
  EXPECT_EQ(block.pool, "");
  EXPECT_EQ(block.match.tunnels, (std::vector<tunnel_kind>{tunnel_kind::pptp, tunnel_kind::l2tp, tunnel_kind::ppp}));
  EXPECT_EQ(block.match.days, 0U);
  EXPECT_TRUE(block.match.hours.empty());
  EXPECT_FALSE(block.match.utc);

  EXPECT_EQ(p.rules[2].match.interface_types,
            (std::vector<interface_type>{interface_type::home_router, interface_type::dedicated,
                                         interface_type::internal, interface_type::loopback, interface_type::tunnel,
                                         interface_type::dialout}));
  EXPECT_FALSE(p.rules[2].match.utc);

  const ip_assignment_settings& a = result.value.ip_assignment;
  EXPECT_TRUE(a.enabled);
  ASSERT_EQ(a.static_addresses.size(), 2U);
  EXPECT_EQ(a.static_addresses[0].user, "corp\\alice");
  EXPECT_EQ(a.static_addresses[0].address, ip("10.0.0.5"));
  EXPECT_EQ(a.static_addresses[1].user, "bob@corp.example");
  EXPECT_EQ(a.static_addresses[1].address, ip("10.0.0.6"));
  ASSERT_EQ(a.pools.size(), 2U);
  EXPECT_EQ(a.pools[0].name, "general");
  EXPECT_EQ(a.pools[0].first, ip("10.0.0.1")) << "the network address is never handed out";
  EXPECT_EQ(a.pools[0].last, ip("10.0.0.254")) << "nor the broadcast address";
  EXPECT_EQ(a.pools[1].name, "contractors");
  EXPECT_EQ(a.pools[1].first, ip("10.0.1.10"));
  EXPECT_EQ(a.pools[1].last, ip("10.0.1.19"));
  ASSERT_TRUE(a.ipv6_interface_ids.has_value());
  EXPECT_EQ((*a.ipv6_interface_ids)[0], 1U);
  EXPECT_EQ((*a.ipv6_interface_ids)[1], 0x1FFFFU);
}

TEST(SettingsPolicy, DefaultsWhenThePolicyIsEmpty) {
  const auto result = parse(R"({"policy": {}, "ip_assignment": {}})");
  ASSERT_TRUE(result.usable()) << all(result.problems);
  const policy_settings& p = result.value.policy;
  EXPECT_EQ(p.mode, policy_mode::enforce);
  EXPECT_TRUE(p.default_accept);
  EXPECT_EQ(p.max_sessions_per_user, 0U);
  EXPECT_EQ(p.max_links_per_connection, 0U);
  EXPECT_EQ(p.max_sessions_total, 0U);
  EXPECT_TRUE(p.rules.empty());
  EXPECT_EQ(p.reauthentication, reauthentication_mode::accept);
  EXPECT_TRUE(p.accept_on_error);
  EXPECT_FALSE(result.value.ip_assignment.enabled);
  EXPECT_TRUE(result.value.ip_assignment.pools.empty());
  EXPECT_FALSE(result.value.ip_assignment.ipv6_interface_ids.has_value());
}

TEST(SettingsPolicy, TypoInAMatchKeyIsNamedWithEveryKnownKey) {
  const auto result = parse(R"({
  "policy": {
    "rules": [
      {"name": "a", "action": "accept", "match": {"user": ["alice"]}}
    ]
  }
})");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0], std::string("raswarden.json:4:51: /policy/rules/0/match/user: unknown key (expected "
                                            "one of ") + match_keys + ")");
  EXPECT_FALSE(result.usable());
  ASSERT_EQ(result.value.policy.rules.size(), 1U);
  EXPECT_TRUE(result.value.policy.rules[0].match.users.empty()) << "the misspelt key matched nothing";
}

TEST(SettingsPolicy, WrongActionValue) {
  const auto result = parse(R"({
  "policy": {
    "rules": [
      {
        "name": "deny-bob",
        "action": "deny"
      }
    ]
  }
})");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0],
            "raswarden.json:6:19: /policy/rules/0/action: expected one of \"accept\", \"reject\", found \"deny\"");
}

TEST(SettingsPolicy, BadHoursAndAnEmptyWindow) {
  const auto result = parse(R"({
  "policy": {
    "rules": [
      {"name": "night", "action": "accept",
       "match": {"hours": ["25:00-01:00",
                           "08:00-08:00"]}}
    ]
  }
})");
  ASSERT_EQ(result.problems.size(), 2U) << all(result.problems);
  EXPECT_EQ(result.problems[0],
            "raswarden.json:5:28: /policy/rules/0/match/hours/0: expected \"HH:MM-HH:MM\" (00:00 to 24:00), found "
            "\"25:00-01:00\"");
  EXPECT_EQ(result.problems[1],
            "raswarden.json:6:28: /policy/rules/0/match/hours/1: \"08:00-08:00\" is an empty window (use "
            "\"00:00-24:00\" for the whole day)");
}

TEST(SettingsPolicy, EveryMalformedHoursTextIsReported) {
  for (const char* bad : {"8:00-17:00", "08:00-1700", "08:00", "24:00-01:00", "12:60-13:00", "00:00-24:01",
                          "ab:cd-ef:gh", "08:00 - 17:00", "08:00-17:00-18:00", "-1:00-02:00"}) {
    const auto result = parse(std::string(R"({"policy": {"rules": [{"name": "r", "action": "accept", "match": {"hours": [")") +
                              bad + "\"]}}]}}");
    ASSERT_EQ(result.problems.size(), 1U) << bad << "\n" << all(result.problems);
    EXPECT_NE(result.problems[0].find("/policy/rules/0/match/hours/0: expected \"HH:MM-HH:MM\""), std::string::npos)
        << result.problems[0];
  }
  for (const char* good : {"00:00-00:01", "23:59-24:00", "23:59-00:00", "12:00-11:59"}) {
    const auto result = parse(std::string(R"({"policy": {"rules": [{"name": "r", "action": "accept", "match": {"hours": [")") +
                              good + "\"]}}]}}");
    EXPECT_TRUE(result.usable()) << good << "\n" << all(result.problems);
  }
}

TEST(SettingsPolicy, BadCidrAndHostBits) {
  const auto result = parse(R"({
  "policy": {
    "rules": [
      {"name": "office", "action": "accept", "match": {
        "remote_endpoints": [
          "10.0.0.0/33",
          "10.1.0.0/8",
          "10.0.0.0/8"
        ]
      }}
    ]
  }
})");
  ASSERT_EQ(result.problems.size(), 2U) << all(result.problems);
  EXPECT_EQ(result.problems[0],
            "raswarden.json:6:11: /policy/rules/0/match/remote_endpoints/0: expected an IPv4 or IPv6 address or CIDR "
            "range: prefix length \"33\" is not a number from 0 to 32");
  EXPECT_EQ(result.problems[1],
            "raswarden.json:7:11: /policy/rules/0/match/remote_endpoints/1: expected an IPv4 or IPv6 address or CIDR "
            "range: \"10.1.0.0/8\" has host bits set after the /8 prefix");
  ASSERT_EQ(result.value.policy.rules.size(), 1U);
  EXPECT_EQ(result.value.policy.rules[0].match.remote_endpoints.size(), 1U) << "the good range still loads";
}

TEST(SettingsPolicy, BadDayNames) {
  const auto result = parse(R"({"policy": {"rules": [{"name": "weekdays", "action": "accept",
  "match": {"days": ["mon", "monday", 3]}}]}})");
  ASSERT_EQ(result.problems.size(), 2U) << all(result.problems);
  EXPECT_EQ(result.problems[0], std::string("raswarden.json:2:29: /policy/rules/0/match/days/1: expected one of ") +
                                    day_names + ", found \"monday\"");
  EXPECT_EQ(result.problems[1],
            std::string("raswarden.json:2:39: /policy/rules/0/match/days/2: expected one of ") + day_names + ", found 3");
  EXPECT_EQ(result.value.policy.rules[0].match.days, 1U) << "Monday alone";
}

TEST(SettingsPolicy, DuplicateRuleNamesIgnoringCase) {
  const auto result = parse(R"({
  "policy": {
    "rules": [
      {"name": "Office", "action": "accept"},
      {"name": "office", "action": "reject"}
    ]
  }
})");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0],
            "raswarden.json:5:16: /policy/rules/1/name: the rule name \"office\" is already used by /policy/rules/0");
}

TEST(SettingsPolicy, RulePoolMustNameAPool) {
  const auto result = parse(R"({
  "policy": {"rules": [{"name": "guests", "action": "accept", "pool": "guest"}]},
  "ip_assignment": {"pools": [{"name": "guests", "range": "10.0.1.0/24"}]}
})");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0], "raswarden.json:2:71: /policy/rules/0/pool: no pool named \"guest\" in /ip_assignment/pools");

  const auto no_pools = parse(R"({"policy": {"rules": [{"name": "g", "action": "accept", "pool": "guests"}]}})");
  ASSERT_EQ(no_pools.problems.size(), 1U) << all(no_pools.problems);
  EXPECT_EQ(no_pools.problems[0],
            "raswarden.json:1:65: /policy/rules/0/pool: no pool named \"guests\" in /ip_assignment/pools");

  const auto other_case = parse(R"({"policy": {"rules": [{"name": "g", "action": "accept", "pool": "GUESTS"}]},
                                   "ip_assignment": {"pools": [{"name": "Guests", "range": "10.0.1.0/24"}]}})");
  EXPECT_TRUE(other_case.usable()) << all(other_case.problems);
}

TEST(SettingsPolicy, OverlappingPoolsAndDuplicatePoolNames) {
  const auto result = parse(R"({
  "ip_assignment": {
    "pools": [
      {"name": "a", "range": "10.0.0.0/24"},
      {"name": "b", "first": "10.0.0.200", "last": "10.0.1.50"},
      {"name": "A", "first": "10.9.0.1", "last": "10.9.0.9"}
    ]
  }
})");
  ASSERT_EQ(result.problems.size(), 2U) << all(result.problems);
  EXPECT_EQ(result.problems[0], "raswarden.json:5:7: /ip_assignment/pools/1: overlaps the pool \"a\" (/ip_assignment/pools/0)");
  EXPECT_EQ(result.problems[1],
            "raswarden.json:6:16: /ip_assignment/pools/2/name: the pool name \"A\" is already used by "
            "/ip_assignment/pools/0");
}

TEST(SettingsPolicy, AdjacentPoolsDoNotOverlap) {
  const auto result = parse(R"({"ip_assignment": {"pools": [
      {"name": "a", "first": "10.0.0.1", "last": "10.0.0.9"},
      {"name": "b", "first": "10.0.0.10", "last": "10.0.0.19"}]}})");
  EXPECT_TRUE(result.usable()) << all(result.problems);
}

TEST(SettingsPolicy, DuplicateStaticAddress) {
  const auto result = parse(R"({
  "ip_assignment": {
    "static": {
      "alice": "10.0.0.5",
      "bob": "10.0.0.5"
    }
  }
})");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0],
            "raswarden.json:5:14: /ip_assignment/static/bob: 10.0.0.5 is already the static address of \"alice\"");
  EXPECT_EQ(result.value.ip_assignment.static_addresses.size(), 1U);
}

TEST(SettingsPolicy, StaticUserNamedTwiceInAnotherCase) {
  const auto result = parse(R"({
  "ip_assignment": {
    "static": {
      "Alice": "10.0.0.5",
      "alice": "10.0.0.6"
    }
  }
})");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0],
            "raswarden.json:5:7: /ip_assignment/static/alice: \"alice\" already has a static address (as \"Alice\"; "
            "user names are not case-sensitive)");
}

TEST(SettingsPolicy, StaticAddressKeyIsEscapedInItsPath) {
  const auto result = parse(R"({"ip_assignment": {"static": {"ops/alice": "10.0.0.300"}}})");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0],
            "raswarden.json:1:44: /ip_assignment/static/ops~1alice: expected an IPv4 address such as \"10.0.0.1\", "
            "found \"10.0.0.300\"");
}

TEST(SettingsPolicy, MissingRequiredNameAndAction) {
  const auto result = parse(R"({
  "policy": {
    "rules": [
      {"match": {"users": ["x"]}}
    ]
  }
})");
  ASSERT_EQ(result.problems.size(), 2U) << all(result.problems);
  EXPECT_EQ(result.problems[0], "raswarden.json:4:7: /policy/rules/0: missing the required key \"name\"");
  EXPECT_EQ(result.problems[1], "raswarden.json:4:7: /policy/rules/0: missing the required key \"action\"");
}

TEST(SettingsPolicy, RuleThatIsNotAnObject) {
  const auto result = parse(R"({"policy": {"rules": ["accept-all"]}})");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0], "raswarden.json:1:23: /policy/rules/0: expected a rule object, found string");
}

TEST(SettingsPolicy, DuplicateKeysInAnObject) {
  const auto result = parse(R"({
  "policy": {
    "default": "accept",
    "default": "reject"
  }
})");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0], "raswarden.json:4:5: /policy/default: this key appears more than once in its object");
  EXPECT_FALSE(result.value.policy.default_accept) << "the last one counts";
}

TEST(SettingsPolicy, InvalidJsonNamesLineAndColumn) {
  const auto result = parse(R"({
  "policy": {
    "default": "accept",
  }
})");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0],
            "raswarden.json:4:3: not valid JSON: syntax error while parsing object key - unexpected '}'; expected "
            "string literal");
  EXPECT_FALSE(result.document_ok);
  EXPECT_FALSE(result.usable());
}

TEST(SettingsPolicy, InvalidJsonAfterMultibyteCharacters) {
  // The column counts characters: "é" is one column although it is two bytes.
  const auto result = parse("{\"policy\": {\"default\": \"\xC3\xA9\" x}}");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_TRUE(result.problems[0].starts_with("raswarden.json:1:28: not valid JSON: ")) << result.problems[0];
}

TEST(SettingsPolicy, ByteOrderMarkDoesNotMovePositions) {
  // Notepad writes UTF-8 with a byte order mark; problems still name the right line and column.
  const auto result = parse("\xEF\xBB\xBF{\"policy\": {\"mode\": \"strict\"},\n \"policy\": {}}");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0], "raswarden.json:2:2: /policy: this key appears more than once in its object");
  const auto broken = parse("\xEF\xBB\xBF{x}");
  ASSERT_EQ(broken.problems.size(), 1U) << all(broken.problems);
  EXPECT_TRUE(broken.problems[0].starts_with("raswarden.json:1:2: not valid JSON: ")) << broken.problems[0];
  const auto unknown = parse("\xEF\xBB\xBF{\"polcy\": {}}");
  ASSERT_EQ(unknown.problems.size(), 1U) << all(unknown.problems);
  EXPECT_TRUE(unknown.problems[0].starts_with("raswarden.json:1:2: /polcy: unknown key")) << unknown.problems[0];
}

TEST(SettingsPolicy, DocumentThatIsNotAnObject) {
  const auto result = parse("\n  [1, 2]");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0], "raswarden.json:2:3: /: expected an object, found array");
  EXPECT_FALSE(result.document_ok);
}

TEST(SettingsPolicy, WrongChoicesAndRanges) {
  const auto result = parse(R"({
  "policy": {
    "mode": "enforcing",
    "max_sessions_per_user": -1,
    "max_links_per_connection": 1001,
    "reauthentication": true,
    "on_error": "ignore",
    "rules": [{"name": "r", "action": "accept", "match": {
      "interface_types": ["router"],
      "tunnels": ["openvpn"],
      "time_zone": "UTC",
      "users": ["", 7],
      "domains": "corp"
    }}]
  }
})");
  const std::vector<std::string> expected = {
      "raswarden.json:3:13: /policy/mode: expected one of \"enforce\", \"audit\", found \"enforcing\"",
      "raswarden.json:4:30: /policy/max_sessions_per_user: expected an integer from 0 to 1000000, found -1",
      "raswarden.json:5:33: /policy/max_links_per_connection: expected an integer from 0 to 1000, found 1001",
      "raswarden.json:6:25: /policy/reauthentication: expected one of \"accept\", \"reject\", \"rules\", found true",
      "raswarden.json:7:17: /policy/on_error: expected one of \"accept\", \"reject\", found \"ignore\"",
      "raswarden.json:9:27: /policy/rules/0/match/interface_types/0: expected one of \"client\", \"home-router\", "
      "\"full-router\", \"dedicated\", \"internal\", \"loopback\", \"tunnel\", \"dialout\", found \"router\"",
      "raswarden.json:10:19: /policy/rules/0/match/tunnels/0: expected one of \"pptp\", \"l2tp\", \"sstp\", "
      "\"ikev2\", \"ppp\", found \"openvpn\"",
      "raswarden.json:11:20: /policy/rules/0/match/time_zone: expected one of \"local\", \"utc\", found \"UTC\"",
      "raswarden.json:12:17: /policy/rules/0/match/users/0: expected a non-empty string, found \"\"",
      "raswarden.json:12:21: /policy/rules/0/match/users/1: expected a non-empty string, found 7",
      "raswarden.json:13:18: /policy/rules/0/match/domains: expected an array of strings, found string",
  };
  EXPECT_EQ(result.problems, expected) << all(result.problems);
}

TEST(SettingsPolicy, PoolRangesAndInterfaceIdentifiers) {
  const auto result = parse(R"({
  "ip_assignment": {
    "enabled": "yes",
    "pools": [
      {"name": "tiny", "range": "10.0.0.0/31"},
      {"name": "v6", "range": "2001:db8::/64"},
      {"name": "backwards", "first": "10.1.0.9", "last": "10.1.0.1"},
      {"range": "10.2.0.0/24"},
      {"name": "half", "first": "10.3.0.1"}
    ],
    "ipv6_interface_ids": {"first": "0:0:0:0", "last": "1:2:3"}
  }
})");
  const std::vector<std::string> expected = {
      "raswarden.json:3:16: /ip_assignment/enabled: expected true or false, found \"yes\"",
      "raswarden.json:5:33: /ip_assignment/pools/0/range: expected an IPv4 CIDR range of at least 4 addresses such "
      "as \"10.0.0.0/24\", found \"10.0.0.0/31\"",
      "raswarden.json:6:31: /ip_assignment/pools/1/range: expected an IPv4 CIDR range of at least 4 addresses such "
      "as \"10.0.0.0/24\", found \"2001:db8::/64\"",
      "raswarden.json:7:7: /ip_assignment/pools/2: \"first\" comes after \"last\"",
      "raswarden.json:8:7: /ip_assignment/pools/3: missing the required key \"name\"",
      "raswarden.json:9:7: /ip_assignment/pools/4: expected either \"range\" (CIDR) or both \"first\" and \"last\"",
      "raswarden.json:11:37: /ip_assignment/ipv6_interface_ids/first: expected a non-zero 64-bit interface "
      "identifier written as four hex groups such as \"0:0:0:1\", found \"0:0:0:0\"",
      "raswarden.json:11:56: /ip_assignment/ipv6_interface_ids/last: expected a non-zero 64-bit interface "
      "identifier written as four hex groups such as \"0:0:0:1\", found \"1:2:3\"",
  };
  EXPECT_EQ(result.problems, expected) << all(result.problems);
  EXPECT_FALSE(result.value.ip_assignment.ipv6_interface_ids.has_value());
}

TEST(SettingsPolicy, InterfaceIdentifierRangeBackwards) {
  const auto result = parse(R"({"ip_assignment": {"ipv6_interface_ids": {"first": "0:0:0:9", "last": "0:0:0:1"}}})");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0], "raswarden.json:1:42: /ip_assignment/ipv6_interface_ids: \"first\" comes after \"last\"");
}

TEST(SettingsPolicy, SmallestPoolRangeGivesTwoAddresses) {
  const auto result = parse(R"({"ip_assignment": {"pools": [{"name": "p", "range": "192.168.7.4/30"}]}})");
  ASSERT_TRUE(result.usable()) << all(result.problems);
  EXPECT_EQ(result.value.ip_assignment.pools[0].first, ip("192.168.7.5"));
  EXPECT_EQ(result.value.ip_assignment.pools[0].last, ip("192.168.7.6"));
}

TEST(SettingsPolicy, ProblemsAcrossSectionsAreAllReported) {
  const auto result = parse(R"({
  "policy": {"default": "deny", "rules": [{"name": "x", "action": "accept", "match": {"days": ["sunday"]}}]},
  "ip_assignment": {"static": {"a": "10.0.0.1", "b": "10.0.0.1"}}
})");
  EXPECT_EQ(result.problems.size(), 3U) << all(result.problems);
  EXPECT_TRUE(result.document_ok);
  EXPECT_FALSE(result.usable());
}

}  // namespace
}  // namespace raswarden::core

namespace raswarden::core {
namespace {

TEST(SettingsComments, CommentsAreAllowedAndDoNotMovePositions) {
  const auto result = parse_settings(
      "// RasWarden configuration\n"
      "{\n"
      "  /* who may connect */\n"
      "  \"policy\": { \"mode\": \"audit\", // record, do not enforce\n"
      "              \"default\": \"deny\" }\n"
      "}\n",
      "raswarden.json");
  ASSERT_EQ(result.problems.size(), 1U);
  EXPECT_EQ(result.problems[0],
            "raswarden.json:5:26: /policy/default: expected one of \"accept\", \"reject\", found \"deny\"");
  EXPECT_EQ(result.value.policy.mode, policy_mode::audit);
}

}  // namespace
}  // namespace raswarden::core

// ---- policy.domain_aliases and the warnings about one-form rules -------------------------------

namespace raswarden::core {
namespace {

TEST(SettingsDomainAliases, AreReadLowerCased) {
  const auto result = parse(R"({"policy": {"domain_aliases": {"Corp.Example": "CORP", "corp.com": "Corp",
                                                              "lab.example": "lab"}}})");
  ASSERT_TRUE(result.usable()) << all(result.problems);
  EXPECT_EQ(
      result.value.policy.domain_aliases,
      (std::map<std::string, std::string>{{"corp.com", "corp"}, {"corp.example", "corp"}, {"lab.example", "lab"}}));
  EXPECT_TRUE(parse(R"({"policy": {}})").value.policy.domain_aliases.empty());
}

TEST(SettingsDomainAliases, EveryBadEntryIsReportedWhereItIs) {
  const auto result = parse(R"({
  "policy": {
    "domain_aliases": {
      "corp.example": "CORP",
      "Corp.Example": "CORP",
      "lab.example": 5,
      "partner.example": "",
      "bad\\suffix": "X",
      "": "Y",
      "x.example": "a@b",
      "CORP": "OTHER",
      "self": "Self"
    }
  }
})");
  const std::string netbios =
      "expected a NetBIOS domain name such as \"CORP\" (a non-empty string without \"\\\", \"@\", \"*\", \"?\", "
      "spaces or control characters), found ";
  const std::string suffix =
      "expected a UPN suffix such as \"corp.example\" (without \"\\\", \"@\", \"*\", \"?\", spaces or control "
      "characters), found ";
  EXPECT_EQ(all(result.problems),
            all({"raswarden.json:5:7: /policy/domain_aliases/Corp.Example: the UPN suffix \"Corp.Example\" is already "
                 "mapped (as \"corp.example\"; domain names are not case-sensitive)",
                 "raswarden.json:6:22: /policy/domain_aliases/lab.example: " + netbios + "5",
                 "raswarden.json:7:26: /policy/domain_aliases/partner.example: " + netbios + "\"\"",
                 "raswarden.json:8:7: /policy/domain_aliases/bad\\suffix: " + suffix + "\"bad\\\\suffix\"",
                 "raswarden.json:9:7: /policy/domain_aliases/: " + suffix + "\"\"",
                 "raswarden.json:10:20: /policy/domain_aliases/x.example: " + netbios + "\"a@b\"",
                 "raswarden.json:11:7: /policy/domain_aliases/CORP: \"CORP\" is a UPN suffix here and also the "
                 "NetBIOS domain \"corp.example\" maps to; a name may be one or the other",
                 "raswarden.json:12:7: /policy/domain_aliases/self: \"self\" maps to itself; leave it out"}));
  EXPECT_FALSE(result.usable());
  EXPECT_EQ(result.value.policy.domain_aliases, (std::map<std::string, std::string>{{"corp.example", "corp"}}));
}

TEST(SettingsDomainAliases, MustBeAnObject) {
  const auto result = parse(R"({"policy": {"domain_aliases": ["corp.example", "CORP"]}})");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0],
            "raswarden.json:1:31: /policy/domain_aliases: expected an object of UPN suffix to NetBIOS domain, such as "
            "{\"corp.example\": \"CORP\"}, found array");
}

constexpr const char* one_form_rules = R"(
    "rules": [
      {"name": "no-bob", "action": "reject", "match": {"users": ["CORP\\bob", "carol", "*@lab*"]}},
      {"name": "no-partner", "action": "reject", "match": {"domains": ["PARTNER", "*.test"]}},
      {"name": "dave-once", "action": "accept", "max_sessions_per_user": 1,
       "match": {"users": ["dave@corp.example"]}},
      {"name": "corp-staff", "action": "accept", "match": {"users": ["CORP\\*"], "domains": ["CORP"]}},
      {"name": "corp-unlimited", "action": "accept", "max_sessions_per_user": 0, "match": {"domains": ["CORP"]}}
    ]
  }
})";

TEST(SettingsDomainAliases, RejectsAndLimitsThatNameOneFormAreWarnedAboutWithoutAliases) {
  const auto result = parse(std::string("{\n  \"policy\": {") + one_form_rules);
  EXPECT_TRUE(result.usable()) << "warnings are not problems: " << all(result.problems);
  EXPECT_EQ(
      all(result.warnings),
      all({"raswarden.json:4:66: /policy/rules/0/match/users/0: warning: rule \"no-bob\" (reject) names "
           "\"corp\\\\bob\" with its domain in one form only: a user logging on as bob@<UPN suffix> is not matched by "
           "it; add policy.domain_aliases to map each UPN suffix of \"corp\" to it, such as {\"<UPN suffix>\": "
           "\"corp\"}",
           "raswarden.json:5:72: /policy/rules/1/match/domains/0: warning: rule \"no-partner\" (reject) names the "
           "domain \"partner\" in one form only: a user logging on as <user>@<UPN suffix> is not matched by it; add "
           "policy.domain_aliases to map each UPN suffix of \"partner\" to it, such as {\"<UPN suffix>\": "
           "\"partner\"}",
           "raswarden.json:7:28: /policy/rules/2/match/users/0: warning: rule \"dave-once\" (max_sessions_per_user 1) "
           "names \"dave@corp.example\" with its domain in one form only: a user logging on as <NETBIOS>\\dave (or as "
           "dave with the logon domain <NETBIOS>) is not matched by it; add policy.domain_aliases to map "
           "\"corp.example\" to its NetBIOS domain, such as {\"corp.example\": \"<NETBIOS>\"}"}));
}

TEST(SettingsDomainAliases, NoWarningOnceTheDomainsAreMapped) {
  const auto mapped =
      parse(std::string(R"({"policy": {"domain_aliases": {"corp.example": "CORP", "partner.example": "Partner"},)") +
            one_form_rules);
  EXPECT_TRUE(mapped.usable()) << all(mapped.problems);
  EXPECT_EQ(all(mapped.warnings), "");

  // A mapping for one domain leaves the warning about the other.
  const auto partly = parse(std::string(R"({"policy": {"domain_aliases": {"corp.example": "CORP"},)") + one_form_rules);
  ASSERT_EQ(partly.warnings.size(), 1U) << all(partly.warnings);
  EXPECT_NE(partly.warnings[0].find("/policy/rules/1/match/domains/0: warning: rule \"no-partner\""), std::string::npos)
      << partly.warnings[0];
}

}  // namespace
}  // namespace raswarden::core
