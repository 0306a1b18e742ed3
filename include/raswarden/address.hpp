// IP addresses and CIDR ranges as the policy needs them: parsed from configuration text and from
// the endpoint strings connection callbacks carry, compared as bytes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace raswarden::core {

struct ip_address {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first four, in network order
  friend bool operator==(const ip_address&, const ip_address&) = default;
};

// Dotted IPv4 ("10.1.2.3") or RFC 4291 IPv6 text ("2001:db8::1", "::ffff:10.0.0.1"). No zone ids.
[[nodiscard]] std::optional<ip_address> parse_ip_address(std::string_view text);

struct address_range {
  ip_address network;
  std::uint8_t prefix_length = 0;  // 0..32 for IPv4, 0..128 for IPv6

  // An IPv4 range also contains the IPv4-mapped IPv6 form of its addresses.
  [[nodiscard]] bool contains(const ip_address& address) const noexcept;
};

// "10.0.0.0/8", "2001:db8::/32", or a single address (a /32 or /128). Host bits must be zero, so
// a typo such as "10.1.0.0/8" is reported rather than silently widened.
struct range_parse_result {
  std::optional<address_range> range;
  std::string error;  // why it is not a range, when `range` is empty
};
[[nodiscard]] range_parse_result parse_address_range(std::string_view text);

// IPv4 as a number with the first octet most significant (so ranges compare and count), and the
// byte order RRAS uses in its 32-bit address arguments (first octet in the lowest byte).
[[nodiscard]] std::uint32_t ipv4_to_number(const ip_address& address) noexcept;
[[nodiscard]] ip_address ipv4_from_number(std::uint32_t number) noexcept;
[[nodiscard]] std::uint32_t rras_from_number(std::uint32_t number) noexcept;
[[nodiscard]] std::uint32_t number_from_rras(std::uint32_t rras) noexcept;

}  // namespace raswarden::core
