// What every benchmark and the memory program share: a fixed clock, observers and sinks that do
// nothing, and the connections and links RRAS hands the DLL for an IKEv2 client, built
// deterministically (fixed seeds). Header-only: each benchmark executable is one translation unit
// plus alloc_counter.cpp.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "raswarden/accounting.hpp"
#include "raswarden/address.hpp"
#include "raswarden/engine.hpp"
#include "raswarden/platform.hpp"
#include "raswarden/policy.hpp"
#include "raswarden/session_registry.hpp"
#include "raswarden/types.hpp"

namespace raswarden::bench {

using namespace raswarden::core;

inline constexpr std::size_t live_sessions = 100000;
inline constexpr std::size_t distinct_users = 20000;
inline constexpr std::size_t info_pool = 4096;  // distinct prebuilt requests cycled through (power of 2)

// Handles of the sessions set up before timing, and of the ones the timed loops open.
inline constexpr handle_value live_handle_base = 0x10000;
inline constexpr handle_value live_port_base = 0x200000000;
inline constexpr handle_value new_handle_base = 0x100000000;
inline constexpr handle_value new_port_base = 0x300000000;

// Wednesday 2026-03-11 10:00:00 UTC, local time = UTC. Every rule's day/hour test sees this.
class fixed_clock final : public clock {
 public:
  [[nodiscard]] std::int64_t now_unix_ms() const override { return 1773223200000; }
  [[nodiscard]] std::uint64_t steady_ns() const override { return 5000000000000; }
};

inline timestamps fixed_now(const clock& time) {
  return timestamps{time.now_unix_ms(), time.steady_ns()};
}

class null_events final : public registry_events {
 public:
  void connection_opened(const connection_state&) override {}
  void connection_closed(const connection_state&, close_cause, const timestamps&) override {}
  void link_opened(const link_state&) override {}
  void link_closed(const link_state&, close_cause, const timestamps&) override {}
  void duplicate(std::string_view, const session_key&) override {}
};

// Takes every line and drops it, counting lines and bytes (so building them cannot be optimised
// away, and so a benchmark can check what it produced).
class discard_sink final : public record_sink {
 public:
  explicit discard_sink(std::atomic<std::uint64_t>& bytes) : bytes_(bytes) {}
  bool append(std::string_view line) noexcept override {
    bytes_.fetch_add(line.size(), std::memory_order_relaxed);
    return true;
  }

 private:
  std::atomic<std::uint64_t>& bytes_;
};

inline address_range cidr(std::string_view text) {
  range_parse_result parsed = parse_address_range(text);
  if (!parsed.range) throw std::runtime_error(fmt::format("bad range {}: {}", text, parsed.error));
  return *parsed.range;
}

// What an RRAS accept callback carries for an IKEv2 client connection.
inline connection_info make_connection(std::size_t user_index, std::mt19937& rng) {
  connection_info c;
  c.user = fmt::format("CORP\\u{:05}", user_index);
  c.domain = "CORP";
  c.interface_name = c.user;
  c.if_type = interface_type::client;
  c.remote_computer = fmt::format("LAPTOP-{:06X}", rng() & 0xFFFFFF);
  c.flags = connection_flags::ikev2;
  c.client_ipv4 = fmt::format("10.8.{}.{}", (user_index >> 8) & 0xFF, user_index & 0xFF);
  c.server_ipv4 = "10.8.0.1";
  c.remote_endpoint = fmt::format("198.51.100.{}", 1 + rng() % 254);
  c.local_endpoint = "192.0.2.10";
  c.auth = authentication{0, 0, 0, true};
  c.tunnel = tunnel_kind::ikev2;
  c.id = guid{static_cast<std::uint32_t>(rng()),
              static_cast<std::uint16_t>(rng()),
              static_cast<std::uint16_t>(rng()),
              {1, 2, 3, 4, 5, 6, 7, static_cast<std::uint8_t>(user_index)}};
  return c;
}

inline traffic_counters typical_traffic() {
  traffic_counters t;
  t.bytes_in = 48123456;
  t.bytes_out = 912345678;
  t.frames_in = 61234;
  t.frames_out = 701234;
  return t;
}

// The hangup for a connection: final counters and duration.
inline connection_info make_hangup(const connection_info& accepted) {
  connection_info h;
  h.handle = accepted.handle;
  h.user = accepted.user;
  h.domain = accepted.domain;
  h.duration_s = 1834;
  h.traffic = typical_traffic();
  h.terminate_reason = 0;
  return h;
}

// The link (port) RRAS reports for an IKEv2 connection: RAS_PORT_0 and RAS_PORT_1.
inline link_info make_link(handle_value port, handle_value connection) {
  link_info l;
  l.port = port;
  l.connection = connection;
  l.port_name = fmt::format("VPN2-{}", port % 1000);
  l.media = "rastapi";
  l.device = "WAN Miniport (IKEv2)";
  l.device_type = "vpn";
  l.line_speed_bps = 1000000000;
  return l;
}

inline link_info make_link_hangup(const link_info& accepted) {
  link_info h;
  h.port = accepted.port;
  h.connection = accepted.connection;
  h.duration_s = 1834;
  h.traffic = typical_traffic();
  return h;
}

// Requests cycled through by the timed loops: random users of the 20,000 (fixed seed).
inline std::vector<connection_info> make_request_pool(std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> user(0, distinct_users - 1);
  std::vector<connection_info> pool;
  pool.reserve(info_pool);
  for (std::size_t i = 0; i < info_pool; ++i) pool.push_back(make_connection(user(rng), rng));
  return pool;
}

// The requests a timed loop cycles through with their hangups; each `next` hands out the next
// pair under a new handle (new_handle_base upwards), so every iteration opens a new connection.
class request_cycle {
 public:
  explicit request_cycle(std::uint32_t seed) : requests_(make_request_pool(seed)) {
    hangups_.reserve(requests_.size());
    for (const connection_info& r : requests_) hangups_.push_back(make_hangup(r));
  }

