#include "raswarden/settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "raswarden/json_locator.hpp"
#include "raswarden/text.hpp"
#include "settings_policy.hpp"

namespace raswarden::core {

namespace {

using json = settings_detail::json;

using settings_detail::found;
using settings_detail::utf8_prefix;

// `text`, or its start and "..." when it is longer than `keep` bytes.
std::string shortened(std::string_view text, std::size_t keep) {
  return text.size() <= keep ? std::string(text) : std::string(utf8_prefix(text, keep)) + "...";
}

// Where problems go: each names the file, the line and column, and the JSON path. At most
// max_configuration_problems are listed; the rest are counted (`unlisted`).
class problem_list {
 public:
  problem_list(std::string_view source, const json_locator& locator, std::vector<std::string>& out)
      : source_(source), locator_(locator), out_(out) {}

  void at_value(const std::string& pointer, std::string_view what) const {
    add(locator_.value(pointer), pointer, what);
  }
  void at_key(const std::string& pointer, std::string_view what) const { add(locator_.key(pointer), pointer, what); }
  [[nodiscard]] std::size_t unlisted() const noexcept { return unlisted_; }

 private:
  void add(text_position position, const std::string& pointer, std::string_view what) const {
    if (out_.size() >= max_configuration_problems) {
      ++unlisted_;
      return;
    }
    out_.push_back(fmt::format("{}:{}:{}: {}: {}", source_, position.line, position.column,
                               pointer.empty() ? "/" : shortened(pointer, 100), what));
  }
  std::string_view source_;
  const json_locator& locator_;
  std::vector<std::string>& out_;
  mutable std::size_t unlisted_ = 0;
};

template <typename Choice>
using choices = std::vector<std::pair<std::string, Choice>>;

template <typename Choice>
std::string choice_names(const choices<Choice>& options) {
  std::string names;
  for (const auto& option : options) names += (names.empty() ? "\"" : ", \"") + option.first + "\"";
  return names;
}

// Reads one object's keys, recording a problem (and keeping the default) for every unknown key
// or wrong value.
class object_reader {
 public:
  object_reader(const json& object, std::string pointer, const problem_list& problems)
      : object_(object), pointer_(std::move(pointer)), problems_(problems) {}

  using handler = std::function<void(const std::string& key, const json& value)>;

  // Calls the handler for each known key; reports the unknown ones.
  void each(const std::map<std::string, handler>& handlers) const {
    for (const auto& [key, value] : object_.items()) {
      const auto found_handler = handlers.find(key);
      if (found_handler == handlers.end()) {
        problems_.at_key(child(key), fmt::format("unknown key (expected one of {})", key_names(handlers)));
      } else {
        found_handler->second(key, value);
      }
    }
  }

  void require(std::initializer_list<std::string_view> keys) const {
    for (const std::string_view key : keys) {
      if (!object_.contains(key)) problems_.at_value(pointer_, fmt::format("missing the required key \"{}\"", key));
    }
  }

  void problem(const std::string& key, std::string_view what) const { problems_.at_value(child(key), what); }

