// Accounting records: one JSON object per line, written through a `record_sink`. The writer gives
// every record its common fields (schema, ts, event, server, callback, seq) and hands complete
// lines to the sink under one lock, so seq order is file order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "raswarden/adaptive_mutex.hpp"
#include "raswarden/json_writer.hpp"
#include "raswarden/platform.hpp"

namespace raswarden::core {

inline constexpr std::uint32_t accounting_schema_version = 1;

// Receives complete lines ("{...}\n"). `append` must hand the bytes to the operating system (or
// keep them) before it returns; it reports failure by returning false, never by throwing.
class record_sink {
 public:
  virtual ~record_sink() = default;
  virtual bool append(std::string_view line) noexcept = 0;
  // The same, with the time the record was stamped with, for a sink that files records by date
  // (so a record lands in the file of the day its ts names, and the sink reads no clock).
  virtual bool append_stamped(std::string_view line, std::int64_t /*unix_ms*/) noexcept { return append(line); }
  // Pushes what was appended to stable storage. Called from a background thread, concurrently
  // with append, so it must not hold append's lock while it waits for the disk.
  virtual void flush() noexcept {}
  // Background housekeeping (retention, free-space floor). Same threading rule as flush.
  virtual void maintain() noexcept {}
  // The longest line the sink can ever take; a longer record is reported and not held (it would
  // block every record behind it).
  [[nodiscard]] virtual std::size_t largest_line() const noexcept { return SIZE_MAX; }
};

// Keeps every line in memory; for tests and for the demo's on-screen echo.
class memory_sink final : public record_sink {
 public:
  bool append(std::string_view line) noexcept override;
  [[nodiscard]] std::vector<std::string> lines() const;

 private:
  mutable adaptive_mutex mutex_;
  std::vector<std::string> lines_;
};

// RFC 3339 UTC with milliseconds: "2026-11-21T23:52:17.123Z".
[[nodiscard]] std::string format_timestamp(std::int64_t unix_ms);

class accounting_writer {
 public:
  // `queue_limit`: records held in memory while the sink fails; beyond it records are lost
  // (counted and reported), so memory stays bounded whatever the disk does.
  accounting_writer(std::string server, std::unique_ptr<record_sink> sink, const clock& time, diagnostics& diag,
                    std::size_t queue_limit = 100000);

  // Starts a record: the caller adds event-specific fields to the returned line and then calls
  // `commit`. The line is thread-local, so building a record allocates nothing after warm-up.
  [[nodiscard]] json_line& begin(std::string_view event, std::string_view callback);
  // Stamps seq and hands the line to the sink, after any records held from earlier failures (so
  // file order stays seq order). Returns false when the record could only be held in memory.
  bool commit(json_line& line);

  // From the background thread: retries held records, then flushes the sink to stable storage.
  void maintain();

  // False while records cannot be written (some are held in memory): what on_failure acts on.
  [[nodiscard]] bool healthy() const;
  [[nodiscard]] std::uint64_t records_written() const;
  [[nodiscard]] std::uint64_t records_failed() const;  // append attempts the sink refused
  [[nodiscard]] std::uint64_t records_held() const;    // waiting in memory for the sink
  [[nodiscard]] std::uint64_t records_lost() const;    // dropped because the memory queue was full

 private:
  std::string server_;
  std::unique_ptr<record_sink> sink_;
  const clock& clock_;
  diagnostics& diag_;
  mutable adaptive_mutex mutex_;
  std::uint64_t next_seq_ = 1;
  // Where ts's value starts in every line begin() makes: the same for every record (they all
  // start with schema and ts), so it is found once here instead of kept per thread (a
  // thread_local costs a call into the C runtime per access in the mingw build).
  std::size_t timestamp_offset_ = 0;
  std::uint64_t written_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t lost_ = 0;
  std::size_t queue_limit_;
  struct held_record {
    std::string line;
    std::int64_t unix_ms;  // its ts: a held record still goes to the file of its own day
  };
  std::deque<held_record> held_;
  bool failing_ = false;

  bool drain_locked();
  void set_failing_locked(bool failing);
};

}  // namespace raswarden::core
