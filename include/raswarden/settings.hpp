// The configuration file (JSON). This version knows the accounting keys; the policy issue adds
// the rest, with line/column reporting and a JSON Schema.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace raswarden::core {

// What happens while accounting records cannot be written (folder missing, disk full, access
// denied): keep admitting and hold the records in memory (NPS's discard-off is the other way),
// or refuse new connections until writing works again.
enum class failure_mode : std::uint8_t { continue_admitting, reject_new };

struct forward_settings {
  bool enabled = false;
  std::string transport = "tcp";  // "tcp" (RFC 6587 octet counting) or "udp"
  std::string host;               // collector address or name
  std::uint16_t port = 514;
};

struct accounting_settings {
  std::string directory;                   // empty: the platform default (%ProgramData%\RasWarden\logs)
  std::uint32_t rotate_mb = 64;            // a file is closed and the next one started at this size
  std::uint32_t retention_days = 365;      // files older than this are deleted (0: keep forever)
  std::uint32_t min_free_mb = 256;         // below this free space, the oldest closed files are deleted
  std::uint32_t flush_interval_ms = 1000;  // records reach stable storage within this
  failure_mode on_failure = failure_mode::continue_admitting;
  std::uint32_t queue_limit = 100000;  // records held in memory while the log cannot be written
  forward_settings forward;
};

struct event_log_settings {
  bool rejections = false;  // also report every rejected connection in the Event Log
};

struct settings {
  accounting_settings accounting;
  event_log_settings event_log;
};

struct settings_result {
  settings value;
  // Each problem names the file and the JSON path ("raswarden.json: /accounting/rotate_mb: ...").
  // A problem never stops loading: the key keeps its default and the problem is reported.
  std::vector<std::string> problems;
  // False when the file is not a JSON object at all: nothing in it was used.
  bool document_ok = true;
};

[[nodiscard]] settings_result parse_settings(std::string_view json_text, std::string_view source_name);

}  // namespace raswarden::core
