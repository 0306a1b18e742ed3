// Between whoever reports a diagnostic (a callback rejecting a connection, the writer losing a
// record, an export catching a fault) and whatever writes it out (raswarden.log, the Event Log):
// a bounded queue, so reporting costs a short lock and a copy and never waits on a disk or the
// Event Log service, and a per-kind rate limit, so a flood of one kind (every connection
// rejected, every record lost) writes one line per period and a count instead of thousands.
// A background thread drains it; docs/architecture.md has the rule it serves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "raswarden/platform.hpp"

namespace raswarden::core {

struct queued_diagnostic {
  severity level = severity::info;
  topic about = topic::general;
  std::string message;
};

// Per run: how many diagnostics were written, how many the rate limit held back, and how many a
// full queue dropped (counted, never silently).
struct diagnostic_counts {
  std::uint64_t written = 0;
  std::uint64_t suppressed = 0;
  std::uint64_t dropped = 0;
  std::uint64_t rejections_suppressed = 0;  // of `suppressed`, connection rejections
};

class diagnostic_queue {
 public:
  static constexpr std::size_t default_capacity = 1024;
  static constexpr std::int64_t default_period_ms = 60'000;

  explicit diagnostic_queue(const clock& time, std::size_t capacity = default_capacity,
                            std::int64_t period_ms = default_period_ms);

  // Rate-limited kinds (rejections, accounting failures, internal errors) pass once per period;
  // the rest (start, stop, configuration) always do, within the queue's bound.
  void push(severity level, topic about, std::string_view message) noexcept;
  // What is waiting, oldest first, followed by one summary per kind whose period has ended with
  // reports held back ("... 41 more like it in the last 60 s").
  [[nodiscard]] std::vector<queued_diagnostic> drain();
  // The same, ending every period now (at stop, so that no count is left untold).
  [[nodiscard]] std::vector<queued_diagnostic> drain_all();
  [[nodiscard]] diagnostic_counts counts() const;

  [[nodiscard]] static bool rate_limited(topic about) noexcept;

 private:
  struct kind_state {
    bool in_period = false;
    std::uint64_t period_start_ns = 0;
    std::uint64_t held_back = 0;
  };
  std::vector<queued_diagnostic> take(bool end_every_period);
  [[nodiscard]] queued_diagnostic summary(topic about, const kind_state& kind, std::uint64_t now) const;
  kind_state& kind_for(topic about, std::string_view message);

  const clock& clock_;
  const std::size_t capacity_;
  const std::uint64_t period_ns_;
  mutable std::mutex mutex_;  // held for a copy, never for I/O
  std::vector<queued_diagnostic> queue_;
  // A kind is a topic, and for internal errors also the export that reports it (its first word),
  // so a fault in one export does not hide another's. At most max_kinds are told apart.
  static constexpr std::size_t max_kinds = 64;
  [[nodiscard]] static std::string kind_of(topic about, std::string_view message);
  std::map<std::string, std::pair<topic, kind_state>> kinds_;
  diagnostic_counts counts_;
};

}  // namespace raswarden::core
