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

namespace {

// "2 record(s), 2026-11-20T00:00:01.250Z to 2026-11-20T23:59:58.000Z": what a deletion takes
// away. The lines are counted in chunks, so a large file costs no large buffer; the time span
// comes from the first and the last complete line.
std::string contents_of(const std::wstring& path) {
  constexpr std::size_t chunk = 1 << 20;
  std::uint64_t lines = 0;
  std::uint64_t size = 0;
  std::string first_line;
  std::string block;
  DWORD error = 0;
  for (std::uint64_t offset = 0; read_file_range(path, offset, chunk, false, block, error, &size) && !block.empty();
       offset += block.size()) {
    if (offset == 0) first_line = block.substr(0, block.find('\n'));
    lines += static_cast<std::uint64_t>(std::count(block.begin(), block.end(), '\n'));
    if (offset + block.size() >= size) break;
  }
  if (lines == 0) return "no records";
  // The last complete line: from after the newline before the file's last newline up to it.
  std::string tail;
  if (!read_file_range(path, 0, 64 * 1024, true, tail, error)) tail.clear();
  std::string last_line;
  if (const std::size_t end = tail.rfind('\n'); end != std::string::npos) {
    const std::size_t before = end == 0 ? std::string::npos : tail.rfind('\n', end - 1);
    const std::size_t begin = before == std::string::npos ? 0 : before + 1;
    last_line = tail.substr(begin, end - begin);
  }
  const auto ts = [](const std::string& line) {
    const std::size_t at = line.find("\"ts\":\"");
    if (at == std::string::npos) return std::string("?");
    const std::size_t end = line.find('"', at + 6);
    return end == std::string::npos ? std::string("?") : line.substr(at + 6, end - at - 6);
  };
  return fmt::format("{} record(s), {} to {}", lines, ts(first_line), ts(last_line));
}

}  // namespace

void apply_retention(const std::wstring& directory, const retention_options& options, std::int64_t now_unix_ms,
                     const std::wstring& current, core::diagnostics& diag) noexcept {
  try {
    if (options.retention_days == 0) return;  // kept for ever
    const std::int64_t oldest_kept = core::log_format::day_of(now_unix_ms) - options.retention_days;
    // A few per round: each is read through to be described, on the publisher's thread, and a
    // first start over years of files must not hold publishing up for long.
    constexpr int most_per_round = 8;
    int deleted = 0;
    for (const public_file& f : list_public_files(directory)) {
      if (f.id.day >= oldest_kept || deleted == most_per_round) break;  // oldest first: the rest are newer
      if (_wcsicmp(f.path.c_str(), current.c_str()) == 0) continue;
      const std::string contents = contents_of(f.path);
      if (::DeleteFileW(f.path.c_str()) == 0) continue;
      ++deleted;
      diag.report(core::severity::warning, fmt::format("deleted {} ({}), older than retention_days = {}",
                                                       to_utf8(f.path), contents, options.retention_days));
    }
  } catch (...) {
    // Housekeeping is retried on the next round.
  }
}

bool below_free_space_floor(const std::wstring& directory, const retention_options& options,
                            std::uint64_t& free_bytes) noexcept {
  free_bytes = 0;
  if (options.min_free_bytes == 0) return false;
  ULARGE_INTEGER available{};
  if (::GetDiskFreeSpaceExW(directory.c_str(), &available, nullptr, nullptr) == 0) return false;
  free_bytes = available.QuadPart;
  return free_bytes < options.min_free_bytes;
}

}  // namespace raswarden::win32
