#include "win32/accounting_files.hpp"

#include <fmt/format.h>
#include <fmt/xchar.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <cwchar>
#include <vector>

#include "win32/background_thread.hpp"
#include "win32/system.hpp"

namespace raswarden::win32 {

namespace {

constexpr std::int64_t ms_per_day = 86'400'000;
constexpr std::int64_t housekeeping_interval_ms = 60'000;
// MapViewOfFile offsets are multiples of the allocation granularity, 64 KiB on every Windows.
constexpr std::uint64_t map_granularity = 64 << 10;

std::uint64_t round_up(std::uint64_t value, std::uint64_t unit) {
  return (value + unit - 1) / unit * unit;
}

LARGE_INTEGER large(std::uint64_t value) {
  LARGE_INTEGER out{};
  out.QuadPart = static_cast<LONGLONG>(value);
  return out;
}

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

// One open accounting file. Shared by the sink, its mapped windows and flush(); when the last of
// them lets go, the file is cut back to its whole records, so a closed file holds no padding.
struct accounting_file_sink::open_file {
  unique_hfile handle;
  std::wstring path;
  std::mutex allocation_mutex;                // the writer and the preparer both extend the file
  std::uint64_t allocated = 0;                // the file's size on disk, padding included
  std::atomic<std::uint64_t> records_end{0};  // bytes of whole records
  bool trim_on_close = false;

  open_file() = default;
  open_file(const open_file&) = delete;
  open_file& operator=(const open_file&) = delete;
  ~open_file() {
    if (!trim_on_close || !handle) return;
    const LARGE_INTEGER end = large(records_end.load());
    if (::SetFilePointerEx(handle.get(), end, nullptr, FILE_BEGIN) != 0) ::SetEndOfFile(handle.get());
  }
};

// A view of [offset, offset + length) of a file. Declaration order is destruction order in
// reverse: the view is unmapped, then the section closed, then the file released.
struct accounting_file_sink::mapped_window {
  std::shared_ptr<open_file> file;
  unique_handle section;
  unique_mapped_view view;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;

  [[nodiscard]] char* at(std::uint64_t file_offset) const {
    return static_cast<char*>(view.get()) + (file_offset - offset);
  }
};

accounting_file_sink::accounting_file_sink(std::wstring directory, accounting_file_options options,
                                           const core::clock& time, core::diagnostics& diag)
    : directory_(std::move(directory)), options_(options), clock_(time), diag_(diag) {
  options_.window_bytes = round_up(std::max(options_.window_bytes, 2 * map_granularity), map_granularity);
  if (options_.method == write_method::mapped) {
    // Woken whenever a window is taken into use; the interval is only a safety net.
    preparer_ = std::make_unique<periodic_thread>(std::chrono::milliseconds(1000), [this] { prepare_next_window(); });
  }
}

accounting_file_sink::~accounting_file_sink() {
  preparer_.reset();  // stopped first: it works on the windows
  const std::lock_guard lock(mutex_);
  close_locked();
}

void accounting_file_sink::close_locked() noexcept {
  next_window_.reset();
  window_.reset();
  if (file_ && file_->trim_on_close) {
    // A flush or the preparer may keep it open a while longer; if the same file is opened again
    // meanwhile, open_locked takes this object back (see there).
    std::erase_if(closed_files_, [](const std::weak_ptr<open_file>& f) { return f.expired(); });
    try {
      closed_files_.push_back(file_);
    } catch (...) {
      // Out of memory: the file is simply closed (the guard is lost only for this one).
    }
  }
  file_.reset();
}

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
    close_locked();
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
      const std::wstring path = directory_ + L"\\" + file_name(day_, index_);
      // A mapped file closed a moment ago (a failed extension, a clock set back) may still be
      // held by a flush or by the preparer. It is taken back rather than opened afresh: a
      // second object would cut the file back to its own end when it finally closes, under
      // records written through the new one.
      if (const auto alive = still_open(path)) {
        if (alive->records_end.load() >= options_.rotate_bytes) {
          ++index_;
          continue;
        }
        size_ = alive->records_end.load();
        file_ = alive;
        return true;
      }
      auto opened = std::make_shared<open_file>();
      opened->path = path;
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
      // A mapping needs read and write access; appending needs only FILE_APPEND_DATA, which keeps
      // every WriteFile at the end of the file whatever else has the file open.
      const bool mapped = options_.method == write_method::mapped;
      opened->handle.reset(::CreateFileW(opened->path.c_str(),
                                         mapped ? GENERIC_READ | GENERIC_WRITE : FILE_APPEND_DATA | SYNCHRONIZE,
                                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                                         FILE_ATTRIBUTE_NORMAL, nullptr));
      if (!opened->handle) {
        report_failure_locked(fmt::format("cannot open the accounting file {}: {}", to_utf8(opened->path),
                                          describe_error(::GetLastError())));
        return false;
      }
      size_ = existing;
      opened->allocated = existing;
      opened->records_end = existing;
      opened->trim_on_close = mapped;
      file_ = std::move(opened);
      return true;
    }
  } catch (...) {
    return false;
  }
}

