// Value types the core works with. The DLL's adapters build them from the Win32 structs RRAS
// passes in; nothing here names a Windows type, so the core builds and is tested on Linux too.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace raswarden::core {

// A Win32 handle value as an integer. Only compared, never dereferenced.
using handle_value = std::uint64_t;

// A GUID in its Win32 field layout (Data1..Data4), printed in the registry form
// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower case, no braces).
struct guid {
  std::uint32_t data1 = 0;
  std::uint16_t data2 = 0;
  std::uint16_t data3 = 0;
  std::array<std::uint8_t, 8> data4{};

  [[nodiscard]] bool is_nil() const noexcept;
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] std::array<char, 36> text() const noexcept;  // to_string's characters, without allocating
  friend bool operator==(const guid&, const guid&) = default;
};

// ROUTER_INTERFACE_TYPE; values outside the documented range are kept as `unknown`.
enum class interface_type : std::uint8_t {
  client,
  home_router,
  full_router,
  dedicated,
  internal,
  loopback,
  tunnel,
  dialout,
  unknown,
};
[[nodiscard]] interface_type interface_type_from_raw(std::uint32_t raw) noexcept;
[[nodiscard]] std::string_view to_string(interface_type type) noexcept;

enum class tunnel_kind : std::uint8_t { unknown, pptp, l2tp, sstp, ikev2, ppp };
[[nodiscard]] std::string_view to_string(tunnel_kind kind) noexcept;
// Recognises the tunnel from an RRAS device or port name ("WAN Miniport (SSTP)", "VPN2-13").
[[nodiscard]] tunnel_kind tunnel_from_device(std::string_view device_type, std::string_view device_name) noexcept;

// RAS_QUARANTINE_STATE.
enum class quarantine_state : std::uint8_t { normal, quarantine, probation, not_capable, unknown };
[[nodiscard]] quarantine_state quarantine_state_from_raw(std::uint32_t raw) noexcept;
[[nodiscard]] std::string_view to_string(quarantine_state state) noexcept;

// RAS_FLAGS_* bits of dwConnectionFlags.
namespace connection_flags {
inline constexpr std::uint32_t ppp = 0x1;
inline constexpr std::uint32_t messenger_present = 0x2;
inline constexpr std::uint32_t quarantine_present = 0x8;
inline constexpr std::uint32_t ikev2 = 0x10;  // shares its value with RAS_FLAGS_ARAP_CONNECTION
inline constexpr std::uint32_t dormant = 0x20;
}  // namespace connection_flags

struct error_counters {
  std::uint32_t crc = 0;
  std::uint32_t timeout = 0;
  std::uint32_t alignment = 0;
  std::uint32_t hw_overrun = 0;
  std::uint32_t framing = 0;
  std::uint32_t buffer_overrun = 0;
};

// Counters as RRAS reports them. "in" is what the server received from the client, "out" what
// it sent. RRAS's 32-bit counters are widened here so later code can add wrap detection.
struct traffic_counters {
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t frames_in = 0;
  std::uint64_t frames_out = 0;
  error_counters errors;
  std::uint32_t compression_ratio_in = 0;
  std::uint32_t compression_ratio_out = 0;
};

// The authentication method negotiated by PPP's LCP or by IKEv2.
struct authentication {
  std::uint32_t protocol = 0;  // PPP_LCP_PAP/CHAP/EAP..., or MPRAPI_IKEV2_AUTH_USING_* for IKEv2
  std::uint32_t data = 0;      // CHAP variant (MD5, MS-CHAP, MS-CHAPv2)
  std::uint32_t eap_type = 0;  // EAP type id when protocol is EAP
  bool ikev2 = false;
};
// A short stable name: "pap", "chap-md5", "mschap", "mschapv2", "eap-tls", "peap", "eap-<n>",
// "ikev2-cert", "ikev2-eap", or "" when nothing was negotiated.
[[nodiscard]] std::string auth_protocol_name(const authentication& auth);

// Everything one connection callback tells about a connection. Fields stay empty when the
// callback family that delivered it does not carry them.
struct connection_info {
  handle_value handle = 0;
  handle_value interface_handle = 0;
  std::optional<guid> id;
  std::string user;
  std::string domain;
  std::string interface_name;
  std::optional<interface_type> if_type;
  std::string remote_computer;
  std::optional<std::uint32_t> flags;
  std::optional<std::uint32_t> duration_s;
  std::optional<traffic_counters> traffic;
  std::string client_ipv4;      // the address the client was given (IPCP remote address)
  std::string server_ipv4;      // the server's end of the link
  std::string client_ipv6;      // prefix + the client's interface identifier, when negotiated
  std::string remote_endpoint;  // tunnel peer (the client's public address)
  std::string local_endpoint;
  std::optional<authentication> auth;
  std::optional<quarantine_state> quarantine;
  std::optional<std::int64_t> probation_until_unix_ms;
  std::optional<std::uint32_t> terminate_reason;
  std::optional<std::uint32_t> remote_terminate_reason;
  std::optional<std::uint32_t> switch_overs;
  std::optional<tunnel_kind> tunnel;  // known when the source says so (IKEv2 projection)

  // Fills every empty field of *this from `other` (the same connection seen by another family).
  void merge_missing_from(const connection_info& other);
  // The opposite precedence, in place: every field `latest` carries replaces ours (a hangup's
  // counters are final), and ours stay where it has none.
  void update_from(const connection_info& latest);
};

// One link (port) of a connection: RAS_PORT_0 and RAS_PORT_1 together.
struct link_info {
  handle_value port = 0;
  handle_value connection = 0;
  std::string port_name;
  std::string media;
  std::string device;
  std::string device_type;
  std::optional<std::uint32_t> line_speed_bps;
  std::optional<std::uint32_t> duration_s;
  std::optional<std::uint32_t> total_calls;
  std::optional<traffic_counters> traffic;
};

// The two arguments an address callback identifies a session by.
struct address_request {
  std::string user;
  std::string port_name;
};

// Which connection a key refers to. Modern callbacks give RRAS's handle; NT 4.0 callbacks give
// no handle at all, so the core derives a key from what they do carry.
enum class key_origin : std::uint8_t { handle, legacy };
struct session_key {
  key_origin origin = key_origin::handle;
  std::uint64_t value = 0;
  friend bool operator==(const session_key&, const session_key&) = default;
};

}  // namespace raswarden::core
