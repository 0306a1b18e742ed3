// Test doubles shared by the core tests: a controllable clock and a diagnostics sink that keeps
// what it was told.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "raswarden/accounting.hpp"
#include "raswarden/platform.hpp"

namespace raswarden::core::testing {

// Starts at a fixed instant; `advance` moves both clocks. With `tick_ms`, every wall-clock read
// also moves time forward, so successive records get distinct timestamps.
class fake_clock final : public clock {
 public:
  explicit fake_clock(std::int64_t start_unix_ms = 1795305137123, std::int64_t tick_ms = 0)
      : unix_ms_(start_unix_ms), tick_ms_(tick_ms) {}

  [[nodiscard]] std::int64_t now_unix_ms() const override { return unix_ms_.fetch_add(tick_ms_); }
  [[nodiscard]] std::uint64_t steady_ns() const override { return steady_ns_.load(); }
  // The server's time zone, for login-hour rules in local time (0, UTC, unless set).
  [[nodiscard]] std::int32_t utc_offset_minutes(std::int64_t /*unix_ms*/) const override {
    return utc_offset_minutes_.load();
  }
  void set_utc_offset_minutes(std::int32_t minutes) { utc_offset_minutes_ = minutes; }
  // Moves the wall clock to an instant (the steady clock is left alone).
  void set_unix_ms(std::int64_t unix_ms) { unix_ms_ = unix_ms; }

  void advance_ms(std::int64_t ms) {
    unix_ms_ += ms;
    steady_ns_ += static_cast<std::uint64_t>(ms) * 1000000ULL;
  }

 private:
  mutable std::atomic<std::int64_t> unix_ms_;
  std::int64_t tick_ms_;
  std::atomic<std::uint64_t> steady_ns_{5000000000000ULL};
  std::atomic<std::int32_t> utc_offset_minutes_{0};
};

class recording_diagnostics final : public diagnostics {
 public:
  struct entry {
    severity level;
    std::string message;
    topic about = topic::general;
  };
  using diagnostics::report;
  void report(severity level, topic about, std::string_view message) noexcept override {
    try {
      const std::lock_guard lock(mutex_);
      entries_.push_back(entry{level, std::string(message), about});
    } catch (...) {
    }
  }
  [[nodiscard]] std::vector<entry> entries() const {
    const std::lock_guard lock(mutex_);
    return entries_;
  }
  [[nodiscard]] std::size_t count(severity level) const {
    const std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& e : entries_) n += e.level == level ? 1 : 0;
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<entry> entries_;
};

// A sink that fails on demand (a full disk, a revoked handle).
class failing_sink final : public record_sink {
 public:
  bool append(std::string_view line) noexcept override {
    if (fail.load()) return false;
    return inner.append(line);
  }
  bool append_stamped(std::string_view line, std::int64_t unix_ms) noexcept override {
    if (fail.load()) return false;
    try {
      stamps.push_back(unix_ms);
    } catch (...) {
      return false;
    }
    return inner.append(line);
  }
  std::atomic<bool> fail{true};
  memory_sink inner;
  std::vector<std::int64_t> stamps;  // what each appended record was filed under
};

}  // namespace raswarden::core::testing