  bool read(const std::string& key, const json& value, std::uint32_t& out, std::uint32_t min, std::uint32_t max) const {
    if (value.is_number_unsigned() && value.get<std::uint64_t>() >= min && value.get<std::uint64_t>() <= max) {
      out = static_cast<std::uint32_t>(value.get<std::uint64_t>());
      return true;
    }
    problem(key, fmt::format("expected an integer from {} to {}, found {}", min, max, found(value)));
    return false;
  }
  bool read(const std::string& key, const json& value, std::string& out) const {
    if (value.is_string() && !value.get<std::string>().empty()) {
      out = value.get<std::string>();
      return true;
    }
    problem(key, fmt::format("expected a non-empty string, found {}", found(value)));
    return false;
  }
  void read(const std::string& key, const json& value, bool& out) const {
    if (value.is_boolean()) {
      out = value.get<bool>();
    } else {
      problem(key, fmt::format("expected true or false, found {}", found(value)));
    }
  }
  template <typename Choice>
  bool read_choice(const std::string& key, const json& value, Choice& out, const choices<Choice>& options) const {
    return read_choice_at(child(key), value, out, options);
  }
  template <typename Choice>
  bool read_choice_at(const std::string& pointer, const json& value, Choice& out,
                      const choices<Choice>& options) const {
    for (const auto& [name, choice] : options) {
      if (value.is_string() && value.get<std::string>() == name) {
        out = choice;
        return true;
      }
    }
    problems_.at_value(pointer, fmt::format("expected one of {}, found {}", choice_names(options), found(value)));
    return false;
  }
  [[nodiscard]] bool require_object(const std::string& key, const json& value) const {
    if (value.is_object()) return true;
    problem(key, fmt::format("expected an object, found {}", value.type_name()));
    return false;
  }
  // Calls `element` for each element of an array value (reporting anything that is not an array).
  void each_element(const std::string& key, const json& value, std::string_view expected,
                    const std::function<void(const std::string& pointer, const json& element)>& element) const {
    if (!value.is_array()) {
      problem(key, fmt::format("expected an array of {}, found {}", expected, value.type_name()));
      return;
    }
    for (std::size_t i = 0; i < value.size(); ++i) element(fmt::format("{}/{}", child(key), i), value[i]);
  }
  [[nodiscard]] std::string child(const std::string& key) const { return pointer_ + "/" + json_locator::escape(key); }
  [[nodiscard]] const problem_list& problems() const noexcept { return problems_; }

 private:
  static std::string key_names(const std::map<std::string, handler>& handlers) {
    std::string names;
    for (const auto& entry : handlers) names += (names.empty() ? "\"" : ", \"") + entry.first + "\"";
    return names;
  }

