// Where the configuration file is, reading it, and noticing when it changes.
//   1. RASWARDEN_CONFIG (environment; for tests and diagnostics),
//   2. HKLM\SOFTWARE\RasWarden ConfigPath (REG_SZ or REG_EXPAND_SZ),
//   3. %ProgramData%\RasWarden\raswarden.json.
// A missing file at the default location means the defaults; a file named explicitly (1 or 2)
// that cannot be read is a problem.
#pragma once

#include <windows.h>

#include <cstdint>
#include <string>
#include <vector>

#include "raswarden/settings.hpp"

namespace raswarden::win32 {

inline constexpr const wchar_t* configuration_key = L"SOFTWARE\\RasWarden";
inline constexpr const wchar_t* configuration_value = L"ConfigPath";
inline constexpr const wchar_t* configuration_variable = L"RASWARDEN_CONFIG";
inline constexpr const wchar_t* fail_closed_value = L"FailClosed";

enum class configuration_origin : std::uint8_t { environment, registry, default_location };

struct configuration_location {
  std::wstring path;
  configuration_origin origin = configuration_origin::default_location;
  std::string registry_problem;  // ConfigPath exists but is unusable (the default was used instead)
  // HKLM\SOFTWARE\RasWarden FailClosed (REG_DWORD, non-zero): without a usable configuration at
  // start, every decision is a reject. A value of the wrong type counts as set (and is reported).
  bool fail_closed = false;
  std::string fail_closed_problem;
};
[[nodiscard]] configuration_location locate_configuration();
[[nodiscard]] const char* describe(configuration_origin origin) noexcept;

struct loaded_configuration {
  configuration_location location;
  std::string text;  // what was read (empty when nothing was)
  core::settings settings;
  std::vector<std::string> problems;
  std::vector<std::string> warnings;  // core::settings_result::warnings of the file
  bool from_file = false;             // false: no file, the defaults apply
  bool rejected = false;              // a file was found (or named) but cannot be used as a whole

  // FailClosed is set and there is no usable configuration: every decision is a reject.
  [[nodiscard]] bool fails_closed() const noexcept { return location.fail_closed && (rejected || !from_file); }
};
[[nodiscard]] loaded_configuration load_configuration(const configuration_location& location);

// What tells a changed file from an unchanged one without opening it (so editors and copy tools
// are never blocked by us).
struct file_stamp {
  bool exists = false;
  std::uint64_t write_time = 0;
  std::uint64_t size = 0;
  friend bool operator==(const file_stamp&, const file_stamp&) = default;
};
[[nodiscard]] file_stamp stamp_of(const std::wstring& path);

}  // namespace raswarden::win32
