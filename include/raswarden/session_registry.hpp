// The live connections and links, keyed as RRAS identifies them. Thread-safe: every operation
// takes one lock, and reports what changed to a `registry_events` observer while still holding it,
// so the records written from those reports come out in the order the changes happened.
//
// RRAS's ordering is only partly documented (mprapi-reference.md 4.3-4.4), so every operation
// accepts calls out of order: a hangup for a handle never accepted, twice, or after a reject; an
// accept for a handle already live (another callback family, or a reused handle).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "raswarden/adaptive_mutex.hpp"
#include "raswarden/policy.hpp"
#include "raswarden/types.hpp"

namespace raswarden::core {

// Mints identifiers that are unique across processes and servers: a random 64-bit prefix chosen
// once per process, then a counter ("3f9c0a1b2c3d4e5f-000000000000002a").
class id_generator {
 public:
  id_generator();
  explicit id_generator(std::uint64_t prefix) noexcept : prefix_(prefix) {}
  [[nodiscard]] std::string next();

 private:
  std::uint64_t prefix_;
  std::atomic<std::uint64_t> counter_{0};
};

struct session_key_hash {
  std::size_t operator()(const session_key& key) const noexcept {
    return std::hash<std::uint64_t>{}(key.value) ^ static_cast<std::size_t>(key.origin);
  }
};

struct timestamps {
  std::int64_t unix_ms = 0;
  std::uint64_t steady_ns = 0;
};

struct connection_state {
  std::string session_id;
  session_key key;
  connection_info info;
  decision admission;
  bool start_seen = true;
  timestamps started;
  std::vector<session_key> live_links;
  std::uint32_t links_total = 0;
  tunnel_kind tunnel = tunnel_kind::unknown;
};

struct link_state {
  std::string link_id;
  session_key key;
  session_key connection;
  std::string session_id;  // empty when the link's connection is unknown
  link_info info;
  decision admission;
  bool start_seen = true;
  timestamps started;
};

enum class close_cause : std::uint8_t {
  hangup,             // RRAS's hangup notification
  handle_reused,      // RRAS reused the handle for a new connection before we saw a hangup
  connection_closed,  // a link still open when its connection's hangup arrived
};
[[nodiscard]] std::string_view to_string(close_cause cause) noexcept;

// Called under the registry's lock. Implementations must not call back into the registry.
class registry_events {
 public:
  virtual ~registry_events() = default;
  virtual void connection_opened(const connection_state& connection) = 0;
  // `connection.info` holds the final counters (from the hangup callback, when it had them).
  virtual void connection_closed(const connection_state& connection, close_cause cause, const timestamps& at) = 0;
  virtual void link_opened(const link_state& link) = 0;
  virtual void link_closed(const link_state& link, close_cause cause, const timestamps& at) = 0;
  // The same logical event arrived again (another callback family, or a repeated hangup).
  virtual void duplicate(std::string_view what, const session_key& key) = 0;
};

class session_registry {
 public:
  using connection_decider = std::function<decision(const connection_info&, const registry_counts&)>;
  using link_decider = std::function<decision(const link_info&, const connection_info*, const registry_counts&)>;

  // `remembered` bounds how many rejected and recently closed keys are kept to recognise late
  // or repeated hangups; the oldest are forgotten first.
  explicit session_registry(id_generator& ids, std::size_t remembered = 65536);

  // Admits (or rejects) a connection. An accept for a key already live with no conflicting GUID
  // is the same connection seen through another callback family: its fields are merged, nothing
  // is reported but `duplicate`, and the first decision is returned again.
  decision open_connection(const session_key& key, const connection_info& info, const timestamps& now,
                           const connection_decider& decide, registry_events& events);

  // Closes a connection and any of its links still open. Unknown keys are closed with
  // `start_seen = false`; keys closed moments ago are reported as duplicates.
  void close_connection(const session_key& key, const connection_info& final_info, const timestamps& now,
                        registry_events& events);

  decision open_link(const session_key& key, const session_key& connection, const link_info& info,
                     const timestamps& now, const link_decider& decide, registry_events& events);
  void close_link(const session_key& key, const link_info& final_info, const timestamps& now, registry_events& events);

  // Updates the live connection with what a later callback (reauthentication) learned, and
  // returns its session id ("" when the connection is not live).
  std::string update_connection(const session_key& key, const connection_info& info);

  // Live links of a live connection (0 when the connection is not live).
  [[nodiscard]] std::size_t live_links_of(const session_key& connection) const;

  struct stats {
    std::size_t live_connections = 0;
    std::size_t live_links = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t unknown_hangups = 0;
    std::uint64_t reused_handles = 0;
  };
  [[nodiscard]] stats snapshot() const;
  // Session ids of every live connection (for recovery state and diagnostics).
  [[nodiscard]] std::vector<std::string> live_session_ids() const;

 private:
  // A bounded FIFO set of keys (of closed sessions, to recognise a repeated hangup).
  class key_memory {
   public:
    explicit key_memory(std::size_t capacity) : capacity_(capacity) {}
    void remember(const session_key& key);
    [[nodiscard]] bool contains(const session_key& key) const { return index_.contains(key); }
    void forget(const session_key& key) { index_.erase(key); }

   private:
    std::size_t capacity_;
    std::uint64_t next_generation_ = 0;
    // Oldest first. An entry whose generation no longer matches index_ is stale (its key was
    // forgotten or remembered again since) and is skipped when it reaches the front.
    std::deque<std::pair<session_key, std::uint64_t>> order_;
    std::unordered_map<session_key, std::uint64_t, session_key_hash> index_;  // key -> its generation
  };

  registry_counts counts_for(const std::string& user_lower, const connection_state* connection) const;
  void close_links_of(connection_state& connection, const timestamps& now, registry_events& events);
  void close_connection_locked(std::unordered_map<session_key, connection_state, session_key_hash>::iterator it,
                               const connection_info* final_info, close_cause cause, const timestamps& now,
                               registry_events& events);

  id_generator& ids_;
  mutable adaptive_mutex mutex_;
  std::unordered_map<session_key, connection_state, session_key_hash> connections_;
  std::unordered_map<session_key, link_state, session_key_hash> links_;
  std::unordered_map<session_key, connection_state, session_key_hash> rejected_connections_;
  std::unordered_map<session_key, link_state, session_key_hash> rejected_links_;
  std::deque<session_key> rejected_connection_order_;
  std::deque<session_key> rejected_link_order_;
  std::unordered_map<std::string, std::size_t> connections_per_user_;  // key: user_count_key(user)
  key_memory closed_connections_;
  key_memory closed_links_;
  std::size_t remembered_;
  stats stats_;
};

}  // namespace raswarden::core
