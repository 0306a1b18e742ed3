// Who may write what RasWarden reads and writes, for an administrator (docs/security.md):
//   raswarden status            includes the verdict for each path (permissions_report)
//   raswarden repair-permissions [--reader NAME|SID] [--if-needed] [--json]
//                               gives each existing path the protected DACL, owner Administrators
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "win32/configuration_file.hpp"

namespace raswarden::tools {

// accounting.directory expanded, or the default %ProgramData%\RasWarden\logs.
[[nodiscard]] std::wstring accounting_folder(const core::settings& settings);

// One entry per path: role, path, whether it exists, whether it is trusted and why not. An
// untrusted path also adds a warning.
[[nodiscard]] nlohmann::ordered_json permissions_report(const win32::loaded_configuration& config,
                                                        std::vector<std::string>& warnings);

int repair_permissions_command(const std::vector<std::wstring>& arguments);

}  // namespace raswarden::tools