  const json& object_;
  std::string pointer_;
  const problem_list& problems_;
};

void read_forward(const object_reader& parent, const std::string& key, const json& value, forward_settings& out) {
  if (!parent.require_object(key, value)) return;
  const object_reader r(value, parent.child(key), parent.problems());
  std::uint32_t port = out.port;
  r.each({
      {"enabled", [&](const std::string& k, const json& v) { r.read(k, v, out.enabled); }},
      {"transport",
       [&](const std::string& k, const json& v) {
         r.read_choice<std::string>(k, v, out.transport, {{"relp", "relp"}, {"tcp", "tcp"}, {"udp", "udp"}});
       }},
      {"host", [&](const std::string& k, const json& v) { r.read(k, v, out.host); }},
      {"port", [&](const std::string& k, const json& v) { r.read(k, v, port, 1, 65535); }},
  });
  out.port = static_cast<std::uint16_t>(port);
  if (out.enabled && out.host.empty()) {
    parent.problem(key, "\"host\" is required when forwarding is enabled; forwarding stays off");
    out.enabled = false;
  }
}

void read_accounting(const object_reader& parent, const std::string& key, const json& value, accounting_settings& out) {
  if (!parent.require_object(key, value)) return;
  const object_reader r(value, parent.child(key), parent.problems());
  r.each({
      {"directory", [&](const std::string& k, const json& v) { r.read(k, v, out.directory); }},
      {"rotate_mb", [&](const std::string& k, const json& v) { r.read(k, v, out.rotate_mb, 1, 4096); }},
      {"retention_days", [&](const std::string& k, const json& v) { r.read(k, v, out.retention_days, 0, 36500); }},
      {"min_free_mb", [&](const std::string& k, const json& v) { r.read(k, v, out.min_free_mb, 0, 1048576); }},
      {"flush_interval_ms",
       [&](const std::string& k, const json& v) { r.read(k, v, out.flush_interval_ms, 10, 60000); }},
      {"queue_limit", [&](const std::string& k, const json& v) { r.read(k, v, out.queue_limit, 0, 10000000); }},
      {"on_failure",
       [&](const std::string& k, const json& v) {
         r.read_choice<failure_mode>(
             k, v, out.on_failure,
             {{"continue", failure_mode::continue_admitting}, {"reject", failure_mode::reject_new}});
       }},
      {"journal_mb", [&](const std::string& k, const json& v) { r.read(k, v, out.journal_mb, 1, 4096); }},
      {"allow_remote_directory", [&](const std::string& k, const json& v) { r.read(k, v, out.allow_remote_directory); }},
      {"publish_interval_ms",
       [&](const std::string& k, const json& v) { r.read(k, v, out.publish_interval_ms, 10, 5000); }},
      // Obsolete since every record goes through the journal; still accepted so that an older
      // configuration keeps working, and ignored.
      {"write_method",
       [&](const std::string& k, const json& v) {
         std::string ignored;
         r.read_choice<std::string>(k, v, ignored, {{"mapped", "mapped"}, {"append", "append"}});
       }},
      {"forward", [&](const std::string& k, const json& v) { read_forward(r, k, v, out.forward); }},
  });
}

// ---- policy ----

const choices<interface_type> interface_type_choices = {
    {"client", interface_type::client},           {"home-router", interface_type::home_router},
    {"full-router", interface_type::full_router}, {"dedicated", interface_type::dedicated},
    {"internal", interface_type::internal},       {"loopback", interface_type::loopback},
    {"tunnel", interface_type::tunnel},           {"dialout", interface_type::dialout}};
const choices<tunnel_kind> tunnel_choices = {{"pptp", tunnel_kind::pptp},
                                             {"l2tp", tunnel_kind::l2tp},
                                             {"sstp", tunnel_kind::sstp},
                                             {"ikev2", tunnel_kind::ikev2},
                                             {"ppp", tunnel_kind::ppp}};
const choices<std::uint8_t> day_choices = {{"mon", 0}, {"tue", 1}, {"wed", 2}, {"thu", 3},
                                           {"fri", 4}, {"sat", 5}, {"sun", 6}};

std::optional<std::uint16_t> parse_clock(std::string_view text) {
  // "HH:MM", 00:00 .. 24:00.
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  unsigned hours = 0;
  unsigned minutes = 0;
  if (std::from_chars(text.data(), text.data() + 2, hours).ptr != text.data() + 2 ||
      std::from_chars(text.data() + 3, text.data() + 5, minutes).ptr != text.data() + 5) {
    return std::nullopt;
  }
  if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0)) return std::nullopt;
  return static_cast<std::uint16_t>(hours * 60 + minutes);
}

std::optional<hours_window> parse_hours(std::string_view text) {
  const std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto start = parse_clock(text.substr(0, dash));
  const auto end = parse_clock(text.substr(dash + 1));
  if (!start || !end || *start == 1440) return std::nullopt;
  return hours_window{*start, *end};
}

// Reads an array of non-empty strings; each goes through `accept`, which returns an error text or "".
void read_strings(const object_reader& r, const std::string& key, const json& value,
                  const std::function<std::string(const std::string& text)>& accept) {
  r.each_element(key, value, "strings", [&](const std::string& pointer, const json& element) {
    if (!element.is_string() || element.get<std::string>().empty()) {
      r.problems().at_value(pointer, fmt::format("expected a non-empty string, found {}", found(element)));
      return;
    }
    if (const std::string error = accept(element.get<std::string>()); !error.empty()) {
      r.problems().at_value(pointer, error);
    }
  });
}

