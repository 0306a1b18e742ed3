// host::parse_scenario: the JSON scenario files rrashost runs. Errors name the source, the JSON
// path and what was expected.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "host/scenario.hpp"

namespace raswarden::testing {
namespace {

std::string error_of(std::string_view text) {
  std::string error;
  const auto parsed = host::parse_scenario(text, "bad.json", error);
  EXPECT_FALSE(parsed.has_value()) << text;
  EXPECT_EQ(error.rfind("bad.json: ", 0), 0u) << error;
  return error;
}

TEST(scenario, sessions_and_load_are_read) {
  constexpr std::string_view text = R"({
    "schema": 1,
    "name": "morning",
    "sessions": [
      {"user": "alice", "domain": "CONTOSO", "tunnel": "sstp", "client_ip": "10.1.0.5", "start_ms": 5,
       "hold_ms": 40, "duration_s": 120, "bytes_in": 14000, "bytes_out": 28000, "reauthenticate": true},
      {"user": "carol", "tunnel": "dialup", "links": 2, "bytes_in": 3000, "addresses": false},
      {"user": "dave", "tunnel": "l2tp", "links": [{"port": "VPN7-1", "line_speed_bps": 100, "bytes_in": 9}]}
    ],
    "load": {"lifecycles": 500, "concurrency": 20, "threads": 4, "arrival_per_s": 250.5, "hold_ms": 3,
             "seed": 9, "links_per_session": 2, "addresses": true}
  })";
  std::string error;
  const auto s = host::parse_scenario(text, "morning.json", error);
  ASSERT_TRUE(s.has_value()) << error;
  EXPECT_EQ(s->name, "morning");
  ASSERT_EQ(s->sessions.size(), 3u);

  const auto& alice = s->sessions[0];
  EXPECT_EQ(alice.connection.user, L"alice");
  EXPECT_EQ(alice.connection.domain, L"CONTOSO");
  EXPECT_EQ(alice.connection.tunnel, host::tunnel_type::sstp);
  EXPECT_EQ(alice.connection.client_ipv4, L"10.1.0.5");
  EXPECT_EQ(alice.connection.duration_s, 120u);
  EXPECT_EQ(alice.connection.counters.bytes_in, 14000u);
  EXPECT_EQ(alice.connection.counters.frames_in, 10u);  // bytes / 1400 unless given
  EXPECT_EQ(alice.start_ms, 5u);
  EXPECT_EQ(alice.hold_ms, 40u);
  EXPECT_TRUE(alice.reauthenticate);
  EXPECT_TRUE(alice.addresses);
  ASSERT_EQ(alice.links.size(), 1u);
  EXPECT_EQ(alice.links[0].connection, alice.connection.handle);

  const auto& carol = s->sessions[1];
  EXPECT_EQ(carol.connection.tunnel, host::tunnel_type::dialup);
  EXPECT_FALSE(carol.addresses);
  ASSERT_EQ(carol.links.size(), 2u);
  EXPECT_EQ(carol.links[0].port_name, L"COM1");
  EXPECT_EQ(carol.links[1].port_name, L"COM2");
  EXPECT_EQ(carol.links[0].counters.bytes_in, 1500u);  // the connection's bytes split over the links
  EXPECT_NE(carol.links[0].port, carol.links[1].port);
  EXPECT_NE(carol.connection.handle, alice.connection.handle);
  EXPECT_NE(std::memcmp(&carol.connection.guid, &alice.connection.guid, sizeof(GUID)), 0);

  const auto& dave = s->sessions[2];
  ASSERT_EQ(dave.links.size(), 1u);
  EXPECT_EQ(dave.links[0].port_name, L"VPN7-1");
  EXPECT_EQ(dave.links[0].line_speed_bps, 100u);
  EXPECT_EQ(dave.links[0].counters.bytes_in, 9u);

  ASSERT_TRUE(s->load.has_value());
  EXPECT_EQ(s->load->lifecycles, 500u);
  EXPECT_EQ(s->load->concurrency, 20u);
  EXPECT_EQ(s->load->threads, 4u);
  EXPECT_DOUBLE_EQ(s->load->arrival_per_s, 250.5);
  EXPECT_EQ(s->load->hold_ms, 3u);
  EXPECT_EQ(s->load->seed, 9u);
  EXPECT_EQ(s->load->links_per_session, 2u);
  EXPECT_TRUE(s->load->addresses);
}

