// How far accounting.forward has delivered the public files, kept on disk as
// <directory>\.journal\forward.cursor (log_format::forward_cursor_file) so a restart or a
// collector outage resumes where delivery stopped instead of losing what was in memory. See
// docs/forwarding.md.
//
// The text is one small JSON object:
//   {"schema":1,"file":"accounting-20261203.jsonl","offset":48213,"first_line":"9f2c54e01a7b3d68"}
// `offset` is the byte offset of the next line not yet delivered; `first_line` is the FNV-1a
// 64-bit hash of the file's first line (with its newline), so a file deleted and written again
// under the same name is recognised as another file. It may be left out when `offset` is 0 (a
// cursor written by hand to forward a folder from the start of some file).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raswarden/forwarding.hpp"
#include "raswarden/log_format.hpp"

namespace raswarden::core {

struct forward_cursor {
  log_format::file_id file;
  std::uint64_t offset = 0;
  std::uint64_t first_line = 0;  // 0: not known (offset 0), so not checked
  friend bool operator==(const forward_cursor&, const forward_cursor&) = default;
};

// FNV-1a 64 of the first line of `bytes`, its newline included; 0 when `bytes` hold no complete
// line before a NUL (never 0 otherwise).
[[nodiscard]] std::uint64_t first_line_hash(std::string_view bytes) noexcept;

[[nodiscard]] std::string serialize(const forward_cursor& cursor);

struct cursor_parse_result {
  std::optional<forward_cursor> cursor;
  std::string error;  // why the text is not a cursor, when it is not
};
// Strict: unknown keys, a file name that is not a public file's, a negative or fractional offset,
// a hash that is not 16 hex digits, a missing hash with a non-zero offset are all errors.
[[nodiscard]] cursor_parse_result parse_forward_cursor(std::string_view text);

// The public files of `folder` (names that log_format::parse_file_name accepts) in log order.
struct public_file {
  log_format::file_id id;
  std::filesystem::path path;
};
[[nodiscard]] std::vector<public_file> list_public_files(const std::filesystem::path& folder);

// Records and bytes published in `folder` after `cursor` (forward_lag::resent stays 0, and
// `enabled` is left to the caller). A cursor file that was replaced counts whole; one that is gone
// counts nothing. Reads the files in bounded pieces; unreadable files count as empty.
[[nodiscard]] forward_lag measure_lag(const std::filesystem::path& folder, const forward_cursor& cursor);

// Newlines in [from, the end of the whole records) of one file, and where those records end:
// stops at the first NUL (log_format::records_end). Reads at most 1 MiB at a time.
struct published_span {
  std::uint64_t records = 0;
  std::uint64_t end = 0;  // offset just after the last complete line (>= from, or from if none)
  bool readable = false;
};
[[nodiscard]] published_span count_published(const std::filesystem::path& file, std::uint64_t from);

}  // namespace raswarden::core
