// The accounting sink of the DLL: a callback's record is copied into the journal (no system
// call, the record is the operating system's when append returns), and one background thread
// publishes journaled records to the public files, forces both to stable storage every
// flush interval, and keeps the folder within its retention. At start, before any new record,
// everything a killed or crashed run journaled but did not publish is published, exactly once.
//
// Back-pressure: while the journal is full (the publisher cannot write, or falls behind),
// append returns false and the accounting writer holds records in memory within its bound and
// applies accounting.on_failure, as for any sink that cannot take a record.
//
// Faults: a journal access that faults (an in-page error of a failing volume, a view of a file
// cut short) is caught (fault_guard.hpp) on the callback's and the publisher's thread alike. The
// journal is then given up for the rest of the run, which is the accounting-failure path: append
// returns false, the next round reports it once, and at the end the journal is closed without
// writing to its view again.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "raswarden/accounting.hpp"
#include "win32/background_thread.hpp"
#include "win32/fault_guard.hpp"
#include "win32/journal_file.hpp"
#include "win32/log_folder.hpp"
#include "win32/log_publisher.hpp"

namespace raswarden::win32 {

struct pipeline_options {
  std::uint64_t journal_bytes = 64ull << 20;
  std::uint64_t rotate_bytes = 64ull << 20;
  std::chrono::milliseconds publish_interval{100};
  std::chrono::milliseconds flush_interval{1000};
  retention_options retention;
  bool allow_remote_directory = false;  // accounting.allow_remote_directory
};

class accounting_pipeline final : public core::record_sink {
 public:
  accounting_pipeline(std::wstring directory, pipeline_options options, const core::clock& time,
                      core::diagnostics& diag);
  // Publishes everything journaled and flushes both files.
  ~accounting_pipeline() override;
  accounting_pipeline(const accounting_pipeline&) = delete;
  accounting_pipeline& operator=(const accounting_pipeline&) = delete;

  bool append(std::string_view line) noexcept override;
  bool append_stamped(std::string_view line, std::int64_t unix_ms) noexcept override;
  [[nodiscard]] std::size_t largest_line() const noexcept override;
  // Bytes journaled and not yet in a public file.
  [[nodiscard]] std::uint64_t journal_backlog_bytes() const noexcept;

  // Publishes what is journaled now, on the caller's thread (at terminate, so that the
  // forwarder can deliver it before it stops). Never called from a connection callback.
  void publish_now() noexcept;
  [[nodiscard]] publication_latency latency() const noexcept { return publisher_.latency(); }
  // The journal's mapped view (null until it is open), for tests that make it fault.
  [[nodiscard]] const void* journal_view() const noexcept { return ring_.load() != nullptr ? view_ : nullptr; }

 private:
  void run() noexcept;  // the background thread's round
  bool open_journal() noexcept;
  // False while free space is below accounting.min_free_mb (reported when that changes).
  bool room_to_publish(const core::journal_ring& ring) noexcept;
  // Runs body over the journal's view; false when it faulted (the journal is then given up).
  template <typename F>
  bool guarded(F&& body) noexcept;
  void report_fault() noexcept;

  std::wstring directory_;
  pipeline_options options_;
  const core::clock& clock_;
  core::diagnostics& diag_;
  std::mutex round_mutex_;                // the thread's round and publish_now; never taken by append
  fault_guard_registration fault_guard_;  // before the journal: registered while it is mapped
  std::unique_ptr<journal_file> journal_;
  // The view, set before ring_ is published (read after ring_ is loaded).
  const void* view_ = nullptr;
  std::size_t view_size_ = 0;
  std::atomic<bool> faulted_{false};
  std::atomic<DWORD> fault_code_{0};
  std::atomic<const void*> fault_address_{nullptr};
  bool fault_reported_ = false;
  std::atomic<core::journal_ring*> ring_{nullptr};  // set once the journal is open
  log_publisher publisher_;
  std::atomic<bool> wake_requested_{false};
  std::int64_t last_flush_ms_ = 0;
  std::int64_t last_housekeeping_ms_ = 0;
  bool below_floor_ = false;
  std::int64_t last_open_attempt_ms_ = 0;
  std::unique_ptr<periodic_thread> thread_;
};

}  // namespace raswarden::win32
