// The configuration file: arbitrary text through parse_settings (JSON with comments, every key
// validated, each problem located by json_locator), the locator itself over every value of any
// text the JSON parser accepts, and, when the file is usable, what RasWarden builds from it: the
// check-config summary, the rule policy and the address pools, asked to decide a varied set of
// connections, links, reauthentications and addresses through an engine.
#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "raswarden/json_locator.hpp"
#include "raswarden/policy.hpp"

namespace {

using namespace raswarden;

constexpr std::string_view source_name = "fuzz.json";
constexpr std::string_view config_path = "C:\\ProgramData\\RasWarden\\fuzz.json";

// A value of the document: its JSON pointer, how deep it is, the character its text starts with,
// and whether it is an object member (which has a key).
struct located_value {
  std::string pointer;
  std::size_t depth = 0;
  char first = 0;
  bool member = false;
};

char first_character(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: return '{';
    case nlohmann::json::value_t::array: return '[';
    case nlohmann::json::value_t::string: return '"';
    case nlohmann::json::value_t::boolean: return value.get<bool>() ? 't' : 'f';
    case nlohmann::json::value_t::null: return 'n';
    default: return '0';  // a number: a digit or '-'
  }
}

// The values of the document (at most `limit`), in document order.
void collect_values(const nlohmann::json& value, located_value here, std::vector<located_value>& out,
                    std::size_t limit) {
  if (out.size() >= limit) return;
  here.first = first_character(value);
  out.push_back(here);
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      collect_values(child, {here.pointer + "/" + core::json_locator::escape(key), here.depth + 1, 0, true}, out,
                     limit);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      collect_values(value[i], {here.pointer + "/" + std::to_string(i), here.depth + 1, 0, false}, out, limit);
    }
  }
}

bool continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The offset of a position: json_locator::position_of undone.
std::size_t offset_of(std::string_view text, core::text_position at) {
  std::size_t offset = 0;
  for (std::size_t line = 1; line < at.line; ++line) offset = text.find('\n', offset) + 1;
  if (at.line == 1 && text.starts_with("\xEF\xBB\xBF")) offset = 3;
  for (std::size_t column = 1; column < at.column && offset < text.size(); ++offset) {
    if (!continuation(text[offset])) ++column;
  }
  while (offset < text.size() && continuation(text[offset])) ++offset;
  return offset;
}

bool starts_as(std::string_view text, std::size_t offset, char first) {
  if (offset >= text.size()) return false;
  const char c = text[offset];
  return first == '0' ? c == '-' || (c >= '0' && c <= '9') : c == first;
}

// Where the locator puts every value (and every member's key) of any text the parser accepts is
// where that value (or key) starts, down to the depth it records.
void check_locator(std::string_view text) {
  const nlohmann::json document = nlohmann::json::parse(text, nullptr, false, true);
  if (document.is_discarded()) return;
  const core::json_locator locator(text);
  std::vector<located_value> values;
  collect_values(document, {}, values, 256);
  for (const located_value& v : values) {
    if (v.depth > 64) continue;  // passed over: these resolve to an ancestor
    if (!starts_as(text, offset_of(text, locator.value(v.pointer)), v.first)) {
      fuzz::fail("json_locator misplaces the value at " + v.pointer);
    }
    if (v.member && !starts_as(text, offset_of(text, locator.key(v.pointer)), '"')) {
      fuzz::fail("json_locator misplaces the key of " + v.pointer);
    }
  }
  (void)locator.value("/no/such/value");
}

struct sample {
  const char* user;
  const char* domain;
  core::interface_type if_type;
  core::tunnel_kind tunnel;
  const char* remote_endpoint;
  const char* device_type;
};

