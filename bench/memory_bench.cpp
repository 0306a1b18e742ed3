// Memory per live session (docs/performance.md): builds a core::engine as the DLL does
// (src/dll/runtime.cpp: options, sink, session store, then the parsed configuration's policy
// through replace_policy), opens N live IKEv2 connections of N distinct users with one link each,
// and reports the memory they hold, divided by N:
//   heap   bytes live in operator new blocks (malloc's usable size), from the counting allocator,
//          split by phase: connections (accept_connection), links (accept_link), and the part the
//          session store's in-memory index holds;
//   RSS    growth of VmRSS (and of RssAnon) in /proc/self/status over the same span: the heap with
//          malloc's headers and free space, the hash tables' bucket arrays, everything.
// The DLL's store (src/win32/session_state_file) also keeps a 256-byte slot per live session in the
// memory-mapped sessions.state file: file-backed pages, not heap. Here the store is a model of its
// in-memory index only (id -> slot map, free-slot list), so the heap it costs is counted, and the
// file's bytes are reported beside it.
//
// Each N runs in a child process of its own, so one run's freed memory cannot hide the next one's
// growth (--in-process measures in this process instead, for heaptrack, which follows no fork).
// Usage: raswarden_memory_bench [--format=table|json] [--in-process] [N...] (default 100000 1000000).
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alloc_counter.hpp"
#include "bench_data.hpp"
#include "raswarden/json_writer.hpp"
#include "raswarden/session_store.hpp"
#include "raswarden/settings.hpp"

namespace {

using namespace raswarden::core;
using namespace raswarden::bench;

constexpr std::size_t state_slot_bytes = 256;  // session_state_file's slot (static_assert there)
constexpr std::uint32_t state_initial_slots = 1024;

// A small production-like configuration: two refusals, then staff over the VPN tunnels.
constexpr std::string_view configuration = R"({
  "schema": 1,
  "accounting": { "on_failure": "continue" },
  "policy": {
    "default": "reject",
    "max_sessions_per_user": 2,
    "rules": [
      { "name": "no-pptp", "action": "reject", "match": { "tunnels": ["pptp"] } },
      { "name": "blocked-networks", "action": "reject", "match": { "remote_endpoints": ["203.0.113.0/24"] } },
      { "name": "staff-vpn", "action": "accept", "match": { "users": ["corp\\u*"], "tunnels": ["ikev2", "sstp", "l2tp"] } }
    ]
  }
})";

// The in-memory part of session_state_file: which slot each live session id occupies, and the
// free slots (the table doubles, from 1,024 slots, when it is full). The slots themselves live in
// the mapped file and are counted as file bytes, not heap.
class state_file_model final : public session_store {
 public:
  state_file_model() { grow(state_initial_slots); }
  void opened(const persisted_session& session) noexcept override {
    const alloc_totals before = alloc_snapshot();
    if (free_slots_.empty()) grow(slot_count_ * 2);
    slot_of_.insert_or_assign(session.session_id, free_slots_.back());
    free_slots_.pop_back();
    heap_ += (alloc_snapshot() - before).live_bytes;
  }
  void closed(const std::string& session_id) noexcept override {
    const alloc_totals before = alloc_snapshot();
    if (const auto found = slot_of_.find(session_id); found != slot_of_.end()) {
      free_slots_.push_back(found->second);
      slot_of_.erase(found);
    }
    heap_ += (alloc_snapshot() - before).live_bytes;
  }
  void heartbeat(std::int64_t) noexcept override {}
  void mark_clean_shutdown(std::int64_t) noexcept override {}

  [[nodiscard]] std::int64_t heap_bytes() const noexcept { return heap_; }
  [[nodiscard]] std::uint64_t file_bytes() const noexcept { return std::uint64_t{slot_count_} * state_slot_bytes; }
  [[nodiscard]] std::size_t live() const noexcept { return slot_of_.size(); }

 private:
  void grow(std::uint32_t slots) {
    for (std::uint32_t i = slots; i > slot_count_; --i) free_slots_.push_back(i - 1);
    slot_count_ = slots;
  }

  std::unordered_map<std::string, std::uint32_t> slot_of_;
  std::vector<std::uint32_t> free_slots_;
  std::uint32_t slot_count_ = 0;
  std::int64_t heap_ = 0;
};

