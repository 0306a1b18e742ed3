// The policy through the real exports under Wine: rules and limits decide what RRAS is told, the
// configuration is found through the registry, a changed file is reloaded while callbacks run,
// and address pools hand out each address once.
#include <thread>

#include "dll/dll_fixture.hpp"
#include "host/ras_structs.hpp"
#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::testing {
namespace {

using host::connection_spec;
using host::link_spec;
using host::tunnel_type;

using accept2_fn = BOOL(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*);
using hangup2_fn = VOID(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*);
using accept_ex_fn = BOOL(WINAPI*)(RAS_CONNECTION_EX*);
using link_fn = BOOL(WINAPI*)(RAS_PORT_0*, RAS_PORT_1*);
using get_ip_fn = DWORD(WINAPI*)(WCHAR*, WCHAR*, DWORD*, BOOL*);
using release_ip_fn = VOID(WINAPI*)(WCHAR*, WCHAR*, DWORD*);

connection_spec user_session(std::uintptr_t handle, const wchar_t* user, tunnel_type tunnel = tunnel_type::sstp) {
  connection_spec c;
  c.handle = handle;
  c.interface_handle = handle + 1;
  c.guid = host::make_guid(11, handle);
  c.tunnel = tunnel;
  c.user = user;
  c.domain = L"CONTOSO";
  c.remote_endpoint = L"203.0.113.7";
  c.local_endpoint = L"198.51.100.10";
  return c;
}

link_spec link_of(const connection_spec& c, std::uintptr_t port) {
  link_spec l;
  l.port = port;
  l.connection = c.handle;
  l.tunnel = c.tunnel;
  l.port_name = L"VPN2-" + std::to_wstring(port & 0xFF);
  return l;
}

class policy_test : public dll_test {
 protected:
  void SetUp() override {
    dll_test::SetUp();
    ::SetEnvironmentVariableW(L"RASWARDEN_CONFIG_POLL_MS", L"50");
  }
  void TearDown() override {
    ::SetEnvironmentVariableW(L"RASWARDEN_CONFIG_POLL_MS", nullptr);
    dll_test::TearDown();
  }

  // A configuration with this test's accounting folder and the given top-level members.
  std::string config(const std::string& members) const {
    return "{\"schema\":1,\"accounting\":{\"directory\":" +
           nlohmann::json(win32::to_utf8(directory() + L"\\logs")).dump() + ",\"flush_interval_ms\":50}" +
           (members.empty() ? "" : "," + members) + "}";
  }

  bool accept(std::uintptr_t handle, const wchar_t* user) {
    auto s = host::make_connection(user_session(handle, user));
    return fn<accept2_fn>("MprAdminAcceptNewConnection2")(&s->c0, &s->c1, &s->c2) != FALSE;
  }
  void hangup(std::uintptr_t handle, const wchar_t* user) {
    auto s = host::make_connection(user_session(handle, user));
    fn<hangup2_fn>("MprAdminConnectionHangupNotification2")(&s->c0, &s->c1, &s->c2);
  }

  // Waits (up to 10 s) until `count` records of `event` exist.
  std::vector<nlohmann::json> wait_for(std::string_view event, std::size_t count) {
    for (int i = 0; i < 1000; ++i) {
      auto found = records_of(event);
      if (found.size() >= count) return found;
      ::Sleep(10);
    }
    ADD_FAILURE() << "fewer than " << count << " " << event << " records after 10 s";
    return records_of(event);
  }

