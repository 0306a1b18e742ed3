// Realistic RRAS callback arguments, built from a short description of a connection and its
// links: what RRAS would pass for a PPTP, L2TP, SSTP, IKEv2 or dial-up session. Used by rrashost
// and by the tests that load raswarden.dll.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "win32/mprapi_sdk.hpp"

namespace raswarden::host {

enum class tunnel_type : std::uint8_t { pptp, l2tp, sstp, ikev2, dialup };
[[nodiscard]] std::string_view to_string(tunnel_type type) noexcept;

struct traffic {
  DWORD bytes_in = 0;  // received from the client
  DWORD bytes_out = 0;
  DWORD frames_in = 0;
  DWORD frames_out = 0;
  DWORD crc_errors = 0;
  DWORD timeout_errors = 0;
  DWORD alignment_errors = 0;
  DWORD hardware_overruns = 0;
  DWORD framing_errors = 0;
  DWORD buffer_overruns = 0;
};

struct connection_spec {
  std::uintptr_t handle = 0;
  std::uintptr_t interface_handle = 0;
  GUID guid{};
  tunnel_type tunnel = tunnel_type::sstp;
  std::wstring user;
  std::wstring domain;
  std::wstring remote_computer;
  std::wstring client_ipv4;      // address RRAS gave the client
  std::wstring server_ipv4;      // the server's end
  std::wstring remote_endpoint;  // the client's public address
  std::wstring local_endpoint;
  DWORD duration_s = 0;
  traffic counters;
  RAS_QUARANTINE_STATE quarantine = RAS_QUAR_STATE_NORMAL;
};

struct link_spec {
  std::uintptr_t port = 0;
  std::uintptr_t connection = 0;
  tunnel_type tunnel = tunnel_type::sstp;
  std::wstring port_name;  // e.g. "VPN3-17"
  DWORD line_speed_bps = 0;
  DWORD duration_s = 0;
  traffic counters;
};

// Every connection struct a family can pass, filled consistently from one spec. Heap-allocated:
// together they are several kilobytes.
struct connection_structs {
  RAS_CONNECTION_0 c0{};
  RAS_CONNECTION_1 c1{};
  RAS_CONNECTION_2 c2{};
  RAS_CONNECTION_3 c3{};
  RAS_CONNECTION_EX ex{};
};
[[nodiscard]] std::unique_ptr<connection_structs> make_connection(const connection_spec& spec);

struct port_structs {
  RAS_PORT_0 p0{};
  RAS_PORT_1 p1{};
};
[[nodiscard]] port_structs make_port(const link_spec& spec);

// The device RRAS names for each tunnel's WAN miniport.
[[nodiscard]] std::wstring_view device_name(tunnel_type type) noexcept;

// Copies text into a fixed WCHAR array, truncating, always terminated.
template <std::size_t N>
void copy_name(WCHAR (&field)[N], std::wstring_view text) {
  const std::size_t count = text.size() < N - 1 ? text.size() : N - 1;
  for (std::size_t i = 0; i < count; ++i) field[i] = text[i];
  for (std::size_t i = count; i < N; ++i) field[i] = L'\0';
}

// Fills the whole array with `fill` and no terminator: what a hostile or buggy caller could pass.
template <std::size_t N>
void fill_unterminated(WCHAR (&field)[N], WCHAR fill) {
  for (std::size_t i = 0; i < N; ++i) field[i] = fill;
}

// A GUID that differs for every (seed, counter) pair.
[[nodiscard]] GUID make_guid(std::uint64_t seed, std::uint64_t counter) noexcept;

}  // namespace raswarden::host
