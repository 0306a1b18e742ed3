#include "win32/configuration_file.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "win32/file_security.hpp"
#include "win32/registry.hpp"
#include "win32/system.hpp"

namespace raswarden::win32 {

namespace {
constexpr const wchar_t* default_configuration = L"%ProgramData%\\RasWarden\\raswarden.json";
}

const char* describe(configuration_origin origin) noexcept {
  switch (origin) {
    case configuration_origin::environment: return "the RASWARDEN_CONFIG environment variable";
    case configuration_origin::registry: return "HKLM\\SOFTWARE\\RasWarden ConfigPath";
    case configuration_origin::default_location: return "the default location";
  }
  return "unknown";
}

configuration_location locate_configuration() {
  configuration_location location;
  // Read before anything else, so that no state of the file can open the door.
  DWORD fail_closed = 0;
  switch (read_machine_dword(configuration_key, fail_closed_value, fail_closed, location.fail_closed_problem)) {
    case registry_read::ok: location.fail_closed = fail_closed != 0; break;
    case registry_read::missing: break;
    case registry_read::failed:
      location.fail_closed = true;  // unreadable: the safe reading
      location.fail_closed_problem += "; it is taken as set";
      break;
  }
  location.path = environment_variable(configuration_variable);
  if (!location.path.empty()) {
    location.origin = configuration_origin::environment;
    return location;
  }
  std::wstring from_registry;
  if (read_machine_string(configuration_key, configuration_value, from_registry, location.registry_problem) ==
      registry_read::ok) {
    location.path = std::move(from_registry);
    location.origin = configuration_origin::registry;
    return location;
  }
  if (!location.registry_problem.empty()) location.registry_problem += "; the default location is used instead";
  location.path = expand_environment(default_configuration);
  location.origin = configuration_origin::default_location;
  return location;
}

loaded_configuration load_configuration(const configuration_location& location) {
  loaded_configuration loaded;
  loaded.location = location;
  if (!location.registry_problem.empty()) loaded.problems.push_back(location.registry_problem);
  const std::string path = to_utf8(location.path);
  // Who may write the folder decides who may put a configuration there: one that anyone could
  // have replaced is not used.
  const std::wstring folder = location.path.substr(0, location.path.find_last_of(L"\\/"));
  const core::security_verdict folder_verdict =
      judge_if_present(folder, object_kind::folder).value_or(core::security_verdict{true, {}});
  std::string problem;
  std::uint64_t size = 0;
  // At most one byte more than a configuration may hold, however large the file is (or grows).
  const DWORD read_error =
      read_owned_file(location.path, core::max_configuration_bytes + 1, loaded.text, size, problem);
  const bool read = read_error == ERROR_SUCCESS;
  const bool missing = read_error == ERROR_FILE_NOT_FOUND || read_error == ERROR_PATH_NOT_FOUND;
  size = std::max<std::uint64_t>(size, loaded.text.size());
  if (!folder_verdict.trusted && !missing) {
    loaded.problems.push_back(fmt::format("the configuration {} is not used: its folder {} {}", path, to_utf8(folder),
                                          folder_verdict.problem));
    loaded.text.clear();
    loaded.rejected = true;
  } else if (!folder_verdict.trusted) {
    loaded.problems.push_back(
        fmt::format("the folder {} of the configuration {} {}; a configuration put there "
                    "would not be used (raswarden repair-permissions sets its permissions)",
                    to_utf8(folder), path, folder_verdict.problem));
  } else if (read && size > core::max_configuration_bytes) {
    loaded.problems.push_back(core::configuration_too_large(path, size));
    loaded.text.clear();
    loaded.rejected = true;
  } else if (read) {
    auto parsed = core::parse_settings(loaded.text, path);
    loaded.settings = std::move(parsed.value);
    loaded.problems.insert(loaded.problems.end(), parsed.problems.begin(), parsed.problems.end());
    loaded.warnings = std::move(parsed.warnings);
    loaded.from_file = parsed.document_ok;
    loaded.rejected = !parsed.usable();
  } else if (location.origin != configuration_origin::default_location || !missing) {
    loaded.problems.push_back(
        fmt::format("cannot read the configuration {} (named by {}): {}", path, describe(location.origin), problem));
    loaded.rejected = true;
  }
  return loaded;
}

file_stamp stamp_of(const std::wstring& path) {
  WIN32_FILE_ATTRIBUTE_DATA data{};
  if (::GetFileAttributesExW(path.c_str(), GetFileExInfoStandard, &data) == FALSE) return {};
  return file_stamp{true,
                    (std::uint64_t{data.ftLastWriteTime.dwHighDateTime} << 32) | data.ftLastWriteTime.dwLowDateTime,
                    (std::uint64_t{data.nFileSizeHigh} << 32) | data.nFileSizeLow};
}

}  // namespace raswarden::win32
