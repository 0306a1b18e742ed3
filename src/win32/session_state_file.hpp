// sessions.state beside the accounting files: the live sessions, in fixed 256-byte slots of a
// memory-mapped file. Opening or closing a session is a memcpy into the mapping (no system call
// on RRAS's thread), and the mapped pages belong to the operating system, so they survive the
// process being killed. The next start reads what is left and writes session-recovered records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "raswarden/adaptive_mutex.hpp"
#include "raswarden/session_store.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

class session_state_file final : public core::session_store {
 public:
  // Opens (or creates) the file and returns what the previous run left in `previous`, without
  // changing it. A corrupt file is reported in `warning` and started afresh.
  static std::unique_ptr<session_state_file> open(const std::wstring& path, std::int64_t now_unix_ms,
                                                  core::recovery& previous, std::string& error, std::string& warning);
  // Clears the file for this run's sessions. Called once the previous run's sessions are
  // journaled as session-recovered, so a crash before that point recovers them again; until
  // then this run's sessions are not kept (no callback arrives before it).
  [[nodiscard]] bool start_afresh(std::string& error) noexcept;
  ~session_state_file() override;
  session_state_file(const session_state_file&) = delete;
  session_state_file& operator=(const session_state_file&) = delete;

  void opened(const core::persisted_session& session) noexcept override;
  void closed(const std::string& session_id) noexcept override;
  void heartbeat(std::int64_t now_unix_ms) noexcept override;
  void mark_clean_shutdown(std::int64_t now_unix_ms) noexcept override;

 private:
  session_state_file() = default;
  bool map(std::uint32_t slots) noexcept;
  void unmap() noexcept;
  // The index from session id to slot. Every accept adds an id and every hangup removes one, so
  // it is an open-addressing table of (hash, slot) pairs that allocates nothing per session: the
  // slot's own copy of the id tells a match from a collision. (A map keyed by std::string cost two
  // allocations, a node and the 29-character key, and two string hashes per session.) Ids too
  // long for a slot's copy, which RasWarden never makes, go to long_ids_.
  [[nodiscard]] std::size_t find_index(const std::string& session_id, std::uint32_t hash) const noexcept;
  void insert_index(std::uint32_t hash, std::uint32_t slot_index);
  void erase_index(std::size_t at) noexcept;
  struct index_entry {
    std::uint32_t hash = 0;
    std::uint32_t slot_plus_one = 0;  // 0: empty
  };

  core::adaptive_mutex mutex_;
  unique_hfile file_;
  unique_handle mapping_;
  void* view_ = nullptr;
  std::uint32_t slot_count_ = 0;
  std::vector<index_entry> index_;  // a power of two in size, at most half full
  std::size_t indexed_ = 0;
  std::unordered_map<std::string, std::uint32_t> long_ids_;
  std::vector<std::uint32_t> free_slots_;
  std::wstring path_;
  std::uint32_t initial_slot_count_ = 0;
  std::int64_t created_unix_ms_ = 0;
  bool full_reported_ = false;
};

}  // namespace raswarden::win32
