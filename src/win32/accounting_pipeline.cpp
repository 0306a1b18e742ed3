#include "win32/accounting_pipeline.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "win32/system.hpp"

namespace raswarden::win32 {

namespace {
constexpr std::int64_t housekeeping_interval_ms = 60'000;
constexpr std::int64_t reopen_interval_ms = 5'000;
}  // namespace

accounting_pipeline::accounting_pipeline(std::wstring directory, pipeline_options options, const core::clock& time,
                                         core::diagnostics& diag)
    : directory_(std::move(directory)),
      options_(options),
      clock_(time),
      diag_(diag),
      publisher_(directory_, options_.rotate_bytes, diag) {
  {
    const std::lock_guard lock(round_mutex_);
    // Recovery: what the previous run journaled is published before this run writes anything.
    if (open_journal()) {
      core::journal_ring* ring = ring_.load();
      guarded([&] { publisher_.publish(*ring, clock_.now_unix_ms()); });
    }
  }
  thread_ = std::make_unique<periodic_thread>(std::min(options_.publish_interval, options_.flush_interval),
                                              [this] { run(); });
  if (!thread_->running()) {
    diag_.report(core::severity::error, core::topic::accounting_failure,
                 "the accounting publisher thread could not start: records are journaled and published when "
                 "RasWarden stops");
  }
}

accounting_pipeline::~accounting_pipeline() {
  thread_.reset();  // its last round publishes what is left
  const std::lock_guard lock(round_mutex_);
  if (core::journal_ring* ring = ring_.load()) guarded([&] { publisher_.publish(*ring, clock_.now_unix_ms()); });
  publisher_.flush();
  ring_.store(nullptr);
  if (faulted_.load()) {
    report_fault();
    if (journal_) journal_->abandon();  // closed without touching the view that faulted
  }
  journal_.reset();  // flushes the journal (unless abandoned)
}

template <typename F>
bool accounting_pipeline::guarded(F&& body) noexcept {
  guarded_fault fault;
  if (guarded_access(view_, view_size_, body, fault)) return true;
  fault_code_.store(fault.code);
  fault_address_.store(fault.address);
  ring_.store(nullptr, std::memory_order_release);
  faulted_.store(true, std::memory_order_release);
  return false;
}

void accounting_pipeline::report_fault() noexcept {
  if (fault_reported_ || !faulted_.load(std::memory_order_acquire)) return;
  fault_reported_ = true;
  try {
    const DWORD code = fault_code_.load();
    diag_.report(
        core::severity::error, core::topic::accounting_failure,
        fmt::format("the journal {} could not be {} at address {} ({} 0x{:08X}); the journal is given up "
                    "until RasWarden restarts, and records are held in memory as when it cannot be opened, "
                    "with accounting.on_failure applying",
                    journal_ ? to_utf8(journal_->path()) : std::string("?"),
                    code == EXCEPTION_IN_PAGE_ERROR ? "read from disk (an in-page error: the volume failed)"
                                                    : "accessed (the file behind the view is gone or shorter)",
                    fault_address_.load(),
                    code == EXCEPTION_IN_PAGE_ERROR ? "EXCEPTION_IN_PAGE_ERROR" : "EXCEPTION_ACCESS_VIOLATION", code));
  } catch (...) {
    // Reporting must never become the failure.
  }
}

bool accounting_pipeline::open_journal() noexcept {
  last_open_attempt_ms_ = clock_.now_unix_ms();
  std::string error;
  journal_ =
      journal_file::open(directory_, options_.journal_bytes, options_.allow_remote_directory, clock_, diag_, error);
  if (!journal_) {
    diag_.report(
        core::severity::error, core::topic::accounting_failure,
        fmt::format("the accounting journal cannot be opened ({}); records are held in memory until it can", error));
    return false;
  }
  const core::journal_scan& found = journal_->found_at_open();
  if (found.damaged_ranges > 0) {
    diag_.report(core::severity::error, core::topic::accounting_failure,
                 fmt::format("the journal {} has {} damaged stretch(es), {} bytes in all, that cannot be read; the "
                             "{} readable record(s) around them are published",
                             to_utf8(journal_->path()), found.damaged_ranges, found.damaged_bytes, found.records));
  }
  if (found.records > 0) {
    diag_.report(core::severity::warning,
                 fmt::format("the journal holds {} record(s) ({} bytes) that the previous run did not publish; they "
                             "are published now, before any new record",
                             found.records, found.bytes));
  }
  view_ = journal_->view();
  view_size_ = static_cast<std::size_t>(journal_->view_size());
  if (!guarded([&] { publisher_.resume(journal_->ring()); })) {
    report_fault();
    return false;
  }
  ring_.store(&journal_->ring(), std::memory_order_release);
  return true;
}

bool accounting_pipeline::append(std::string_view line) noexcept {
  return append_stamped(line, clock_.now_unix_ms());
}

bool accounting_pipeline::append_stamped(std::string_view line, std::int64_t unix_ms) noexcept {
  core::journal_ring* ring = ring_.load(std::memory_order_acquire);
  if (ring == nullptr) return false;
  bool journaled = false;
  bool half_full = false;
  if (!guarded([&] {
        journaled = ring->append(line, unix_ms);
        half_full = ring->used() > ring->capacity() / 2;
      })) {
    return false;  // reported by the next round
  }
  // Past half full, the publisher is woken instead of waiting for its interval: the only system
  // call a callback makes here, and only under a burst.
  if (half_full && !wake_requested_.exchange(true, std::memory_order_relaxed) && thread_) thread_->wake();
  return journaled;
}

void accounting_pipeline::run() noexcept {
  const std::lock_guard lock(round_mutex_);
  wake_requested_.store(false, std::memory_order_relaxed);
  const std::int64_t now = clock_.now_unix_ms();
  core::journal_ring* ring = ring_.load();
  if (faulted_.load(std::memory_order_acquire)) {
    report_fault();
    return;
  }
  if (ring == nullptr) {
    if (now - last_open_attempt_ms_ < reopen_interval_ms || !open_journal()) return;
    ring = ring_.load();
  }
  bool published = false;
  if (!guarded([&] { published = room_to_publish(*ring) && publisher_.publish(*ring, now); })) {
    report_fault();
    return;
  }
  if (now - last_flush_ms_ >= options_.flush_interval.count()) {
    last_flush_ms_ = now;
    // Every record journaled before this round is now in the public file, and flushing that file
    // makes them durable. The journal is forced only when the public file could not take them
    // (disk full, file locked) or could not be flushed: forcing it writes back and write-protects
    // every journal page written since the last time, and each callback's next write into such a
    // page then takes a page fault (docs/performance.md). Records journaled after this round are
    // published by the next one, so each record still reaches stable storage within one interval.
    const bool public_durable = publisher_.flush();
    if (!published || !public_durable) journal_->flush();
  }
  if (now - last_housekeeping_ms_ >= housekeeping_interval_ms) {
    last_housekeeping_ms_ = now;
    apply_retention(directory_, options_.retention, now, publisher_.current_path(), diag_);
  }
}

bool accounting_pipeline::room_to_publish(const core::journal_ring& ring) noexcept {
  std::uint64_t free_bytes = 0;
  bool below = below_free_space_floor(directory_, options_.retention, free_bytes);
  // Publishing resumes only with a margin above the floor, so free space hovering at the floor
  // does not report a change every round.
  const std::uint64_t floor = options_.retention.min_free_bytes;
  if (below_floor_ && !below && free_bytes < floor + floor / 8) below = true;
  if (below == below_floor_) return !below;
  below_floor_ = below;
  try {
    if (below) {
      // The audit trail is never deleted to make room: the records wait in the journal, and once
      // it is full accounting.on_failure decides what callbacks answer.
      diag_.report(core::severity::error, core::topic::accounting_failure,
                   fmt::format("free space for {} is {} MB, below accounting.min_free_mb = {}: records are kept in "
                               "the journal ({} of {} MB used) and not published until space is freed (or RasWarden "
                               "stops, which writes what the journal holds); no accounting file is deleted to make "
                               "room, and once the journal is full accounting.on_failure applies",
                               to_utf8(directory_), free_bytes >> 20, options_.retention.min_free_bytes >> 20,
                               ring.used() >> 20, ring.capacity() >> 20));
    } else {
      diag_.report(core::severity::info, core::topic::accounting_recovered,
                   fmt::format("free space for {} is {} MB again, above accounting.min_free_mb = {} with a margin: "
                               "publishing resumes",
                               to_utf8(directory_), free_bytes >> 20, options_.retention.min_free_bytes >> 20));
    }
  } catch (...) {
    // The state is kept even when it cannot be told.
  }
  return !below;
}

void accounting_pipeline::publish_now() noexcept {
  const std::lock_guard lock(round_mutex_);
  if (core::journal_ring* ring = ring_.load()) guarded([&] { publisher_.publish(*ring, clock_.now_unix_ms()); });
  report_fault();
}

std::uint64_t accounting_pipeline::journal_backlog_bytes() const noexcept {
  const core::journal_ring* ring = ring_.load(std::memory_order_acquire);
  std::uint64_t used = 0;
  if (ring != nullptr) (void)const_cast<accounting_pipeline*>(this)->guarded([&] { used = ring->used(); });
  return used;
}

std::size_t accounting_pipeline::largest_line() const noexcept {
  // The journal takes a line of up to a quarter of its data (journal_ring::append); an existing
  // journal may keep another size than the one configured.
  if (const core::journal_ring* ring = ring_.load(std::memory_order_acquire)) {
    return static_cast<std::size_t>(ring->capacity() / 4);
  }
  return static_cast<std::size_t>(std::max(options_.journal_bytes, core::journal_min_capacity) / 4);
}

}  // namespace raswarden::win32
