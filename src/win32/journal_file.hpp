// <accounting directory>\.journal\journal.dat: the journal ring (include/raswarden/journal.hpp)
// in a file of fixed size, allocated on disk when it is created (so writing into its mapping can
// never fault on a full disk) and mapped whole for as long as RasWarden runs.
//
// A journal RasWarden cannot read (a damaged header, a newer format) is never overwritten: it is
// renamed aside as journal-<why>-<time>.dat, reported, and a new journal is started, so nothing
// in it is silently dropped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "raswarden/journal.hpp"
#include "raswarden/platform.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

class journal_file {
 public:
  // Opens the journal of `log_directory`, creating it with a data area of `capacity_bytes` when
  // there is none. Returns null with the reason in `error` when it cannot be had at all, and when
  // the folder or the journal could be written by someone other than administrators and this
  // service, or the folder is on another computer and `allow_remote` is false.
  static std::unique_ptr<journal_file> open(const std::wstring& log_directory, std::uint64_t capacity_bytes,
                                            bool allow_remote, const core::clock& time, core::diagnostics& diag,
                                            std::string& error);
  ~journal_file();
  journal_file(const journal_file&) = delete;
  journal_file& operator=(const journal_file&) = delete;

  [[nodiscard]] core::journal_ring& ring() noexcept { return *ring_; }
  [[nodiscard]] const core::journal_scan& found_at_open() const noexcept { return scan_; }
  [[nodiscard]] const std::wstring& path() const noexcept { return path_; }
  // Pushes the mapped pages and the file's metadata to stable storage. Safe to call while
  // records are appended (from the flusher; never from a callback).
  void flush() noexcept;

  // After a fault in the view: the destructor then closes the file without writing to the view
  // (no clean-close mark), so nothing touches memory that cannot be read or written.
  void abandon() noexcept { abandoned_ = true; }
  // The mapped view (every access to it may fault if the volume fails: see fault_guard.hpp).
  [[nodiscard]] const void* view() const noexcept { return view_.get(); }
  [[nodiscard]] std::uint64_t view_size() const noexcept { return size_; }
  // The journal file's own name in `log_directory`.
  [[nodiscard]] static std::wstring path_in(const std::wstring& log_directory);

 private:
  journal_file() = default;
  bool map(std::string& error) noexcept;

  std::wstring path_;
  unique_hfile handle_;
  unique_handle section_;
  unique_mapped_view view_;
  std::uint64_t size_ = 0;
  std::unique_ptr<core::journal_ring> ring_;
  core::journal_scan scan_;
  bool abandoned_ = false;
};

}  // namespace raswarden::win32