std::shared_ptr<accounting_file_sink::open_file> accounting_file_sink::still_open(const std::wstring& path) const {
  for (const auto& closed : closed_files_) {
    if (auto file = closed.lock(); file && file->path == path) return file;
  }
  return nullptr;
}

bool accounting_file_sink::append(std::string_view line) noexcept {
  return append_stamped(line, clock_.now_unix_ms());
}

bool accounting_file_sink::append_stamped(std::string_view line, std::int64_t unix_ms) noexcept {
  const std::lock_guard lock(mutex_);
  const std::int64_t day = day_of(unix_ms);
  if (!file_ || day != day_) {
    if (!open_locked(day, false)) return false;
  } else if (size_ > 0 && size_ + line.size() > options_.rotate_bytes) {
    if (!open_locked(day, true)) return false;
  }
  if (!(options_.method == write_method::mapped ? write_mapped_locked(line) : write_appended_locked(line)))
    return false;
  if (failing_) {
    // Said once a record is really written again, not when a file merely opens.
    failing_ = false;
    diag_.report(core::severity::info, core::topic::accounting_recovered,
                 fmt::format("accounting file {} is writable again", to_utf8(file_->path)));
  }
  return true;
}

bool accounting_file_sink::write_appended_locked(std::string_view line) noexcept {
  DWORD written = 0;
  if (::WriteFile(file_->handle.get(), line.data(), static_cast<DWORD>(line.size()), &written, nullptr) == 0 ||
      written != line.size()) {
    const DWORD error = ::GetLastError();
    report_failure_locked(fmt::format("writing to {} failed: {}", to_utf8(file_->path), describe_error(error)));
    // Reopening repairs anything partially written; the writer holds the record meanwhile.
    close_locked();
    day_ = -1;
    return false;
  }
  size_ += written;
  return true;
}

