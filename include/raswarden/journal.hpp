// The durable journal: a fixed-size file, memory-mapped and reused like a ring, that only
// RasWarden reads. A callback's record is copied into it (no system call), so the record is the
// operating system's before the callback returns; the publisher thread later appends it to the
// public accounting file and releases its space. The layout is defined here, over a span of
// bytes, so the ring is tested natively; src/win32/journal_file.cpp maps the real file.
//
//   header (4096 bytes):  magic "RWJOURNL", version, header size, capacity, epoch, checksum of
//                         those; then tail (first record not yet published, updated by the
//                         publisher), the public file being written, creation time.
//   data (capacity bytes): records at 8-byte aligned logical positions (position % capacity is
//                         where they are). A record is a 32-byte header (length, kind, position,
//                         stamp, CRC-32C over header, payload and the journal's epoch) and its
//                         payload, one complete line. A record that would cross the end of the
//                         data is preceded by a skip record to the end (or, with under 32 bytes
//                         left, by nothing).
// The position inside every record tells one lap of the ring from the next, and the epoch one
// journal from another laid over the same bytes, so stale bytes are never taken for records.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "raswarden/log_format.hpp"

namespace raswarden::core {

inline constexpr std::uint32_t journal_version = 1;
inline constexpr std::size_t journal_header_bytes = 4096;
inline constexpr std::size_t journal_record_header_bytes = 32;
inline constexpr std::uint64_t journal_min_capacity = 64 << 10;

struct journal_entry {
  std::uint64_t position = 0;  // logical position of this record
  std::uint64_t next = 0;      // position of the record after it
  std::int64_t unix_ms = 0;    // the record's ts, so it is filed under its own day
  std::string_view line;       // the complete line, newline included
};

// What a look at an existing journal found.
enum class journal_state : std::uint8_t { usable, not_a_journal, newer_version, damaged_header };

// What recovery found between the tail and the end of the records.
struct journal_scan {
  std::uint64_t records = 0;        // records not yet published
  std::uint64_t bytes = 0;          // their bytes
  std::uint32_t damaged_ranges = 0; // unreadable stretches with readable records after them
  std::uint64_t damaged_bytes = 0;  // bytes in those stretches (lost records, reported)
};

class journal_ring {
 public:
  // Lays out a new, empty journal over `memory` (any contents). `epoch` should be random.
  static journal_ring create(std::span<std::byte> memory, std::uint64_t epoch, std::int64_t now_unix_ms) noexcept;
  // Checks the header of a journal found on disk.
  [[nodiscard]] static journal_state inspect(std::span<const std::byte> memory, std::string& problem) noexcept;
  // Takes over a journal whose inspect() said usable and finds where its records end; damaged
  // stretches are turned into skip records so the publisher steps over them.
  static journal_ring attach(std::span<std::byte> memory, journal_scan& scan) noexcept;

  journal_ring(const journal_ring&) = delete;
  journal_ring& operator=(const journal_ring&) = delete;
  journal_ring(journal_ring&& other) noexcept;
  journal_ring& operator=(journal_ring&&) = delete;
  ~journal_ring() = default;

  // Producer (callers serialize): copies one complete line in. False when it does not fit
  // (the journal is full until the publisher catches up) or is longer than a quarter of it.
  bool append(std::string_view line, std::int64_t unix_ms) noexcept;

  // Consumer: the record at `position` (tail() <= position < head()), nullopt at head.
  [[nodiscard]] std::optional<journal_entry> read(std::uint64_t position) const noexcept;
  // Consumer: everything before `position` is published; its space may be reused.
  void release(std::uint64_t position) noexcept;

  [[nodiscard]] std::uint64_t head() const noexcept { return head_.load(std::memory_order_acquire); }
  [[nodiscard]] std::uint64_t tail() const noexcept;
  [[nodiscard]] std::uint64_t capacity() const noexcept { return capacity_; }
  // The tail is read first: it never passes the head, so from any thread this cannot underflow.
  [[nodiscard]] std::uint64_t used() const noexcept {
    const std::uint64_t published = tail();
    return head() - published;
  }
  [[nodiscard]] std::int64_t created_unix_ms() const noexcept;

  // The public file the publisher is writing, kept in the header so that recovery looks at the
  // file the last records went to (even when the clock went back).
  [[nodiscard]] std::optional<log_format::file_id> public_file() const noexcept;
  void set_public_file(log_format::file_id id) noexcept;

  // Said when the journal is closed with its producer stopped: the next attach then trusts that
  // the records end at the first slot that holds none, instead of searching the rest of the ring
  // for records behind damage. attach() clears it.
  void mark_closed_cleanly() noexcept;

 private:
  journal_ring(std::span<std::byte> memory) noexcept;
  [[nodiscard]] std::byte* data() const noexcept { return memory_.data() + journal_header_bytes; }
  // The record or skip record at `position`, if one was written there in this lap and epoch.
  [[nodiscard]] std::optional<journal_entry> valid_at(std::uint64_t position, bool& skip) const noexcept;
  void write_skip(std::uint64_t position, std::uint64_t length) noexcept;
  void write_at(std::uint64_t position, std::uint32_t kind, std::string_view payload, std::uint32_t length,
                std::int64_t unix_ms) noexcept;

  std::span<std::byte> memory_;
  std::uint64_t capacity_ = 0;
  std::uint64_t epoch_ = 0;
  std::atomic<std::uint64_t> head_{0};
};

// Where publishing resumes after a restart, from the end of the public file the journal names.
struct publish_resume {
  std::uint64_t position = 0;  // first journal record that is not in the public file
  std::string completion;      // bytes to append first (the rest of a torn record, or "\n")
  std::size_t torn_bytes = 0;  // length of the unterminated tail found in the file
  bool torn_completed = false; // the torn tail was the start of the next journal record
  bool last_line_found = false;
};

// `file_tail` is the end of the public file (at least its last complete line and whatever
// follows it). Records from tail() up to and including the one equal to the file's last
// complete line are already published; a torn tail is completed from the record after it, or
// ends with a newline when it matches nothing.
[[nodiscard]] publish_resume resume_point(const journal_ring& journal, std::string_view file_tail);

}  // namespace raswarden::core
