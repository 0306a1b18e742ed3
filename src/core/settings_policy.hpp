// Parts of the configuration reader kept out of settings.cpp: policy.domain_aliases and the
// warnings about rules that name a domain in one form only. Internal to the core (the public
// interface is parse_settings in raswarden/settings.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "raswarden/settings.hpp"

namespace raswarden::core::settings_detail {

using json = nlohmann::ordered_json;  // problems are reported in file order

// At most the first `keep` bytes of `text`, fewer so that no UTF-8 sequence is cut.
[[nodiscard]] std::string_view utf8_prefix(std::string_view text, std::size_t keep);

// A value in a message: its JSON text when short, else its start and its type and size, so a
// problem stays one readable line whatever the file holds.
[[nodiscard]] std::string found(const json& value);

// Where a reader reports: a problem at a JSON path's value or at its key (the position the
// message is located at).
struct problem_sink {
  std::function<void(const std::string& pointer, std::string_view what)> at_value;
  std::function<void(const std::string& pointer, std::string_view what)> at_key;
};

// policy.domain_aliases (`value`, found at `pointer`): an object of UPN suffix -> NetBIOS domain,
// both non-empty strings without "\", "@", "*", "?", spaces or control characters, compared
// without regard to case. A suffix given twice, or a name that is both a suffix and a NetBIOS
// domain, is a problem. Valid entries go to `out`, lower-cased.
void read_domain_aliases(const json& value, const std::string& pointer, const problem_sink& problems,
                         std::map<std::string, std::string>& out);

// A warning about the file, at a JSON path.
struct located_note {
  std::string pointer;
  std::string text;
};

// Rules that reject, or set their own max_sessions_per_user, and name a domain (in `users` or
// `domains`, without wildcards) that policy.domain_aliases does not map: a user who writes their
// name in the other form is not matched, and so slips past the rule.
[[nodiscard]] std::vector<located_note> domain_form_warnings(const policy_settings& policy);

}  // namespace raswarden::core::settings_detail
