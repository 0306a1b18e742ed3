#include "win32/accounting_files.hpp"

#include <fmt/format.h>
#include <fmt/xchar.h>

#include <algorithm>
#include <chrono>
#include <cwchar>
#include <vector>

#include "win32/system.hpp"

namespace raswarden::win32 {

namespace {

constexpr std::int64_t ms_per_day = 86'400'000;
constexpr std::int64_t housekeeping_interval_ms = 60'000;

std::int64_t day_of(std::int64_t unix_ms) {
  return unix_ms >= 0 ? unix_ms / ms_per_day : (unix_ms - ms_per_day + 1) / ms_per_day;
}

// "accounting-20261122.jsonl" -> (day, 0); "accounting-20261122-3.jsonl" -> (day, 3).
bool parse_file_name(const std::wstring& name, std::int64_t& day, std::uint32_t& index) {
  unsigned year = 0;
  unsigned month = 0;
  unsigned date = 0;
  unsigned n = 0;
  wchar_t tail[16] = {};
  if (name.size() < 25 || name.compare(0, 11, L"accounting-") != 0) return false;
  if (std::swscanf(name.c_str() + 11, L"%4u%2u%2u-%u%15ls", &year, &month, &date, &n, tail) == 5) {
    index = n;
  } else if (std::swscanf(name.c_str() + 11, L"%4u%2u%2u%15ls", &year, &month, &date, tail) == 4) {
    index = 0;
  } else {
    return false;
  }
  if (std::wstring(tail) != L".jsonl") return false;
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{static_cast<int>(year)}, std::chrono::month{month},
                           std::chrono::day{date}};
  if (!ymd.ok()) return false;
  day = sys_days{ymd}.time_since_epoch().count();
  return true;
}

struct log_file {
  std::int64_t day;
  std::uint32_t index;
  std::wstring name;
};

std::vector<log_file> list_files(const std::wstring& directory) {
  std::vector<log_file> files;
  WIN32_FIND_DATAW found{};
  const HANDLE search = ::FindFirstFileW((directory + L"\\accounting-*.jsonl").c_str(), &found);
  if (search == INVALID_HANDLE_VALUE) return files;
  do {
    log_file f{0, 0, found.cFileName};
    if ((found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) == 0 && parse_file_name(f.name, f.day, f.index)) {
      files.push_back(std::move(f));
    }
  } while (::FindNextFileW(search, &found) != 0);
  ::FindClose(search);
  std::sort(files.begin(), files.end(),
            [](const log_file& a, const log_file& b) { return a.day != b.day ? a.day < b.day : a.index < b.index; });
  return files;
}

// Cuts a torn record (and any zero padding) off the end of an existing file. Returns the bytes
// removed, or -1 when the file could not be examined.
std::int64_t repair_tail(const std::wstring& path, std::uint64_t& size) {
  const unique_hfile file(::CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE,
                                        FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                                        FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file) return -1;
  LARGE_INTEGER length{};
  if (::GetFileSizeEx(file.get(), &length) == 0) return -1;
  size = static_cast<std::uint64_t>(length.QuadPart);
  if (size == 0) return 0;
  // Look back far enough to find the end of the last whole record.
  constexpr std::uint64_t window = 1 << 20;
  std::uint64_t keep = 0;
  for (std::uint64_t end = size; end > 0;) {
    const std::uint64_t start = end > window ? end - window : 0;
    std::vector<char> bytes(static_cast<std::size_t>(end - start));
    LARGE_INTEGER at{};
    at.QuadPart = static_cast<LONGLONG>(start);
    DWORD read = 0;
    if (::SetFilePointerEx(file.get(), at, nullptr, FILE_BEGIN) == 0 ||
        ::ReadFile(file.get(), bytes.data(), static_cast<DWORD>(bytes.size()), &read, nullptr) == 0 ||
        read != bytes.size()) {
      return -1;
    }
    const auto newline = std::find(bytes.rbegin(), bytes.rend(), '\n');
    if (newline != bytes.rend()) {
      keep = start + static_cast<std::uint64_t>(bytes.rend() - newline);
      break;
    }
    end = start;
  }
  if (keep == size) return 0;
  LARGE_INTEGER at{};
  at.QuadPart = static_cast<LONGLONG>(keep);
  if (::SetFilePointerEx(file.get(), at, nullptr, FILE_BEGIN) == 0 || ::SetEndOfFile(file.get()) == 0) return -1;
  const auto removed = static_cast<std::int64_t>(size - keep);
  size = keep;
  return removed;
}

}  // namespace

accounting_file_sink::accounting_file_sink(std::wstring directory, accounting_file_options options,
                                           const core::clock& time, core::diagnostics& diag)
    : directory_(std::move(directory)), options_(options), clock_(time), diag_(diag) {}

std::wstring accounting_file_sink::file_name(std::int64_t day, std::uint32_t index) {
  using namespace std::chrono;
  const year_month_day date{sys_days{days{day}}};
  const auto y = static_cast<int>(date.year());
  const auto m = static_cast<unsigned>(date.month());
  const auto d = static_cast<unsigned>(date.day());
  return index == 0 ? fmt::format(L"accounting-{:04}{:02}{:02}.jsonl", y, m, d)
                    : fmt::format(L"accounting-{:04}{:02}{:02}-{}.jsonl", y, m, d, index);
}

