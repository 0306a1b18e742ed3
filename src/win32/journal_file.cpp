#include "win32/journal_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <vector>

#include "raswarden/accounting.hpp"
#include "raswarden/log_format.hpp"
#include "win32/file_security.hpp"
#include "win32/system.hpp"

namespace raswarden::win32 {

namespace {

constexpr DWORD zero_chunk = 1 << 20;

std::uint64_t random_epoch() {
  std::random_device source;
  return (std::uint64_t{source()} << 32) ^ source() ^ ::GetTickCount64();
}

// Writes a zero-filled file of `bytes` under a temporary name and moves it into place, so a
// crash while creating never leaves a half-made journal under the real name. Zeros are written
// rather than the size set, because only written blocks are surely allocated (Wine leaves a file
// extended by SetEndOfFile sparse). A leftover temporary file is deleted, not opened: whatever
// a planted link there points at is never written.
DWORD create_zeroed(const std::wstring& path, std::uint64_t bytes) {
  const std::wstring temporary = path + L".new";
  {
    ::DeleteFileW(temporary.c_str());
    std::string ignored;
    const unique_hfile file = open_owned_file(temporary, GENERIC_WRITE, 0, CREATE_NEW, ignored);
    if (!file) return ::GetLastError();
    const std::vector<char> zeros(zero_chunk, '\0');
    for (std::uint64_t done = 0; done < bytes;) {
      const auto chunk = static_cast<DWORD>(std::min<std::uint64_t>(zero_chunk, bytes - done));
      DWORD written = 0;
      if (::WriteFile(file.get(), zeros.data(), chunk, &written, nullptr) == 0 || written != chunk) {
        const DWORD error = ::GetLastError();
        ::DeleteFileW(temporary.c_str());
        return error == ERROR_SUCCESS ? ERROR_DISK_FULL : error;
      }
      done += written;
    }
    if (::FlushFileBuffers(file.get()) == 0) return ::GetLastError();
  }
  if (::MoveFileExW(temporary.c_str(), path.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) == 0) {
    const DWORD error = ::GetLastError();
    ::DeleteFileW(temporary.c_str());
    return error;
  }
  return ERROR_SUCCESS;
}

// journal-<why>-20261203T150405123Z.dat beside the journal (milliseconds, so that a second
// unreadable journal moments later gets a name of its own).
std::wstring set_aside_name(const std::wstring& path, std::string_view why, std::int64_t now_ms) {
  std::string stamp = core::format_timestamp(now_ms);  // 2026-12-03T15:04:05.123Z
  std::erase_if(stamp, [](char c) { return c == '-' || c == ':' || c == '.'; });
  return path.substr(0, path.find_last_of(L'\\') + 1) + to_wide(fmt::format("journal-{}-{}.dat", why, stamp));
}

}  // namespace

std::wstring journal_file::path_in(const std::wstring& log_directory) {
  return log_directory + L"\\" + to_wide(core::log_format::journal_folder) + L"\\" +
         to_wide(core::log_format::journal_file);
}

journal_file::~journal_file() {
  if (ring_ && !abandoned_) ring_->mark_closed_cleanly();  // the pipeline stopped appending before this
  ring_.reset();
  if (!abandoned_) flush();
}

bool journal_file::map(std::string& error) noexcept {
  // Shared for reading only: a second instance on the same folder fails here, loudly.
  std::string problem;
  handle_ = open_owned_file(path_, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, OPEN_EXISTING, problem);
  LARGE_INTEGER size{};
  if (!handle_) {
    error = fmt::format("cannot open {}: {}", to_utf8(path_), problem);
    return false;
  }
  if (::GetFileSizeEx(handle_.get(), &size) == 0) {
    error = fmt::format("cannot open {}: {}", to_utf8(path_), describe_error(::GetLastError()));
    return false;
  }
  size_ = static_cast<std::uint64_t>(size.QuadPart);
  if (size_ < core::journal_header_bytes + core::journal_min_capacity) return true;  // inspect() says so
  section_.reset(::CreateFileMappingW(handle_.get(), nullptr, PAGE_READWRITE, 0, 0, nullptr));
  if (section_) view_.reset(::MapViewOfFile(section_.get(), FILE_MAP_WRITE, 0, 0, 0));
  if (!view_) {
    error = fmt::format("cannot map {}: {}", to_utf8(path_), describe_error(::GetLastError()));
    return false;
  }
  return true;
}

std::unique_ptr<journal_file> journal_file::open(const std::wstring& log_directory, std::uint64_t capacity_bytes,
                                                 bool allow_remote, const core::clock& time, core::diagnostics& diag,
                                                 std::string& error) {
  try {
    const std::wstring path = path_in(log_directory);
    const std::wstring folder = path.substr(0, path.find_last_of(L'\\'));
    // The accounting folder and the journal's own: created with the protected DACL, and used only
    // if nobody but administrators and this service can write there.
    if (!ensure_trusted_folder(log_directory, allow_remote, error) || !ensure_trusted_folder(folder, true, error)) {
      return nullptr;
    }
    // The journal is mapped whole: in a 32-bit process's address space, at most 512 MiB of it.
    if constexpr (sizeof(void*) == 4) capacity_bytes = std::min<std::uint64_t>(capacity_bytes, 512ull << 20);
    const std::uint64_t wanted = core::journal_header_bytes + std::max(capacity_bytes, core::journal_min_capacity);
    for (int attempt = 0; attempt < 2; ++attempt) {
      std::unique_ptr<journal_file> journal(new journal_file());
      journal->path_ = path;
      const bool existed = ::GetFileAttributesW(path.c_str()) != INVALID_FILE_ATTRIBUTES;
      if (!existed) {
        if (const DWORD failed = create_zeroed(path, wanted); failed != ERROR_SUCCESS) {
          error = fmt::format("cannot create the journal {} ({} MiB): {}", to_utf8(path), wanted >> 20,
                              describe_error(failed));
          return nullptr;
        }
      }
      if (!journal->map(error)) return nullptr;
      const std::span<std::byte> memory(static_cast<std::byte*>(journal->view_.get()),
                                        journal->view_ ? static_cast<std::size_t>(journal->size_) : 0);
      std::string problem;
      const core::journal_state state = core::journal_ring::inspect(memory, problem);
      if (state == core::journal_state::usable) {
        journal->ring_ = std::make_unique<core::journal_ring>(core::journal_ring::attach(memory, journal->scan_));
        const bool resize =
            journal->size_ != wanted && journal->ring_->used() == 0 && journal->scan_.damaged_ranges == 0;
        if (!resize || attempt > 0) return journal;
        // Empty, and accounting.journal_mb asks for another size: made again at that size.
        // (Should it not be deletable, the next attempt simply keeps it at its old size.)
        journal.reset();
        ::DeleteFileW(path.c_str());
        continue;
      }
      if (state == core::journal_state::not_a_journal && journal->view_ &&
          std::all_of(memory.begin(), memory.end(), [](std::byte b) { return b == std::byte{0}; })) {
        // Newly created, or created and never written: lay out a fresh journal in it.
        journal->ring_ = std::make_unique<core::journal_ring>(
            core::journal_ring::create(memory, random_epoch(), time.now_unix_ms()));
        return journal;
      }
      // Unreadable here: kept for whoever can read it, and a new journal started.
      const std::string why = state == core::journal_state::newer_version ? "newer-version" : "unreadable";
      const std::wstring aside = set_aside_name(path, why, time.now_unix_ms());
      journal.reset();
      if (::MoveFileExW(path.c_str(), aside.c_str(), MOVEFILE_WRITE_THROUGH) == 0) {
        error = fmt::format("the journal {} cannot be used ({}) and cannot be set aside: {}", to_utf8(path), problem,
                            describe_error(::GetLastError()));
        return nullptr;
      }
      diag.report(core::severity::error, core::topic::accounting_failure,
                  fmt::format("the journal {} cannot be used: {}. It was kept as {} with every record in it, and a "
                              "new journal was started; its records are not in the public files",
                              to_utf8(path), problem, to_utf8(aside)));
    }
    error = "the journal could not be created";
    return nullptr;
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
}

void journal_file::flush() noexcept {
  if (view_) ::FlushViewOfFile(view_.get(), 0);
  if (handle_) ::FlushFileBuffers(handle_.get());
}

}  // namespace raswarden::win32
