#include "dll/diagnostic_log.hpp"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

#include "win32/file_security.hpp"
#include "win32/system.hpp"

namespace raswarden::dll {

struct diagnostic_log::file_logger {
  std::shared_ptr<spdlog::logger> logger;
};

namespace {
constexpr std::size_t max_log_bytes = 5 * 1024 * 1024;
constexpr std::size_t kept_log_files = 3;

spdlog::level::level_enum level_of(core::severity level) {
  switch (level) {
    case core::severity::debug: return spdlog::level::debug;
    case core::severity::info: return spdlog::level::info;
    case core::severity::warning: return spdlog::level::warn;
    case core::severity::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}
}  // namespace

diagnostic_log::diagnostic_log(const std::vector<std::wstring>& directories) {
  const auto could_not = [this](const std::string& why) { open_error_ += (open_error_.empty() ? "" : "; ") + why; };
  for (const std::wstring& directory : directories) {
    try {
      // spdlog opens the file itself (following links), so the folder and an existing log are
      // checked first: only administrators and this service may have written them.
      std::string problem;
      if (!win32::ensure_trusted_folder(directory, true, problem)) {
        could_not(problem);
        continue;
      }
      const std::wstring wide_path = directory + L"\\raswarden.log";
      if (const auto verdict = win32::judge_if_present(wide_path, win32::object_kind::file);
          verdict && !verdict->trusted) {
        could_not(win32::to_utf8(wide_path) + " " + verdict->problem);
        continue;
      }
      // The sink takes a narrow path; spdlog opens it with the C runtime, which on mingw takes
      // the ANSI code page. A UTF-8 path with only ASCII is exact; anything else falls back.
      const std::string path = win32::to_utf8(directory) + "\\raswarden.log";
      auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path, max_log_bytes, kept_log_files);
      auto logger = std::make_shared<spdlog::logger>("raswarden", std::move(sink));
      logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z [%l] [tid %t] %v", spdlog::pattern_time_type::utc);
      logger->set_level(spdlog::level::info);
      logger->flush_on(spdlog::level::info);
      // spdlog's default error handler prints to stderr, which a service does not have.
      logger->set_error_handler([](const std::string&) {});
      file_ = std::make_unique<file_logger>(file_logger{std::move(logger)});
      path_ = win32::to_wide(path);
      break;
    } catch (const std::exception& e) {
      could_not(e.what());
    }
  }
  try {
    writer_ = std::make_unique<win32::periodic_thread>(std::chrono::milliseconds(200), [this] { write_queued(false); });
  } catch (...) {
    // No writer thread: flush() and the destructor still write everything that was queued.
  }
}

diagnostic_log::~diagnostic_log() {
  writer_.reset();  // its last round writes what is queued
  write_queued(true);
}

void diagnostic_log::report(core::severity level, core::topic about, std::string_view message) noexcept {
  queue_.push(level, about, message);
}

void diagnostic_log::flush() noexcept {
  write_queued(true);
}

void diagnostic_log::write_queued(bool all) noexcept {
  try {
    const std::lock_guard lock(write_mutex_);  // one writer at a time, so the order is kept
    std::vector<core::queued_diagnostic> entries = all ? queue_.drain_all() : queue_.drain();
    for (const core::queued_diagnostic& entry : entries) write(entry);
  } catch (...) {
    // Reporting must never become the failure.
  }
}

void diagnostic_log::write(const core::queued_diagnostic& entry) noexcept {
  try {
    if (file_) file_->logger->log(level_of(entry.level), "{}", entry.message);
    // Warnings, errors and the service's start and stop reach the Event Log; debug chatter and
    // (unless asked for) individual rejections stay in the file.
    const bool lifecycle = entry.about == core::topic::started || entry.about == core::topic::stopped ||
                           entry.about == core::topic::accounting_recovered;
    const bool wanted =
        entry.about == core::topic::connection_rejected
            ? event_log_rejections_.load()
            : entry.level == core::severity::warning || entry.level == core::severity::error || lifecycle;
    if (wanted) event_log_.report(entry.level, entry.about, entry.message);
  } catch (...) {
    // Reporting must never become the failure.
  }
}

}  // namespace raswarden::dll
