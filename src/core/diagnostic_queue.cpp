#include "raswarden/diagnostic_queue.hpp"

#include <fmt/format.h>

namespace raswarden::core {

namespace {

const char* kind_name(topic about) noexcept {
  switch (about) {
    case topic::connection_rejected: return "rejected connection(s)";
    case topic::accounting_failure: return "accounting failure report(s)";
    case topic::internal_error: return "internal error(s)";
    default: return "report(s)";
  }
}

}  // namespace

diagnostic_queue::diagnostic_queue(const clock& time, std::size_t capacity, std::int64_t period_ms)
    : clock_(time),
      capacity_(capacity),
      period_ns_(static_cast<std::uint64_t>(period_ms > 0 ? period_ms : 1) * 1'000'000u) {
  queue_.reserve(capacity_);  // pushing never allocates the queue itself
}

bool diagnostic_queue::rate_limited(topic about) noexcept {
  return about == topic::connection_rejected || about == topic::accounting_failure || about == topic::internal_error;
}

queued_diagnostic diagnostic_queue::summary(topic about, const kind_state& kind, std::uint64_t now) const {
  return queued_diagnostic{
      about == topic::connection_rejected ? severity::info : severity::warning, about,
      fmt::format("{} more {} in the last {} s were not reported one by one (at most one of a kind per {} s)",
                  kind.held_back, kind_name(about), (now - kind.period_start_ns) / 1'000'000'000u,
                  period_ns_ / 1'000'000'000u)};
}

std::string diagnostic_queue::kind_of(topic about, std::string_view message) {
  std::string key(1, static_cast<char>('A' + static_cast<int>(about)));
  if (about == topic::internal_error) key.append(message.substr(0, message.find(' ')).substr(0, 64));
  return key;
}

diagnostic_queue::kind_state& diagnostic_queue::kind_for(topic about, std::string_view message) {
  std::string key = kind_of(about, message);
  if (kinds_.size() >= max_kinds && kinds_.find(key) == kinds_.end()) key = kind_of(about, {});
  return kinds_.try_emplace(std::move(key), about, kind_state{}).first->second.second;
}

void diagnostic_queue::push(severity level, topic about, std::string_view message) noexcept {
  std::unique_lock lock(mutex_, std::defer_lock);
  try {
    lock.lock();
    if (rate_limited(about)) {
      kind_state& kind = kind_for(about, message);
      const std::uint64_t now = clock_.steady_ns();
      if (kind.in_period && now - kind.period_start_ns < period_ns_) {
        ++kind.held_back;
        ++counts_.suppressed;
        if (about == topic::connection_rejected) ++counts_.rejections_suppressed;
        return;
      }
      // The period before this one is told first, then this report opens a new one.
      if (kind.held_back > 0 && queue_.size() < capacity_) queue_.push_back(summary(about, kind, now));
      kind = kind_state{true, now, 0};
    }
    if (queue_.size() >= capacity_) {
      ++counts_.dropped;
      return;
    }
    queue_.push_back(queued_diagnostic{level, about, std::string(message)});
    ++counts_.written;
  } catch (...) {
    // Out of memory for the copy: counted, never thrown at the reporter.
    if (lock.owns_lock()) ++counts_.dropped;
  }
}

std::vector<queued_diagnostic> diagnostic_queue::take(bool end_every_period) {
  std::vector<queued_diagnostic> out;
  out.reserve(capacity_);
  const std::lock_guard lock(mutex_);
  out.swap(queue_);
  queue_.reserve(capacity_);
  const std::uint64_t now = clock_.steady_ns();
  for (auto it = kinds_.begin(); it != kinds_.end();) {
    auto& [about, kind] = it->second;
    if (!kind.in_period || (!end_every_period && now - kind.period_start_ns < period_ns_)) {
      ++it;
      continue;
    }
    if (kind.held_back > 0) out.push_back(summary(about, kind, now));
    it = kinds_.erase(it);
  }
  return out;
}

std::vector<queued_diagnostic> diagnostic_queue::drain() {
  return take(false);
}

std::vector<queued_diagnostic> diagnostic_queue::drain_all() {
  return take(true);
}

diagnostic_counts diagnostic_queue::counts() const {
  const std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace raswarden::core
