#include "raswarden/settings.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cstdint>

namespace raswarden::core {

namespace {
std::string type_name(const nlohmann::json& value) { return value.type_name(); }
}  // namespace

settings_result parse_settings(std::string_view json_text, std::string_view source_name) {
  settings_result result;
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    result.problems.push_back(fmt::format("{}: not valid JSON at byte {}: {}", source_name, e.byte, e.what()));
    return result;
  }
  if (!document.is_object()) {
    result.problems.push_back(
        fmt::format("{}: /: expected an object, found {}", source_name, type_name(document)));
    return result;
  }
  for (const auto& [key, value] : document.items()) {
    if (key == "schema") {
      if (!value.is_number_unsigned() || value.get<std::uint64_t>() != 1) {
        result.problems.push_back(fmt::format("{}: /schema: expected 1, found {}", source_name, value.dump()));
      }
    } else if (key == "accounting") {
      if (!value.is_object()) {
        result.problems.push_back(
            fmt::format("{}: /accounting: expected an object, found {}", source_name, type_name(value)));
        continue;
      }
      for (const auto& [sub_key, sub_value] : value.items()) {
        if (sub_key == "directory") {
          if (sub_value.is_string() && !sub_value.get<std::string>().empty()) {
            result.value.accounting_directory = sub_value.get<std::string>();
          } else {
            result.problems.push_back(fmt::format("{}: /accounting/directory: expected a non-empty string, found {}",
                                                  source_name, sub_value.dump()));
          }
        } else {
          result.problems.push_back(fmt::format("{}: /accounting/{}: unknown key", source_name, sub_key));
        }
      }
    } else {
      result.problems.push_back(fmt::format("{}: /{}: unknown key", source_name, key));
    }
  }
  return result;
}

}  // namespace raswarden::core