void read_match(const object_reader& parent, const std::string& key, const json& value, rule_match& out) {
  if (!parent.require_object(key, value)) return;
  const object_reader r(value, parent.child(key), parent.problems());
  r.each({
      {"users",
       [&](const std::string& k, const json& v) {
         read_strings(r, k, v, [&](const std::string& text) {
           out.users.push_back(ascii_lower(text));
           return std::string();
         });
       }},
      {"domains",
       [&](const std::string& k, const json& v) {
         read_strings(r, k, v, [&](const std::string& text) {
           out.domains.push_back(ascii_lower(text));
           return std::string();
         });
       }},
      {"interface_types",
       [&](const std::string& k, const json& v) {
         r.each_element(k, v, "interface types", [&](const std::string& pointer, const json& element) {
           interface_type type{};
           if (r.read_choice_at(pointer, element, type, interface_type_choices)) out.interface_types.push_back(type);
         });
       }},
      {"tunnels",
       [&](const std::string& k, const json& v) {
         r.each_element(k, v, "tunnel kinds", [&](const std::string& pointer, const json& element) {
           tunnel_kind tunnel{};
           if (r.read_choice_at(pointer, element, tunnel, tunnel_choices)) out.tunnels.push_back(tunnel);
         });
       }},
      {"remote_endpoints",
       [&](const std::string& k, const json& v) {
         read_strings(r, k, v, [&](const std::string& text) {
           auto parsed = parse_address_range(text);
           if (!parsed.range) return "expected an IPv4 or IPv6 address or CIDR range: " + parsed.error;
           out.remote_endpoints.push_back(*parsed.range);
           return std::string();
         });
       }},
      {"days",
       [&](const std::string& k, const json& v) {
         r.each_element(k, v, "days", [&](const std::string& pointer, const json& element) {
           std::uint8_t day = 0;
           if (r.read_choice_at(pointer, element, day, day_choices)) out.days |= static_cast<std::uint8_t>(1U << day);
         });
       }},
      {"hours",
       [&](const std::string& k, const json& v) {
         read_strings(r, k, v, [&](const std::string& text) {
           const auto window = parse_hours(text);
           if (!window) {
             return fmt::format("expected \"HH:MM-HH:MM\" (00:00 to 24:00), found \"{}\"", text);
           }
           if (window->start == window->end) {
             return fmt::format("\"{}\" is an empty window (use \"00:00-24:00\" for the whole day)", text);
           }
           out.hours.push_back(*window);
           return std::string();
         });
       }},
      {"time_zone",
       [&](const std::string& k, const json& v) {
         r.read_choice<bool>(k, v, out.utc, {{"local", false}, {"utc", true}});
       }},
  });
}

void read_rule(const object_reader& rules, const std::string& pointer, const json& value, policy_rule& out) {
  if (!value.is_object()) {
    rules.problems().at_value(pointer, fmt::format("expected a rule object, found {}", value.type_name()));
    return;
  }
  const object_reader r(value, pointer, rules.problems());
  r.require({"name", "action"});
  r.each({
      {"name", [&](const std::string& k, const json& v) { r.read(k, v, out.name); }},
      {"action",
       [&](const std::string& k, const json& v) {
         r.read_choice<bool>(k, v, out.accept, {{"accept", true}, {"reject", false}});
       }},
      {"max_sessions_per_user",
       [&](const std::string& k, const json& v) {
         std::uint32_t limit = 0;
         if (r.read(k, v, limit, 0, 1000000)) out.max_sessions_per_user = limit;
       }},
      {"pool", [&](const std::string& k, const json& v) { r.read(k, v, out.pool); }},
      {"match", [&](const std::string& k, const json& v) { read_match(r, k, v, out.match); }},
  });
}