void accounting_file_sink::report_failure_locked(const std::string& message) noexcept {
  // One report per failing period; the writer reports the period itself too.
  if (failing_) return;
  failing_ = true;
  diag_.report(core::severity::error, core::topic::accounting_failure, message);
}

bool accounting_file_sink::open_locked(std::int64_t day, bool next_index) noexcept {
  try {
    file_.reset();
    if (const DWORD error = create_directories(directory_); error != ERROR_SUCCESS) {
      report_failure_locked(
          fmt::format("cannot create the accounting folder {}: {}", to_utf8(directory_), describe_error(error)));
      return false;
    }
    if (day != day_) {
      // A new day (or the first open): continue the day's last file if it has room.
      index_ = 0;
      for (const log_file& f : list_files(directory_)) {
        if (f.day == day) index_ = std::max(index_, f.index);
      }
      day_ = day;
    } else if (next_index) {
      ++index_;
    }
    for (;;) {
      auto opened = std::make_shared<open_file>();
      opened->path = directory_ + L"\\" + file_name(day_, index_);
      std::uint64_t existing = 0;
      if (::GetFileAttributesW(opened->path.c_str()) != INVALID_FILE_ATTRIBUTES) {
        const std::int64_t removed = repair_tail(opened->path, existing);
        if (removed > 0) {
          diag_.report(core::severity::warning,
                       fmt::format("{}: removed a torn record of {} bytes at its end (an interrupted write)",
                                   to_utf8(opened->path), removed));
        }
      }
      if (existing >= options_.rotate_bytes) {
        ++index_;
        continue;
      }
      opened->handle.reset(::CreateFileW(opened->path.c_str(), FILE_APPEND_DATA | SYNCHRONIZE,
                                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                                         FILE_ATTRIBUTE_NORMAL, nullptr));
      if (!opened->handle) {
        report_failure_locked(fmt::format("cannot open the accounting file {}: {}", to_utf8(opened->path),
                                          describe_error(::GetLastError())));
        return false;
      }
      size_ = existing;
      file_ = std::move(opened);
      if (failing_) {
        failing_ = false;
        diag_.report(core::severity::info, core::topic::accounting_recovered,
                     fmt::format("accounting file {} is writable again", to_utf8(file_->path)));
      }
      return true;
    }
  } catch (...) {
    return false;
  }
}

bool accounting_file_sink::append(std::string_view line) noexcept {
  const std::lock_guard lock(mutex_);
  const std::int64_t day = day_of(clock_.now_unix_ms());
  if (!file_ || day != day_) {
    if (!open_locked(day, false)) return false;
  } else if (size_ > 0 && size_ + line.size() > options_.rotate_bytes) {
    if (!open_locked(day, true)) return false;
  }
  DWORD written = 0;
  if (::WriteFile(file_->handle.get(), line.data(), static_cast<DWORD>(line.size()), &written, nullptr) == 0 ||
      written != line.size()) {
    const DWORD error = ::GetLastError();
    report_failure_locked(fmt::format("writing to {} failed: {}", to_utf8(file_->path), describe_error(error)));
    // Reopening repairs anything partially written; the writer holds the record meanwhile.
    file_.reset();
    day_ = -1;
    return false;
  }
  size_ += written;
  return true;
}

void accounting_file_sink::flush() noexcept {
  std::shared_ptr<open_file> current;
  {
    const std::lock_guard lock(mutex_);
    current = file_;
  }
  // Outside the lock: appends continue while the disk catches up.
  if (current) ::FlushFileBuffers(current->handle.get());
}

void accounting_file_sink::maintain() noexcept {
  try {
    const std::int64_t now = clock_.now_unix_ms();
    std::wstring current;
    {
      const std::lock_guard lock(mutex_);
      if (now - last_housekeeping_ms_ < housekeeping_interval_ms && last_housekeeping_ms_ != 0) return;
      last_housekeeping_ms_ = now;
      if (file_) current = file_->path;
    }
    std::vector<log_file> files = list_files(directory_);
    const auto remove = [&](const log_file& f, const std::string& why) {
      const std::wstring path = directory_ + L"\\" + f.name;
      if (path == current) return false;
      if (::DeleteFileW(path.c_str()) == 0) return false;
      diag_.report(core::severity::warning, fmt::format("deleted {} ({})", to_utf8(path), why));
      return true;
    };
    if (options_.retention_days > 0) {
      const std::int64_t oldest_kept = day_of(now) - options_.retention_days;
      std::erase_if(files, [&](const log_file& f) {
        return f.day < oldest_kept && remove(f, fmt::format("older than retention_days = {}", options_.retention_days));
      });
    }
    // Below the free-space floor, the oldest closed files go first; the current one never.
    for (const log_file& f : files) {
      ULARGE_INTEGER free_bytes{};
      if (options_.min_free_bytes == 0 ||
          ::GetDiskFreeSpaceExW(directory_.c_str(), &free_bytes, nullptr, nullptr) == 0 ||
          free_bytes.QuadPart >= options_.min_free_bytes) {
        break;
      }
      remove(f, fmt::format("free space {} MB is below min_free_mb = {}", free_bytes.QuadPart >> 20,
                            options_.min_free_bytes >> 20));
    }
  } catch (...) {
    // Housekeeping is retried on the next tick.
  }
}

}  // namespace raswarden::win32
