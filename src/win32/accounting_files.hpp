// The accounting files: accounting-YYYYMMDD.jsonl (UTC date) in the log folder, then
// accounting-YYYYMMDD-1.jsonl, -2, ... when a file reaches its size limit; a new day starts a new
// file. Each record is one WriteFile on a handle opened for appending, under one lock, so a record
// is the operating system's when append returns, is never split across files, and rotation can
// neither lose nor duplicate one.
//
// When a file is opened again (after a crash, a failed write, or a restart), a torn record at its
// end is cut off, so a reader never meets half a record followed by a whole one.
// flush() and maintain() run on the background thread and never take the append lock while they
// wait for the disk.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "raswarden/accounting.hpp"
#include "raswarden/platform.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

struct accounting_file_options {
  std::uint64_t rotate_bytes = 64ull << 20;
  std::uint32_t retention_days = 365;  // 0: keep forever
  std::uint64_t min_free_bytes = 256ull << 20;
};

class accounting_file_sink final : public core::record_sink {
 public:
  accounting_file_sink(std::wstring directory, accounting_file_options options, const core::clock& time,
                       core::diagnostics& diag);

  bool append(std::string_view line) noexcept override;
  void flush() noexcept override;
  void maintain() noexcept override;

  // accounting-YYYYMMDD.jsonl for index 0, accounting-YYYYMMDD-N.jsonl after that.
  [[nodiscard]] static std::wstring file_name(std::int64_t day, std::uint32_t index);

 private:
  struct open_file {
    unique_hfile handle;
    std::wstring path;
  };
  bool open_locked(std::int64_t day, bool next_index) noexcept;
  void report_failure_locked(const std::string& message) noexcept;

  std::wstring directory_;
  accounting_file_options options_;
  const core::clock& clock_;
  core::diagnostics& diag_;
  mutable std::mutex mutex_;
  std::shared_ptr<open_file> file_;
  std::int64_t day_ = -1;
  std::uint32_t index_ = 0;
  std::uint64_t size_ = 0;
  bool failing_ = false;
  std::int64_t last_housekeeping_ms_ = 0;
};

}  // namespace raswarden::win32
