#include "win32/log_publisher.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "win32/file_security.hpp"
#include "win32/log_folder.hpp"
#include "win32/system.hpp"

namespace raswarden::win32 {

namespace {

constexpr std::size_t batch_bytes = 1 << 20;
// Enough of a file's end to hold its last whole record and whatever was torn after it.
constexpr std::uint64_t tail_bytes = 2 << 20;

// The last `most` bytes of a file and its size; the size is 0 and nothing is read when the file
// does not exist.
bool read_tail(const std::wstring& path, std::uint64_t most, std::string& tail, std::uint64_t& size, bool& from_start) {
  size = 0;
  DWORD error = ERROR_SUCCESS;
  if (!read_file_range(path, 0, static_cast<std::size_t>(most), true, tail, error, &size)) {
    tail.clear();
    from_start = true;
    ::SetLastError(error);
    return error == ERROR_FILE_NOT_FOUND;
  }
  from_start = tail.size() == size;
  return true;
}

}  // namespace

log_publisher::log_publisher(std::wstring directory, std::uint64_t rotate_bytes, core::diagnostics& diag)
    : directory_(std::move(directory)), rotate_bytes_(rotate_bytes), diag_(diag) {}

void log_publisher::failed(const std::string& what) noexcept {
  if (failing_) return;  // one report per failing period
  failing_ = true;
  diag_.report(core::severity::error, core::topic::accounting_failure,
               what + "; the records wait in the journal and are published when writing works again");
}

bool log_publisher::open_append(const std::wstring& path) noexcept {
  // FILE_APPEND_DATA without FILE_WRITE_DATA: every write lands at the end, whatever else has
  // the file open. Readers (log shippers) may read, rename and delete it meanwhile.
  std::string problem;
  try {
    file_ = open_owned_file(path, FILE_APPEND_DATA | SYNCHRONIZE,
                            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, OPEN_ALWAYS, problem);
  } catch (...) {
    problem = "out of memory";
  }
  if (!file_) {
    failed(fmt::format("cannot open the accounting file {}: {}", to_utf8(path), problem));
    return false;
  }
  path_ = path;
  return true;
}

bool log_publisher::adoptable(const std::wstring& path) {
  const auto verdict = judge_if_present(path, object_kind::file);
  if (!verdict || verdict->trusted) return true;  // to be created, or ours
  if (std::find(refused_.begin(), refused_.end(), path) == refused_.end()) {
    refused_.push_back(path);
    diag_.report(core::severity::warning,
                 fmt::format("{} {}; it is not written to (a file someone else could have planted is never "
                             "adopted), and records go to the next file",
                             to_utf8(path), verdict->problem));
  }
  return false;
}

void log_publisher::resume(core::journal_ring& ring) noexcept {
  position_ = ring.tail();
  resumed_ = false;
  try_resume(ring);
}

// Until this has succeeded nothing is published: publishing from the tail while the file's end
// is unknown could write records the file already holds a second time.
bool log_publisher::try_resume(core::journal_ring& ring) noexcept {
  try {
    const auto named = ring.public_file();
    if (!named) {
      resumed_ = true;  // nothing from this journal was published yet
      return true;
    }
    const std::wstring path = directory_ + L"\\" + to_wide(core::log_format::file_name(*named));
    std::string tail;
    std::uint64_t size = 0;
    bool from_start = true;
    if (!read_tail(path, tail_bytes, tail, size, from_start)) {
      failed(fmt::format("cannot read the end of {} to resume publishing there: {}", to_utf8(path),
                         describe_error(::GetLastError())));
      return false;
    }
    resumed_ = true;
    if (size == 0 || tail.find('\0') != std::string::npos) return true;  // gone, empty, or not ours to continue
    if (!from_start) tail.erase(0, tail.find('\n') + 1);                 // begin at a line
    const core::publish_resume where = core::resume_point(ring, tail);
    current_ = *named;
    floor_day_ = std::max(floor_day_, named->day);
    size_ = size;
    path_ = path;
    position_ = where.position;
    if (!where.completion.empty()) {
      pending_ = where.completion;
      pending_end_ = where.position;
      if (where.torn_completed) {
        diag_.report(core::severity::warning,
                     fmt::format("{} ended in a record cut off after {} bytes (an interrupted write); its other {} "
                                 "bytes were appended from the journal",
                                 to_utf8(path), where.torn_bytes, where.completion.size()));
      } else {
        diag_.report(core::severity::warning,
                     fmt::format("{} ended in {} bytes that are no record of the journal (an interrupted write); a "
                                 "newline was appended so the next record starts on a line of its own",
                                 to_utf8(path), where.torn_bytes));
      }
    }
    // Should it not open now, publish() opens path_ again before it writes anything.
    open_append(path);
    return true;
  } catch (...) {
    failed("cannot resume publishing (out of memory)");
    return false;
  }
}

bool log_publisher::open_for(core::journal_ring& ring, std::int64_t day, bool next_index,
                             std::size_t next_line) noexcept {
  try {
    // The records in the file being left are already released from the journal: they reach the
    // disk now, not at a later flush round, which only ever flushes the current file.
    if (file_) ::FlushFileBuffers(file_.get());
    file_.reset();
    path_.clear();
    std::uint32_t index = 0;
    if (next_index && day == current_.day) {
      index = current_.index + 1;
    } else {
      // A day's last file is continued if it has room (a restart); a newer day's file found
      // there (the clock was set back before the restart) is continued instead.
      for (const public_file& f : list_public_files(directory_)) {
        if (f.id.day < day || !adoptable(f.path)) continue;
        if (f.id.day > day) {
          day = f.id.day;
          index = 0;
        }
        if (f.id.day == day) index = std::max(index, f.id.index);
      }
    }
    // (A folder on another computer was refused when the journal was opened.)
    if (std::string problem; !ensure_trusted_folder(directory_, true, problem)) {
      failed(problem);
      return false;
    }
    for (;; ++index) {
      const core::log_format::file_id id{day, index};
      const std::wstring path = directory_ + L"\\" + to_wide(core::log_format::file_name(id));
      if (!adoptable(path)) continue;
      std::string tail;
      std::uint64_t size = 0;
      bool from_start = true;
      if (!read_tail(path, 64 << 10, tail, size, from_start)) {
        failed(fmt::format("cannot read {}: {}", to_utf8(path), describe_error(::GetLastError())));
        return false;
      }
      if (size >= rotate_bytes_ || (size > 0 && size + next_line > rotate_bytes_)) continue;
      if (tail.find('\0') != std::string::npos) {
        // Zero padding left open by an earlier version: never written after, never cut back.
        diag_.report(core::severity::warning,
                     fmt::format("{} ends in zero padding left by an earlier version; it is kept as it is and "
                                 "records continue in the next file",
                                 to_utf8(path)));
        continue;
      }
      if (!open_append(path)) return false;
      current_ = id;
      floor_day_ = std::max(floor_day_, id.day);
      size_ = size;
      // Noted before anything is written there, while every earlier record is released.
      ring.set_public_file(id);
      if (!tail.empty() && tail.back() != '\n') {
        const std::size_t torn = tail.size() - tail.rfind('\n') - 1;
        pending_.assign(1, '\n');
        pending_end_ = position_;
        diag_.report(core::severity::warning,
                     fmt::format("{} ended in {} bytes of an unfinished line; a newline was appended so the next "
                                 "record starts on a line of its own",
                                 to_utf8(path), std::min<std::size_t>(torn, tail.size())));
      }
      return true;
    }
  } catch (...) {
    failed("cannot open the next accounting file (out of memory)");
    return false;
  }
}

log_publisher::batch log_publisher::next_batch(core::journal_ring& ring) noexcept {
  try {
    auto entry = ring.read(position_);
    if (!entry) return batch::nothing;
    // Never back to an older day's file (the clock set back): a follower or the forwarder that
    // has moved on to the newest file would not see it grow.
    const std::int64_t wanted = std::max(core::log_format::day_of(entry->unix_ms), floor_day_);
    if (!file_ || wanted != current_.day) {
      if (!open_for(ring, wanted, false, entry->line.size())) return batch::failed;
    } else if (size_ > 0 && size_ + entry->line.size() > rotate_bytes_) {
      if (!open_for(ring, wanted, true, entry->line.size())) return batch::failed;
    }
    const std::int64_t day = current_.day;
    if (!pending_.empty()) return batch::ready;  // a newline that ends a torn line goes first
    pending_stamps_.clear();
    while (entry && std::max(core::log_format::day_of(entry->unix_ms), floor_day_) == day &&
           (pending_.empty() || (pending_.size() + entry->line.size() <= batch_bytes &&
                                 size_ + pending_.size() + entry->line.size() <= rotate_bytes_))) {
      pending_.append(entry->line);
      pending_stamps_.push_back(entry->unix_ms);
      pending_end_ = entry->next;
      entry = ring.read(entry->next);
    }
    return batch::ready;
  } catch (...) {
    failed("cannot prepare a batch of records (out of memory)");
    return batch::failed;
  }
}

bool log_publisher::write_pending(core::journal_ring& ring, std::int64_t now_unix_ms) noexcept {
  while (pending_written_ < pending_.size()) {
    const auto chunk = static_cast<DWORD>(pending_.size() - pending_written_);
    DWORD written = 0;
    const BOOL ok = ::WriteFile(file_.get(), pending_.data() + pending_written_, chunk, &written, nullptr);
    pending_written_ += written;
    size_ += written;
    if (ok == 0 || written == 0) {
      const DWORD error = ok == 0 ? ::GetLastError() : ERROR_DISK_FULL;
      failed(fmt::format("writing to {} failed: {}", to_utf8(path_), describe_error(error)));
      return false;
    }
  }
  position_ = pending_end_;
  ring.release(position_);
  for (const std::int64_t stamp : pending_stamps_) {
    const std::int64_t waited = std::max<std::int64_t>(0, now_unix_ms - stamp);
    ++histogram_[static_cast<std::size_t>(std::min<std::int64_t>(waited, histogram_.size() - 1))];
    if (waited > max_ms_.load(std::memory_order_relaxed)) {
      max_ms_.store(static_cast<std::uint32_t>(std::min<std::int64_t>(waited, UINT32_MAX)), std::memory_order_relaxed);
    }
  }
  if (!pending_stamps_.empty()) {
    const std::uint64_t total = published_.load(std::memory_order_relaxed) + pending_stamps_.size();
    published_.store(total, std::memory_order_relaxed);
    // Percentiles from the histogram: a few thousand additions per batch, a few batches a second.
    std::uint64_t seen = 0;
    bool have_p50 = false;
    for (std::size_t ms = 0; ms < histogram_.size(); ++ms) {
      seen += histogram_[ms];
      if (!have_p50 && seen * 2 >= total) {
        p50_ms_.store(static_cast<std::uint32_t>(ms), std::memory_order_relaxed);
        have_p50 = true;
      }
      if (seen * 100 >= total * 99) {
        p99_ms_.store(static_cast<std::uint32_t>(ms), std::memory_order_relaxed);
        break;
      }
    }
  }
  pending_.clear();
  pending_stamps_.clear();
  pending_written_ = 0;
  return true;
}

bool log_publisher::publish(core::journal_ring& ring, std::int64_t now_unix_ms) noexcept {
  if (!resumed_ && !try_resume(ring)) return false;
  for (;;) {
    if (pending_.empty()) {
      const batch next = next_batch(ring);
      if (next == batch::nothing) break;
      if (next == batch::failed) return false;
    }
    if (!file_ && !open_append(path_)) return false;
    if (!write_pending(ring, now_unix_ms)) return false;
  }
  if (failing_) {
    failing_ = false;
    diag_.report(core::severity::info, core::topic::accounting_recovered,
                 fmt::format("accounting records are published to {} again", to_utf8(path_)));
  }
  return true;
}

bool log_publisher::flush() noexcept {
  return file_ && ::FlushFileBuffers(file_.get()) != 0;
}

publication_latency log_publisher::latency() const noexcept {
  return {published_.load(std::memory_order_relaxed), p50_ms_.load(std::memory_order_relaxed),
          p99_ms_.load(std::memory_order_relaxed), max_ms_.load(std::memory_order_relaxed)};
}

}  // namespace raswarden::win32