// Makes the file at least `end` bytes long with its space allocated on disk, so that writing
// into a view of it can never fault on a full disk. Windows allocates what FileAllocationInfo
// asks for; where that is not implemented (Wine, which would leave the file sparse), the new part
// is written with zeros, which allocates it everywhere.
DWORD accounting_file_sink::allocate(open_file& file, std::uint64_t end) noexcept {
  const std::lock_guard lock(file.allocation_mutex);
  if (end <= file.allocated) return ERROR_SUCCESS;
  const HANDLE handle = file.handle.get();
  if (allocation_by_info_.load(std::memory_order_relaxed)) {
    FILE_ALLOCATION_INFO allocation{};
    allocation.AllocationSize = large(end);
    if (::SetFileInformationByHandle(handle, FileAllocationInfo, &allocation, sizeof allocation) != 0) {
      FILE_END_OF_FILE_INFO new_end{};
      new_end.EndOfFile = large(end);
      if (::SetFileInformationByHandle(handle, FileEndOfFileInfo, &new_end, sizeof new_end) == 0) {
        return ::GetLastError();
      }
      file.allocated = end;
      return ERROR_SUCCESS;
    }
    const DWORD error = ::GetLastError();
    if (error != ERROR_CALL_NOT_IMPLEMENTED && error != ERROR_NOT_SUPPORTED && error != ERROR_INVALID_PARAMETER) {
      return error;
    }
    allocation_by_info_.store(false, std::memory_order_relaxed);
  }
  static constexpr std::array<char, 64 << 10> zeros{};
  while (file.allocated < end) {
    const auto chunk = static_cast<DWORD>(std::min<std::uint64_t>(zeros.size(), end - file.allocated));
    OVERLAPPED at{};  // an explicit offset: no shared file pointer between writer and preparer
    at.Offset = static_cast<DWORD>(file.allocated);
    at.OffsetHigh = static_cast<DWORD>(file.allocated >> 32);
    DWORD written = 0;
    if (::WriteFile(handle, zeros.data(), chunk, &written, &at) == 0 || written != chunk) {
      const DWORD error = ::GetLastError();
      return error == ERROR_SUCCESS ? ERROR_DISK_FULL : error;
    }
    file.allocated += written;
  }
  return ERROR_SUCCESS;
}

// A view of [offset, offset + length) of a file already allocated that far; null on failure,
// with the error in `error`.
std::shared_ptr<accounting_file_sink::mapped_window> accounting_file_sink::map_view(
    const std::shared_ptr<open_file>& file, std::uint64_t offset, std::uint64_t length, DWORD& error) noexcept {
  try {
    auto window = std::make_shared<mapped_window>();
    window->file = file;
    window->offset = offset;
    window->length = length;
    const std::uint64_t end = offset + length;
    window->section.reset(::CreateFileMappingW(file->handle.get(), nullptr, PAGE_READWRITE,
                                               static_cast<DWORD>(end >> 32), static_cast<DWORD>(end), nullptr));
    if (window->section) {
      window->view.reset(::MapViewOfFile(window->section.get(), FILE_MAP_WRITE, static_cast<DWORD>(offset >> 32),
                                         static_cast<DWORD>(offset), static_cast<SIZE_T>(length)));
    }
    if (window->view) return window;
    error = ::GetLastError();
  } catch (...) {
    error = ERROR_NOT_ENOUGH_MEMORY;
  }
  return nullptr;
}

std::uint64_t accounting_file_sink::window_length_at(std::uint64_t offset, std::uint64_t smallest) const noexcept {
  // No window reaches far past the rotation size: the file is closed there anyway.
  const std::uint64_t rotate_end = round_up(options_.rotate_bytes, map_granularity);
  std::uint64_t length = std::min(options_.window_bytes, rotate_end > offset ? rotate_end - offset : 0);
  // Nor does one take more than an eighth of the free space: on a nearly full volume the padding
  // of the open file must not be what fills it.
  ULARGE_INTEGER free_bytes{};
  if (::GetDiskFreeSpaceExW(directory_.c_str(), &free_bytes, nullptr, nullptr) != 0) {
    length = std::min<std::uint64_t>(length, round_up(free_bytes.QuadPart / 8, map_granularity));
  }
  return std::max(smallest, length);
}

// Where the next window starts: a granule before the current one ends, so that a record that
// does not fit at the end of one window fits whole in the next.
std::uint64_t accounting_file_sink::next_window_offset(const mapped_window& current) noexcept {
  const std::uint64_t end = current.offset + current.length;
  return end - map_granularity > current.offset ? end - map_granularity : current.offset;
}

