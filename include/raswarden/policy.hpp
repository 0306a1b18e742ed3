// Admission policy: the question every accept callback asks. `rule_policy` is the configured one
// (policy.* in the configuration file); `accept_all_policy` answers when nothing is configured.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "raswarden/platform.hpp"
#include "raswarden/settings.hpp"
#include "raswarden/types.hpp"

namespace raswarden::core {

struct decision {
  bool accept = true;
  std::string rule = "default";  // name of the rule that decided, or "default"
  std::string reason;            // human-readable
  bool enforced = true;          // false in audit mode: recorded as decided, answered as accept

  // What RRAS is told.
  [[nodiscard]] bool answer() const noexcept { return accept || !enforced; }
};

// Counts the registry exposes to a policy while it decides (under the registry's lock, so a
// simultaneous-use limit sees every session admitted before it).
struct registry_counts {
  std::size_t live_connections = 0;
  std::size_t live_links = 0;
  std::size_t user_connections = 0;  // live connections of the user being decided (see user_count_key)
  std::size_t connection_links = 0;  // live links of the connection being decided
};

// RRAS names one person in several forms depending on how they authenticated: "alice" with the
// logon domain "CORP", "CORP\alice", or "alice@corp.example". The identity splits any of them
// into account and domain, lower-cased.
struct user_identity {
  std::string account;
  std::string domain;
};
[[nodiscard]] user_identity identify_user(std::string_view user, std::string_view logon_domain);
// What simultaneous-use limits count by: the account alone, so that the forms above are one user
// whether or not policy.domain_aliases maps them. Accounts of one name in two domains
// ("CORP\bob", "PARTNER\bob") share a count: stricter than needed, never looser. A key by
// domain too would let a form whose domain is unknown or unmapped ("bob" without a logon
// domain, a UPN suffix missing from the aliases) start a count of its own, and a reload that
// changed the aliases would move live sessions between keys.
[[nodiscard]] std::string user_count_key(std::string_view user);

// Case-sensitive glob with `*` and `?` (callers lower-case both sides).
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view text) noexcept;

class admission_policy {
 public:
  virtual ~admission_policy() = default;
  [[nodiscard]] virtual decision decide_connection(const connection_info& connection,
                                                   const registry_counts& counts) const = 0;
  [[nodiscard]] virtual decision decide_link(const link_info& link, const connection_info* connection,
                                             const registry_counts& counts) const = 0;
  [[nodiscard]] virtual decision decide_reauthentication(const connection_info& connection) const = 0;
  // The ip_assignment pool for an address callback ("" = the default pool).
  [[nodiscard]] virtual std::string pool_for(const address_request&) const { return {}; }
  // policy.on_error: what a callback answers when deciding itself failed.
  [[nodiscard]] virtual bool accept_on_error() const noexcept { return true; }
  // policy.mode "audit": decisions are recorded but RRAS is told "accept".
  [[nodiscard]] virtual bool audit() const noexcept { return false; }
};

class accept_all_policy final : public admission_policy {
 public:
  [[nodiscard]] decision decide_connection(const connection_info&, const registry_counts&) const override;
  [[nodiscard]] decision decide_link(const link_info&, const connection_info*, const registry_counts&) const override;
  [[nodiscard]] decision decide_reauthentication(const connection_info&) const override;
};

// Stands in for a configuration that could not be used at start (no earlier good one to keep):
// every decision is policy.on_error's answer, with the reason recorded.
class unusable_policy final : public admission_policy {
 public:
  unusable_policy(bool accept, std::string reason) : accept_(accept), reason_(std::move(reason)) {}
  [[nodiscard]] decision decide_connection(const connection_info&, const registry_counts&) const override;
  [[nodiscard]] decision decide_link(const link_info&, const connection_info*, const registry_counts&) const override;
  [[nodiscard]] decision decide_reauthentication(const connection_info&) const override;
  [[nodiscard]] bool accept_on_error() const noexcept override { return accept_; }

 private:
  [[nodiscard]] decision answer() const;
  bool accept_;
  std::string reason_;
};

// The configured policy: ordered rules (first match wins), simultaneous-use and multilink limits,
// login hours, audit mode. Immutable once built, so a reload builds a new one and swaps it in.
class rule_policy final : public admission_policy {
 public:
  // `time` must outlive the policy (it tells the day and hour rules are matched against).
  rule_policy(policy_settings settings, const clock& time);
  ~rule_policy() override;
  rule_policy(const rule_policy&) = delete;
  rule_policy& operator=(const rule_policy&) = delete;

  [[nodiscard]] decision decide_connection(const connection_info& connection,
                                           const registry_counts& counts) const override;
  // Applies max_links_per_connection, and the rules again once the first link tells the tunnel
  // (PPP-based connections do not name it at accept time).
  [[nodiscard]] decision decide_link(const link_info& link, const connection_info* connection,
                                     const registry_counts& counts) const override;
  [[nodiscard]] decision decide_reauthentication(const connection_info& connection) const override;
  // The pool named by the first rule that matches what an address callback knows (the user, and
  // the tunnel when the port name tells it; rules that also need the interface type or endpoint
  // are passed over). "" (the default pool) when that rule names none, rejects, or none matches.
  [[nodiscard]] std::string pool_for(const address_request& request) const override;
  [[nodiscard]] bool accept_on_error() const noexcept override { return settings_.accept_on_error; }
  [[nodiscard]] bool audit() const noexcept override { return settings_.mode == policy_mode::audit; }

  [[nodiscard]] const policy_settings& settings() const noexcept { return settings_; }

 private:
  struct subject;  // what one decision matches rules against
  void set_time(subject& s) const;
  void set_user(subject& s, std::string_view user, std::string_view logon_domain) const;
  [[nodiscard]] subject subject_of(const connection_info& connection, tunnel_kind tunnel) const;
  struct compiled_rule;
  [[nodiscard]] static bool matches(const compiled_rule& rule, const subject& who);
  [[nodiscard]] const policy_rule* first_match(const subject& who) const;
  [[nodiscard]] decision finish(decision verdict) const;

  policy_settings settings_;
  const clock& clock_;
  std::vector<compiled_rule> compiled_;  // settings_.rules, prepared; same order
  bool rules_name_tunnels_ = false;
  // Which clocks the rules look at: a decision reads the wall clock (and, for local time, the
  // time zone) only when some rule has days or hours, so a policy without them costs no clock read.
  bool rules_use_utc_ = false;
  bool rules_use_local_time_ = false;
  // policy.domain_aliases by domain: every name of one domain (its NetBIOS name, then the UPN
  // suffixes mapped to it), and the group each name belongs to.
  std::vector<std::vector<std::string>> domain_groups_;
  std::unordered_map<std::string, std::size_t> domain_group_of_;
};

// A readable summary of the effective policy (raswarden check-config).
[[nodiscard]] std::string describe(const settings& effective);

}  // namespace raswarden::core
