#include "win32/public_log_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "win32/log_folder.hpp"
#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace log_format = core::log_format;

constexpr auto recheck_interval = 200ms;                        // listing and replacement checks
constexpr std::size_t read_limit = std::size_t{1} << 20;        // bytes read from a file at once
constexpr std::uint64_t count_budget = std::uint64_t{8} << 20;  // bytes counted per look()
constexpr std::size_t head_bytes = 4096;                        // holds any RasWarden record

bool not_found(DWORD error) {
  return error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND;
}

log_format::file_id today() {
  const auto now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  return {log_format::day_of(now.count()), 0};
}

}  // namespace

public_log_reader::public_log_reader(std::wstring folder, core::diagnostics& diag)
    : folder_(std::move(folder)), diag_(diag) {
  segments_.push_back(segment{today()});
}

std::wstring public_log_reader::path_of(log_format::file_id id) const {
  return folder_ + L"\\" + to_wide(log_format::file_name(id));
}

void public_log_reader::list_files() {
  files_.clear();
  for (const public_file& file : list_public_files(folder_)) files_.push_back(file.id);
  listed_at_ = clock::now();
}

core::forward_cursor public_log_reader::end_of_published() {
  list_files();
  if (files_.empty()) return {today(), 0, 0};
  const log_format::file_id newest = files_.back();
  const core::published_span span = core::count_published(std::filesystem::path(path_of(newest)), 0);
  core::forward_cursor cursor{newest, span.end, 0};
  if (cursor.offset > 0) cursor.first_line = first_line_of(newest);
  return cursor;
}

core::forward_cursor public_log_reader::start_of_newest() {
  list_files();
  return {files_.empty() ? today() : files_.back(), 0, 0};
}

void public_log_reader::start_at(const core::forward_cursor& position) {
  segments_.assign(
      1, segment{position.file, position.first_line, position.offset, position.offset, position.offset, 0, false});
  checked_at_ = {};
}

core::forward_cursor public_log_reader::position_of(const segment& seg) {
  // A cursor past the start must name the first line; 1 (matching nothing) for a file whose first
  // line could not be hashed, so a restart reads it again rather than trusting the offset.
  return {seg.file, seg.begin, seg.begin == 0 ? 0 : (seg.first_line != 0 ? seg.first_line : 1)};
}

core::forward_cursor public_log_reader::position() const {
  return position_of(segments_.front());
}

std::uint64_t public_log_reader::unread_records() const noexcept {
  std::uint64_t records = 0;
  for (const segment& seg : segments_) records += seg.records;
  return records;
}

std::uint64_t public_log_reader::unread_bytes() const noexcept {
  std::uint64_t bytes = 0;
  for (const segment& seg : segments_) bytes += seg.end - std::min(seg.begin, seg.end);
  return bytes;
}

// Up to `size` bytes of a public file from `offset` (fewer at its end). The sharing mode lets the
// publisher append and retention delete meanwhile.
bool public_log_reader::read_at(log_format::file_id id, std::uint64_t offset, std::size_t size, std::string& out,
                                DWORD& error, std::uint64_t* file_size) const {
  return read_file_range(path_of(id), offset, size, false, out, error, file_size);
}

std::uint64_t public_log_reader::first_line_of(log_format::file_id id) const {
  std::string head;
  DWORD error = 0;
  if (!read_at(id, 0, head_bytes, head, error)) return 0;
  std::uint64_t hash = core::first_line_hash(head);
  if (hash == 0 && head.size() == head_bytes && read_at(id, 0, read_limit, head, error)) {
    hash = core::first_line_hash(head);
  }
  return hash;
}

// A file whose first line is not the one seen before (or that is now shorter than what was
// counted) is another file under the same name: everything from it on is counted again.
void public_log_reader::check_replaced() {
  // Only where reading and counting stand: the files between were checked as they were passed.
  std::vector<std::size_t> where{0};
  if (segments_.size() > 1) where.push_back(segments_.size() - 1);
  for (const std::size_t i : where) {
    const segment& seg = segments_[i];
    if (seg.first_line == 0) continue;
    std::string head;
    DWORD error = 0;
    std::uint64_t size = 0;
    if (!read_at(seg.file, 0, head_bytes, head, error, &size)) continue;  // gone: read() deals with it
    const std::uint64_t hash = core::first_line_hash(head);
    if (hash == 0 && head.size() == head_bytes) continue;  // a first line this long: cannot tell
    if (hash == seg.first_line && size >= seg.end) continue;
    diag_.report(core::severity::warning,
                 fmt::format("accounting.forward: {} was replaced (its first record is not the one forwarded "
                             "before); forwarding it from its start",
                             log_format::file_name(seg.file)));
    const log_format::file_id file = seg.file;
    segments_.erase(segments_.begin() + static_cast<std::ptrdiff_t>(i), segments_.end());
    segments_.push_back(segment{file});
    return;
  }
}

void public_log_reader::report_gone(const segment& seg) {
  if (std::find(gone_reported_.begin(), gone_reported_.end(), seg.file) != gone_reported_.end()) return;
  gone_reported_.push_back(seg.file);
  if (gone_reported_.size() > 64) gone_reported_.erase(gone_reported_.begin());
  if (seg.end == 0 && seg.first_line == 0) return;  // nothing of it was ever seen
  diag_.report(core::severity::warning,
               fmt::format("accounting.forward: {} was removed before it was completely forwarded (delivered "
                           "up to byte {}; {} counted record(s) not delivered); going on with the next file",
                           log_format::file_name(seg.file), seg.begin, seg.records));
}

