// Follows the public accounting files of a folder (log_format.hpp) for the record forwarder, the
// way a log shipper does: counts the complete lines published after a position, follows rotation
// to the next file in log order, notices a file that was removed or replaced under the same name,
// and hands out whole lines with the position just after each. It only reads: the publisher may
// append and retention may delete files meanwhile. Used on the forwarder's thread only.
#pragma once

#include <windows.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "raswarden/forward_cursor.hpp"
#include "raswarden/log_format.hpp"
#include "raswarden/platform.hpp"

namespace raswarden::win32 {

class public_log_reader {
 public:
  struct record {
    core::forward_cursor after;  // the position just after this line
    std::uint64_t bytes = 0;     // the line in the file, newline included
    std::string line;            // without its newline (and a CR before it)
  };

  public_log_reader(std::wstring folder, core::diagnostics& diag);

  // Where a first start begins: the end of what the newest file holds now (today's first file
  // when there is none yet).
  [[nodiscard]] core::forward_cursor end_of_published();
  // The beginning of the newest file, for a cursor that could not be used.
  [[nodiscard]] core::forward_cursor start_of_newest();
  // Reading (and counting) continue from here.
  void start_at(const core::forward_cursor& position);

  // Lists the files and checks for replacement (at most every 200 ms), then counts what was
  // published (at most 8 MiB a call). True when it counted something new.
  bool look();
  // Appends at most `max` whole records, reading at most 1 MiB. True when the position moved.
  bool read(std::size_t max, std::vector<record>& out);

  // The position after the last record handed out (or passed over).
  [[nodiscard]] core::forward_cursor position() const;
  // Published records (and their bytes) counted after position().
  [[nodiscard]] std::uint64_t unread_records() const noexcept;
  [[nodiscard]] std::uint64_t unread_bytes() const noexcept;

 private:
  // A stretch of one file counted but not yet read. The first is where reading stands, the last
  // where counting stands.
  struct segment {
    core::log_format::file_id file;
    std::uint64_t first_line = 0;  // hash of its first line, 0 until seen
    std::uint64_t begin = 0;       // next byte to read
    std::uint64_t end = 0;         // end of the complete lines counted so far
    std::uint64_t probe = 0;       // how far past `end` it is known that no newline follows yet
    std::uint64_t records = 0;     // lines in [begin, end)
    bool closed = false;           // a later file exists and this one was counted to its end
  };

  [[nodiscard]] std::wstring path_of(core::log_format::file_id id) const;
  void list_files();
  bool read_at(core::log_format::file_id id, std::uint64_t offset, std::size_t size, std::string& out, DWORD& error,
               std::uint64_t* file_size = nullptr) const;
  [[nodiscard]] std::uint64_t first_line_of(core::log_format::file_id id) const;
  void check_replaced();
  bool count();
  void skip_long_line(segment& seg);
  void report_gone(const segment& seg);
  [[nodiscard]] static core::forward_cursor position_of(const segment& seg);

  std::wstring folder_;
  core::diagnostics& diag_;
  std::vector<core::log_format::file_id> files_;  // as last listed, in log order
  std::chrono::steady_clock::time_point listed_at_{};
  std::chrono::steady_clock::time_point checked_at_{};
  std::deque<segment> segments_;
  std::vector<core::log_format::file_id> gone_reported_;
  bool long_line_reported_ = false;
};

}  // namespace raswarden::win32