// Resident set, from /proc/self/status (kB there).
struct resident {
  std::int64_t rss = 0;
  std::int64_t anon = 0;
};
resident read_resident() {
  resident r;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    const auto value = [&line] { return std::atoll(line.c_str() + line.find(':') + 1) * 1024; };
    if (line.rfind("VmRSS:", 0) == 0) r.rss = value();
    if (line.rfind("RssAnon:", 0) == 0) r.anon = value();
  }
  return r;
}

struct sample {
  alloc_totals heap;
  resident memory;
};
sample take_sample() {
  return sample{alloc_snapshot(), read_resident()};
}

struct result {
  std::size_t n = 0;
  double heap_per_session = 0;        // all heap the live sessions hold (core + store index)
  double blocks_per_session = 0;      // heap blocks
  double connection_heap = 0;         // of which: accept_connection (registry, per-user count, store)
  double link_heap = 0;               // of which: accept_link
  double store_heap = 0;              // of which: the session store's index (part of connection_heap)
  double rss_per_session = 0;         // VmRSS growth
  double rss_anon_per_session = 0;    // RssAnon growth
  double state_file_per_session = 0;  // sessions.state bytes (file-backed, not heap)
  double seconds = 0;
  bool ok = false;
  char error[240] = {};  // plain data: the child process hands the whole struct to its parent
};

void fail(result& r, std::string_view why) {
  const std::size_t length = std::min(why.size(), sizeof r.error - 1);
  why.copy(r.error, length);
  r.error[length] = '\0';
}

result measure(std::size_t n) {
  result out;
  out.n = n;
  const settings_result parsed = parse_settings(configuration, "memory_bench.json");
  if (!parsed.usable()) {
    fail(out, "the embedded configuration does not parse: " + parsed.problems.front());
    return out;
  }
  auto store = std::make_unique<state_file_model>();
  engine_under_test under_test(store.get());
  engine& eng = under_test.eng;
  eng.replace_policy(std::make_shared<rule_policy>(parsed.value.policy, under_test.time), parsed.value.ip_assignment);
  // Warm-up: one session opened and closed, so one-time allocations (thread-local record line,
  // per-user table, recently-closed memory) are not charged to the sessions.
  {
    std::mt19937 rng(3);
    connection_info c = make_connection(n + 1, rng);
    c.handle = new_handle_base;
    const link_info l = make_link(new_port_base, c.handle);
    const bool accepted =
        eng.accept_connection("MprAdminAcceptNewConnection3", c) && eng.accept_link("MprAdminAcceptNewLink", l);
    eng.link_hangup("MprAdminLinkHangupNotification", make_link_hangup(l));
    eng.connection_hangup("MprAdminConnectionHangupNotification3", make_hangup(c));
    if (!accepted) {
      fail(out, "warm-up: the connection or its link was refused");
      return out;
    }
  }

  const auto started = std::chrono::steady_clock::now();
  const std::uint64_t records_before = eng.writer().records_written();
  const sample before = take_sample();
  const std::int64_t store_before = store->heap_bytes();
  std::mt19937 rng(11);
  bool accepted = true;
  for (std::size_t k = 0; k < n && accepted; ++k) {
    accepted = eng.accept_connection("MprAdminAcceptNewConnection3", live_connection(k, n, rng));
  }
  const sample connections = take_sample();
  for (std::size_t k = 0; k < n && accepted; ++k) {
    accepted = eng.accept_link("MprAdminAcceptNewLink", make_link(live_port(k, 0), live_handle_base + k));
  }
  const sample links = take_sample();
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const session_registry::stats stats = eng.registry_stats();
  if (!accepted || stats.live_connections != n || stats.live_links != n || store->live() != n ||
      eng.writer().records_written() - records_before != 2 * n) {
    fail(out, fmt::format("expected {} live connections, links, stored sessions and {} records; found {}, {}, {}, {}",
                          n, 2 * n, stats.live_connections, stats.live_links, store->live(),
                          eng.writer().records_written() - records_before));
    return out;
  }
  const auto per = [n](std::int64_t bytes) { return static_cast<double>(bytes) / static_cast<double>(n); };
  out.heap_per_session = per((links.heap - before.heap).live_bytes);
  out.blocks_per_session = per((links.heap - before.heap).live_blocks);
  out.connection_heap = per((connections.heap - before.heap).live_bytes);
  out.link_heap = per((links.heap - connections.heap).live_bytes);
  out.store_heap = per(store->heap_bytes() - store_before);
  out.rss_per_session = per(links.memory.rss - before.memory.rss);
  out.rss_anon_per_session = per(links.memory.anon - before.memory.anon);
  out.state_file_per_session = static_cast<double>(state_slot_bytes);
  out.ok = true;
  return out;
}

