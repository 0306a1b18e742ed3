// The configuration file (JSON): accounting, policy and address assignment. Every key is
// documented in docs/configuration.md and described by docs/raswarden.schema.json; a problem is
// reported with the file, line, column and JSON path it was found at.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raswarden/address.hpp"
#include "raswarden/types.hpp"

namespace raswarden::core {

// What happens while accounting records cannot be written (folder missing, disk full, access
// denied): keep admitting and hold the records in memory (NPS's discard-off is the other way),
// or refuse new connections until writing works again.
enum class failure_mode : std::uint8_t { continue_admitting, reject_new };

struct forward_settings {
  bool enabled = false;
  std::string transport = "tcp";  // "relp" (acknowledged), "tcp" (RFC 6587 octet counting) or "udp"
  std::string host;               // collector address or name
  std::uint16_t port = 514;
  friend bool operator==(const forward_settings&, const forward_settings&) = default;
};

struct accounting_settings {
  std::string directory;                    // empty: the platform default (%ProgramData%\RasWarden\logs)
  std::uint32_t rotate_mb = 64;             // a file is closed and the next one started at this size
  std::uint32_t retention_days = 365;       // files older than this are deleted (0: keep forever)
  std::uint32_t min_free_mb = 256;          // below this free space, the oldest closed files are deleted
  std::uint32_t flush_interval_ms = 1000;   // the journal and the public file reach stable storage within this
  std::uint32_t journal_mb = 64;            // size of the journal ring in <directory>\.journal
  std::uint32_t publish_interval_ms = 100;  // journaled records are in the public file within about this
  bool allow_remote_directory = false;      // a UNC path or a mapped network drive is refused unless set
  failure_mode on_failure = failure_mode::continue_admitting;
  std::uint32_t queue_limit = 100000;  // records held in memory while the log cannot be written
  forward_settings forward;
  friend bool operator==(const accounting_settings&, const accounting_settings&) = default;
};

struct event_log_settings {
  bool rejections = false;  // also report every rejected connection in the Event Log
};

// policy.mode: `audit` decides and records every decision but answers RRAS "accept".
enum class policy_mode : std::uint8_t { enforce, audit };
// policy.reauthentication: what a reauthentication is answered.
enum class reauthentication_mode : std::uint8_t { accept, reject, rules };

// One "HH:MM-HH:MM" window, in minutes after midnight. `end` is exclusive and may be 1440
// ("24:00"); a window whose end is not after its start crosses midnight and belongs to the day it
// starts on.
struct hours_window {
  std::uint16_t start = 0;
  std::uint16_t end = 1440;
};

struct rule_match {
  // Lower-case globs (`*`, `?`). A user pattern may carry a domain ("CORP\a*", "a*@corp.example").
  std::vector<std::string> users;
  std::vector<std::string> domains;
  std::vector<interface_type> interface_types;
  std::vector<tunnel_kind> tunnels;
  std::vector<address_range> remote_endpoints;
  std::uint8_t days = 0;            // bit 0 = Monday .. bit 6 = Sunday; 0 = every day
  std::vector<hours_window> hours;  // empty = the whole day
  bool utc = false;                 // time_zone "utc"; otherwise the server's local time
};

struct policy_rule {
  std::string name;
  bool accept = true;
  std::optional<std::uint32_t> max_sessions_per_user;  // replaces policy.max_sessions_per_user
  std::string pool;                                    // ip_assignment pool for what it matches
  rule_match match;
};

struct policy_settings {
  policy_mode mode = policy_mode::enforce;
  bool default_accept = true;
  std::uint32_t max_sessions_per_user = 0;  // 0 = unlimited
  std::uint32_t max_links_per_connection = 0;
  std::uint32_t max_sessions_total = 0;
  std::vector<policy_rule> rules;  // first match wins
  reauthentication_mode reauthentication = reauthentication_mode::accept;
  bool accept_on_error = true;  // policy.on_error
  // policy.domain_aliases, lower case: UPN suffix -> NetBIOS domain ("corp.example" -> "corp"). A
  // user named in either form is then one account for the rules ("corp\bob", "bob@corp.example"
  // and "bob" with the logon domain "CORP" all match a rule that names any of them).
  std::map<std::string, std::string> domain_aliases;
};

struct ipv4_pool {
  std::string name;
  std::uint32_t first = 0;  // ipv4_to_number form (first octet most significant)
  std::uint32_t last = 0;
};

struct static_address {
  std::string user;           // lower case, optionally with a domain ("corp\alice", "alice@corp.example")
  std::uint32_t address = 0;  // ipv4_to_number form
};

struct ip_assignment_settings {
  bool enabled = false;  // false: RRAS's own choice passes through
  std::vector<static_address> static_addresses;
  std::vector<ipv4_pool> pools;  // the first one is the default pool
  // 64-bit interface identifiers handed to IPv6 clients, inclusive range.
  std::optional<std::array<std::uint64_t, 2>> ipv6_interface_ids;
};

struct settings {
  accounting_settings accounting;
  event_log_settings event_log;
  policy_settings policy;
  ip_assignment_settings ip_assignment;
};

struct settings_result {
  settings value;
  // Each problem names the file, line, column and JSON path, and says what was expected:
  // "raswarden.json:7:18: /policy/rules/0/action: expected one of \"accept\", \"reject\", found \"deny\"".
  // Parsing goes on after a problem (the key keeps its default) so that every problem is reported
  // at once; a file with any problem is not usable as a whole (see `usable`).
  std::vector<std::string> problems;
  // False when the file is not a JSON object at all: nothing in it was used.
  bool document_ok = true;
  // What is allowed but probably not meant, located like the problems and starting "warning: "
  // after the JSON path: a rejecting or limiting rule that names a domain in only one of its forms
  // while policy.domain_aliases does not map it. Warnings do not make the file unusable.
  std::vector<std::string> warnings;

  [[nodiscard]] bool usable() const noexcept { return document_ok && problems.empty(); }
};

// Bounds checked before anything reads the text's structure, so no file can exhaust the stack or
// memory of the service that loads it. A real configuration is a few kilobytes and nests about
// six levels deep.
inline constexpr std::size_t max_configuration_bytes = std::size_t{1} << 20;
inline constexpr std::size_t max_configuration_depth = 64;
// Members of one object (looked up one by one, in file order) and elements of one array (a rule's
// list of user names, for example).
inline constexpr std::size_t max_configuration_members = 1000;
inline constexpr std::size_t max_configuration_elements = 100000;
// At most this many problems are listed; the rest are counted.
inline constexpr std::size_t max_configuration_problems = 20;

// The problem reported for a file of `size` bytes, over max_configuration_bytes (for readers that
// check the size before reading the file).
[[nodiscard]] std::string configuration_too_large(std::string_view source_name, std::uint64_t size);

[[nodiscard]] settings_result parse_settings(std::string_view json_text, std::string_view source_name);

}  // namespace raswarden::core