bool accounting_file_sink::write_mapped_locked(std::string_view line) noexcept {
  if (!window_ || size_ + line.size() > window_->offset + window_->length) {
    // The window the preparer made ready is used if it covers the record; else one is mapped here.
    std::shared_ptr<mapped_window> ready = std::move(next_window_);
    if (ready && ready->file == file_ && ready->offset <= size_ &&
        size_ + line.size() <= ready->offset + ready->length) {
      window_ = std::move(ready);
    } else if (!map_window_locked(line.size())) {
      return false;
    }
    if (preparer_) preparer_->wake();
  }
  std::memcpy(window_->at(size_), line.data(), line.size());
  size_ += line.size();
  file_->records_end.store(size_, std::memory_order_release);
  return true;
}

// Maps a window of the current file starting at the granule that holds size_, with room for at
// least `needed` bytes; when a full window cannot be allocated (a nearly full disk), smaller ones
// are tried.
bool accounting_file_sink::map_window_locked(std::uint64_t needed) noexcept {
  window_.reset();
  const std::uint64_t offset = size_ / map_granularity * map_granularity;
  const std::uint64_t smallest = round_up(size_ - offset + needed, map_granularity);
  DWORD error = ERROR_SUCCESS;
  for (std::uint64_t length = window_length_at(offset, smallest);; length /= 2) {
    length = round_up(std::max(length, smallest), map_granularity);
    error = allocate(*file_, offset + length);
    if (error == ERROR_SUCCESS) {
      window_ = map_view(file_, offset, length, error);
      if (window_) return true;
    }
    if (length <= smallest) break;
  }
  try {
    report_failure_locked(fmt::format("cannot extend the accounting file {} to hold more records: {}",
                                      to_utf8(file_->path), describe_error(error)));
  } catch (...) {
  }
  // Give back what was allocated beyond the records; the writer holds the record meanwhile.
  close_locked();
  day_ = -1;
  return false;
}

// On the preparer thread: allocates, maps and touches the window after the current one, so that
// the callback that fills the current window moves on with a pointer swap instead of system
// calls and page faults.
void accounting_file_sink::prepare_next_window() noexcept {
  std::shared_ptr<open_file> file;
  std::uint64_t offset = 0;
  std::uint64_t touched_from = 0;
  {
    const std::lock_guard lock(mutex_);
    if (!file_ || !window_ || next_window_) return;
    file = file_;
    offset = next_window_offset(*window_);
    touched_from = window_->offset + window_->length;
  }
  const std::uint64_t length = window_length_at(offset, map_granularity);
  if (offset + length <= touched_from) return;  // at the rotation size: the next file takes over
  DWORD error = ERROR_SUCCESS;
  if (allocate(*file, offset + length) != ERROR_SUCCESS) return;  // the writer will report it
  std::shared_ptr<mapped_window> window = map_view(file, offset, length, error);
  if (!window) return;
  // Reading a byte of each page maps it, so the callbacks that write there later do not stop
  // for the page fault. Only reads: by now the writer may have mapped a window of its own and be
  // writing records into these very pages. (The pages are allocated, so this cannot fault on a
  // full disk either.)
  constexpr std::uint64_t page = 4096;
  for (std::uint64_t at = touched_from; at < offset + length; at += page) {
    (void)__atomic_load_n(window->at(at), __ATOMIC_RELAXED);
  }
  const std::lock_guard lock(mutex_);
  if (file_ == file && !next_window_) next_window_ = std::move(window);
}

void accounting_file_sink::flush() noexcept {
  std::shared_ptr<open_file> file;
  std::shared_ptr<mapped_window> window;
  {
    const std::lock_guard lock(mutex_);
    file = file_;
    window = window_;
  }
  // Outside the lock: appends continue while the disk catches up. The shared pointers keep the
  // view and the file open even if append moves on meanwhile. The mapped view's dirty pages go
  // out through FlushViewOfFile; those of views already unmapped belong to the file's section, and
  // FlushFileBuffers writes them with the rest of the file.
  if (window) ::FlushViewOfFile(window->view.get(), static_cast<SIZE_T>(window->length));
  if (file) ::FlushFileBuffers(file->handle.get());
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
