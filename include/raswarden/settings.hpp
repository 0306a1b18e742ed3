// The configuration file (JSON). This first version knows the keys the foundation needs; the
// policy issue adds the rest, with line/column reporting and a JSON Schema.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace raswarden::core {

struct settings {
  std::string accounting_directory;  // empty: the platform default (%ProgramData%\RasWarden\logs)
};

struct settings_result {
  settings value;
  // Each problem names the file and the JSON path ("raswarden.json: /accounting/directory: ...").
  // A problem never stops loading: the key keeps its default and the problem is reported.
  std::vector<std::string> problems;
};

[[nodiscard]] settings_result parse_settings(std::string_view json_text, std::string_view source_name);

}  // namespace raswarden::core
