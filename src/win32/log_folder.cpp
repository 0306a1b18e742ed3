#include "win32/log_folder.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

std::vector<public_file> list_public_files(const std::wstring& directory) {
  std::vector<public_file> files;
  WIN32_FIND_DATAW found{};
  const unique_find search(
      ::FindFirstFileW((directory + L"\\" + to_wide(core::log_format::file_pattern)).c_str(), &found));
  if (!search) return files;
  do {
    if ((found.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)) != 0) continue;
    if (const auto id = core::log_format::parse_file_name(to_utf8(found.cFileName))) {
      files.push_back({*id, directory + L"\\" + found.cFileName});
    }
  } while (::FindNextFileW(search.get(), &found) != 0);
  std::sort(files.begin(), files.end(), [](const public_file& a, const public_file& b) { return a.id < b.id; });
  return files;
}

void apply_retention(const std::wstring& directory, const retention_options& options, std::int64_t now_unix_ms,
                     const std::wstring& current, core::diagnostics& diag) noexcept {
  try {
    std::vector<public_file> files = list_public_files(directory);
    const auto remove = [&](const public_file& f, const std::string& why) {
      if (_wcsicmp(f.path.c_str(), current.c_str()) == 0) return false;
      if (::DeleteFileW(f.path.c_str()) == 0) return false;
      diag.report(core::severity::warning, fmt::format("deleted {} ({})", to_utf8(f.path), why));
      return true;
    };
    if (options.retention_days > 0) {
      const std::int64_t oldest_kept = core::log_format::day_of(now_unix_ms) - options.retention_days;
      std::erase_if(files, [&](const public_file& f) {
        return f.id.day < oldest_kept &&
               remove(f, fmt::format("older than retention_days = {}", options.retention_days));
      });
    }
    // Below the free-space floor, the oldest files go first; the current one never.
    for (const public_file& f : files) {
      ULARGE_INTEGER free_bytes{};
      if (options.min_free_bytes == 0 || ::GetDiskFreeSpaceExW(directory.c_str(), &free_bytes, nullptr, nullptr) == 0 ||
          free_bytes.QuadPart >= options.min_free_bytes) {
        break;
      }
      remove(f, fmt::format("free space {} MB is below min_free_mb = {}", free_bytes.QuadPart >> 20,
                            options.min_free_bytes >> 20));
    }
  } catch (...) {
    // Housekeeping is retried on the next round.
  }
}

}  // namespace raswarden::win32
