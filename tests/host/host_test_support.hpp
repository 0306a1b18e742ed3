// Shared helpers of the rrashost tests: where the built binaries are, running rrashost as a child
// process with its output captured, per-test temporary folders, a RASWARDEN_CONFIG that sends
// raswarden.dll's records to such a folder, and reading those records back.
#pragma once

#include <windows.h>

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "host/admin_dll.hpp"

namespace raswarden::testing {

// The folder of the test executable, where rrashost.exe, raswarden.dll and the test DLLs are
// built; ends with a separator.
[[nodiscard]] std::wstring build_directory();
// A file in that folder, e.g. beside_tests(L"broken_missing_link.dll").
[[nodiscard]] std::wstring beside_tests(std::wstring_view file);

struct process_result {
  DWORD exit_code = 0xFFFFFFFF;
  std::string out;  // what the child wrote to stdout
  std::string err;  // and to stderr
  [[nodiscard]] std::string all() const { return out + err; }
};
// Runs a program built beside the tests (e.g. L"raswarden.exe") with these arguments (each
// quoted), waiting up to two minutes.
[[nodiscard]] process_result run_program(std::wstring_view program, const std::vector<std::wstring>& arguments);
[[nodiscard]] process_result run_rrashost(const std::vector<std::wstring>& arguments);

// A new, empty folder under %TEMP%, unique per process and call. Removed when the guard goes,
// unless the test failed (kept for inspection).
class temp_directory {
 public:
  explicit temp_directory(std::string_view tag);
  ~temp_directory();
  temp_directory(const temp_directory&) = delete;
  temp_directory& operator=(const temp_directory&) = delete;
  [[nodiscard]] const std::wstring& path() const noexcept { return path_; }

 private:
  std::wstring path_;
};

void write_text_file(const std::wstring& path, std::string_view text);
[[nodiscard]] std::string read_text_file(const std::wstring& path);
// Every line of a JSON-lines file, parsed; a line that is not a JSON object fails the test.
[[nodiscard]] std::vector<nlohmann::json> read_json_lines(const std::wstring& path);

// Points RASWARDEN_CONFIG (this process and its children) at a configuration that sends
// raswarden.dll's accounting records and log to a temporary folder; unset again at the end.
// `settings` adds the rest of a configuration (policy, ip_assignment, ...).
class raswarden_config {
 public:
  explicit raswarden_config(nlohmann::json settings = nlohmann::json::object());
  ~raswarden_config();
  raswarden_config(const raswarden_config&) = delete;
  raswarden_config& operator=(const raswarden_config&) = delete;
  [[nodiscard]] std::wstring logs() const { return folder_.path() + L"\\logs"; }
  // Every accounting record written to logs() so far, in file order.
  [[nodiscard]] std::vector<nlohmann::json> records() const;
  // The records in the public files as they are now.
  [[nodiscard]] std::vector<nlohmann::json> published_records() const;
  [[nodiscard]] std::vector<nlohmann::json> records_of(std::string_view event) const;

 private:
  temp_directory folder_;
};

// admin_dll::load + initialize of a DLL beside the tests; fails the test (and returns null) when
// it does not load or RRAS would refuse it.
[[nodiscard]] std::unique_ptr<host::admin_dll> load_accepted(std::wstring_view file);

// TestAdminCount of the test DLLs: how often a callback ran in this process.
[[nodiscard]] long test_dll_count(const host::admin_dll& dll, const char* callback);

// A connection RRAS would describe, with one or more links.
[[nodiscard]] host::connection_spec connection_for(std::wstring_view user, std::uint64_t index);
[[nodiscard]] host::link_spec link_for(const host::connection_spec& connection, std::size_t link);

}  // namespace raswarden::testing
