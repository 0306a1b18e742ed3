// The DLL's own log (raswarden.log beside the accounting files) plus the Event Log for warnings
// and errors. spdlog is confined to the .cpp: it is slow to compile header-only.
#pragma once

#include <memory>
#include <string>

#include "raswarden/platform.hpp"
#include "win32/event_log.hpp"

namespace raswarden::dll {

class diagnostic_log final : public core::diagnostics {
 public:
  // Opening the file can fail (folder missing, access denied): the log then goes to the Event
  // Log only, and `open_error()` says why.
  explicit diagnostic_log(const std::wstring& directory);
  ~diagnostic_log() override;
  diagnostic_log(const diagnostic_log&) = delete;
  diagnostic_log& operator=(const diagnostic_log&) = delete;

  void report(core::severity level, std::string_view message) noexcept override;
  [[nodiscard]] const std::string& open_error() const noexcept { return open_error_; }

 private:
  struct file_logger;
  std::unique_ptr<file_logger> file_;
  win32::event_log event_log_;
  std::string open_error_;
};

}  // namespace raswarden::dll
