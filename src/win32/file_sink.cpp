#include "win32/file_sink.hpp"

#include <fmt/format.h>
#include <fmt/xchar.h>

#include <chrono>

#include "win32/system.hpp"

namespace raswarden::win32 {

namespace {
constexpr std::int64_t ms_per_day = 86'400'000;

std::int64_t day_of(std::int64_t unix_ms) {
  return unix_ms >= 0 ? unix_ms / ms_per_day : (unix_ms - ms_per_day + 1) / ms_per_day;
}

std::wstring file_name_for(std::int64_t day) {
  using namespace std::chrono;
  const year_month_day date{sys_days{days{day}}};
  return fmt::format(L"accounting-{:04}{:02}{:02}.jsonl", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}
}  // namespace

file_record_sink::file_record_sink(std::wstring directory, const core::clock& time, core::diagnostics& diag)
    : directory_(std::move(directory)), clock_(time), diag_(diag) {}

bool file_record_sink::open_for_day(std::int64_t day) noexcept {
  try {
    file_.reset();
    if (const DWORD error = create_directories(directory_); error != ERROR_SUCCESS) {
      if (!reported_failure_) {
        diag_.report(core::severity::error, fmt::format("cannot create the accounting folder {}: {}",
                                                        to_utf8(directory_), describe_error(error)));
        reported_failure_ = true;
      }
      return false;
    }
    path_ = directory_ + L"\\" + file_name_for(day);
    // Readers (reports, tail -f) and rotation tools may open the file at the same time.
    file_.reset(::CreateFileW(path_.c_str(), FILE_APPEND_DATA | SYNCHRONIZE,
                              FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                              FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!file_) {
      if (!reported_failure_) {
        diag_.report(core::severity::error, fmt::format("cannot open the accounting file {}: {}", to_utf8(path_),
                                                        describe_error(::GetLastError())));
        reported_failure_ = true;
      }
      return false;
    }
    day_ = day;
    if (reported_failure_) {
      diag_.report(core::severity::info, fmt::format("accounting file {} is writable again", to_utf8(path_)));
      reported_failure_ = false;
    }
    return true;
  } catch (...) {
    return false;
  }
}

bool file_record_sink::append(std::string_view line) noexcept {
  const std::lock_guard lock(mutex_);
  const std::int64_t day = day_of(clock_.now_unix_ms());
  if ((!file_ || day != day_) && !open_for_day(day)) return false;
  DWORD written = 0;
  const BOOL ok = ::WriteFile(file_.get(), line.data(), static_cast<DWORD>(line.size()), &written, nullptr);
  if (ok == 0 || written != line.size()) {
    if (!reported_failure_) {
      diag_.report(core::severity::error, fmt::format("writing to {} failed: {}", to_utf8(path_),
                                                      describe_error(::GetLastError())));
      reported_failure_ = true;
    }
    file_.reset();  // reopen on the next record
    return false;
  }
  return true;
}

std::wstring file_record_sink::current_path() const {
  const std::lock_guard lock(mutex_);
  return path_;
}

}  // namespace raswarden::win32
