// What an administrator can check about a shipped binary without running it: the version
// resource File Explorer shows (the project's one version, the file's own name and description),
// and `raswarden --version`.
#include <windows.h>

#include <string>
#include <vector>

#include "host/host_test_support.hpp"
#include "win32/system.hpp"

namespace raswarden::testing {
namespace {

// One string of a file's version resource (US English, Unicode), or "" when absent.
std::wstring version_string(const std::wstring& path, const wchar_t* name) {
  DWORD ignored = 0;
  const DWORD size = ::GetFileVersionInfoSizeW(path.c_str(), &ignored);
  if (size == 0) return {};
  std::vector<unsigned char> block(size);
  if (::GetFileVersionInfoW(path.c_str(), 0, size, block.data()) == 0) return {};
  void* value = nullptr;
  UINT length = 0;
  const std::wstring query = std::wstring(L"\\StringFileInfo\\040904B0\\") + name;
  if (::VerQueryValueW(block.data(), query.c_str(), &value, &length) == 0 || length == 0) return {};
  return std::wstring(static_cast<const wchar_t*>(value));
}

TEST(version_resource, every_shipped_binary_names_itself_and_the_project_version) {
  const std::wstring version = win32::to_wide(RASWARDEN_VERSION);
  for (const std::wstring name : {L"raswarden.dll", L"raswarden.exe", L"rrashost.exe"}) {
    const std::wstring path = beside_tests(name);
    SCOPED_TRACE(win32::to_utf8(path));
    EXPECT_EQ(version_string(path, L"ProductVersion"), version);
    EXPECT_EQ(version_string(path, L"FileVersion"), version);
    EXPECT_EQ(version_string(path, L"ProductName"), L"RasWarden");
    EXPECT_EQ(version_string(path, L"OriginalFilename"), name);
    EXPECT_FALSE(version_string(path, L"FileDescription").empty());
    EXPECT_FALSE(version_string(path, L"CompanyName").empty());
  }
}

TEST(version_resource, raswarden_version_prints_the_project_version_and_exits_0) {
  const process_result result = run_program(L"raswarden.exe", {L"--version"});
  EXPECT_EQ(result.exit_code, 0u) << result.all();
  // One line (the console's text mode writes it with \r\n).
  EXPECT_EQ(result.out.substr(0, result.out.find_first_of("\r\n")), std::string("raswarden ") + RASWARDEN_VERSION);
  EXPECT_EQ(result.out.find('\n'), result.out.size() - 1);
}

}  // namespace
}  // namespace raswarden::testing
