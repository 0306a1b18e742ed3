// The DLL's own log (raswarden.log beside the accounting files) plus the Event Log for warnings
// and errors. spdlog is confined to the .cpp: it is slow to compile header-only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "raswarden/platform.hpp"
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
  // Rejected connections go to the Event Log only when asked for (event_log.rejections).
  void set_event_log_rejections(bool enabled) noexcept { event_log_rejections_ = enabled; }
  [[nodiscard]] const std::string& open_error() const noexcept { return open_error_; }
  [[nodiscard]] const std::wstring& path() const noexcept { return path_; }

 private:
  struct file_logger;
  std::unique_ptr<file_logger> file_;
  win32::event_log event_log_;
  std::string open_error_;
  std::wstring path_;
  bool event_log_rejections_ = false;
};

}  // namespace raswarden::dll
