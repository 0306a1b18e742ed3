// Shared by the Win32 edge tests (tests/win32): each test gets its own temporary folder (under
// GetTempPath, removed afterwards) whose logs\ subfolder is the accounting folder, a fake clock,
// a recording diagnostics sink, records that look like the DLL's, and exact checks of what the
// public files hold.
#pragma once

#include <windows.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/fakes.hpp"
#include "raswarden/log_format.hpp"
#include "win32/accounting_pipeline.hpp"
#include "win32/journal_file.hpp"

namespace raswarden::win32::testing {

// Days since 1970-01-01 of a calendar date (UTC).
[[nodiscard]] std::int64_t day_of_date(int year, unsigned month, unsigned day);
// Unix milliseconds of a time of `day`.
[[nodiscard]] std::int64_t at(std::int64_t day, int hours, int minutes, int seconds, int ms);

// 2026-12-31 (a day that ends a year, so the next day's file name changes in every digit that can).
inline const std::int64_t last_day = day_of_date(2026, 12, 31);
inline const std::int64_t next_day = last_day + 1;

// A record as the accounting writer makes it: one JSON object, `ts` and `seq` first, padded to
// `size` bytes with the newline.
[[nodiscard]] std::string record(std::uint64_t seq, std::int64_t unix_ms, std::size_t size = 160);
[[nodiscard]] std::string join(const std::vector<std::string>& lines);

// Whole-file helpers; any failure fails the test.
[[nodiscard]] std::string read_bytes(const std::wstring& path);
void write_bytes(const std::wstring& path, std::string_view bytes);
void append_bytes(const std::wstring& path, std::string_view bytes);
void write_at(const std::wstring& path, std::uint64_t offset, std::string_view bytes);
[[nodiscard]] bool exists(const std::wstring& path);
[[nodiscard]] bool is_directory(const std::wstring& path);
[[nodiscard]] std::uint64_t size_of(const std::wstring& path);
// The file system's identity of a file (the same file, not one written again under its name).
[[nodiscard]] std::uint64_t file_identity(const std::wstring& path);
// Removes a folder and everything in it.
void remove_tree(const std::wstring& path);
// Names (not paths) of the entries of a folder that match `pattern`, sorted.
[[nodiscard]] std::vector<std::string> names_in(const std::wstring& folder, const std::wstring& pattern);

class pipeline_test : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The accounting folder (exists at the start of each test).
  [[nodiscard]] const std::wstring& folder() const noexcept { return folder_; }
  [[nodiscard]] std::wstring public_path(std::int64_t day, std::uint32_t index = 0) const;
  [[nodiscard]] static std::string name_of(std::int64_t day, std::uint32_t index = 0);
  [[nodiscard]] std::wstring journal_path() const { return journal_file::path_in(folder_); }
  [[nodiscard]] std::wstring journal_folder() const;

  // Options for the tests: no housekeeping, and a background round only when woken (past half a
  // journal) or at the end, so that what is published when is decided by the test.
  [[nodiscard]] static pipeline_options options(std::uint64_t rotate_bytes = 64ull << 20,
                                                std::uint64_t journal_bytes = 64ull << 10);
  [[nodiscard]] std::unique_ptr<accounting_pipeline> start(const pipeline_options& with);
  // The journal opened directly, as a run that is killed before it publishes leaves it.
  [[nodiscard]] std::unique_ptr<journal_file> open_journal(std::uint64_t capacity = 64ull << 10);

  // Every accounting-*.jsonl of the folder, by name, with its bytes.
  [[nodiscard]] std::map<std::string, std::string> public_files() const;
  // The public files are exactly these (no other, byte for byte), and each holds whole lines
  // only: it ends in '\n' and has no NUL.
  void expect_public_files(const std::map<std::string, std::string>& expected) const;

  // Diagnostics that contain every one of `parts`.
  [[nodiscard]] std::vector<core::testing::recording_diagnostics::entry> reported(
      std::initializer_list<std::string_view> parts) const;
  [[nodiscard]] std::size_t reported_count(core::severity level) const { return diag.count(level); }
  // Every diagnostic message, one a line, for failure messages.
  [[nodiscard]] std::string all_reports() const;

  core::testing::fake_clock clock{at(last_day, 12, 0, 0, 0)};
  core::testing::recording_diagnostics diag;

 private:
  std::wstring root_;
  std::wstring folder_;
};

}  // namespace raswarden::win32::testing
