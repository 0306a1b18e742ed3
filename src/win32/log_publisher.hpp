// The publisher: appends journaled records to the public accounting-YYYYMMDD[-N].jsonl files
// in batches, with ordinary appending writes, so a public file only grows, holds complete lines
// (a batch is whole lines; a write cut short is finished before anything else is written) and
// never holds padding. Each record goes to the file of its own UTC day (or, once the clock was set
// back, stays in the newest day's file, so no file grows behind a follower); a file is closed and the
// next index started before it would pass the rotation size. Only the journal's space of records
// that reached the file is released, so a kill at any moment loses nothing, and the file the
// publisher writes is noted in the journal so that the next start knows where to resume.
//
// Used by one thread at a time (the pipeline's); no locks of its own.
#pragma once

#include <array>
#include <atomic>
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "raswarden/journal.hpp"
#include "raswarden/log_format.hpp"
#include "raswarden/platform.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

// How long records waited in the journal before they were in the public file.
struct publication_latency {
  std::uint64_t records = 0;
  std::uint32_t p50_ms = 0;
  std::uint32_t p99_ms = 0;
  std::uint32_t max_ms = 0;
};

class log_publisher {
 public:
  log_publisher(std::wstring directory, std::uint64_t rotate_bytes, core::diagnostics& diag);

  // After a start: finds the end of the public file the journal names, completes a record torn
  // there (or ends the line), and goes on from the first record the file does not hold.
  void resume(core::journal_ring& ring) noexcept;
  // Appends every record up to the journal's head. False while the file cannot be written
  // (reported once; the records wait in the journal and are written on a later call).
  bool publish(core::journal_ring& ring, std::int64_t now_unix_ms) noexcept;
  // Pushes the current file to stable storage. False when there is no file or it failed.
  bool flush() noexcept;

  [[nodiscard]] const std::wstring& current_path() const noexcept { return path_; }
  [[nodiscard]] publication_latency latency() const noexcept;

 private:
  enum class batch : std::uint8_t { ready, nothing, failed };
  batch next_batch(core::journal_ring& ring) noexcept;
  bool try_resume(core::journal_ring& ring) noexcept;
  // Opens the file the next record (of `next_line` bytes) goes to: the day's last file if it
  // has room for it, else the next index.
  bool open_for(core::journal_ring& ring, std::int64_t day, bool next_index, std::size_t next_line) noexcept;
  bool open_append(const std::wstring& path) noexcept;
  // Whether an accounting file may be written: it does not exist yet, or trusted principals own
  // it and only they may write it (a refusal is reported once per file).
  bool adoptable(const std::wstring& path);
  bool write_pending(core::journal_ring& ring, std::int64_t now_unix_ms) noexcept;
  void failed(const std::string& what) noexcept;

  std::wstring directory_;
  std::uint64_t rotate_bytes_;
  core::diagnostics& diag_;
  unique_hfile file_;
  std::wstring path_;
  core::log_format::file_id current_{};
  std::int64_t floor_day_ = INT64_MIN;  // the newest day written: records never go to an older file
  std::uint64_t size_ = 0;              // bytes in the current file
  std::uint64_t position_ = 0;          // first journal record not yet in a public file
  // The batch being written: whole lines, of which `pending_written_` bytes are in the file.
  std::string pending_;
  std::size_t pending_written_ = 0;
  std::uint64_t pending_end_ = 0;
  std::vector<std::int64_t> pending_stamps_;
  bool failing_ = false;
  std::vector<std::wstring> refused_;
  bool resumed_ = true;  // false from resume() until the end of the journal's file is known
  // Milliseconds from stamp to publication, one bucket per millisecond; the last holds the rest.
  std::array<std::uint64_t, 4096> histogram_{};
  std::atomic<std::uint32_t> p50_ms_{0};
  std::atomic<std::uint32_t> p99_ms_{0};
  std::atomic<std::uint32_t> max_ms_{0};
  std::atomic<std::uint64_t> published_{0};
};

}  // namespace raswarden::win32
