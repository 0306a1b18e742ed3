// The DLL's own log (raswarden.log beside the accounting files) plus the Event Log for warnings
// and errors. report() only queues (core::diagnostic_queue: bounded, one report of a flooding
// kind per period); a background thread writes, so no callback ever waits on the log file or
// the Event Log. spdlog is confined to the .cpp: it is slow to compile header-only.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "raswarden/diagnostic_queue.hpp"
#include "raswarden/platform.hpp"
#include "win32/background_thread.hpp"
#include "win32/event_log.hpp"

namespace raswarden::dll {

class diagnostic_log final : public core::diagnostics {
 public:
  // Opens raswarden.log in the first folder that works: the accounting folder, else the default
  // one (so a misconfigured folder is still reported somewhere an administrator looks). If none
  // works the log goes to the Event Log only, and `open_error()` says why.
  explicit diagnostic_log(const std::vector<std::wstring>& directories);
  ~diagnostic_log() override;
  diagnostic_log(const diagnostic_log&) = delete;
  diagnostic_log& operator=(const diagnostic_log&) = delete;

  using core::diagnostics::report;
  void report(core::severity level, core::topic about, std::string_view message) noexcept override;
  // Writes out what is queued now, every held-back count included (at stop).
  void flush() noexcept;
  [[nodiscard]] core::diagnostic_counts counts() const { return queue_.counts(); }
  // Rejected connections go to the Event Log only when asked for (event_log.rejections).
  void set_event_log_rejections(bool enabled) noexcept { event_log_rejections_.store(enabled); }
  [[nodiscard]] const std::string& open_error() const noexcept { return open_error_; }
  [[nodiscard]] const std::wstring& path() const noexcept { return path_; }

 private:
  struct file_logger;
  void write(const core::queued_diagnostic& entry) noexcept;
  void write_queued(bool all) noexcept;

  std::unique_ptr<file_logger> file_;
  win32::event_log event_log_;
  std::string open_error_;
  std::wstring path_;
  std::atomic<bool> event_log_rejections_{false};
  core::system_clock clock_;
  core::diagnostic_queue queue_{clock_};
  std::mutex write_mutex_;  // the writer thread, flush() and the destructor; never taken by report()
  std::unique_ptr<win32::periodic_thread> writer_;  // last: stopped first
};

}  // namespace raswarden::dll
