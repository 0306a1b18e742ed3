#include "raswarden/accounting.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <span>

namespace raswarden::core {

bool memory_sink::append(std::string_view line) noexcept {
  try {
    const std::lock_guard lock(mutex_);
    lines_.emplace_back(line);
    return true;
  } catch (...) {
    return false;
  }
}

std::vector<std::string> memory_sink::lines() const {
  const std::lock_guard lock(mutex_);
  return lines_;
}

namespace {
constexpr std::size_t timestamp_length = 24;  // "2026-11-21T23:52:17.123Z"

// Written digit by digit into the caller's buffer: it runs under the writer's lock for every
// record, where an allocation or a format string parse would be felt.
void write_timestamp(std::int64_t unix_ms, std::span<char, timestamp_length> out) {
  using namespace std::chrono;
  const sys_time<milliseconds> at{milliseconds{unix_ms}};
  const auto day = floor<days>(at);
  const year_month_day date{day};
  const auto in_day = static_cast<std::uint32_t>((at - day).count());
  constexpr std::string_view pattern = "0000-00-00T00:00:00.000Z";
  std::copy(pattern.begin(), pattern.end(), out.begin());
  const auto put = [out](std::size_t position, std::uint32_t value, std::size_t width) {
    for (std::size_t i = width; i-- > 0;) {
      out[position + i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  const int year = static_cast<int>(date.year());
  put(0, static_cast<std::uint32_t>(std::clamp(year, 0, 9999)), 4);
  put(5, static_cast<unsigned>(date.month()), 2);
  put(8, static_cast<unsigned>(date.day()), 2);
  put(11, in_day / 3'600'000, 2);
  put(14, in_day / 60'000 % 60, 2);
  put(17, in_day / 1000 % 60, 2);
  put(20, in_day % 1000, 3);
}
}  // namespace

std::string format_timestamp(std::int64_t unix_ms) {
  std::array<char, timestamp_length> text{};
  write_timestamp(unix_ms, text);
  return {text.data(), text.size()};
}

namespace {
// Same length as every timestamp format_timestamp produces for years 0000-9999.
constexpr std::string_view timestamp_placeholder = "0000-00-00T00:00:00.000Z";

// Every record starts like this; ts is filled in by commit().
void begin_record(json_line& line) {
  line.begin_object().field("schema", accounting_schema_version).field("ts", timestamp_placeholder);
}
}  // namespace

accounting_writer::accounting_writer(std::string server, std::unique_ptr<record_sink> sink, const clock& time,
                                     diagnostics& diag, std::size_t queue_limit)
    : server_(std::move(server)), sink_(std::move(sink)), clock_(time), diag_(diag), queue_limit_(queue_limit) {
  json_line line;
  begin_record(line);
  timestamp_offset_ = line.last_value_offset() + 1;  // after the opening quote
}

json_line& accounting_writer::begin(std::string_view event, std::string_view callback) {
  thread_local json_line line;
  line.clear();
  begin_record(line);
  line.field("event", event).field("server", server_).field("callback", callback);
  return line;
}

bool accounting_writer::commit(json_line& line) {
  const std::lock_guard lock(mutex_);
  // Time is read under the lock so that ts never goes backwards in file order (unless the
  // system clock itself is set back).
  const std::int64_t now_ms = clock_.now_unix_ms();
  std::array<char, timestamp_length> now{};
  write_timestamp(now_ms, now);
  line.overwrite(timestamp_offset_, std::string_view(now.data(), now.size()));
  line.field("seq", next_seq_++);
  const std::string_view text = line.finish();
  if (sink_ && text.size() > sink_->largest_line()) {
    ++failed_;
    ++lost_;
    diag_.report(severity::error, topic::accounting_failure,
                 fmt::format("accounting record lost: {} bytes is more than the longest record the journal takes ({} "
                             "bytes; accounting.journal_mb sets it): {}",
                             text.size(), sink_->largest_line(), text.substr(0, 512)));
    return false;
  }
  if (drain_locked() && sink_ && sink_->append_stamped(text, now_ms)) {
    ++written_;
    set_failing_locked(false);
    return true;
  }
  ++failed_;
  if (held_.size() < queue_limit_) {
    held_.push_back(held_record{std::string(text), now_ms});
  } else {
    ++lost_;
    diag_.report(severity::error, topic::accounting_failure,
                 fmt::format("accounting record lost (memory queue full at {} records): {}", queue_limit_,
                             text.substr(0, text.size() - 1)));
  }
  set_failing_locked(true);
  return false;
}

bool accounting_writer::drain_locked() {
  while (!held_.empty()) {
    if (!sink_ || !sink_->append_stamped(held_.front().line, held_.front().unix_ms)) return false;
    held_.pop_front();
    ++written_;
  }
  return true;
}

void accounting_writer::set_failing_locked(bool failing) {
  // Reported on the transition only, so a failing disk does not flood the logs.
  if (failing == failing_) return;
  failing_ = failing;
  if (failing) {
    diag_.report(severity::error, topic::accounting_failure,
                 fmt::format("accounting records cannot be written; holding them in memory (up to {})", queue_limit_));
  } else {
    diag_.report(severity::info, topic::accounting_recovered,
                 fmt::format("accounting records are written again ({} lost while failing)", lost_));
  }
}

void accounting_writer::maintain() {
  {
    const std::lock_guard lock(mutex_);
    if (!held_.empty() && drain_locked()) set_failing_locked(false);
  }
  if (sink_) {
    sink_->flush();
    sink_->maintain();
  }
}

bool accounting_writer::healthy() const {
  const std::lock_guard lock(mutex_);
  return !failing_;
}

std::uint64_t accounting_writer::records_held() const {
  const std::lock_guard lock(mutex_);
  return held_.size();
}

std::uint64_t accounting_writer::records_lost() const {
  const std::lock_guard lock(mutex_);
  return lost_;
}

std::uint64_t accounting_writer::records_written() const {
  const std::lock_guard lock(mutex_);
  return written_;
}

std::uint64_t accounting_writer::records_failed() const {
  const std::lock_guard lock(mutex_);
  return failed_;
}

}  // namespace raswarden::core