TEST(scenario, load_alone_has_defaults) {
  std::string error;
  const auto s = host::parse_scenario(R"({"schema":1,"load":{}})", "load.json", error);
  ASSERT_TRUE(s.has_value()) << error;
  EXPECT_TRUE(s->sessions.empty());
  ASSERT_TRUE(s->load.has_value());
  EXPECT_EQ(s->load->lifecycles, 1000u);
  EXPECT_EQ(s->load->threads, 1u);
  EXPECT_EQ(s->load->concurrency, 1u);
  EXPECT_FALSE(s->load->addresses);
}

TEST(scenario, unknown_key_names_its_path) {
  const std::string error = error_of(R"({"schema":1,"sessions":[{"usr":"alice"}]})");
  EXPECT_NE(error.find("/sessions/0/usr: unknown key"), std::string::npos) << error;
}

TEST(scenario, unknown_key_in_a_link_names_its_path) {
  const std::string error =
      error_of(R"({"schema":1,"sessions":[{"user":"a"},{"user":"b","links":[{},{"prot":"x"}]}]})");
  EXPECT_NE(error.find("/sessions/1/links/1/prot: unknown key"), std::string::npos) << error;
}

TEST(scenario, wrong_tunnel_names_its_path_and_the_choices) {
  const std::string error = error_of(R"({"schema":1,"sessions":[{"user":"alice","tunnel":"openvpn"}]})");
  EXPECT_NE(error.find("/sessions/0/tunnel: expected one of"), std::string::npos) << error;
  EXPECT_NE(error.find("\"ikev2\""), std::string::npos) << error;
  EXPECT_NE(error.find("found \"openvpn\""), std::string::npos) << error;
}

TEST(scenario, invalid_json_names_the_byte) {
  // The 26th byte, '}', is where a value was expected.
  const std::string error = error_of("{\"schema\":1,\n\"sessions\":[}");
  EXPECT_NE(error.find("not valid JSON at byte 26"), std::string::npos) << error;
  EXPECT_NE(error.find("line 2, column 13"), std::string::npos) << error;
}

TEST(scenario, missing_user_is_an_error) {
  const std::string error = error_of(R"({"schema":1,"sessions":[{"user":"a"},{"tunnel":"sstp"}]})");
  EXPECT_NE(error.find("/sessions/1: a session needs a non-empty \"user\""), std::string::npos) << error;
}

TEST(scenario, wrong_types_and_ranges_name_their_path) {
  EXPECT_NE(error_of(R"({"schema":1,"sessions":[{"user":"a","hold_ms":-1}]})")
                .find("/sessions/0/hold_ms: expected a non-negative integer"),
            std::string::npos);
  EXPECT_NE(
      error_of(R"({"schema":1,"sessions":[{"user":"a","links":17}]})").find("/sessions/0/links: expected at most 16"),
      std::string::npos);
  EXPECT_NE(error_of(R"({"schema":1,"sessions":[{"user":7}]})").find("/sessions/0/user: expected a string"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"schema":1,"load":{"threads":0}})").find("/load/threads: expected at least 1"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"schema":1,"sessions":{}})").find("/sessions: expected an array of sessions"),
            std::string::npos);
}

TEST(scenario, schema_and_content_are_required) {
  EXPECT_NE(error_of(R"({"schema":2,"sessions":[{"user":"a"}]})").find("/schema: expected \"schema\": 1"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"sessions":[{"user":"a"}]})").find("expected \"schema\": 1"), std::string::npos);
  EXPECT_NE(error_of(R"({"schema":1})").find("a scenario needs \"sessions\" or \"load\""), std::string::npos);
  EXPECT_NE(error_of(R"([1,2])").find("expected an object"), std::string::npos);
}

TEST(scenario, generated_sessions_are_deterministic_and_distinct) {
  host::load_options options;
  options.seed = 42;
  options.links_per_session = 3;
  const auto a = host::generated_session(options, 7);
  const auto b = host::generated_session(options, 7);
  const auto c = host::generated_session(options, 8);
  EXPECT_EQ(a.connection.user, b.connection.user);
  EXPECT_EQ(a.connection.tunnel, b.connection.tunnel);
  EXPECT_EQ(a.connection.counters.bytes_out, b.connection.counters.bytes_out);
  EXPECT_EQ(std::memcmp(&a.connection.guid, &b.connection.guid, sizeof(GUID)), 0);
  EXPECT_NE(a.connection.handle, c.connection.handle);
  EXPECT_NE(std::memcmp(&a.connection.guid, &c.connection.guid, sizeof(GUID)), 0);
  ASSERT_EQ(a.links.size(), 3u);
  EXPECT_NE(a.links[0].port, a.links[1].port);
  EXPECT_EQ(a.links[2].connection, a.connection.handle);
}

}  // namespace
}  // namespace raswarden::testing
