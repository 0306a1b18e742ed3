// RFC 5424 syslog messages carrying accounting records, so a farm of RRAS servers can feed one
// existing log pipeline (rsyslog, syslog-ng, Graylog, Splunk, Fluent Bit). The record's JSON is
// the MSG part unchanged; MSGID is the record's event, so collectors can route on it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace raswarden::core {

struct syslog_identity {
  std::string hostname;  // this server
  std::string app_name = "raswarden";
  std::uint32_t process_id = 0;
  std::uint32_t facility = 16;  // local0
};

// One message without framing: "<134>1 2026-11-22T01:00:00.123Z host raswarden 4242 connection-accept - {...}".
// `record` is one accounting line (its trailing newline is dropped); the timestamp and MSGID come
// from its "ts" and "event" fields, so the syslog header agrees with the record.
[[nodiscard]] std::string syslog_message(const syslog_identity& identity, std::string_view record);

// RFC 6587 octet-counting framing for TCP: "<length> <message>".
[[nodiscard]] std::string octet_counted(std::string_view message);

}  // namespace raswarden::core