  struct pair {
    const connection_info& request;
    const connection_info& hangup;
  };
  pair next() noexcept {
    const std::size_t slot = next_++ & (info_pool - 1);
    requests_[slot].handle = hangups_[slot].handle = next_handle_++;
    return pair{requests_[slot], hangups_[slot]};
  }

 private:
  std::vector<connection_info> requests_;
  std::vector<connection_info> hangups_;
  std::size_t next_ = 0;
  handle_value next_handle_ = new_handle_base;
};

// An engine built as the DLL builds one (src/dll/runtime.cpp: options, sink, store, then the
// policy through replace_policy), over a sink that drops the records and counts their bytes.
struct engine_under_test {
  explicit engine_under_test(session_store* store = nullptr)
      : eng(engine_options{"RAS-BENCH-01", failure_mode::continue_admitting, 100000},
            std::make_unique<discard_sink>(record_bytes), nullptr, time, diag, store) {}

  fixed_clock time;
  null_diagnostics diag;
  std::atomic<std::uint64_t> record_bytes{0};
  engine eng;
};

// The k-th live session set up before timing: connection handle live_handle_base + k, its links
// on ports live_port_base + 16 k + i. `users` distinct users share the sessions round robin.
inline connection_info live_connection(std::size_t k, std::size_t users, std::mt19937& rng) {
  connection_info c = make_connection(k % users, rng);
  c.handle = live_handle_base + k;
  return c;
}
inline handle_value live_port(std::size_t k, std::size_t link) {
  return live_port_base + 16 * k + link;
}

// Opens `n` live sessions with `links` links each through the engine, as RRAS's callbacks would.
// False if any was refused or the live counts are not what was opened.
inline bool open_live_sessions(engine& eng, std::size_t n, std::size_t links, std::size_t users = distinct_users) {
  std::mt19937 rng(11);
  for (std::size_t k = 0; k < n; ++k) {
    const connection_info c = live_connection(k, users, rng);
    if (!eng.accept_connection("MprAdminAcceptNewConnection3", c)) return false;
    for (std::size_t i = 0; i < links; ++i) {
      if (!eng.accept_link("MprAdminAcceptNewLink", make_link(live_port(k, i), c.handle))) return false;
    }
  }
  const session_registry::stats stats = eng.registry_stats();
  return stats.live_connections == n && stats.live_links == n * links;
}

// The same directly on a registry, with the observer and deciders the caller chooses.
inline bool open_live_sessions(session_registry& registry, std::size_t n, std::size_t links,
                               const session_registry::connection_decider& decide,
                               const session_registry::link_decider& decide_link, registry_events& events,
                               const timestamps& now) {
  std::mt19937 rng(11);
  for (std::size_t k = 0; k < n; ++k) {
    const connection_info c = live_connection(k, distinct_users, rng);
    const session_key key{key_origin::handle, c.handle};
    if (!registry.open_connection(key, c, now, decide, events).answer()) return false;
    for (std::size_t i = 0; i < links; ++i) {
      const link_info l = make_link(live_port(k, i), c.handle);
      if (!registry.open_link(session_key{key_origin::handle, l.port}, key, l, now, decide_link, events).answer()) {
        return false;
      }
    }
  }
  const session_registry::stats stats = registry.snapshot();
  return stats.live_connections == n && stats.live_links == n * links;
}

}  // namespace raswarden::bench