void read_policy(const object_reader& parent, const std::string& key, const json& value, policy_settings& out) {
  if (!parent.require_object(key, value)) return;
  const object_reader r(value, parent.child(key), parent.problems());
  r.each({
      {"mode",
       [&](const std::string& k, const json& v) {
         r.read_choice<policy_mode>(k, v, out.mode, {{"enforce", policy_mode::enforce}, {"audit", policy_mode::audit}});
       }},
      {"default",
       [&](const std::string& k, const json& v) {
         r.read_choice<bool>(k, v, out.default_accept, {{"accept", true}, {"reject", false}});
       }},
      {"max_sessions_per_user",
       [&](const std::string& k, const json& v) { r.read(k, v, out.max_sessions_per_user, 0, 1000000); }},
      {"max_links_per_connection",
       [&](const std::string& k, const json& v) { r.read(k, v, out.max_links_per_connection, 0, 1000); }},
      {"max_sessions_total",
       [&](const std::string& k, const json& v) { r.read(k, v, out.max_sessions_total, 0, 10000000); }},
      {"rules",
       [&](const std::string& k, const json& v) {
         std::map<std::string, std::string> names;  // lower-case name -> where it was first used
         r.each_element(k, v, "rule objects", [&](const std::string& pointer, const json& element) {
           policy_rule rule;
           read_rule(r, pointer, element, rule);
           if (!rule.name.empty()) {
             const auto [first, inserted] = names.emplace(ascii_lower(rule.name), pointer);
             if (!inserted) {
               r.problems().at_value(pointer + "/name", fmt::format("the rule name \"{}\" is already used by {}",
                                                                    rule.name, first->second));
             }
           }
           out.rules.push_back(std::move(rule));
         });
       }},
      {"reauthentication",
       [&](const std::string& k, const json& v) {
         r.read_choice<reauthentication_mode>(k, v, out.reauthentication,
                                              {{"accept", reauthentication_mode::accept},
                                               {"reject", reauthentication_mode::reject},
                                               {"rules", reauthentication_mode::rules}});
       }},
      {"on_error",
       [&](const std::string& k, const json& v) {
         r.read_choice<bool>(k, v, out.accept_on_error, {{"accept", true}, {"reject", false}});
       }},
      {"domain_aliases",
       [&](const std::string& k, const json& v) {
         const problem_list& p = r.problems();
         settings_detail::read_domain_aliases(
             v, r.child(k),
             {[&](const std::string& at, std::string_view what) { p.at_value(at, what); },
              [&](const std::string& at, std::string_view what) { p.at_key(at, what); }},
             out.domain_aliases);
       }},
  });
}

// ---- ip_assignment ----

std::optional<std::uint32_t> parse_ipv4_number(const std::string& text) {
  const auto address = parse_ip_address(text);
  if (!address || address->v6) return std::nullopt;
  return ipv4_to_number(*address);
}

// "x:x:x:x": the low 64 bits of an IPv6 address, as they are written there.
std::optional<std::uint64_t> parse_interface_id(std::string_view text) {
  std::uint64_t value = 0;
  std::size_t groups = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = text.find(':', start);
    const std::string_view group = text.substr(start, colon == std::string_view::npos ? text.npos : colon - start);
    unsigned number = 0;
    if (group.empty() || group.size() > 4 ||
        std::from_chars(group.data(), group.data() + group.size(), number, 16).ptr != group.data() + group.size()) {
      return std::nullopt;
    }
    value = (value << 16) | number;
    ++groups;
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (groups != 4) return std::nullopt;
  return value;
}

