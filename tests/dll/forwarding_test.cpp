// accounting.forward against a real rsyslog listening on loopback (started by the CTest fixture
// tests/forwarding/rsyslog.sh): every record written locally arrives as an RFC 5424 message whose
// MSGID is the event and whose MSG is the record, over TCP (octet counting) and over UDP. A
// collector that is not there costs nothing but a report: the callbacks answer and terminate
// returns promptly.
#include <chrono>
#include <thread>

#include "dll/dll_fixture.hpp"
#include "host/ras_structs.hpp"
#include "win32/system.hpp"

namespace raswarden::testing {
namespace {

using accept_ex_fn = BOOL(WINAPI*)(RAS_CONNECTION_EX*);
using hangup_ex_fn = VOID(WINAPI*)(RAS_CONNECTION_EX*);

class forwarding_test : public dll_test {
 protected:
  void configure(const char* transport, int port) {
    write_config("{\"schema\":1,\"accounting\":{\"directory\":" +
                 nlohmann::json(win32::to_utf8(directory() + L"\\logs")).dump() +
                 ",\"forward\":{\"enabled\":true,\"transport\":\"" + transport +
                 "\",\"host\":\"127.0.0.1\",\"port\":" + std::to_string(port) + "}}}");
  }

  // Runs one connection for `user` and returns its local records.
  std::vector<nlohmann::json> run_connection(const std::wstring& user) {
    initialize();
    host::connection_spec c;
    c.handle = 0x7000;
    c.guid = host::make_guid(5, ::GetTickCount64());
    c.user = user;
    c.duration_s = 42;
    auto s = host::make_connection(c);
    EXPECT_TRUE(fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx")(&s->ex));
    fn<hangup_ex_fn>("MprAdminConnectionHangupNotificationEx")(&s->ex);
    terminate();
    return records();
  }

  // The lines rsyslog wrote ("<msgid> <msg>") that mention `needle`, waiting up to 10 s for
  // `count` of them.
  static std::vector<std::string> received(const std::string& needle, std::size_t count) {
    const std::wstring file = win32::to_wide(RASWARDEN_SYSLOG_DIR) + L"\\received.log";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::vector<std::string> lines;
    for (;;) {
      lines.clear();
      std::string text;
      DWORD error = 0;
      win32::read_file(file, text, error);
      std::size_t start = 0;
      for (std::size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
        std::string line = text.substr(start, end - start);
        start = end + 1;
        if (line.find(needle) != std::string::npos) lines.push_back(std::move(line));
      }
      if (lines.size() >= count || std::chrono::steady_clock::now() > deadline) return lines;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  void expect_forwarded(const std::vector<nlohmann::json>& local, const std::string& user) {
    std::vector<nlohmann::json> mine;
    for (const auto& r : local) {
      if (r.value("user", "") == user) mine.push_back(r);
    }
    ASSERT_EQ(mine.size(), 2u);
    const auto lines = received("\"user\":\"" + user + "\"", 2);
    ASSERT_EQ(lines.size(), 2u) << "rsyslog did not receive both records of " << user;
    for (std::size_t i = 0; i < 2; ++i) {
      const std::size_t space = lines[i].find(' ');
      ASSERT_NE(space, std::string::npos);
      EXPECT_EQ(lines[i].substr(0, space), mine[i].at("event").get<std::string>());  // MSGID
      EXPECT_EQ(nlohmann::json::parse(lines[i].substr(space + 1)), mine[i]);         // MSG is the record
    }
  }
};

TEST_F(forwarding_test, records_reach_rsyslog_over_tcp_with_octet_counting) {
  configure("tcp", RASWARDEN_SYSLOG_TCP_PORT);
  const std::string user = "fwd-tcp-" + std::to_string(::GetTickCount64());
  expect_forwarded(run_connection(win32::to_wide(user)), user);
}

TEST_F(forwarding_test, records_reach_rsyslog_over_udp) {
  configure("udp", RASWARDEN_SYSLOG_UDP_PORT);
  const std::string user = "fwd-udp-" + std::to_string(::GetTickCount64());
  expect_forwarded(run_connection(win32::to_wide(user)), user);
}

TEST_F(forwarding_test, an_absent_collector_never_holds_up_rras) {
  configure("tcp", RASWARDEN_SYSLOG_TCP_PORT + 7);  // nothing listens there
  const auto start = std::chrono::steady_clock::now();
  const auto local = run_connection(L"nobody-listens");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(records_of("connection-accept").size(), 1u);  // the local file has everything
  EXPECT_EQ(records_of("connection-stop").size(), 1u);
  EXPECT_NE(diagnostic_log().find("accounting.forward: cannot send to 127.0.0.1"), std::string::npos)
      << diagnostic_log();
}

}  // namespace
}  // namespace raswarden::testing
