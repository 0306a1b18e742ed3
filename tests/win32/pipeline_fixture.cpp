#include "win32/pipeline_fixture.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "raswarden/accounting.hpp"
#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32::testing {

namespace {

unique_hfile open_for_reading(const std::wstring& path) {
  return unique_hfile(::CreateFileW(path.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                    nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
}

}  // namespace

std::int64_t day_of_date(int year, unsigned month, unsigned day) {
  using namespace std::chrono;
  return sys_days{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}}
      .time_since_epoch()
      .count();
}

std::int64_t at(std::int64_t day, int hours, int minutes, int seconds, int ms) {
  return day * core::log_format::ms_per_day + ((hours * 60 + minutes) * 60 + seconds) * std::int64_t{1000} + ms;
}

std::string record(std::uint64_t seq, std::int64_t unix_ms, std::size_t size) {
  std::string line = fmt::format(R"({{"schema":1,"ts":"{}","seq":{},"event":"connection-accept","pad":")",
                                 core::format_timestamp(unix_ms), seq);
  if (size > line.size() + 3) line.append(size - line.size() - 3, static_cast<char>('a' + seq % 26));
  return line + "\"}\n";
}

std::string join(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line;
  return text;
}

std::string read_bytes(const std::wstring& path) {
  std::string text;
  DWORD error = 0;
  EXPECT_TRUE(read_file(path, text, error)) << "cannot read " << to_utf8(path) << ": " << describe_error(error);
  return text;
}

void write_bytes(const std::wstring& path, std::string_view bytes) {
  const unique_hfile file(::CreateFileW(path.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr));
  ASSERT_TRUE(file) << "cannot create " << to_utf8(path) << ": " << describe_error(::GetLastError());
  DWORD written = 0;
  ASSERT_TRUE(::WriteFile(file.get(), bytes.data(), static_cast<DWORD>(bytes.size()), &written, nullptr));
  ASSERT_EQ(written, bytes.size());
}

void append_bytes(const std::wstring& path, std::string_view bytes) {
  const unique_hfile file(
      ::CreateFileW(path.c_str(), FILE_APPEND_DATA | SYNCHRONIZE, FILE_SHARE_READ, nullptr, OPEN_ALWAYS, 0, nullptr));
  ASSERT_TRUE(file) << "cannot open " << to_utf8(path) << ": " << describe_error(::GetLastError());
  DWORD written = 0;
  ASSERT_TRUE(::WriteFile(file.get(), bytes.data(), static_cast<DWORD>(bytes.size()), &written, nullptr));
  ASSERT_EQ(written, bytes.size());
}

void write_at(const std::wstring& path, std::uint64_t offset, std::string_view bytes) {
  const unique_hfile file(
      ::CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr));
  ASSERT_TRUE(file) << "cannot open " << to_utf8(path) << ": " << describe_error(::GetLastError());
  OVERLAPPED where{};
  where.Offset = static_cast<DWORD>(offset);
  where.OffsetHigh = static_cast<DWORD>(offset >> 32);
  DWORD written = 0;
  ASSERT_TRUE(::WriteFile(file.get(), bytes.data(), static_cast<DWORD>(bytes.size()), &written, &where));
  ASSERT_EQ(written, bytes.size());
}

bool exists(const std::wstring& path) {
  return ::GetFileAttributesW(path.c_str()) != INVALID_FILE_ATTRIBUTES;
}