// True when the pool's addresses were read (so it can be compared with the other pools).
bool read_pool(const object_reader& pools, const std::string& pointer, const json& value, ipv4_pool& out) {
  if (!value.is_object()) {
    pools.problems().at_value(pointer, fmt::format("expected a pool object, found {}", value.type_name()));
    return false;
  }
  const object_reader r(value, pointer, pools.problems());
  r.require({"name"});
  bool addresses_read = true;
  const bool has_range = value.contains("range");
  const bool has_bounds = value.contains("first") || value.contains("last");
  if (has_range == has_bounds || (has_bounds && !(value.contains("first") && value.contains("last")))) {
    r.problems().at_value(pointer, "expected either \"range\" (CIDR) or both \"first\" and \"last\"");
    addresses_read = false;
  }
  const auto read_address = [&](const std::string& k, const json& v, std::uint32_t& into) {
    const auto number = v.is_string() ? parse_ipv4_number(v.get<std::string>()) : std::nullopt;
    if (number) {
      into = *number;
    } else {
      r.problem(k, fmt::format("expected an IPv4 address such as \"10.0.0.1\", found {}", found(v)));
      addresses_read = false;
    }
  };
  r.each({
      {"name", [&](const std::string& k, const json& v) { r.read(k, v, out.name); }},
      {"first", [&](const std::string& k, const json& v) { read_address(k, v, out.first); }},
      {"last", [&](const std::string& k, const json& v) { read_address(k, v, out.last); }},
      {"range",
       [&](const std::string& k, const json& v) {
         const auto parsed = v.is_string() ? parse_address_range(v.get<std::string>()) : range_parse_result{};
         if (!parsed.range || parsed.range->network.v6 || parsed.range->prefix_length > 30) {
           r.problem(k, fmt::format("expected an IPv4 CIDR range of at least 4 addresses such as \"10.0.0.0/24\", "
                                    "found {}{}",
                                    found(v), parsed.error.empty() ? "" : " (" + parsed.error + ")"));
           addresses_read = false;
           return;
         }
         // The network and broadcast addresses are never handed out.
         const std::uint64_t network = ipv4_to_number(parsed.range->network);
         const std::uint64_t size = std::uint64_t{1} << (32 - parsed.range->prefix_length);
         out.first = static_cast<std::uint32_t>(network + 1);
         out.last = static_cast<std::uint32_t>(network + size - 2);
       }},
  });
  if (!addresses_read) return false;
  if (out.first > out.last) {
    r.problems().at_value(pointer, "\"first\" comes after \"last\"");
    return false;
  }
  return true;
}

void read_ip_assignment(const object_reader& parent, const std::string& key, const json& value,
                        ip_assignment_settings& out) {
  if (!parent.require_object(key, value)) return;
  const object_reader r(value, parent.child(key), parent.problems());
  r.each({
      {"enabled", [&](const std::string& k, const json& v) { r.read(k, v, out.enabled); }},
      {"static",
       [&](const std::string& k, const json& v) {
         if (!r.require_object(k, v)) return;
         std::map<std::uint32_t, std::string> owners;
         std::map<std::string, std::string> users;  // lower-case user -> as first written
         for (const auto& [user, address] : v.items()) {
           const std::string pointer = r.child(k) + "/" + json_locator::escape(user);
           const auto number = address.is_string() ? parse_ipv4_number(address.get<std::string>()) : std::nullopt;
           if (!number) {
             r.problems().at_value(
                 pointer, fmt::format("expected an IPv4 address such as \"10.0.0.1\", found {}", found(address)));
             continue;
           }
           if (const auto [first, inserted] = users.emplace(ascii_lower(user), user); !inserted) {
             r.problems().at_key(pointer, fmt::format("\"{}\" already has a static address (as \"{}\"; user "
                                                      "names are not case-sensitive)",
                                                      user, first->second));
             continue;
           }
           if (const auto [owner, inserted] = owners.emplace(*number, user); !inserted) {
             r.problems().at_value(pointer, fmt::format("{} is already the static address of \"{}\"",
                                                        address.get<std::string>(), owner->second));
             continue;
           }
           out.static_addresses.push_back(static_address{ascii_lower(user), *number});
         }
       }},
      {"pools",
       [&](const std::string& k, const json& v) {
         std::vector<std::string> pointers;
         std::vector<bool> readable_pools;  // a pool whose addresses are wrong overlaps nothing
         r.each_element(k, v, "pool objects", [&](const std::string& pointer, const json& element) {
           ipv4_pool pool;
           const bool readable = read_pool(r, pointer, element, pool);
           for (std::size_t i = 0; i < out.pools.size(); ++i) {
             const ipv4_pool& other = out.pools[i];
             if (!pool.name.empty() && ascii_lower(pool.name) == ascii_lower(other.name)) {
               r.problems().at_value(pointer + "/name",
                                     fmt::format("the pool name \"{}\" is already used by {}", pool.name, pointers[i]));
             } else if (readable && readable_pools[i] && pool.first <= other.last && other.first <= pool.last) {
               r.problems().at_value(pointer, fmt::format("overlaps the pool \"{}\" ({})", other.name, pointers[i]));
             }
           }
           pointers.push_back(pointer);
           readable_pools.push_back(readable);
           out.pools.push_back(std::move(pool));
         });
       }},
      {"ipv6_interface_ids",
       [&](const std::string& k, const json& v) {
         if (!r.require_object(k, v)) return;
         const object_reader ids(v, r.child(k), r.problems());
         ids.require({"first", "last"});
         std::array<std::uint64_t, 2> range{};
         bool ok = v.contains("first") && v.contains("last");
         const auto read_id = [&](const std::string& id_key, const json& id_value, std::uint64_t& into) {
           const auto id = id_value.is_string() ? parse_interface_id(id_value.get<std::string>()) : std::nullopt;
           if (id && *id != 0) {
             into = *id;
           } else {
             ids.problem(id_key, fmt::format("expected a non-zero 64-bit interface identifier written as four hex "
                                             "groups such as \"0:0:0:1\", found {}",
                                             found(id_value)));
             ok = false;
           }
         };
         ids.each({{"first", [&](const std::string& ik, const json& iv) { read_id(ik, iv, range[0]); }},
                   {"last", [&](const std::string& ik, const json& iv) { read_id(ik, iv, range[1]); }}});
         if (ok && range[0] > range[1]) {
           ids.problems().at_value(r.child(k), "\"first\" comes after \"last\"");
           ok = false;
         }
         if (ok) out.ipv6_interface_ids = range;
       }},
  });
}

