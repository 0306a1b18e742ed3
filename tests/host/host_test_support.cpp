#include "host/host_test_support.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>

#include "win32/log_folder.hpp"
#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::testing {

std::wstring build_directory() {
  std::wstring path = win32::module_path(nullptr);
  path.resize(path.find_last_of(L"\\/") + 1);
  return path;
}

std::wstring beside_tests(std::wstring_view file) {
  return build_directory() + std::wstring(file);
}

namespace {

std::wstring quoted(const std::wstring& argument) {
  // The test arguments hold no quotes; a trailing backslash would escape the closing quote.
  std::wstring out = L"\"" + argument;
  if (!argument.empty() && argument.back() == L'\\') out += L'\\';
  return out + L"\"";
}

win32::unique_hfile inheritable_file(const std::wstring& path) {
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  return win32::unique_hfile(::CreateFileW(path.c_str(), GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                                           CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
}

}  // namespace

process_result run_rrashost(const std::vector<std::wstring>& arguments) {
  return run_program(L"rrashost.exe", arguments);
}

process_result run_program(std::wstring_view program, const std::vector<std::wstring>& arguments) {
  process_result result;
  const temp_directory folder("program-output");
  const std::wstring out_path = folder.path() + L"\\stdout.txt";
  const std::wstring err_path = folder.path() + L"\\stderr.txt";
  {
    win32::unique_hfile out = inheritable_file(out_path);
    win32::unique_hfile err = inheritable_file(err_path);
    if (!out || !err) {
      ADD_FAILURE() << "cannot create the output files in " << win32::to_utf8(folder.path());
      return result;
    }
    std::wstring command = quoted(beside_tests(program));
    for (const auto& argument : arguments) command += L" " + quoted(argument);
    STARTUPINFOW startup{};
    startup.cb = sizeof(startup);
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = nullptr;
    startup.hStdOutput = out.get();
    startup.hStdError = err.get();
    PROCESS_INFORMATION process{};
    if (::CreateProcessW(nullptr, command.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &startup, &process) ==
        FALSE) {
      ADD_FAILURE() << "cannot start " << win32::to_utf8(command) << ": " << win32::describe_error(::GetLastError());
      return result;
    }
    const win32::unique_handle process_handle(process.hProcess);
    const win32::unique_handle thread_handle(process.hThread);
    if (::WaitForSingleObject(process.hProcess, 120'000) != WAIT_OBJECT_0) {
      ::TerminateProcess(process.hProcess, 99);
      ADD_FAILURE() << win32::to_utf8(command) << " did not finish within two minutes";
    }
    ::GetExitCodeProcess(process.hProcess, &result.exit_code);
  }
  result.out = read_text_file(out_path);
  result.err = read_text_file(err_path);
  return result;
}

temp_directory::temp_directory(std::string_view tag) {
  // Wine reuses process IDs quickly and a failed test keeps its folder, so the name alone is not
  // enough: a folder that already exists is never reused.
  static std::atomic<unsigned> counter{0};
  wchar_t temp[MAX_PATH + 1] = {};
  ::GetTempPathW(MAX_PATH, temp);
  const std::wstring prefix = std::wstring(temp) + L"raswarden-host-" + std::to_wstring(::GetCurrentProcessId()) + L"-";
  for (int attempt = 0; attempt < 1000; ++attempt) {
    path_ = prefix + std::to_wstring(counter++) + L"-" + win32::to_wide(tag);
    if (::CreateDirectoryW(path_.c_str(), nullptr) != FALSE) return;
    if (::GetLastError() != ERROR_ALREADY_EXISTS) break;
  }
  ADD_FAILURE() << "cannot create a new folder like " << win32::to_utf8(path_) << ": "
                << win32::describe_error(::GetLastError());
}

temp_directory::~temp_directory() {
  if (::testing::Test::HasFailure()) return;  // kept for whoever looks into the failure
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::path(path_), ignored);
}

void write_text_file(const std::wstring& path, std::string_view text) {
  const win32::unique_hfile file(
      ::CreateFileW(path.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
  ASSERT_TRUE(file) << "cannot create " << win32::to_utf8(path);
  DWORD written = 0;
  ASSERT_NE(::WriteFile(file.get(), text.data(), static_cast<DWORD>(text.size()), &written, nullptr), FALSE);
  ASSERT_EQ(written, text.size());
}

std::string read_text_file(const std::wstring& path) {
  std::string text;
  DWORD error = 0;
  EXPECT_TRUE(win32::read_file(path, text, error)) << win32::to_utf8(path) << ": " << win32::describe_error(error);
  return text;
}

std::vector<nlohmann::json> read_json_lines(const std::wstring& path) {
  std::string text = read_text_file(path);
  EXPECT_EQ(text.find('\0'), std::string::npos) << win32::to_utf8(path) << ": a public file holds a NUL";
  std::vector<nlohmann::json> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    EXPECT_NE(end, std::string::npos) << win32::to_utf8(path) << ": last line without its newline";
    if (end == std::string::npos) break;
    const std::string line = text.substr(start, end - start);
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(parsed.is_object()) << win32::to_utf8(path) << ": not a JSON object: " << line;
    lines.push_back(std::move(parsed));
    start = end + 1;
  }
  return lines;
}

raswarden_config::raswarden_config(nlohmann::json settings) : folder_("raswarden") {
  const std::wstring config = folder_.path() + L"\\raswarden.json";
  settings["schema"] = 1;
  settings["accounting"]["directory"] = win32::to_utf8(logs());
  // Records reach the public file within this; records() waits for them to stop arriving.
  if (!settings["accounting"].contains("publish_interval_ms")) settings["accounting"]["publish_interval_ms"] = 10;
  write_text_file(config, settings.dump());
  ::SetEnvironmentVariableW(L"RASWARDEN_CONFIG", config.c_str());
}

raswarden_config::~raswarden_config() {
  ::SetEnvironmentVariableW(L"RASWARDEN_CONFIG", nullptr);
}

std::vector<nlohmann::json> raswarden_config::published_records() const {
  std::vector<nlohmann::json> all;
  for (const win32::public_file& file : win32::list_public_files(logs())) {
    auto lines = read_json_lines(file.path);
    all.insert(all.end(), std::make_move_iterator(lines.begin()), std::make_move_iterator(lines.end()));
  }
  return all;
}

std::vector<nlohmann::json> raswarden_config::records() const {
  // A running DLL publishes what its callbacks journaled within publish_interval_ms (10 ms
  // here): what is read once nothing new has arrived for 300 ms is all there is.
  auto all = published_records();
  auto quiet_since = std::chrono::steady_clock::now();
  const auto deadline = quiet_since + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() - quiet_since < std::chrono::milliseconds(300) &&
         std::chrono::steady_clock::now() < deadline) {
    ::Sleep(20);
    auto again = published_records();
    if (again.size() != all.size()) {
      quiet_since = std::chrono::steady_clock::now();
      all = std::move(again);
    }
  }
  return all;
}

std::vector<nlohmann::json> raswarden_config::records_of(std::string_view event) const {
  std::vector<nlohmann::json> matching;
  for (auto& record : records()) {
    if (record.value("event", "") == event) matching.push_back(std::move(record));
  }
  return matching;
}

std::unique_ptr<host::admin_dll> load_accepted(std::wstring_view file) {
  std::string error;
  auto dll = host::admin_dll::load(beside_tests(file), error);
  if (!dll) {
    ADD_FAILURE() << error;
    return nullptr;
  }
  const auto problems = dll->initialize();
  if (!problems.empty()) {
    ADD_FAILURE() << win32::to_utf8(file) << " refused: " << problems.front();
    return nullptr;
  }
  return dll;
}

long test_dll_count(const host::admin_dll& dll, const char* callback) {
  using count_fn = LONG(WINAPI*)(const char*);
  const auto count =
      reinterpret_cast<count_fn>(reinterpret_cast<void*>(::GetProcAddress(dll.module(), "TestAdminCount")));
  EXPECT_NE(count, nullptr) << win32::to_utf8(dll.path()) << " does not export TestAdminCount";
  return count != nullptr ? count(callback) : -1;
}

host::connection_spec connection_for(std::wstring_view user, std::uint64_t index) {
  host::connection_spec c;
  c.handle = 0x7000000 + index * 0x100;
  c.interface_handle = c.handle + 0x80;
  c.guid = host::make_guid(0x7E57, index);
  c.tunnel = host::tunnel_type::sstp;
  c.user = user;
  c.domain = L"CONTOSO";
  c.remote_computer = L"LAPTOP-" + std::to_wstring(index);
  c.client_ipv4 = L"10.1.2." + std::to_wstring(10 + index);
  c.server_ipv4 = L"10.1.2.1";
  c.remote_endpoint = L"203.0.113." + std::to_wstring(10 + index);
  c.local_endpoint = L"192.0.2.1";
  c.duration_s = 60;
  c.counters.bytes_in = 1000;
  c.counters.bytes_out = 2000;
  return c;
}

host::link_spec link_for(const host::connection_spec& connection, std::size_t link) {
  host::link_spec l;
  l.port = connection.handle + 1 + link;
  l.connection = connection.handle;
  l.tunnel = connection.tunnel;
  l.port_name = L"VPN" + std::to_wstring(link + 1) + L"-" + std::to_wstring(connection.handle % 1000);
  l.line_speed_bps = 1'000'000'000;
  l.duration_s = connection.duration_s;
  return l;
}

}  // namespace raswarden::testing
