#include "settings_policy.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "raswarden/json_locator.hpp"
#include "raswarden/text.hpp"

namespace raswarden::core::settings_detail {

std::string_view utf8_prefix(std::string_view text, std::size_t keep) {
  if (text.size() <= keep) return text;
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  return text.substr(0, keep);
}

std::string found(const json& value) {
  constexpr std::size_t longest = 60;
  const std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() <= longest) return text;
  const std::string_view start = utf8_prefix(text, longest - 20);
  if (value.is_string()) {
    return fmt::format("{}... (a string of {} bytes)", start, value.get_ref<const std::string&>().size());
  }
  if (value.is_structured()) return fmt::format("{}... (an {} of {} members)", start, value.type_name(), value.size());
  return fmt::format("{}...", start);
}

namespace {

constexpr std::string_view name_rules = "without \"\\\", \"@\", \"*\", \"?\", spaces or control characters";

// A UPN suffix or NetBIOS domain as RRAS can report it in a user name: one non-empty run of
// characters that split neither "DOMAIN\user" nor "user@suffix" and are no glob.
bool domain_name_ok(std::string_view name) {
  return !name.empty() && std::none_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F || c == '\\' || c == '@' || c == '*' || c == '?';
  });
}

}  // namespace

void read_domain_aliases(const json& value, const std::string& pointer, const problem_sink& problems,
                         std::map<std::string, std::string>& out) {
  if (!value.is_object()) {
    problems.at_value(pointer, fmt::format("expected an object of UPN suffix to NetBIOS domain, such as "
                                           "{{\"corp.example\": \"CORP\"}}, found {}",
                                           value.type_name()));
    return;
  }
  std::map<std::string, std::string> written;  // lower-case suffix -> as first written
  for (const auto& [suffix, domain] : value.items()) {
    const std::string at = pointer + "/" + json_locator::escape(suffix);
    if (!domain_name_ok(suffix)) {
      problems.at_key(at, fmt::format("expected a UPN suffix such as \"corp.example\" ({}), found {}", name_rules,
                                      found(json(suffix))));
      continue;
    }
    if (!domain.is_string() || !domain_name_ok(domain.get_ref<const std::string&>())) {
      problems.at_value(at, fmt::format("expected a NetBIOS domain name such as \"CORP\" (a non-empty string {}), "
                                        "found {}",
                                        name_rules, found(domain)));
      continue;
    }
    if (const auto [first, inserted] = written.emplace(ascii_lower(suffix), suffix); !inserted) {
      problems.at_key(at, fmt::format("the UPN suffix {} is already mapped (as {}; domain names are not "
                                      "case-sensitive)",
                                      found(json(suffix)), found(json(first->second))));
      continue;
    }
    out.emplace(ascii_lower(suffix), ascii_lower(domain.get_ref<const std::string&>()));
  }
  // A name is a UPN suffix or a NetBIOS domain, not both: the forms of one account must not
  // depend on the order the mappings are read in.
  for (auto it = out.begin(); it != out.end();) {
    const auto also_domain = std::find_if(out.begin(), out.end(), [&](const auto& m) { return m.second == it->first; });
    if (also_domain == out.end()) {
      ++it;
      continue;
    }
    const std::string& suffix = written.at(it->first);
    problems.at_key(pointer + "/" + json_locator::escape(suffix),
                    also_domain == it ? fmt::format("{} maps to itself; leave it out", found(json(suffix)))
                                      : fmt::format("{} is a UPN suffix here and also the NetBIOS domain {} maps "
                                                    "to; a name may be one or the other",
                                                    found(json(suffix)), found(json(written.at(also_domain->first)))));
    it = out.erase(it);
  }
}

namespace {

bool has_wildcard(std::string_view text) {
  return text.find_first_of("*?") != std::string_view::npos;
}

bool mapped(const std::map<std::string, std::string>& aliases, const std::string& domain) {
  return aliases.contains(domain) ||
         std::any_of(aliases.begin(), aliases.end(), [&](const auto& m) { return m.second == domain; });
}

// What a user who writes the name the other way looks like, and what to add.
std::string advice(const std::string& domain, std::string_view account) {
  if (domain.find('.') != std::string::npos) {
    return fmt::format(
        "a user logging on as <NETBIOS>\\{0} (or as {0} with the logon domain <NETBIOS>) is not "
        "matched by it; add policy.domain_aliases to map {1} to its NetBIOS domain, such as "
        "{{{1}: \"<NETBIOS>\"}}",
        account, found(json(domain)));
  }
  return fmt::format(
      "a user logging on as {}@<UPN suffix> is not matched by it; add policy.domain_aliases to map "
      "each UPN suffix of {} to it, such as {{\"<UPN suffix>\": {}}}",
      account, found(json(domain)), found(json(domain)));
}

}  // namespace

std::vector<located_note> domain_form_warnings(const policy_settings& policy) {
  std::vector<located_note> notes;
  for (std::size_t i = 0; i < policy.rules.size(); ++i) {
    const policy_rule& rule = policy.rules[i];
    const bool limits = rule.max_sessions_per_user && *rule.max_sessions_per_user != 0;
    if (rule.accept && !limits) continue;  // another form only misses an accept without a limit
    const std::string what = rule.accept ? fmt::format("rule {} (max_sessions_per_user {})", found(json(rule.name)),
                                                       *rule.max_sessions_per_user)
                                         : fmt::format("rule {} (reject)", found(json(rule.name)));
    const std::string match = fmt::format("/policy/rules/{}/match", i);
    for (std::size_t u = 0; u < rule.match.users.size(); ++u) {
      // The domain part as the rules read it: before a "\", else after the last "@".
      const std::string& user = rule.match.users[u];
      std::string domain;
      std::string_view account = user;
      if (const std::size_t slash = user.find('\\'); slash != std::string::npos) {
        domain = user.substr(0, slash);
        account = std::string_view(user).substr(slash + 1);
      } else if (const std::size_t at = user.rfind('@'); at != std::string::npos) {
        domain = user.substr(at + 1);
        account = std::string_view(user).substr(0, at);
      }
      if (domain.empty() || has_wildcard(domain) || mapped(policy.domain_aliases, domain)) continue;
      notes.push_back(
          {fmt::format("{}/users/{}", match, u), fmt::format("{} names {} with its domain in one form only: {}", what,
                                                             found(json(user)), advice(domain, account))});
    }
    for (std::size_t d = 0; d < rule.match.domains.size(); ++d) {
      const std::string& domain = rule.match.domains[d];
      if (has_wildcard(domain) || mapped(policy.domain_aliases, domain)) continue;
      notes.push_back(
          {fmt::format("{}/domains/{}", match, d), fmt::format("{} names the domain {} in one form only: {}", what,
                                                               found(json(domain)), advice(domain, "<user>"))});
    }
  }
  return notes;
}

}  // namespace raswarden::core::settings_detail