// What one part of the file says about another: a rule's pool must exist.
void cross_check(const settings& value, const problem_list& problems) {
  std::set<std::string> pools;
  for (const ipv4_pool& pool : value.ip_assignment.pools) pools.insert(ascii_lower(pool.name));
  for (std::size_t i = 0; i < value.policy.rules.size(); ++i) {
    const policy_rule& rule = value.policy.rules[i];
    if (!rule.pool.empty() && !pools.contains(ascii_lower(rule.pool))) {
      problems.at_value(fmt::format("/policy/rules/{}/pool", i),
                        fmt::format("no pool named \"{}\" in /ip_assignment/pools", rule.pool));
    }
  }
}

// "[json.exception.parse_error.101] parse error at line 1, column 16: syntax error ..." -> the
// part after the position, which the problem already states; "[json.exception.out_of_range.406]
// number overflow parsing '1e999'" -> the part after the id.
std::string parse_error_text(const json::exception& error) {
  std::string text = error.what();
  if (const std::size_t colon = text.find(": ", text.find("column")); colon != std::string::npos) {
    text.erase(0, colon + 2);
  } else if (const std::size_t id_end = text.find("] "); id_end != std::string::npos) {
    text.erase(0, id_end + 2);
  }
  // "last read: '...'" echoes raw input bytes, which may not be UTF-8: the record must stay valid.
  std::replace_if(
      text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }, '?');
  return text;
}

}  // namespace

std::string configuration_too_large(std::string_view source_name, std::uint64_t size) {
  return fmt::format("{}: the file is {} bytes; a configuration may be at most {} bytes (1 MiB)", source_name, size,
                     max_configuration_bytes);
}