// Who asks: each matches something a configuration can name (globs with domains, tunnels,
// interface types, endpoints in and out of ranges, IPv6).
constexpr std::array<sample, 8> samples{{
    {"alice", "CONTOSO", core::interface_type::client, core::tunnel_kind::sstp, "203.0.113.7", "sstp"},
    {"ext-bob", "", core::interface_type::client, core::tunnel_kind::unknown, "198.51.100.20", "pptp"},
    {"CONTOSO\\adm-carol", "", core::interface_type::client, core::tunnel_kind::ikev2, "2001:db8:100::5", "ikev2"},
    {"dave@contoso.example", "", core::interface_type::full_router, core::tunnel_kind::l2tp, "198.51.100.1", "l2tp"},
    {"guest", "WORKGROUP", core::interface_type::home_router, core::tunnel_kind::unknown, "", "modem"},
    {"ops-01", "", core::interface_type::dedicated, core::tunnel_kind::ppp, "10.0.0.1", "PPPoE"},
    {"", "", core::interface_type::unknown, core::tunnel_kind::unknown, "not an address", ""},
    {"ALICE", "contoso", core::interface_type::client, core::tunnel_kind::sstp, "203.0.113.8", "sstp"},
}};

void exercise(const core::settings& config, std::uint8_t clock_byte) {
  const fuzz::start_time at{1709510400000 + std::int64_t{clock_byte} * 3600000 * 2 / 3, (clock_byte % 5 - 2) * 60};
  fuzz::engine_harness harness(config, at);
  core::engine& engine = harness.engine();
  engine.record_configuration("MprAdminInitializeDllEx", config_path, true, false, {});
  std::vector<core::connection_info> connections;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const sample& s = samples[i];
    core::connection_info c;
    c.handle = 0x1000 + i;
    c.user = s.user;
    c.domain = s.domain;
    c.if_type = s.if_type;
    if (s.tunnel != core::tunnel_kind::unknown) c.tunnel = s.tunnel;
    c.remote_endpoint = s.remote_endpoint;
    (void)engine.accept_connection("MprAdminAcceptNewConnectionEx", c);
    core::link_info link;
    link.port = 0x2000 + i;
    link.connection = c.handle;
    link.device_type = s.device_type;
    link.port_name = std::string("VPN-") + s.device_type;
    (void)engine.accept_link("MprAdminAcceptNewLink", link);
    core::link_info second;  // a multilink member
    second.port = link.port + 0x100;
    second.connection = c.handle;
    (void)engine.accept_link("MprAdminAcceptNewLink", second);
    const core::address_request request{c.user, link.port_name};
    (void)harness.policy().pool_for(request);
    const auto v4 = engine.assign_ipv4("MprAdminGetIpAddressForUser", request, 0x0A00000A);
    const auto v6 = engine.assign_ipv6("MprAdminGetIpv6AddressForUser", request, {});
    if (i % 2 == 0) {
      engine.release_ipv4("MprAdminReleaseIpAddress", request, v4.address);
      engine.release_ipv6("MprAdminReleaseIpv6AddressForUser", request, v6.address);
    }
    (void)engine.accept_reauthentication("MprAdminAcceptReauthenticationEx", c);
    connections.push_back(std::move(c));
  }
  for (const core::connection_info& c : connections)
    engine.connection_hangup("MprAdminConnectionHangupNotificationEx", c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const core::settings_result parsed = core::parse_settings(text, source_name);
  for (const std::string& problem : parsed.problems) {
    if (!problem.starts_with(std::string(source_name) + ":")) fuzz::fail("a problem that names no file: " + problem);
  }
  if (!parsed.document_ok && parsed.problems.empty()) fuzz::fail("an unusable document without a problem");
  check_locator(text);
  if (!parsed.usable()) {
    // As the DLL records a rejected file: every problem in a config-rejected record.
    fuzz::engine_harness harness(core::settings{}, fuzz::start_time{});
    harness.engine().record_configuration("MprAdminInitializeDllEx", config_path, true, true, parsed.problems);
    return 0;
  }
  (void)core::describe(parsed.value);
  exercise(parsed.value, size == 0 ? 0 : data[size - 1]);
  return 0;
}