  // Rewrites the configuration file so that its timestamp moves even within one clock tick.
  void rewrite_config(const std::string& text) {
    ::Sleep(20);
    write_config(text);
  }
};

TEST_F(policy_test, a_rule_rejects_through_the_export_and_the_record_names_it) {
  write_config(config(R"("policy":{"rules":[
      {"name":"no-contractors","action":"reject","match":{"users":["ext-*"]}},
      {"name":"staff","action":"accept","match":{"domains":["contoso"]}}],"default":"reject"})"));
  initialize();
  EXPECT_FALSE(accept(0x100, L"ext-mallory"));
  EXPECT_TRUE(accept(0x200, L"alice"));
  terminate();
  const auto rejects = records_of("connection-reject");
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].at("user"), "ext-mallory");
  EXPECT_EQ(rejects[0].at("rule"), "no-contractors");
  EXPECT_EQ(rejects[0].at("reason"), "matched rule \"no-contractors\", which rejects");
  const auto accepts = records_of("connection-accept");
  ASSERT_EQ(accepts.size(), 1u);
  EXPECT_EQ(accepts[0].at("rule"), "staff");
  // The file came through RASWARDEN_CONFIG, as in every test: the administrator is told.
  EXPECT_NE(diagnostic_log().find("as the environment variable RASWARDEN_CONFIG says, not from "
                                  "HKLM\\SOFTWARE\\RasWarden ConfigPath"),
            std::string::npos)
      << diagnostic_log();
}

TEST_F(policy_test, simultaneous_use_is_limited_across_connect_and_hangup) {
  write_config(config(R"("policy":{"max_sessions_per_user":2})"));
  initialize();
  EXPECT_TRUE(accept(0x10, L"alice"));
  EXPECT_TRUE(accept(0x20, L"CONTOSO\\alice"));  // the same user in another form
  EXPECT_FALSE(accept(0x30, L"alice@contoso.example"));
  EXPECT_TRUE(accept(0x40, L"bob"));
  hangup(0x10, L"alice");
  EXPECT_TRUE(accept(0x50, L"alice"));
  terminate();
  const auto rejects = records_of("connection-reject");
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].at("rule"), "policy.max_sessions_per_user");
  EXPECT_EQ(rejects[0].at("reason"),
            "user \"alice\" already has 2 live session(s); the limit is 2 (policy.max_sessions_per_user)");
}

TEST_F(policy_test, the_multilink_limit_refuses_the_extra_link) {
  write_config(config(R"("policy":{"max_links_per_connection":2})"));
  initialize();
  const connection_spec c = user_session(0x70, L"alice");
  auto s = host::make_connection(c);
  ASSERT_TRUE(fn<accept2_fn>("MprAdminAcceptNewConnection2")(&s->c0, &s->c1, &s->c2));
  auto first = host::make_port(link_of(c, 0x71));
  auto second = host::make_port(link_of(c, 0x72));
  auto third = host::make_port(link_of(c, 0x73));
  EXPECT_TRUE(fn<link_fn>("MprAdminAcceptNewLink")(&first.p0, &first.p1));
  EXPECT_TRUE(fn<link_fn>("MprAdminAcceptNewLink")(&second.p0, &second.p1));
  EXPECT_FALSE(fn<link_fn>("MprAdminAcceptNewLink")(&third.p0, &third.p1));
  terminate();
  const auto rejects = records_of("link-reject");
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].at("rule"), "policy.max_links_per_connection");
}

TEST_F(policy_test, a_tunnel_rule_decides_at_the_first_link_of_a_ppp_connection) {
  write_config(config(R"("policy":{"rules":[{"name":"no-pptp","action":"reject","match":{"tunnels":["pptp"]}}]})"));
  initialize();
  const connection_spec c = user_session(0x80, L"alice", tunnel_type::pptp);
  auto s = host::make_connection(c);
  // Family 2 does not name the tunnel, so the connection is accepted and its first link decides.
  ASSERT_TRUE(fn<accept2_fn>("MprAdminAcceptNewConnection2")(&s->c0, &s->c1, &s->c2));
  auto p = host::make_port(link_of(c, 0x81));
  EXPECT_FALSE(fn<link_fn>("MprAdminAcceptNewLink")(&p.p0, &p.p1));
  terminate();
  const auto rejects = records_of("link-reject");
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].at("rule"), "no-pptp");
}

TEST_F(policy_test, audit_mode_records_the_reject_and_answers_accept) {
  write_config(config(R"("policy":{"mode":"audit","default":"reject"})"));
  initialize();
  EXPECT_TRUE(accept(0x90, L"alice"));
  terminate();
  const auto rejects = records_of("connection-reject");
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].at("enforced"), false);
  EXPECT_EQ(rejects[0].at("rule"), "default");
}

