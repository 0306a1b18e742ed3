// The one definition of what the accounting folder holds on disk, shared by the writer (journal,
// publisher, forwarder), by `raswarden report`/`tail`/`status`, and by the tests:
//
//   <directory>\accounting-YYYYMMDD.jsonl      the public log of one UTC day, one JSON record a line
//   <directory>\accounting-YYYYMMDD-N.jsonl    the same day after N size rotations (N = 1, 2, ...)
//   <directory>\.journal\journal.dat          the durable journal only RasWarden reads
//   <directory>\.journal\forward.cursor       how far the forwarder has delivered
//
// Files are ordered by day, then rotation index: accounting-20261203.jsonl, -1, -2, ..., -10,
// then the next day. A public file only grows and holds complete lines; its records end after its
// last newline. (Files written by RasWarden 0.1's mapped writer could end in zero padding while
// open, so readers also stop at the first NUL.) See docs/accounting-schema.md.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace raswarden::core::log_format {

inline constexpr std::string_view file_prefix = "accounting-";
inline constexpr std::string_view file_suffix = ".jsonl";
inline constexpr std::string_view file_pattern = "accounting-*.jsonl";  // for FindFirstFile and shippers' globs
inline constexpr std::string_view default_directory = "%ProgramData%\\RasWarden\\logs";
inline constexpr std::string_view journal_folder = ".journal";
inline constexpr std::string_view journal_file = "journal.dat";
inline constexpr std::string_view forward_cursor_file = "forward.cursor";

inline constexpr std::int64_t ms_per_day = 86'400'000;

// The UTC day (days since 1970-01-01) a record stamped `unix_ms` belongs to.
[[nodiscard]] constexpr std::int64_t day_of(std::int64_t unix_ms) noexcept {
  return unix_ms >= 0 ? unix_ms / ms_per_day : (unix_ms - ms_per_day + 1) / ms_per_day;
}

// One public file: its day and its rotation index (0 for the first file of the day).
struct file_id {
  std::int64_t day = 0;
  std::uint32_t index = 0;
  friend auto operator<=>(const file_id&, const file_id&) = default;
};

// "accounting-20261203.jsonl" for index 0, "accounting-20261203-2.jsonl" after that.
[[nodiscard]] std::string file_name(file_id id);
// The inverse; nullopt for any other name (a wrong date, a stray suffix, "-0", a leading '+').
[[nodiscard]] std::optional<file_id> parse_file_name(std::string_view name);
// The day as the file names spell it (20261203), for display and for sorting by that number.
[[nodiscard]] std::uint32_t day_number(std::int64_t day);

// Where the whole records of a public file's bytes end: just after the last newline before any
// NUL. What follows is a line still being written (or torn by a crash), or old zero padding.
[[nodiscard]] std::size_t records_end(std::string_view bytes) noexcept;

}  // namespace raswarden::core::log_format
