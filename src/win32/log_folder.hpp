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

// Deletes files older than the retention, then, while free space is below the floor, the oldest
// files; never `current` (the file being written). Each deletion is reported.
void apply_retention(const std::wstring& directory, const retention_options& options, std::int64_t now_unix_ms,
                     const std::wstring& current, core::diagnostics& diag) noexcept;

}  // namespace raswarden::win32
