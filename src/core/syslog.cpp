#include "raswarden/syslog.hpp"

#include <fmt/format.h>

namespace raswarden::core {

namespace {

// The value of a top-level string field in one of our own records, without parsing the whole
// record: our writer emits `"name":"value"` with no spaces, and event names and timestamps need no
// escaping.
std::string_view string_field(std::string_view record, std::string_view name) {
  const std::string key = fmt::format("\"{}\":\"", name);
  const std::size_t at = record.find(key);
  if (at == std::string_view::npos) return {};
  const std::size_t start = at + key.size();
  const std::size_t end = record.find('"', start);
  return end == std::string_view::npos ? std::string_view{} : record.substr(start, end - start);
}

// RFC 5424 header fields are printable US-ASCII without spaces, with their own length limits.
std::string header_field(std::string_view text, std::size_t max_length) {
  std::string out;
  for (const char c : text) {
    if (out.size() == max_length) break;
    out.push_back(c > 32 && c < 127 ? c : '_');
  }
  return out.empty() ? "-" : out;
}

}  // namespace

std::string syslog_message(const syslog_identity& identity, std::string_view record) {
  if (!record.empty() && record.back() == '\n') record.remove_suffix(1);
  // Accounting records are informational (6); failures are reported through other channels.
  const std::uint32_t priority = identity.facility * 8 + 6;
  const std::string_view timestamp = string_field(record, "ts");
  const std::string_view event = string_field(record, "event");
  return fmt::format("<{}>1 {} {} {} {} {} - {}", priority, timestamp.empty() ? "-" : timestamp,
                     header_field(identity.hostname, 255), header_field(identity.app_name, 48),
                     identity.process_id == 0 ? std::string("-") : std::to_string(identity.process_id),
                     header_field(event, 32), record);
}

std::string octet_counted(std::string_view message) {
  return fmt::format("{} {}", message.size(), message);
}

}  // namespace raswarden::core
