#include "dll/dll_fixture.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <system_error>

#include "win32/log_folder.hpp"
#include "win32/system.hpp"

namespace raswarden::testing {

HMODULE dll_test::module_ = nullptr;

std::wstring dll_test::dll_path() {
  // The DLL is built next to the test executable.
  std::wstring path = win32::module_path(nullptr);
  path.resize(path.find_last_of(L"\\/") + 1);
  return path + L"raswarden.dll";
}

void dll_test::SetUpTestSuite() {
  if (module_ == nullptr) module_ = ::LoadLibraryW(dll_path().c_str());
  ASSERT_NE(module_, nullptr) << "cannot load " << win32::to_utf8(dll_path()) << ": "
                              << win32::describe_error(::GetLastError());
}

void dll_test::TearDownTestSuite() {
  // Kept loaded for the process: the DLL's state is per process, like inside RRAS.
}

void dll_test::SetUp() {
  static std::atomic<unsigned> counter{0};
  wchar_t temp[MAX_PATH + 1] = {};
  ::GetTempPathW(MAX_PATH, temp);
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  // Wine reuses small process ids across runs, so the start time makes the folder new.
  static const std::wstring run = std::to_wstring(::GetCurrentProcessId()) + L"-" + std::to_wstring(::GetTickCount64());
  directory_ = std::wstring(temp) + L"raswarden-test-" + run + L"-" + std::to_wstring(counter++) + L"-" +
               win32::to_wide(info->name());
  std::replace(directory_.begin(), directory_.end(), L'/', L'_');
  write_config("{\"schema\":1,\"accounting\":{\"directory\":" +
               nlohmann::json(win32::to_utf8(directory_ + L"\\logs")).dump() + "}}");
}

void dll_test::TearDown() {
  if (!terminated_) terminate();
  ::SetEnvironmentVariableW(L"RASWARDEN_CONFIG", nullptr);
  // Each folder holds a full-size journal (64 MiB by default): a passing test's folder goes, a
  // failing test's stays for whoever looks into it.
  if (!::testing::Test::HasFailure() && !directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(std::filesystem::path(directory_), ignored);
  }
}

void dll_test::write_config(const std::string& text) {
  ASSERT_EQ(win32::create_directories(directory_), 0u);
  config_path_ = directory_ + L"\\raswarden.json";
  const HANDLE file = ::CreateFileW(config_path_.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr);
  ASSERT_NE(file, INVALID_HANDLE_VALUE);
  DWORD written = 0;
  ::WriteFile(file, text.data(), static_cast<DWORD>(text.size()), &written, nullptr);
  ::CloseHandle(file);
  ::SetEnvironmentVariableW(L"RASWARDEN_CONFIG", config_path_.c_str());
}

void dll_test::initialize() {
  using init_fn = DWORD(WINAPI*)();
  ASSERT_EQ(fn<init_fn>("MprAdminInitializeDll")(), static_cast<DWORD>(NO_ERROR));
  terminated_ = false;
}

void dll_test::terminate() {
  using terminate_fn = DWORD(WINAPI*)();
  EXPECT_EQ(fn<terminate_fn>("MprAdminTerminateDll")(), static_cast<DWORD>(NO_ERROR));
  terminated_ = true;
}

std::vector<std::wstring> dll_test::accounting_files() const {
  std::vector<std::wstring> files;
  for (win32::public_file& f : win32::list_public_files(directory_ + L"\\logs")) files.push_back(std::move(f.path));
  return files;
}

std::vector<nlohmann::json> dll_test::records() const {
  std::vector<nlohmann::json> result;
  for (const std::wstring& file : accounting_files()) {
    std::string text;
    DWORD error = 0;
    EXPECT_TRUE(win32::read_file(file, text, error)) << win32::describe_error(error);
    // A public file only ever holds complete lines, and never a NUL.
    EXPECT_EQ(text.find('\0'), std::string::npos) << win32::to_utf8(file) << " holds a NUL byte";
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = text.find('\n', start);
      if (end == std::string::npos && !terminated_) break;  // being appended right now
      EXPECT_NE(end, std::string::npos) << "record without its terminating newline";
      if (end == std::string::npos) break;
      const std::string line = text.substr(start, end - start);
      nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
      EXPECT_TRUE(record.is_object()) << "not a JSON object: " << line;
      result.push_back(std::move(record));
      start = end + 1;
    }
  }
  return result;
}

