// Eight threads drive full lifecycles through the exports at once (RRAS serializes per function
// and group, but nothing across groups; rrashost --stress drops even that). Every record must be
// written exactly once, whole, with a unique seq.
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "dll/dll_fixture.hpp"
#include "host/ras_structs.hpp"

namespace raswarden::testing {
namespace {

using accept_ex_fn = BOOL(WINAPI*)(RAS_CONNECTION_EX*);
using hangup_ex_fn = VOID(WINAPI*)(RAS_CONNECTION_EX*);
using accept3_fn = BOOL(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*, RAS_CONNECTION_3*);
using hangup3_fn = VOID(WINAPI*)(RAS_CONNECTION_0*, RAS_CONNECTION_1*, RAS_CONNECTION_2*, RAS_CONNECTION_3*);
using link_fn = BOOL(WINAPI*)(RAS_PORT_0*, RAS_PORT_1*);
using link_hangup_fn = VOID(WINAPI*)(RAS_PORT_0*, RAS_PORT_1*);

class concurrency_test : public dll_test {};

TEST_F(concurrency_test, eight_threads_of_lifecycles_record_everything_exactly_once) {
  constexpr int threads = 8;
  constexpr int lifecycles = 250;
  initialize();
  const auto accept_ex = fn<accept_ex_fn>("MprAdminAcceptNewConnectionEx");
  const auto hangup_ex = fn<hangup_ex_fn>("MprAdminConnectionHangupNotificationEx");
  const auto accept3 = fn<accept3_fn>("MprAdminAcceptNewConnection3");
  const auto hangup3 = fn<hangup3_fn>("MprAdminConnectionHangupNotification3");
  const auto accept_link = fn<link_fn>("MprAdminAcceptNewLink");
  const auto hangup_link = fn<link_hangup_fn>("MprAdminLinkHangupNotification");

  std::vector<std::thread> workers;
  std::atomic<int> refused{0};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < lifecycles; ++i) {
        host::connection_spec c;
        c.handle = 0x10000u * static_cast<unsigned>(t + 1) + static_cast<unsigned>(i);
        c.guid = host::make_guid(static_cast<std::uint64_t>(t), static_cast<std::uint64_t>(i));
        c.user = L"user" + std::to_wstring(t);
        c.duration_s = static_cast<DWORD>(i);
        auto s = host::make_connection(c);
        host::link_spec l;
        l.port = c.handle + 0x8000000u;
        l.connection = c.handle;
        l.port_name = L"VPN" + std::to_wstring(t) + L"-" + std::to_wstring(i);
        auto p = host::make_port(l);
        // Odd threads use the Ex family, even ones family 3; every fourth hangup comes twice.
        const bool ok = (t % 2 != 0) ? accept_ex(&s->ex) : accept3(&s->c0, &s->c1, &s->c2, &s->c3);
        if (!ok || !accept_link(&p.p0, &p.p1)) ++refused;
        hangup_link(&p.p0, &p.p1);
        if (t % 2 != 0) {
          hangup_ex(&s->ex);
        } else {
          hangup3(&s->c0, &s->c1, &s->c2, &s->c3);
        }
        if (i % 4 == 0) hangup_ex(&s->ex);
      }
    });
  }
  for (auto& w : workers) w.join();
  terminate();
  EXPECT_EQ(refused.load(), 0);

  const auto all = records();
  constexpr std::size_t total = threads * lifecycles;
  std::size_t accepts = 0, stops = 0, link_accepts = 0, link_stops = 0;
  std::set<std::uint64_t> seqs;
  std::set<std::string> sessions;
  for (const auto& r : all) {
    seqs.insert(r.at("seq").get<std::uint64_t>());
    const std::string event = r.at("event");
    if (event == "connection-accept") {
      ++accepts;
      EXPECT_TRUE(sessions.insert(r.at("session_id").get<std::string>()).second) << "session id reused";
    }
    stops += event == "connection-stop";
    link_accepts += event == "link-accept";
    link_stops += event == "link-stop";
  }
  EXPECT_EQ(accepts, total);
  EXPECT_EQ(stops, total);
  EXPECT_EQ(link_accepts, total);
  EXPECT_EQ(link_stops, total);
  EXPECT_EQ(all.size(), 4 * total + 3);  // plus service-start, config-loaded and service-stop
  EXPECT_EQ(seqs.size(), all.size());
  EXPECT_EQ(*seqs.begin(), 1u);
  EXPECT_EQ(*seqs.rbegin(), all.size());
  EXPECT_EQ(all.back().at("open_sessions"), 0);
}

}  // namespace
}  // namespace raswarden::testing