TEST_F(policy_test, a_changed_file_is_reloaded_and_an_invalid_one_keeps_the_last_good_policy) {
  write_config(config(R"("policy":{"max_sessions_per_user":1})"));
  initialize();
  EXPECT_TRUE(accept(0x1, L"alice"));
  EXPECT_FALSE(accept(0x2, L"alice"));

  // Allow two sessions, and refuse bob: the live session of alice still counts.
  rewrite_config(config(R"("policy":{"max_sessions_per_user":2,
      "rules":[{"name":"not-bob","action":"reject","match":{"users":["bob"]}}]})"));
  const auto reloaded = wait_for("config-loaded", 2);
  ASSERT_EQ(reloaded.size(), 2u);
  EXPECT_EQ(reloaded[1].at("callback"), "configuration-reload");
  EXPECT_TRUE(accept(0x3, L"alice"));
  EXPECT_FALSE(accept(0x4, L"alice"));  // 2 live: the one from before the reload and this one
  EXPECT_FALSE(accept(0x5, L"bob"));

  // A typo: rejected as a whole, reported with its position, and the running policy stays.
  rewrite_config(config(R"("policy":{"max_sessions_per_user":2,
      "rules":[{"name":"not-bob","action":"reject","match":{"user":["bob"]}}]})"));
  const auto rejected = wait_for("config-rejected", 1);
  ASSERT_EQ(rejected.size(), 1u);
  ASSERT_EQ(rejected[0].at("problems").size(), 1u);
  const std::string problem = rejected[0].at("problems")[0];
  EXPECT_NE(problem.find(":2:61: /policy/rules/0/match/user: unknown key (expected one of"), std::string::npos)
      << problem;
  EXPECT_FALSE(accept(0x6, L"bob"));
  terminate();
  EXPECT_NE(diagnostic_log().find("was not applied (1 problem(s)); the running configuration stays in force"),
            std::string::npos);
}

TEST_F(policy_test, a_reload_under_load_drops_no_decision) {
  write_config(config(R"("policy":{"max_sessions_per_user":0})"));
  initialize();
  constexpr int threads = 4;
  constexpr int per_thread = 300;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([this, t] {
      for (int i = 0; i < per_thread; ++i) {
        const auto handle = static_cast<std::uintptr_t>(0x100000 + t * 0x10000 + i);
        const std::wstring user = L"user" + std::to_wstring(t) + L"-" + std::to_wstring(i);
        (void)accept(handle, user.c_str());
        hangup(handle, user.c_str());
      }
    });
  }
  // Alternate between accepting everyone and refusing every odd-numbered user while they run.
  for (int round = 0; round < 6; ++round) {
    rewrite_config(config(
        round % 2 == 0
            ? R"("policy":{"rules":[{"name":"odd","action":"reject","match":{"users":["*1","*3","*5","*7","*9"]}}]})"
            : R"("policy":{})"));
    ::Sleep(120);
  }
  for (auto& w : workers) w.join();
  terminate();
  const std::size_t decisions = records_of("connection-accept").size() + records_of("connection-reject").size();
  EXPECT_EQ(decisions, static_cast<std::size_t>(threads * per_thread));
  EXPECT_EQ(records_of("connection-stop").size(), static_cast<std::size_t>(threads * per_thread));
  EXPECT_GE(records_of("config-loaded").size(), 2u);  // at least one reload happened during the run
  EXPECT_TRUE(records_of("config-rejected").empty());
}

