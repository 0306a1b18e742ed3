// The accounting files: accounting-YYYYMMDD.jsonl (UTC date) in the log folder, then
// accounting-YYYYMMDD-1.jsonl, -2, ... when a file reaches its size limit; a new day starts a new
// file. Records are appended under one lock, so file order is seq order and rotation can neither
// lose nor duplicate one; a record is never split across files.
//
// Two ways to hand a record to the operating system before append returns:
// - mapped (the default): the file is extended a window at a time (up to 8 MiB, allocated on
//   disk first, so a full disk is an error here and never a fault later) and mapped; a record is a
//   memcpy into the mapping. The mapped pages are the operating system's the moment they are
//   written, so they survive the process being killed, and no system call is made on RRAS's thread
//   except when a window is used up. Until the file is closed (rotation, a new day, terminate),
//   it ends in zero bytes up to the end of its window: readers stop at the first NUL.
// - append: one WriteFile per record on a handle opened for appending; the file never holds
//   padding, at several microseconds per record.
//
// When a file is opened again (after a crash, a failed write, or a restart), a torn record and
// zero padding at its end are cut off, so a reader never meets half a record followed by a whole
// one. flush() and maintain() run on the background thread and never take the append lock while
// they wait for the disk.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "raswarden/accounting.hpp"
#include "raswarden/adaptive_mutex.hpp"
#include "raswarden/platform.hpp"
#include "win32/background_thread.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

enum class write_method : std::uint8_t { mapped, append };

struct accounting_file_options {
  write_method method = write_method::mapped;
  std::uint64_t window_bytes = 8ull << 20;  // largest mapped window; smaller ones when space is short
  std::uint64_t rotate_bytes = 64ull << 20;
  std::uint32_t retention_days = 365;  // 0: keep forever
  std::uint64_t min_free_bytes = 256ull << 20;
};

class accounting_file_sink final : public core::record_sink {
 public:
  accounting_file_sink(std::wstring directory, accounting_file_options options, const core::clock& time,
                       core::diagnostics& diag);
  ~accounting_file_sink() override;
  accounting_file_sink(const accounting_file_sink&) = delete;
  accounting_file_sink& operator=(const accounting_file_sink&) = delete;

  bool append(std::string_view line) noexcept override;
  bool append_stamped(std::string_view line, std::int64_t unix_ms) noexcept override;
  void flush() noexcept override;
  void maintain() noexcept override;

  // accounting-YYYYMMDD.jsonl for index 0, accounting-YYYYMMDD-N.jsonl after that.
  [[nodiscard]] static std::wstring file_name(std::int64_t day, std::uint32_t index);

 private:
  struct open_file;
  struct mapped_window;
  bool open_locked(std::int64_t day, bool next_index) noexcept;
  bool write_mapped_locked(std::string_view line) noexcept;
  bool write_appended_locked(std::string_view line) noexcept;
  bool map_window_locked(std::uint64_t needed) noexcept;
  DWORD allocate(open_file& file, std::uint64_t end) noexcept;
  static std::shared_ptr<mapped_window> map_view(const std::shared_ptr<open_file>& file, std::uint64_t offset,
                                                 std::uint64_t length, DWORD& error) noexcept;
  [[nodiscard]] std::uint64_t window_length_at(std::uint64_t offset, std::uint64_t smallest) const noexcept;
  static std::uint64_t next_window_offset(const mapped_window& current) noexcept;
  [[nodiscard]] std::shared_ptr<open_file> still_open(const std::wstring& path) const;
  void prepare_next_window() noexcept;
  void close_locked() noexcept;
  void report_failure_locked(const std::string& message) noexcept;

  std::wstring directory_;
  accounting_file_options options_;
  const core::clock& clock_;
  core::diagnostics& diag_;
  mutable core::adaptive_mutex mutex_;
  std::shared_ptr<open_file> file_;
  std::shared_ptr<mapped_window> window_;               // mapped method: where the next record goes
  std::shared_ptr<mapped_window> next_window_;          // made ready by the preparer, taken when window_ is full
  std::vector<std::weak_ptr<open_file>> closed_files_;  // closed mapped files, maybe still open
  std::unique_ptr<periodic_thread> preparer_;
  std::int64_t day_ = -1;
  std::uint32_t index_ = 0;
  std::uint64_t size_ = 0;  // bytes of whole records in the current file
  bool failing_ = false;
  std::atomic<bool> allocation_by_info_{true};  // false once FileAllocationInfo turned out not to be implemented
  std::int64_t last_housekeeping_ms_ = 0;
};

}  // namespace raswarden::win32