dll_test::owned_process::~owned_process() {
  if (!process_) return;
  ::TerminateProcess(process_.get(), 9);  // nothing, when the test already ended it
  ::WaitForSingleObject(process_.get(), 30000);
}

dll_test::owned_process dll_test::start_endless_load(const std::wstring& ack_journal) {
  std::wstring host = dll_path();
  host.resize(host.find_last_of(L"\\/") + 1);
  std::wstring command = L"\"" + host + L"rrashost.exe\" --dll \"" + dll_path() +
                         L"\" --load 10000000 --threads 2 --concurrency 300 --ack-journal \"" + ack_journal + L"\"";
  win32::unique_handle job(::CreateJobObjectW(nullptr, nullptr));
  if (job) {
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits, sizeof limits) == 0) {
      job.reset();
    }
  }
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION process{};
  if (::CreateProcessW(nullptr, command.data(), nullptr, nullptr, FALSE, CREATE_NO_WINDOW | CREATE_SUSPENDED, nullptr,
                       nullptr, &startup, &process) == 0) {
    return {};
  }
  const win32::unique_handle thread(process.hThread);
  win32::unique_handle child(process.hProcess);
  // In the job before it runs a single instruction; a job Wine cannot give is no reason to fail
  // the test, since the destructor still ends the process on every path but a kill of this one.
  if (job && ::AssignProcessToJobObject(job.get(), child.get()) == 0) job.reset();
  ::ResumeThread(thread.get());
  return owned_process(std::move(job), std::move(child));
}

std::vector<nlohmann::json> dll_test::complete_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::size_t start = 0;
  for (std::size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    lines.push_back(nlohmann::json::parse(text.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

std::vector<nlohmann::json> dll_test::records_of_first_run() const {
  std::vector<nlohmann::json> first;
  int starts = 0;
  for (nlohmann::json& r : records()) {
    if (r.value("event", "") == "service-start" && ++starts == 2) break;
    EXPECT_EQ(r.value("seq", std::uint64_t{0}), first.size() + 1) << "a gap or a repeat before " << r.dump();
    first.push_back(std::move(r));
  }
  return first;
}

std::vector<nlohmann::json> dll_test::records_of(std::string_view event) const {
  std::vector<nlohmann::json> matching;
  for (auto& record : records()) {
    if (record.value("event", "") == event) matching.push_back(std::move(record));
  }
  return matching;
}

std::string dll_test::diagnostic_log() const {
  std::string text;
  DWORD error = 0;
  win32::read_file(directory_ + L"\\logs\\raswarden.log", text, error);
  return text;
}

std::vector<nlohmann::json> dll_test::rejections_in_default_folder() const {
  const std::wstring logs = win32::expand_environment(L"%ProgramData%\\RasWarden\\logs");
  const std::string path = win32::to_utf8(config_path_);
  std::vector<nlohmann::json> found;
  for (const win32::public_file& file : win32::list_public_files(logs)) {
    std::string text;
    DWORD error = 0;
    if (!win32::read_file(file.path, text, error)) continue;
    std::size_t start = 0;
    for (std::size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
      nlohmann::json record = nlohmann::json::parse(text.substr(start, end - start), nullptr, false);
      start = end + 1;
      if (record.is_object() && record.value("event", "") == "config-rejected" && record.value("path", "") == path) {
        found.push_back(std::move(record));
      }
    }
  }
  return found;
}

}  // namespace raswarden::testing