TEST_F(policy_test, the_registry_config_path_is_used_when_the_environment_names_none) {
  const std::wstring path = directory() + L"\\from-registry.json";
  {
    const std::string text = config(R"("policy":{"default":"reject"})");
    win32::unique_hfile file(::CreateFileW(path.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr));
    DWORD written = 0;
    ASSERT_TRUE(::WriteFile(file.get(), text.data(), static_cast<DWORD>(text.size()), &written, nullptr));
  }
  HKEY raw = nullptr;
  ASSERT_EQ(::RegCreateKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\RasWarden", 0, nullptr, 0,
                              KEY_SET_VALUE | KEY_WOW64_64KEY, nullptr, &raw, nullptr),
            ERROR_SUCCESS);
  const win32::unique_hkey key(raw);
  // REG_EXPAND_SZ: the variable is expanded when the DLL reads it.
  ::SetEnvironmentVariableW(L"RASWARDEN_TEST_CONFIG_DIR", directory().c_str());
  const std::wstring value = L"%RASWARDEN_TEST_CONFIG_DIR%\\from-registry.json";
  ASSERT_EQ(::RegSetValueExW(key.get(), L"ConfigPath", 0, REG_EXPAND_SZ, reinterpret_cast<const BYTE*>(value.c_str()),
                             static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t))),
            ERROR_SUCCESS);
  ::SetEnvironmentVariableW(L"RASWARDEN_CONFIG", nullptr);
  initialize();
  const bool answered = accept(0xA0, L"alice");
  terminate();
  ::RegDeleteValueW(key.get(), L"ConfigPath");
  EXPECT_FALSE(answered);
  const auto loaded = records_of("config-loaded");
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(win32::to_wide(loaded[0].at("path").get<std::string>()), path);
  EXPECT_EQ(diagnostic_log().find("as the environment variable RASWARDEN_CONFIG says"), std::string::npos)
      << diagnostic_log();
}

TEST_F(policy_test, pools_hand_out_each_address_once_and_an_exhausted_pool_refuses_with_a_reason) {
  write_config(config(R"("ip_assignment":{"enabled":true,"static":{"boss":"10.9.0.1"},
      "pools":[{"name":"staff","first":"10.9.0.1","last":"10.9.0.3"}]})"));
  initialize();
  const auto get = [this](const wchar_t* user, const wchar_t* port, DWORD& address) {
    std::wstring u = user;
    std::wstring p = port;
    address = 0;
    BOOL notify = FALSE;
    return fn<get_ip_fn>("MprAdminGetIpAddressForUser")(u.data(), p.data(), &address, &notify);
  };
  DWORD a = 0;
  DWORD b = 0;
  DWORD c = 0;
  DWORD boss = 0;
  EXPECT_EQ(get(L"alice", L"VPN2-1", a), static_cast<DWORD>(NO_ERROR));
  EXPECT_EQ(get(L"bob", L"VPN2-2", b), static_cast<DWORD>(NO_ERROR));
  EXPECT_EQ(get(L"boss", L"VPN2-3", boss), static_cast<DWORD>(NO_ERROR));
  EXPECT_NE(get(L"carol", L"VPN2-4", c), static_cast<DWORD>(NO_ERROR));  // 10.9.0.1 is boss's: 2 left, both taken
  // First octet in the lowest byte: 10.9.0.x.
  EXPECT_EQ(boss, 0x0100090Au);
  EXPECT_EQ(a, 0x0200090Au);
  EXPECT_EQ(b, 0x0300090Au);
  std::wstring user = L"alice";
  std::wstring port = L"VPN2-1";
  fn<release_ip_fn>("MprAdminReleaseIpAddress")(user.data(), port.data(), &a);
  EXPECT_EQ(get(L"carol", L"VPN2-4", c), static_cast<DWORD>(NO_ERROR));
  EXPECT_EQ(c, 0x0200090Au);
  terminate();
  const auto assigns = records_of("ip-assign");
  ASSERT_EQ(assigns.size(), 5u);
  EXPECT_EQ(assigns[2].at("source"), "static");
  EXPECT_EQ(assigns[3].at("decision"), "reject");
  EXPECT_EQ(assigns[3].at("reason"), "pool \"staff\" is exhausted: all 3 addresses are in use");
  EXPECT_EQ(assigns[4].at("address"), "10.9.0.2");
}

}  // namespace
}  // namespace raswarden::testing
