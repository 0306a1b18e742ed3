// The public accounting files of a folder (named and ordered as log_format defines) and their
// housekeeping: retention by age and the free-space floor. Runs on the publisher's thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raswarden/log_format.hpp"
#include "raswarden/platform.hpp"

namespace raswarden::win32 {

struct public_file {
  core::log_format::file_id id;
  std::wstring path;
};

// Every accounting-*.jsonl file of `directory` whose name log_format accepts, oldest first.
[[nodiscard]] std::vector<public_file> list_public_files(const std::wstring& directory);

struct retention_options {
  std::uint32_t retention_days = 365;  // 0: keep forever
  std::uint64_t min_free_bytes = 256ull << 20;
};

// Deletes the closed files older than the retention (never `current`, the file being written),
// each reported with its days and its record count. Nothing is ever deleted to make room: see
// below_free_space_floor.
void apply_retention(const std::wstring& directory, const retention_options& options, std::int64_t now_unix_ms,
                     const std::wstring& current, core::diagnostics& diag) noexcept;

// Whether the volume of `directory` has less free space than the floor (0: no floor); the free
// bytes go to `free_bytes`. Below it, the publisher stops writing and records wait in the journal.
[[nodiscard]] bool below_free_space_floor(const std::wstring& directory, const retention_options& options,
                                          std::uint64_t& free_bytes) noexcept;

}  // namespace raswarden::win32