bool public_log_reader::look() {
  if (clock::now() - checked_at_ >= recheck_interval) {
    list_files();
    check_replaced();
    checked_at_ = clock::now();
  }
  return count();
}

// Counts the complete lines published after the last segment's end, following rotation.
bool public_log_reader::count() {
  bool progress = false;
  std::uint64_t budget = count_budget;
  std::string chunk;
  while (budget > 0) {
    segment& seg = segments_.back();
    const std::uint64_t at = std::max(seg.end, seg.probe);
    const clock::time_point read_time = clock::now();
    DWORD error = 0;
    const bool readable =
        read_at(seg.file, at, static_cast<std::size_t>(std::min<std::uint64_t>(read_limit, budget)), chunk, error);
    if (readable) {
      budget -= std::min<std::uint64_t>(budget, chunk.size());
      const std::string_view bytes = std::string_view(chunk).substr(0, chunk.find('\0'));
      if (const std::size_t last = bytes.rfind('\n'); last != std::string_view::npos) {
        if (at == 0) seg.first_line = core::first_line_hash(bytes);
        seg.records += static_cast<std::uint64_t>(std::count(bytes.begin(), bytes.begin() + last + 1, '\n'));
        seg.end = at + last + 1;
        seg.probe = seg.end;
        if (seg.first_line == 0) seg.first_line = first_line_of(seg.file);
        progress = true;
        continue;
      }
      if (bytes.size() == read_limit) {  // inside a line longer than a read: look further
        seg.probe = at + bytes.size();
        continue;
      }
    } else if (!not_found(error)) {
      break;  // unreadable for now (sharing, access): tried again on the next look
    }
    // At the end of what this file holds. A later file listed before this read means the
    // publisher had finished this one: move on.
    const auto later = std::upper_bound(files_.begin(), files_.end(), seg.file);
    if (later != files_.end() && listed_at_ <= read_time) {
      if (!readable) report_gone(seg);
      seg.closed = true;
      segments_.push_back(segment{*later});
      progress = true;
      continue;
    }
    if (clock::now() - listed_at_ < recheck_interval) break;
    list_files();
  }
  return progress;
}

bool public_log_reader::read(std::size_t max, std::vector<record>& out) {
  bool progress = false;
  std::size_t taken = 0;
  std::size_t read_bytes = 0;
  std::string chunk;
  while (taken < max && read_bytes < read_limit) {
    segment& seg = segments_.front();
    if (seg.begin >= seg.end) {
      if (!seg.closed || segments_.size() < 2) break;
      segments_.pop_front();
      progress = true;
      continue;
    }
    DWORD error = 0;
    if (!read_at(seg.file, seg.begin,
                 static_cast<std::size_t>(std::min<std::uint64_t>(read_limit, seg.end - seg.begin)), chunk, error)) {
      if (!not_found(error)) break;
      report_gone(seg);
      seg.begin = seg.end;
      seg.records = 0;
      progress = true;
      continue;
    }
    read_bytes += chunk.size();
    const std::string_view bytes(chunk);
    std::size_t line_start = 0;
    for (std::size_t newline = bytes.find('\n'); newline != std::string_view::npos && taken < max;
         newline = bytes.find('\n', line_start)) {
      std::string_view line = bytes.substr(line_start, newline - line_start);
      const std::uint64_t length = newline - line_start + 1;
      line_start = newline + 1;
      seg.begin += length;
      if (seg.records > 0) --seg.records;
      progress = true;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;  // nothing to send
      out.push_back(record{position_of(seg), length, std::string(line)});
      ++taken;
    }
    if (line_start == 0 && chunk.size() == read_limit) {
      skip_long_line(seg);
      progress = true;
    } else if (line_start == 0) {
      break;  // counted, but not there any more: check_replaced sorts it out
    }
  }
  return progress;
}

// A line of more than a read is not a RasWarden record (none comes near): skipped, reported once.
void public_log_reader::skip_long_line(segment& seg) {
  const std::uint64_t start = seg.begin;
  std::string chunk;
  DWORD error = 0;
  std::optional<std::uint64_t> after;
  for (std::uint64_t at = start + read_limit; at < seg.end && !after;) {
    if (!read_at(seg.file, at, read_limit, chunk, error) || chunk.empty()) break;
    if (const std::size_t newline = chunk.find('\n'); newline != std::string::npos) after = at + newline + 1;
    at += chunk.size();
  }
  // Its end is where it was counted; if the file changed since, what was counted is given up.
  seg.begin = after.value_or(seg.end);
  if (seg.records > 0) seg.records = after ? seg.records - 1 : 0;
  if (!long_line_reported_) {
    long_line_reported_ = true;
    diag_.report(core::severity::warning,
                 fmt::format("accounting.forward: {} holds a line of more than 1 MiB at byte {}, which is not a "
                             "RasWarden record; it was not forwarded",
                             log_format::file_name(seg.file), start));
  }
}

}  // namespace raswarden::win32