settings_result parse_settings(std::string_view json_text, std::string_view source_name) {
  settings_result result;
  // Bounded before any parsing: the JSON library's reader keeps a stack as deep as the text
  // nests, and writing a value out again recurses through it.
  if (json_text.size() > max_configuration_bytes) {
    result.problems.push_back(configuration_too_large(source_name, json_text.size()));
    result.document_ok = false;
    return result;
  }
  if (const auto bad = json_locator::check_shape(json_text, max_configuration_depth, max_configuration_members,
                                                 max_configuration_elements)) {
    const text_position at = json_locator::position_of(json_text, bad->offset);
    result.problems.push_back(
        bad->too_deep
            ? fmt::format("{}:{}:{}: objects and arrays nest more than {} levels deep here; no "
                          "configuration needs that many",
                          source_name, at.line, at.column, max_configuration_depth)
            : fmt::format("{}:{}:{}: the object or array this is in holds more than {} members or {} "
                          "elements; no configuration needs that many",
                          source_name, at.line, at.column, max_configuration_members, max_configuration_elements));
    result.document_ok = false;
    return result;
  }
  json document;
  std::optional<std::size_t> failed_at;
  std::string failure;
  try {
    // Comments are allowed (nlohmann's ignore_comments): an administrator's notes stay in the file.
    document = json::parse(json_text, nullptr, true, true);
  } catch (const json::parse_error& e) {
    // nlohmann counts the byte that failed from 1; it may be one past the end.
    failed_at = e.byte == 0 ? 0 : e.byte - 1;
    failure = parse_error_text(e);
  } catch (const json::out_of_range& e) {
    // A number too large for a double ("1e999") comes without its position: point at its text.
    failure = parse_error_text(e);
    const std::size_t open = failure.find('\'');
    const std::size_t close = failure.rfind('\'');
    const std::size_t found =
        open < close ? json_text.find(std::string_view(failure).substr(open + 1, close - open - 1)) : 0;
    failed_at = found == std::string_view::npos ? 0 : found;
  }
  if (failed_at) {
    const text_position at = json_locator::position_of(json_text, *failed_at);
    result.problems.push_back(fmt::format("{}:{}:{}: not valid JSON: {}", source_name, at.line, at.column, failure));
    result.document_ok = false;
    return result;
  }
  const json_locator locator(json_text);
  const problem_list problems(source_name, locator, result.problems);
  if (!document.is_object()) {
    problems.at_value("", fmt::format("expected an object, found {}", document.type_name()));
    result.document_ok = false;
    return result;
  }
  for (const std::string& pointer : locator.duplicate_keys()) {
    problems.at_key(pointer, "this key appears more than once in its object");
  }
  const object_reader root(document, "", problems);
  root.each({
      {"schema",
       [&](const std::string& k, const json& v) {
         if (!v.is_number_unsigned() || v.get<std::uint64_t>() != 1) root.problem(k, "expected 1, found " + found(v));
       }},
      {"accounting",
       [&](const std::string& k, const json& v) { read_accounting(root, k, v, result.value.accounting); }},
      {"event_log",
       [&](const std::string& k, const json& v) {
         if (!root.require_object(k, v)) return;
         const object_reader r(v, root.child(k), problems);
         r.each({{"rejections", [&](const std::string& key, const json& value) {
                    r.read(key, value, result.value.event_log.rejections);
                  }}});
       }},
      {"policy", [&](const std::string& k, const json& v) { read_policy(root, k, v, result.value.policy); }},
      {"ip_assignment",
       [&](const std::string& k, const json& v) { read_ip_assignment(root, k, v, result.value.ip_assignment); }},
  });
  cross_check(result.value, problems);
  if (problems.unlisted() > 0) {
    result.problems.push_back(fmt::format("{}: and {} more problem(s), not listed", source_name, problems.unlisted()));
  }
  const problem_list warnings(source_name, locator, result.warnings);
  for (const auto& note : settings_detail::domain_form_warnings(result.value.policy)) {
    warnings.at_value(note.pointer, "warning: " + note.text);
  }
  if (warnings.unlisted() > 0) {
    result.warnings.push_back(fmt::format("{}: and {} more warning(s), not listed", source_name, warnings.unlisted()));
  }
  return result;
}

}  // namespace raswarden::core