std::string to_json(const result& r) {
  if (!r.ok) {
    json_line line;  // escapes whatever the message holds
    line.begin_object().field("n", std::uint64_t{r.n}).field("error", std::string_view(r.error));
    const std::string_view text = line.finish();
    return std::string(text.substr(0, text.size() - 1));
  }
  return fmt::format(
      R"({{"n":{},"links_per_session":1,"heap_bytes_per_session":{:.1f},"heap_blocks_per_session":{:.2f},)"
      R"("connection_heap_bytes_per_session":{:.1f},"link_heap_bytes_per_session":{:.1f},)"
      R"("store_index_heap_bytes_per_session":{:.1f},"rss_bytes_per_session":{:.1f},)"
      R"("rss_anon_bytes_per_session":{:.1f},"state_file_bytes_per_session":{:.0f},"seconds":{:.2f},)"
      R"("sizeof":{{"connection_state":{},"link_state":{},"connection_info":{},"link_info":{},"decision":{}}}}})",
      r.n, r.heap_per_session, r.blocks_per_session, r.connection_heap, r.link_heap, r.store_heap, r.rss_per_session,
      r.rss_anon_per_session, r.state_file_per_session, r.seconds, sizeof(connection_state), sizeof(link_state),
      sizeof(connection_info), sizeof(link_info), sizeof(decision));
}

void print_table(const std::vector<result>& results) {
  std::printf("%10s %12s %12s %12s %12s %12s %12s %13s\n", "sessions", "heap B/sess", "conn heap B", "link heap B",
              "store idx B", "RSS B/sess", "RssAnon B", "state file B");
  for (const result& r : results) {
    std::printf("%10zu %12.0f %12.0f %12.0f %12.0f %12.0f %12.0f %13.0f\n", r.n, r.heap_per_session, r.connection_heap,
                r.link_heap, r.store_heap, r.rss_per_session, r.rss_anon_per_session, r.state_file_per_session);
  }
}

// Runs one measurement in a child process, which hands its result back through a pipe.
result measure_in_child(std::size_t n) {
  result r;
  r.n = n;
  int fds[2];
  if (::pipe(fds) != 0) {
    fail(r, "pipe failed");
    return r;
  }
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    const result measured = measure(n);
    const ssize_t written = ::write(fds[1], &measured, sizeof measured);
    ::_exit(written == static_cast<ssize_t>(sizeof measured) ? 0 : 1);
  }
  ::close(fds[1]);
  std::size_t got = 0;
  auto* bytes = reinterpret_cast<char*>(&r);
  for (ssize_t chunk; got < sizeof r && (chunk = ::read(fds[0], bytes + got, sizeof r - got)) > 0;) {
    got += static_cast<std::size_t>(chunk);
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (got != sizeof r) {
    r = result{};
    r.n = n;
    fail(r, fmt::format("the measuring process died (wait status {})", status));
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  bool table = true;
  bool in_process = false;
  std::vector<std::size_t> sizes;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--format=json") {
      table = false;
    } else if (arg == "--format=table") {
      table = true;
    } else if (arg == "--in-process") {
      in_process = true;
    } else if (const std::size_t n = std::strtoull(argv[i], nullptr, 10); n > 0) {
      sizes.push_back(n);
    } else {
      std::fprintf(stderr, "usage: %s [--format=table|json] [--in-process] [N...]\n", argv[0]);
      return 2;
    }
  }
  if (sizes.empty()) sizes = {100000, 1000000};

  bool failed = false;
  std::vector<result> results;
  for (const std::size_t n : sizes) {
    results.push_back(in_process ? measure(n) : measure_in_child(n));
    failed = failed || !results.back().ok;
  }
  if (table && !failed) {
    print_table(results);
  } else {
    for (const result& r : results) std::printf("%s\n", to_json(r).c_str());
  }
  return failed ? 1 : 0;
}
