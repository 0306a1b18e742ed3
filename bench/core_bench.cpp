// The core's building blocks, each with allocations per operation (docs/performance.md):
//   BM_JsonLine/*           a complete connection-stop record built in a reused json_line (the
//                           line the accounting writer fills), with ASCII, non-ASCII and invalid
//                           UTF-8 names: ns/record, bytes/record, allocs/record.
//   BM_AccountingWriter/*   a complete connection-accept or connection-stop record built through
//                           accounting_writer::begin/commit (common fields, ts, seq) into a sink
//                           that keeps only the last line: what every record costs the writer.
//   BM_Registry/*           session_registry with 100,000 live connections, one link each
//                           (100,000 live links), and a decider that accepts without rules:
//                           open+close a connection, add+remove a link, a repeated accept of a
//                           live handle (another callback family), a reauthentication update, and
//                           a lookup of a connection's links by handle.
// Every benchmark checks its result before and after timing (SkipWithError when wrong), so a
// broken build reports an error instead of a number.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bench_support.hpp"
#include "raswarden/accounting.hpp"
#include "raswarden/json_writer.hpp"
#include "raswarden/policy.hpp"
#include "raswarden/session_registry.hpp"
#include "raswarden/types.hpp"

namespace {

using namespace raswarden::core;
using namespace raswarden::bench;

constexpr std::string_view session_id = "3f9c0a1b2c3d4e5f-00000001e240";

// ---- records -----------------------------------------------------------------------------------

// What the names in a record look like.
enum class text_kind { ascii, utf8, invalid_utf8 };

connection_info record_connection(text_kind kind) {
  std::mt19937 rng(5);
  connection_info c = make_connection(1234, rng);
  switch (kind) {
    case text_kind::ascii: break;
    case text_kind::utf8:
      c.user = "CORP\\j\xC3\xBCrgen.m\xC3\xBCller";                    // jürgen.müller
      c.remote_computer = "PORT\xC3\x81TIL-\xE6\x9D\xB1\xE4\xBA\xAC";  // PORTÁTIL-東京
      break;
    case text_kind::invalid_utf8:
      // Latin-1 and a lone continuation byte where UTF-8 belongs (a converter bug upstream).
      c.user = "CORP\\j\xFCrgen.m\xFCller";
      c.remote_computer = "LAPTOP-\x80\xC0\xAF-42";
      break;
  }
  c.interface_name = c.user;
  return c;
}

// The connection fields of connection-accept and connection-stop, as the engine writes them.
void write_connection_fields(json_line& line, const connection_info& c, std::string_view guid_text) {
  line.field("session_id", session_id)
      .field_if("user", c.user)
      .field_if("domain", c.domain)
      .field_if("interface", c.interface_name)
      .field("interface_type", to_string(*c.if_type))
      .field_if("remote_computer", c.remote_computer)
      .field("tunnel", to_string(*c.tunnel))
      .field_if("client_ip", c.client_ipv4)
      .field_if("remote_endpoint", c.remote_endpoint)
      .field_if("local_endpoint", c.local_endpoint)
      .field("guid", guid_text);
}

void write_stop_fields(json_line& line, const traffic_counters& t) {
  line.field("duration_s", std::uint64_t{1834})
      .field("bytes_in", t.bytes_in)
      .field("bytes_out", t.bytes_out)
      .field("frames_in", t.frames_in)
      .field("frames_out", t.frames_out)
      .begin_object("errors")
      .field("crc", t.errors.crc)
      .field("timeout", t.errors.timeout)
      .field("alignment", t.errors.alignment)
      .field("hw_overrun", t.errors.hw_overrun)
      .field("framing", t.errors.framing)
      .field("buffer_overrun", t.errors.buffer_overrun)
      .end_object()
      .field("links", std::uint32_t{1})
      .field("start_seen", true);
}

void write_decision_fields(json_line& line) {
  line.field("decision", "accept")
      .field("rule", "staff-vpn-office-hours")
      .field("reason", "matched rule \"staff-vpn-office-hours\"")
      .field("enforced", true);
}

// A record must be one line of valid JSON (nlohmann rejects invalid UTF-8) naming the event, with
// the user as given when it was valid UTF-8 and with U+FFFD in place of the bad bytes when not.
bool record_ok(std::string_view line, std::string_view event, const connection_info& c, text_kind kind) {
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1) return false;
  try {
    const nlohmann::json json = nlohmann::json::parse(line);
    const std::string user = json.at("user").get<std::string>();
    const bool user_ok =
        kind == text_kind::invalid_utf8 ? user == "CORP\\j\xEF\xBF\xBDrgen.m\xEF\xBF\xBDller" : user == c.user;
    return json.at("event") == event && user_ok && json.at("session_id") == session_id;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

// A complete connection-stop record (common fields included) in a json_line reused across
// records, as the writer's thread-local line is. The GUID is formatted once, outside the loop, so
// this is json_line alone.
void BM_JsonLine(benchmark::State& state, text_kind kind) {
  const connection_info c = record_connection(kind);
  const std::string guid_text = c.id->to_string();
  const traffic_counters traffic = typical_traffic();
  json_line line;
  const auto build = [&]() -> std::string_view {
    line.clear();
    line.begin_object()
        .field("schema", accounting_schema_version)
        .field("ts", "2026-03-11T10:00:00.000Z")
        .field("event", "connection-stop")
        .field("server", "RAS-BENCH-01")
        .field("callback", "MprAdminConnectionHangupNotification3");
    write_connection_fields(line, c, guid_text);
    write_stop_fields(line, traffic);
    line.field("seq", std::uint64_t{123456789});
    return line.finish();
  };
  if (!check(state, record_ok(build(), "connection-stop", c, kind), "the record is not the expected JSON")) return;

  std::uint64_t bytes = 0;
  const alloc_meter allocations;
  for (auto _ : state) {
    const std::string_view text = build();
    bytes += text.size();
    benchmark::DoNotOptimize(text.data());
  }
  allocations.report(state);
  check(state, record_ok(line.text(), "connection-stop", c, kind), "the last record is not the expected JSON");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["record_bytes"] = benchmark::Counter(static_cast<double>(bytes), benchmark::Counter::kAvgIterations);
}
BENCHMARK_CAPTURE(BM_JsonLine, connection_stop_ascii, text_kind::ascii);
BENCHMARK_CAPTURE(BM_JsonLine, connection_stop_utf8, text_kind::utf8);
BENCHMARK_CAPTURE(BM_JsonLine, connection_stop_invalid_utf8, text_kind::invalid_utf8);

// Keeps the last line it was given, so the benchmark can check what the writer produced.
class keep_last_sink final : public record_sink {
 public:
  explicit keep_last_sink(std::string& last) : last_(last) { last_.reserve(2048); }
  bool append(std::string_view line) noexcept override {
    last_.assign(line);  // within the reserved capacity: no allocation
    return true;
  }

 private:
  std::string& last_;
};

// A complete record through accounting_writer, with the fields the engine's recorder writes: the
// writer adds the common fields, ts and seq, and hands the line to the sink. The GUID is formatted
// once, as in BM_JsonLine, so this is the writer's own cost (BM_EngineAcceptHangup has the rest).
void BM_AccountingWriter(benchmark::State& state, bool stop) {
  const fixed_clock time;
  null_diagnostics diag;
  std::string last;
  accounting_writer writer("RAS-BENCH-01", std::make_unique<keep_last_sink>(last), time, diag);
  const connection_info c = record_connection(text_kind::ascii);
  const std::string guid_text = c.id->to_string();
  const traffic_counters traffic = typical_traffic();
  const std::string_view event = stop ? "connection-stop" : "connection-accept";
  const std::string_view callback = stop ? "MprAdminConnectionHangupNotification3" : "MprAdminAcceptNewConnection3";
  const auto record = [&] {
    json_line& line = writer.begin(event, callback);
    write_connection_fields(line, c, guid_text);
    if (stop) {
      write_stop_fields(line, traffic);
    } else {
      write_decision_fields(line);
    }
    return writer.commit(line);
  };
  // Also warms the thread-local line up.
  if (!check(state, record() && record_ok(last, event, c, text_kind::ascii), "the record is not the expected JSON")) {
    return;
  }

  const std::uint64_t written_before = writer.records_written();
  std::uint64_t bytes = 0;
  const alloc_meter allocations;
  for (auto _ : state) {
    benchmark::DoNotOptimize(record());
    bytes += last.size();
  }
  allocations.report(state);
  check(state, writer.records_written() - written_before == static_cast<std::uint64_t>(state.iterations()),
        "not one record written per iteration");
  check(state, record_ok(last, event, c, text_kind::ascii), "the last record is not the expected JSON");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["record_bytes"] = benchmark::Counter(static_cast<double>(bytes), benchmark::Counter::kAvgIterations);
}
BENCHMARK_CAPTURE(BM_AccountingWriter, connection_accept, false);
BENCHMARK_CAPTURE(BM_AccountingWriter, connection_stop, true);

// ---- session registry with 100,000 live sessions -----------------------------------------------

// A registry holding live_sessions connections with one link each, decided without rules.
struct live_registry {
  live_registry() { ready = open_live_sessions(registry, live_sessions, 1, decide, decide_link, events, now); }

  // The live counts the setup left: every timed operation must leave them as they were.
  [[nodiscard]] bool intact() const {
    const session_registry::stats s = registry.snapshot();
    return s.live_connections == live_sessions && s.live_links == live_sessions;
  }

  // The first info_pool live connections exactly as the setup opened them (same seed and order).
  [[nodiscard]] static std::vector<connection_info> first_live_connections() {
    std::mt19937 rng(11);
    std::vector<connection_info> out;
    out.reserve(info_pool);
    for (std::size_t k = 0; k < info_pool; ++k) out.push_back(live_connection(k, distinct_users, rng));
    return out;
  }

  fixed_clock time;
  accept_all_policy policy;
  session_registry::connection_decider decide = [this](const connection_info& c, const registry_counts& n) {
    return policy.decide_connection(c, n);
  };
  session_registry::link_decider decide_link = [this](const link_info& l, const connection_info* c,
                                                      const registry_counts& n) { return policy.decide_link(l, c, n); };
  id_generator ids{0x3f9c0a1b2c3d4e5fULL};
  session_registry registry{ids};
  null_events events;
  timestamps now = fixed_now(time);
  bool ready = false;
};

// Runs `op` (which answers whether its result was the expected one) as the timed loop over a
// registry with 100,000 live sessions, with the checks and counters every registry benchmark has:
// the live counts are what the setup left, and `duplicates_per_op` repeated events were counted.
template <typename Setup>
void run_registry_bench(benchmark::State& state, std::uint64_t duplicates_per_op, Setup setup) {
  live_registry live;
  if (!check(state, live.ready, "setup: a live session was refused, or the live counts are wrong")) return;
  auto op = setup(live);
  std::uint64_t wrong = 0;
  const std::uint64_t duplicates_before = live.registry.snapshot().duplicates;
  const alloc_meter allocations;
  for (auto _ : state) {
    wrong += op() ? 0 : 1;
  }
  allocations.report(state);
  const session_registry::stats after = live.registry.snapshot();
  check(state, wrong == 0, fmt::format("{} operation(s) did not give the expected result", wrong));
  check(state, live.intact(), "the live counts drifted");
  check(state, after.duplicates - duplicates_before == duplicates_per_op * state.iterations(),
        "unexpected number of repeated events");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["live"] = static_cast<double>(after.live_connections);
}

void BM_Registry_OpenCloseConnection(benchmark::State& state) {
  run_registry_bench(state, 0, [](live_registry& live) {
    return [&live, cycle = request_cycle(13)]() mutable {
      const request_cycle::pair r = cycle.next();
      const session_key key{key_origin::handle, r.request.handle};
      const bool accepted = live.registry.open_connection(key, r.request, live.now, live.decide, live.events).accept;
      live.registry.close_connection(key, r.hangup, live.now, live.events);
      return accepted;
    };
  });
}
BENCHMARK(BM_Registry_OpenCloseConnection)->Name("BM_Registry/open_close_connection");

// A second link joins a live connection (multilink) and leaves again.
void BM_Registry_OpenCloseLink(benchmark::State& state) {
  run_registry_bench(state, 0, [](live_registry& live) {
    std::vector<link_info> links;
    std::vector<link_info> hangups;
    for (std::size_t k = 0; k < info_pool; ++k) {
      links.push_back(make_link(new_port_base + k, live_handle_base + k));
      hangups.push_back(make_link_hangup(links.back()));
    }
    return [&live, links = std::move(links), hangups = std::move(hangups), next = std::size_t{0}]() mutable {
      const std::size_t slot = next & (info_pool - 1);
      links[slot].port = hangups[slot].port = new_port_base + next++;  // a new port handle each time
      const session_key connection{key_origin::handle, links[slot].connection};
      const session_key key{key_origin::handle, links[slot].port};
      const bool accepted =
          live.registry.open_link(key, connection, links[slot], live.now, live.decide_link, live.events).accept;
      live.registry.close_link(key, hangups[slot], live.now, live.events);
      return accepted;
    };
  });
}
BENCHMARK(BM_Registry_OpenCloseLink)->Name("BM_Registry/open_close_link");

// The same connection delivered again through another callback family (same handle and GUID):
// found by handle, fields merged, the first decision answered again.
void BM_Registry_DuplicateAccept(benchmark::State& state) {
  run_registry_bench(state, 1, [](live_registry& live) {
    return [&live, requests = live_registry::first_live_connections(), next = std::size_t{0}]() mutable {
      const connection_info& c = requests[next++ & (info_pool - 1)];
      return live.registry
          .open_connection(session_key{key_origin::handle, c.handle}, c, live.now, live.decide, live.events)
          .accept;
    };
  });
}
BENCHMARK(BM_Registry_DuplicateAccept)->Name("BM_Registry/duplicate_accept");

// A reauthentication: the live connection found by handle, updated, its session id returned.
void BM_Registry_UpdateConnection(benchmark::State& state) {
  run_registry_bench(state, 0, [](live_registry& live) {
    std::vector<connection_info> reauths = live_registry::first_live_connections();
    for (connection_info& c : reauths) {
      const connection_info accepted = c;
      c = connection_info{};
      c.handle = accepted.handle;
      c.user = accepted.user;
      c.domain = accepted.domain;
      c.id = accepted.id;
      c.quarantine = quarantine_state::normal;
    }
    return [&live, reauths = std::move(reauths), next = std::size_t{0}]() mutable {
      const connection_info& c = reauths[next++ & (info_pool - 1)];
      return live.registry.update_connection(session_key{key_origin::handle, c.handle}, c).size() == session_id.size();
    };
  });
}
BENCHMARK(BM_Registry_UpdateConnection)->Name("BM_Registry/update_connection");

// A plain lookup by handle: how many links a live connection has.
void BM_Registry_LiveLinksOf(benchmark::State& state) {
  run_registry_bench(state, 0, [](live_registry& live) {
    return [&live, next = std::size_t{0}]() mutable {
      const session_key key{key_origin::handle, live_handle_base + (next++ % live_sessions)};
      return live.registry.live_links_of(key) == 1;
    };
  });
}
BENCHMARK(BM_Registry_LiveLinksOf)->Name("BM_Registry/live_links_of");

}  // namespace

BENCHMARK_MAIN();