bool is_directory(const std::wstring& path) {
  const DWORD attributes = ::GetFileAttributesW(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

std::uint64_t size_of(const std::wstring& path) {
  WIN32_FILE_ATTRIBUTE_DATA data{};
  if (::GetFileAttributesExW(path.c_str(), GetFileExInfoStandard, &data) == 0) {
    ADD_FAILURE() << "no file " << to_utf8(path);
    return 0;
  }
  return std::uint64_t{data.nFileSizeHigh} << 32 | data.nFileSizeLow;
}

std::uint64_t file_identity(const std::wstring& path) {
  const unique_hfile file = open_for_reading(path);
  BY_HANDLE_FILE_INFORMATION info{};
  if (!file || ::GetFileInformationByHandle(file.get(), &info) == 0) {
    ADD_FAILURE() << "cannot look at " << to_utf8(path);
    return 0;
  }
  return std::uint64_t{info.nFileIndexHigh} << 32 | info.nFileIndexLow;
}

void remove_tree(const std::wstring& path) {
  WIN32_FIND_DATAW found{};
  const unique_find search(::FindFirstFileW((path + L"\\*").c_str(), &found));
  if (search) {
    do {
      const std::wstring name = found.cFileName;
      if (name == L"." || name == L"..") continue;
      const std::wstring child = path + L"\\" + name;
      if ((found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
        remove_tree(child);
      } else {
        ::SetFileAttributesW(child.c_str(), FILE_ATTRIBUTE_NORMAL);
        ::DeleteFileW(child.c_str());
      }
    } while (::FindNextFileW(search.get(), &found) != 0);
  }
  ::RemoveDirectoryW(path.c_str());
}

std::vector<std::string> names_in(const std::wstring& folder, const std::wstring& pattern) {
  std::vector<std::string> names;
  WIN32_FIND_DATAW found{};
  const unique_find search(::FindFirstFileW((folder + L"\\" + pattern).c_str(), &found));
  if (!search) return names;
  do {
    const std::wstring name = found.cFileName;
    if (name != L"." && name != L"..") names.push_back(to_utf8(name));
  } while (::FindNextFileW(search.get(), &found) != 0);
  std::sort(names.begin(), names.end());
  return names;
}

void pipeline_test::SetUp() {
  static std::atomic<unsigned> counter{0};
  wchar_t temp[MAX_PATH + 1] = {};
  ASSERT_NE(::GetTempPathW(MAX_PATH, temp), 0u);
  // Wine reuses small process ids across runs, so the start time makes the folder new.
  static const std::wstring run = std::to_wstring(::GetCurrentProcessId()) + L"-" + std::to_wstring(::GetTickCount64());
  std::wstring name = to_wide(::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::replace(name.begin(), name.end(), L'/', L'_');
  root_ = std::wstring(temp) + L"raswarden-win32-" + run + L"-" + std::to_wstring(counter++) + L"-" + name;
  folder_ = root_ + L"\\logs";
  ASSERT_EQ(create_directories(folder_), 0u) << to_utf8(folder_);
}

void pipeline_test::TearDown() {
  if (!root_.empty()) remove_tree(root_);
  EXPECT_FALSE(exists(root_)) << "the test's folder " << to_utf8(root_) << " was not removed";
}

std::string pipeline_test::name_of(std::int64_t day, std::uint32_t index) {
  return core::log_format::file_name({day, index});
}

std::wstring pipeline_test::public_path(std::int64_t day, std::uint32_t index) const {
  return folder_ + L"\\" + to_wide(name_of(day, index));
}

std::wstring pipeline_test::journal_folder() const {
  return folder_ + L"\\" + to_wide(core::log_format::journal_folder);
}

pipeline_options pipeline_test::options(std::uint64_t rotate_bytes, std::uint64_t journal_bytes) {
  pipeline_options o;
  o.journal_bytes = journal_bytes;
  o.rotate_bytes = rotate_bytes;
  o.publish_interval = std::chrono::hours(1);
  o.flush_interval = std::chrono::hours(1);
  o.retention.retention_days = 0;
  o.retention.min_free_bytes = 0;
  return o;
}

std::unique_ptr<accounting_pipeline> pipeline_test::start(const pipeline_options& with) {
  return std::make_unique<accounting_pipeline>(folder_, with, clock, diag);
}

std::unique_ptr<journal_file> pipeline_test::open_journal(std::uint64_t capacity) {
  std::string error;
  auto journal = journal_file::open(folder_, capacity, false, clock, diag, error);
  EXPECT_TRUE(journal) << error;
  return journal;
}

std::map<std::string, std::string> pipeline_test::public_files() const {
  std::map<std::string, std::string> files;
  for (const std::string& name : names_in(folder_, to_wide(core::log_format::file_pattern))) {
    files[name] = read_bytes(folder_ + L"\\" + to_wide(name));
  }
  return files;
}

void pipeline_test::expect_public_files(const std::map<std::string, std::string>& expected) const {
  const std::map<std::string, std::string> files = public_files();
  std::vector<std::string> names;
  std::vector<std::string> expected_names;
  for (const auto& [name, bytes] : files) names.push_back(name);
  for (const auto& [name, bytes] : expected) expected_names.push_back(name);
  EXPECT_EQ(names, expected_names) << "the public files of " << to_utf8(folder_);
  for (const auto& [name, bytes] : files) {
    EXPECT_EQ(bytes.find('\0'), std::string::npos) << name << " holds a NUL byte";
    EXPECT_TRUE(!bytes.empty() && bytes.back() == '\n') << name << " does not end in a newline";
    const auto wanted = expected.find(name);
    if (wanted != expected.end()) {
      EXPECT_EQ(bytes, wanted->second) << "the bytes of " << name;
    }
  }
}

std::vector<core::testing::recording_diagnostics::entry> pipeline_test::reported(
    std::initializer_list<std::string_view> parts) const {
  std::vector<core::testing::recording_diagnostics::entry> matching;
  for (const auto& e : diag.entries()) {
    if (std::all_of(parts.begin(), parts.end(),
                    [&](std::string_view part) { return e.message.find(part) != std::string::npos; })) {
      matching.push_back(e);
    }
  }
  return matching;
}

std::string pipeline_test::all_reports() const {
  static constexpr const char* levels[] = {"debug", "info", "warning", "error"};
  std::string text = "diagnostics:\n";
  for (const auto& e : diag.entries()) {
    text += fmt::format("  [{}] {}\n", levels[static_cast<int>(e.level)], e.message);
  }
  return text;
}

}  // namespace raswarden::win32::testing
