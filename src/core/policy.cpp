#include "raswarden/policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "raswarden/address.hpp"
#include "raswarden/text.hpp"

namespace raswarden::core {

user_identity identify_user(std::string_view user, std::string_view logon_domain) {
  user_identity who;
  if (const std::size_t slash = user.find('\\'); slash != std::string_view::npos) {
    who.domain = ascii_lower(user.substr(0, slash));
    who.account = ascii_lower(user.substr(slash + 1));
  } else if (const std::size_t at = user.rfind('@'); at != std::string_view::npos) {
    who.account = ascii_lower(user.substr(0, at));
    who.domain = ascii_lower(user.substr(at + 1));
  } else {
    who.account = ascii_lower(user);
    who.domain = ascii_lower(logon_domain);
  }
  return who;
}

std::string user_count_key(std::string_view user) {
  return identify_user(user, {}).account;
}

bool glob_match(std::string_view pattern, std::string_view text) noexcept {
  // Iterative matcher with one backtrack point: linear in practice, no recursion.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

decision accepted_by_default() {
  return decision{true, "default", "no policy configured: accept all", true};
}

// A glob prepared once per policy: most patterns are plain names, compared without the matcher.
struct prepared_glob {
  std::string pattern;
  bool literal = true;
  bool any = false;  // "*"

  explicit prepared_glob(std::string_view text)
      : pattern(text), literal(text.find_first_of("*?") == std::string_view::npos), any(text == "*") {}
  [[nodiscard]] bool matches(std::string_view text) const noexcept {
    return any || (literal ? pattern == text : glob_match(pattern, text));
  }
};

// Whether a domain glob matches a user's domain: the name RRAS reported or, when
// policy.domain_aliases maps it, any other name of the same domain (`aliases` holds them all,
// the reported one too; null when the domain has no aliases).
bool domain_matches(const prepared_glob& pattern, const std::string& domain,
                    const std::vector<std::string>* aliases) noexcept {
  if (aliases == nullptr) return pattern.matches(domain);
  return std::any_of(aliases->begin(), aliases->end(), [&](const std::string& name) { return pattern.matches(name); });
}

// A user pattern with a domain part ("corp\a*", "a*@corp.*") matches both parts; without one, the
// account alone.
struct user_pattern {
  prepared_glob account;
  std::optional<prepared_glob> domain;

  static user_pattern from(std::string_view pattern) {
    if (const std::size_t slash = pattern.find('\\'); slash != std::string_view::npos) {
      return {prepared_glob(pattern.substr(slash + 1)), prepared_glob(pattern.substr(0, slash))};
    }
    if (const std::size_t at = pattern.rfind('@'); at != std::string_view::npos) {
      return {prepared_glob(pattern.substr(0, at)), prepared_glob(pattern.substr(at + 1))};
    }
    return {prepared_glob(pattern), std::nullopt};
  }
  [[nodiscard]] bool matches(const user_identity& who, const std::vector<std::string>* aliases) const noexcept {
    return account.matches(who.account) && (!domain || domain_matches(*domain, who.domain, aliases));
  }
};

// Day of week (0 = Monday) and minute of day of a moment, in the zone a rule names.
struct moment {
  unsigned weekday = 0;
  unsigned minute = 0;
};
moment moment_of(std::int64_t unix_ms, std::int32_t offset_minutes) {
  const std::int64_t minutes = unix_ms / 60000 + offset_minutes - (unix_ms % 60000 < 0 ? 1 : 0);
  const std::int64_t days = minutes >= 0 ? minutes / 1440 : (minutes - 1439) / 1440;
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  return moment{static_cast<unsigned>(((days % 7) + 7 + 3) % 7), static_cast<unsigned>(minutes - days * 1440)};
}

bool day_selected(std::uint8_t days, unsigned weekday) {
  return days == 0 || (days & (1U << weekday)) != 0;
}

// A window that crosses midnight belongs to the day it starts on: "fri 22:00-02:00" covers
// Saturday 01:00, and "sun 23:00-01:00" covers Monday 00:30 of the next week.
bool in_hours(const rule_match& match, const moment& now) {
  if (match.hours.empty()) return day_selected(match.days, now.weekday);
  const unsigned yesterday = (now.weekday + 6) % 7;
  return std::any_of(match.hours.begin(), match.hours.end(), [&](const hours_window& w) {
    if (w.start < w.end) return day_selected(match.days, now.weekday) && now.minute >= w.start && now.minute < w.end;
    return (day_selected(match.days, now.weekday) && now.minute >= w.start) ||
           (day_selected(match.days, yesterday) && now.minute < w.end);
  });
}

}  // namespace

decision accept_all_policy::decide_connection(const connection_info&, const registry_counts&) const {
  return accepted_by_default();
}

decision accept_all_policy::decide_link(const link_info&, const connection_info*, const registry_counts&) const {
  return accepted_by_default();
}

decision accept_all_policy::decide_reauthentication(const connection_info&) const {
  return accepted_by_default();
}

decision unusable_policy::answer() const {
  return decision{accept_, "policy.on_error", reason_, true};
}
decision unusable_policy::decide_connection(const connection_info&, const registry_counts&) const {
  return answer();
}
decision unusable_policy::decide_link(const link_info&, const connection_info*, const registry_counts&) const {
  return answer();
}
decision unusable_policy::decide_reauthentication(const connection_info&) const {
  return answer();
}

// Everything the rules look at, worked out once per decision.
struct rule_policy::subject {
  user_identity who;
  // Every name of who.domain under policy.domain_aliases (its NetBIOS name and UPN suffixes),
  // or null when it has no aliases.
  const std::vector<std::string>* domain_aliases = nullptr;
  std::optional<interface_type> if_type;
  tunnel_kind tunnel = tunnel_kind::unknown;
  std::optional<ip_address> endpoint;
  moment local;
  moment utc;
  bool address_callback = false;  // only the user and the port are known
  // The tunnel is not known yet (a PPP-based connection before its first link): a rule naming
  // tunnels that accepts matches provisionally, one that rejects is left for the link to decide.
  bool tunnel_pending = false;
};

// A rule in the form decisions test fastest: sets as bit masks, globs prepared.
struct rule_policy::compiled_rule {
  const policy_rule* rule = nullptr;
  std::uint32_t interface_types = 0;  // bit per interface_type; 0 = any
  std::uint32_t tunnels = 0;          // bit per tunnel_kind; 0 = any
  std::vector<user_pattern> users;
  std::vector<prepared_glob> domains;
};

rule_policy::rule_policy(policy_settings settings, const clock& time) : settings_(std::move(settings)), clock_(time) {
  compiled_.reserve(settings_.rules.size());
  for (const policy_rule& rule : settings_.rules) {
    compiled_rule c;
    c.rule = &rule;
    for (const interface_type type : rule.match.interface_types) c.interface_types |= 1U << static_cast<unsigned>(type);
    for (const tunnel_kind tunnel : rule.match.tunnels) c.tunnels |= 1U << static_cast<unsigned>(tunnel);
    for (const std::string& user : rule.match.users) c.users.push_back(user_pattern::from(user));
    for (const std::string& domain : rule.match.domains) c.domains.emplace_back(domain);
    rules_name_tunnels_ = rules_name_tunnels_ || c.tunnels != 0;
    if (rule.match.days != 0 || !rule.match.hours.empty()) {
      (rule.match.utc ? rules_use_utc_ : rules_use_local_time_) = true;
    }
    compiled_.push_back(std::move(c));
  }
  for (const auto& [suffix, netbios] : settings_.domain_aliases) {
    const auto [group, added] = domain_group_of_.try_emplace(netbios, domain_groups_.size());
    if (added) domain_groups_.push_back({netbios});
    domain_groups_[group->second].push_back(suffix);
    domain_group_of_.try_emplace(suffix, group->second);
  }
}

rule_policy::~rule_policy() = default;

// Cheap tests first (masks, time), text last; every test must pass, so the order changes nothing
// but the cost.
bool rule_policy::matches(const compiled_rule& c, const subject& s) {
  const rule_match& m = c.rule->match;
  // An address callback knows no interface type or endpoint: rules that need them do not apply.
  if (s.address_callback && (c.interface_types != 0 || !m.remote_endpoints.empty())) return false;
  if (c.interface_types != 0 && (!s.if_type || (c.interface_types & (1U << static_cast<unsigned>(*s.if_type))) == 0)) {
    return false;
  }
  if (c.tunnels != 0) {
    if (s.tunnel_pending) {
      if (!c.rule->accept) return false;
    } else if ((c.tunnels & (1U << static_cast<unsigned>(s.tunnel))) == 0) {
      return false;
    }
  }
  if ((m.days != 0 || !m.hours.empty()) && !in_hours(m, m.utc ? s.utc : s.local)) return false;
  if (!m.remote_endpoints.empty() &&
      (!s.endpoint || std::none_of(m.remote_endpoints.begin(), m.remote_endpoints.end(),
                                   [&](const address_range& r) { return r.contains(*s.endpoint); }))) {
    return false;
  }
  if (!c.domains.empty() && std::none_of(c.domains.begin(), c.domains.end(), [&](const prepared_glob& g) {
        return domain_matches(g, s.who.domain, s.domain_aliases);
      })) {
    return false;
  }
  return c.users.empty() || std::any_of(c.users.begin(), c.users.end(),
                                        [&](const user_pattern& p) { return p.matches(s.who, s.domain_aliases); });
}

const policy_rule* rule_policy::first_match(const subject& s) const {
  for (const compiled_rule& c : compiled_) {
    if (matches(c, s)) return c.rule;
  }
  return nullptr;
}

decision rule_policy::finish(decision verdict) const {
  verdict.enforced = settings_.mode == policy_mode::enforce;
  return verdict;
}

void rule_policy::set_time(subject& s) const {
  // Only rules with days or hours read these (matches()); the others never see the moment.
  if (!rules_use_utc_ && !rules_use_local_time_) return;
  const std::int64_t now = clock_.now_unix_ms();
  if (rules_use_utc_) s.utc = moment_of(now, 0);
  if (rules_use_local_time_) s.local = moment_of(now, clock_.utc_offset_minutes(now));
}

void rule_policy::set_user(subject& s, std::string_view user, std::string_view logon_domain) const {
  s.who = identify_user(user, logon_domain);
  if (domain_group_of_.empty() || s.who.domain.empty()) return;
  if (const auto group = domain_group_of_.find(s.who.domain); group != domain_group_of_.end()) {
    s.domain_aliases = &domain_groups_[group->second];
  }
}

rule_policy::subject rule_policy::subject_of(const connection_info& connection, tunnel_kind tunnel) const {
  subject s;
  set_user(s, connection.user, connection.domain);
  s.if_type = connection.if_type;
  s.tunnel = tunnel;
  if (!connection.remote_endpoint.empty()) s.endpoint = parse_ip_address(connection.remote_endpoint);
  s.tunnel_pending = tunnel == tunnel_kind::unknown;
  set_time(s);
  return s;
}

decision rule_policy::decide_connection(const connection_info& connection, const registry_counts& counts) const {
  const subject s = subject_of(connection, connection.tunnel.value_or(tunnel_kind::unknown));

  const policy_rule* rule = first_match(s);
  if (rule != nullptr && !rule->accept) {
    return finish(decision{false, rule->name, fmt::format("matched rule \"{}\", which rejects", rule->name)});
  }
  if (rule == nullptr && !settings_.default_accept) {
    return finish(decision{false, "default", "no rule matched and policy.default is \"reject\""});
  }
  const std::uint32_t per_user =
      rule != nullptr && rule->max_sessions_per_user ? *rule->max_sessions_per_user : settings_.max_sessions_per_user;
  if (per_user != 0 && counts.user_connections >= per_user) {
    const bool from_rule = rule != nullptr && rule->max_sessions_per_user;
    return finish(decision{false, from_rule ? rule->name : "policy.max_sessions_per_user",
                           fmt::format("user \"{}\" already has {} live session(s); the limit is {}{}",
                                       printable(s.who.account), counts.user_connections, per_user,
                                       from_rule ? fmt::format(" (max_sessions_per_user of rule \"{}\")", rule->name)
                                                 : std::string(" (policy.max_sessions_per_user)"))});
  }
  if (settings_.max_sessions_total != 0 && counts.live_connections >= settings_.max_sessions_total) {
    return finish(decision{false, "policy.max_sessions_total",
                           fmt::format("{} sessions are live; the server-wide limit is {}", counts.live_connections,
                                       settings_.max_sessions_total)});
  }
  if (rule != nullptr) return finish(decision{true, rule->name, fmt::format("matched rule \"{}\"", rule->name)});
  return finish(decision{true, "default", "no rule matched and policy.default is \"accept\""});
}

decision rule_policy::decide_link(const link_info& link, const connection_info* connection,
                                  const registry_counts& counts) const {
  const std::uint32_t limit = settings_.max_links_per_connection;
  if (limit != 0 && connection != nullptr && counts.connection_links >= limit) {
    return finish(decision{
        false, "policy.max_links_per_connection",
        fmt::format("the connection already has {} live link(s); the limit is {}", counts.connection_links, limit)});
  }
  // A PPP-based tunnel is known only now, from the link's device: the rules decide again with it,
  // and a reject here refuses the link (and so the connection).
  if (rules_name_tunnels_ && connection != nullptr && !connection->tunnel) {
    const tunnel_kind tunnel = tunnel_from_device(link.device_type, link.device);
    if (tunnel != tunnel_kind::unknown) {
      const subject s = subject_of(*connection, tunnel);
      const policy_rule* rule = first_match(s);
      if (rule != nullptr && !rule->accept) {
        return finish(decision{false, rule->name,
                               fmt::format("matched rule \"{}\", which rejects, once the link showed the tunnel ({})",
                                           rule->name, to_string(tunnel))});
      }
      if (rule == nullptr && !settings_.default_accept) {
        return finish(decision{false, "default",
                               fmt::format("no rule matched once the link showed the tunnel ({}) and policy.default is "
                                           "\"reject\"",
                                           to_string(tunnel))});
      }
    }
  }
  return finish(decision{true, limit != 0 ? "policy.max_links_per_connection" : "default",
                         limit != 0 ? fmt::format("link {} of at most {}", counts.connection_links + 1, limit)
                                    : std::string("links are not limited")});
}

decision rule_policy::decide_reauthentication(const connection_info& connection) const {
  switch (settings_.reauthentication) {
    case reauthentication_mode::accept:
      return finish(decision{true, "policy.reauthentication", "policy.reauthentication is \"accept\""});
    case reauthentication_mode::reject:
      return finish(decision{false, "policy.reauthentication", "policy.reauthentication is \"reject\""});
    case reauthentication_mode::rules: break;
  }
  // The rules, but not the session limits: the session being reauthenticated is already counted.
  const subject s = subject_of(connection, connection.tunnel.value_or(tunnel_kind::unknown));
  if (const policy_rule* rule = first_match(s); rule != nullptr) {
    return finish(
        decision{rule->accept, rule->name,
                 fmt::format("matched rule \"{}\", which {}", rule->name, rule->accept ? "accepts" : "rejects")});
  }
  return finish(decision{
      settings_.default_accept, "default",
      fmt::format("no rule matched and policy.default is \"{}\"", settings_.default_accept ? "accept" : "reject")});
}

std::string rule_policy::pool_for(const address_request& request) const {
  subject s;
  set_user(s, request.user, {});
  s.tunnel = tunnel_from_device({}, request.port_name);
  s.address_callback = true;
  set_time(s);
  // First match, as for a connection: the rule that will admit the user chooses the pool.
  const policy_rule* rule = first_match(s);
  return rule != nullptr && rule->accept ? rule->pool : std::string();
}

}  // namespace raswarden::core
