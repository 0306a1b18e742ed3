// Where live sessions are remembered across a crash. The in-memory registry is lost when RRAS
// stops or dies; a store keeps just enough of each admitted connection (id, who, since when) that
// the next start can write a `session-recovered` stop for it, so no user stays "online" forever
// (the top complaint about accounting systems, accounting-landscape.md 7).
//
// `opened` and `closed` run on RRAS's threads under the registry lock: implementations must be
// memory-speed (the Windows one writes into a memory-mapped file).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "raswarden/adaptive_mutex.hpp"

namespace raswarden::core {

struct persisted_session {
  std::string session_id;
  std::string user;
  std::string domain;
  std::string client_ip;
  std::string tunnel;
  std::int64_t started_unix_ms = 0;
};

// What the previous run left behind.
struct recovery {
  std::vector<persisted_session> sessions;
  bool clean_shutdown = false;          // the previous run reached MprAdminTerminateDll
  std::int64_t last_alive_unix_ms = 0;  // the last time the previous run was known to be alive
};

class session_store {
 public:
  virtual ~session_store() = default;
  virtual void opened(const persisted_session& session) noexcept = 0;
  virtual void closed(const std::string& session_id) noexcept = 0;
  // From the background thread: records that the process is alive now.
  virtual void heartbeat(std::int64_t now_unix_ms) noexcept = 0;
  // At terminate: marks a clean shutdown (sessions still open are then "service-restart").
  virtual void mark_clean_shutdown(std::int64_t now_unix_ms) noexcept = 0;
};

// Keeps sessions in memory; what a restart "recovers" in tests.
class memory_session_store final : public session_store {
 public:
  void opened(const persisted_session& session) noexcept override;
  void closed(const std::string& session_id) noexcept override;
  void heartbeat(std::int64_t now_unix_ms) noexcept override;
  void mark_clean_shutdown(std::int64_t now_unix_ms) noexcept override;
  // What a new process would find.
  [[nodiscard]] recovery snapshot() const;

 private:
  mutable adaptive_mutex mutex_;
  std::unordered_map<std::string, persisted_session> sessions_;
  bool clean_ = false;
  std::int64_t last_alive_ = 0;
};

}  // namespace raswarden::core
