// The effective configuration in words, for `raswarden check-config`: what an administrator needs
// to confirm that the file says what they meant.
#include <fmt/format.h>

#include <array>

#include "raswarden/address.hpp"
#include "raswarden/engine.hpp"
#include "raswarden/policy.hpp"

namespace raswarden::core {

namespace {

std::string limit(std::uint32_t value) {
  return value == 0 ? std::string("unlimited") : std::to_string(value);
}

std::string ipv4_text(std::uint32_t number) {
  const ip_address a = ipv4_from_number(number);
  return fmt::format("{}.{}.{}.{}", a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]);
}

std::string clock_text(unsigned minutes) {
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

std::string address_text(const address_range& range) {
  return fmt::format("{}/{}",
                     range.network.v6 ? format_ipv6(range.network.bytes) : ipv4_text(ipv4_to_number(range.network)),
                     range.prefix_length);
}

template <typename T, typename Format>
std::string list(const std::vector<T>& values, Format format) {
  std::string text;
  for (const T& value : values) text += (text.empty() ? "" : ", ") + format(value);
  return text;
}

std::string describe_match(const rule_match& m) {
  std::vector<std::string> parts;
  const auto same = [](const std::string& s) { return s; };
  if (!m.users.empty()) parts.push_back("users " + list(m.users, same));
  if (!m.domains.empty()) parts.push_back("domains " + list(m.domains, same));
  if (!m.interface_types.empty()) {
    parts.push_back("interface types " +
                    list(m.interface_types, [](interface_type t) { return std::string(to_string(t)); }));
  }
  if (!m.tunnels.empty()) {
    parts.push_back("tunnels " + list(m.tunnels, [](tunnel_kind t) { return std::string(to_string(t)); }));
  }
  if (!m.remote_endpoints.empty()) parts.push_back("endpoints " + list(m.remote_endpoints, address_text));
  if (m.days != 0) {
    static constexpr std::array<const char*, 7> names{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    std::string days;
    for (unsigned d = 0; d < 7; ++d) {
      if ((m.days & (1U << d)) != 0) days += (days.empty() ? "" : ", ") + std::string(names[d]);
    }
    parts.push_back("days " + days);
  }
  if (!m.hours.empty()) {
    parts.push_back("hours " + list(m.hours, [](const hours_window& w) {
                      return clock_text(w.start) + "-" + clock_text(w.end) +
                             (w.end <= w.start ? " (past midnight)" : "");
                    }));
  }
  if (m.days != 0 || !m.hours.empty()) parts.push_back(m.utc ? "UTC" : "local time");
  if (parts.empty()) return "everything";
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : "; ") + part;
  return text;
}

}  // namespace

std::string describe(const settings& effective) {
  const policy_settings& p = effective.policy;
  std::string out;
  out +=
      fmt::format("Policy: {}, default {}, on_error {}, reauthentication {}\n",
                  p.mode == policy_mode::audit ? "audit (decisions are recorded, every answer is accept)" : "enforce",
                  p.default_accept ? "accept" : "reject", p.accept_on_error ? "accept" : "reject",
                  p.reauthentication == reauthentication_mode::accept   ? "accept"
                  : p.reauthentication == reauthentication_mode::reject ? "reject"
                                                                        : "by the rules");
  out += fmt::format("Limits: sessions per user {}, links per connection {}, sessions in total {}\n",
                     limit(p.max_sessions_per_user), limit(p.max_links_per_connection), limit(p.max_sessions_total));
  if (!p.domain_aliases.empty()) {
    std::string aliases;
    for (const auto& [suffix, netbios] : p.domain_aliases) {
      aliases += fmt::format("{}{} = {}", aliases.empty() ? "" : ", ", suffix, netbios);
    }
    out += fmt::format("Domain aliases (UPN suffix = NetBIOS domain, one account either way): {}\n", aliases);
  }
  if (p.rules.empty()) {
    out += "Rules: none\n";
  } else {
    out += fmt::format("Rules ({}, first match wins):\n", p.rules.size());
    for (std::size_t i = 0; i < p.rules.size(); ++i) {
      const policy_rule& r = p.rules[i];
      out += fmt::format("  {}. {}: {} {}", i + 1, r.name, r.accept ? "accept" : "reject", describe_match(r.match));
      if (r.max_sessions_per_user) {
        out += *r.max_sessions_per_user == 0
                   ? std::string("; sessions per user unlimited")
                   : fmt::format("; at most {} session(s) per user", *r.max_sessions_per_user);
      }
      if (!r.pool.empty()) out += fmt::format("; addresses from pool {}", r.pool);
      out += "\n";
    }
  }
  const ip_assignment_settings& ip = effective.ip_assignment;
  if (!ip.enabled) {
    out += "Address assignment: off (RRAS's own choice passes through)\n";
  } else {
    out += fmt::format("Address assignment: on, {} static address(es)\n", ip.static_addresses.size());
    for (const ipv4_pool& pool : ip.pools) {
      out +=
          fmt::format("  pool {}: {} - {} ({} addresses){}\n", pool.name, ipv4_text(pool.first), ipv4_text(pool.last),
                      std::uint64_t{pool.last} - pool.first + 1, &pool == &ip.pools.front() ? ", the default" : "");
    }
    if (ip.ipv6_interface_ids) {
      const auto& ids = *ip.ipv6_interface_ids;
      const auto id_text = [](std::uint64_t id) {
        return fmt::format("{:x}:{:x}:{:x}:{:x}", id >> 48, (id >> 32) & 0xFFFF, (id >> 16) & 0xFFFF, id & 0xFFFF);
      };
      out += fmt::format("  IPv6 interface identifiers: {} - {}\n", id_text(ids[0]), id_text(ids[1]));
    }
  }
  const accounting_settings& a = effective.accounting;
  out += fmt::format(
      "Accounting: folder {}, rotate at {} MB, keep files {}, keep {} MB free, flush every {} ms, on failure {}, "
      "journal {} MB, publish within {} ms, forwarding {}\n",
      a.directory.empty() ? "%ProgramData%\\RasWarden\\logs (default)" : a.directory, a.rotate_mb,
      a.retention_days == 0 ? std::string("forever") : fmt::format("{} day(s)", a.retention_days), a.min_free_mb,
      a.flush_interval_ms, a.on_failure == failure_mode::reject_new ? "reject" : "continue",
      a.journal_mb, a.publish_interval_ms,
      a.forward.enabled ? fmt::format("{} {}:{}", a.forward.transport, a.forward.host, a.forward.port)
                        : std::string("off"));
  return out;
}

}  // namespace raswarden::core
