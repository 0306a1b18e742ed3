// Accounting lines appended to accounting-YYYYMMDD.jsonl (UTC date) in the log folder. Each
// append is one WriteFile on a handle opened for FILE_APPEND_DATA, so a line is the operating
// system's as soon as append returns: a killed process loses nothing already appended. Flushing
// to stable storage, size rotation and retention come with the accounting issue.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "raswarden/accounting.hpp"
#include "raswarden/platform.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

class file_record_sink final : public core::record_sink {
 public:
  file_record_sink(std::wstring directory, const core::clock& time, core::diagnostics& diag);

  bool append(std::string_view line) noexcept override;
  [[nodiscard]] std::wstring current_path() const;

 private:
  bool open_for_day(std::int64_t day) noexcept;

  std::wstring directory_;
  const core::clock& clock_;
  core::diagnostics& diag_;
  mutable std::mutex mutex_;
  unique_hfile file_;
  std::int64_t day_ = -1;
  std::wstring path_;
  bool reported_failure_ = false;
};

}  // namespace raswarden::win32
