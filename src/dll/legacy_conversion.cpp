#include "dll/legacy_conversion.hpp"

#include <string>

#include "raswarden/text.hpp"

namespace raswarden::dll {

namespace {

template <std::size_t N>
std::string read_name(const char16_t (&field)[N]) {
  return core::utf8_from_utf16(field, N);
}

// "Xmited" is what the server sent (out), "Rcved" what it received from the client (in).
core::traffic_counters connection_totals(const legacy_layout::ras_port_statistics& s) {
  core::traffic_counters t;
  t.bytes_out = s.dwBytesXmited;
  t.bytes_in = s.dwBytesRcved;
  t.frames_out = s.dwFramesXmited;
  t.frames_in = s.dwFramesRcved;
  t.errors = {s.dwCrcErr,     s.dwTimeoutErr,      s.dwAlignmentErr, s.dwHardwareOverrunErr,
              s.dwFramingErr, s.dwBufferOverrunErr};
  return t;
}

core::traffic_counters port_totals(const legacy_layout::ras_port_statistics& s) {
  core::traffic_counters t;
  t.bytes_out = s.dwPortBytesXmited;
  t.bytes_in = s.dwPortBytesRcved;
  t.frames_out = s.dwPortFramesXmited;
  t.frames_in = s.dwPortFramesRcved;
  t.errors = {s.dwPortCrcErr,     s.dwPortTimeoutErr,      s.dwPortAlignmentErr, s.dwPortHardwareOverrunErr,
              s.dwPortFramingErr, s.dwPortBufferOverrunErr};
  return t;
}

}  // namespace

std::optional<core::legacy_port> to_legacy_port(const legacy_layout::ras_port_1* port,
                                                const legacy_layout::ras_port_statistics* stats) {
  if (port == nullptr) return std::nullopt;
  const legacy_layout::ras_port_0& p0 = port->rasport0;
  core::legacy_port out;
  out.link.port_name = read_name(p0.wszPortName);
  out.link.device_type = read_name(p0.wszDeviceType);
  out.link.device = read_name(p0.wszDeviceName);
  out.link.media = read_name(p0.wszMediaName);
  out.link.line_speed_bps = port->LineSpeed;
  out.connection.user = read_name(p0.wszUserName);
  out.connection.domain = read_name(p0.wszLogonDomain);
  out.connection.remote_computer = read_name(p0.wszComputer);
  out.connection.client_ipv4 = read_name(port->ProjResult.ip.wszAddress);
  out.start_session_time = p0.dwStartSessionTime;
  if (stats != nullptr) {
    out.connection.traffic = connection_totals(*stats);
    out.link.traffic = port_totals(*stats);
  }
  return out;
}

core::address_request to_legacy_address_request(const char16_t* user, const char16_t* port) {
  return core::address_request{core::utf8_from_utf16(user, legacy_layout::max_address_user),
                               core::utf8_from_utf16(port, legacy_layout::max_address_port)};
}

}  // namespace raswarden::dll
