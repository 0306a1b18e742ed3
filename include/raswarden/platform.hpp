// What the core needs from the operating system, as small interfaces the per-OS edges implement:
// a clock and a place to report problems. Keeping them abstract lets tests control time.
#pragma once

#include <cstdint>
#include <string_view>

namespace raswarden::core {

class clock {
 public:
  virtual ~clock() = default;
  // Wall-clock time, milliseconds since 1970-01-01 UTC.
  [[nodiscard]] virtual std::int64_t now_unix_ms() const = 0;
  // Monotonic time for durations, nanoseconds from an arbitrary origin.
  [[nodiscard]] virtual std::uint64_t steady_ns() const = 0;
  // Minutes the server's local time is ahead of UTC at `unix_ms` (login-hour rules in local time).
  [[nodiscard]] virtual std::int32_t utc_offset_minutes(std::int64_t /*unix_ms*/) const { return 0; }
};

// std::chrono based; correct on every platform the core builds for.
class system_clock final : public clock {
 public:
  [[nodiscard]] std::int64_t now_unix_ms() const override;
  [[nodiscard]] std::uint64_t steady_ns() const override;
  [[nodiscard]] std::int32_t utc_offset_minutes(std::int64_t unix_ms) const override;
};

enum class severity : std::uint8_t { debug, info, warning, error };

// What a report is about; the Event Log gives each its own event id and text.
enum class topic : std::uint8_t {
  general,
  started,
  stopped,
  configuration,
  accounting_failure,
  accounting_recovered,
  sessions_recovered,
  connection_rejected,
  internal_error,
};

// Where the core reports what an administrator should know about but RRAS must not see (the DLL
// sends it to its own log and, for warnings, errors and lifecycle events, the Event Log). Must
// not throw.
class diagnostics {
 public:
  virtual ~diagnostics() = default;
  virtual void report(severity level, topic about, std::string_view message) noexcept = 0;
  void report(severity level, std::string_view message) noexcept { report(level, topic::general, message); }
};

class null_diagnostics final : public diagnostics {
 public:
  using diagnostics::report;
  void report(severity, topic, std::string_view) noexcept override {}
};

}  // namespace raswarden::core
