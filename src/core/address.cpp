#include "raswarden/address.hpp"

#include <fmt/format.h>

#include <charconv>
#include <vector>

namespace raswarden::core {

namespace {

std::optional<std::array<std::uint8_t, 4>> parse_ipv4_octets(std::string_view text) {
  std::array<std::uint8_t, 4> octets{};
  std::size_t index = 0;
  const char* p = text.data();
  const char* const end = text.data() + text.size();
  while (index < 4) {
    if (p == end || *p < '0' || *p > '9') return std::nullopt;
    if (*p == '0' && p + 1 != end && p[1] >= '0' && p[1] <= '9') return std::nullopt;  // no octal-looking octets
    unsigned value = 0;
    const auto [next, error] = std::from_chars(p, end, value);
    if (error != std::errc() || value > 255) return std::nullopt;
    octets[index++] = static_cast<std::uint8_t>(value);
    p = next;
    if (index < 4) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  if (p != end) return std::nullopt;
  return octets;
}

std::optional<std::array<std::uint8_t, 16>> parse_ipv6_bytes(std::string_view text) {
  // Split around "::" (at most one), then parse the groups on each side.
  const std::size_t gap = text.find("::");
  if (gap != std::string_view::npos && text.find("::", gap + 1) != std::string_view::npos) return std::nullopt;
  std::vector<std::uint8_t> head;
  std::vector<std::uint8_t> tail;
  const auto parse_side = [](std::string_view side, std::vector<std::uint8_t>& out, bool allow_ipv4_tail) {
    if (side.empty()) return true;
    std::size_t start = 0;
    for (;;) {
      const std::size_t colon = side.find(':', start);
      const std::string_view group = side.substr(start, colon == std::string_view::npos ? side.npos : colon - start);
      if (colon == std::string_view::npos && allow_ipv4_tail && group.find('.') != std::string_view::npos) {
        const auto v4 = parse_ipv4_octets(group);
        if (!v4) return false;
        out.insert(out.end(), v4->begin(), v4->end());
        return true;
      }
      if (group.empty() || group.size() > 4) return false;
      unsigned value = 0;
      const auto [next, error] = std::from_chars(group.data(), group.data() + group.size(), value, 16);
      if (error != std::errc() || next != group.data() + group.size()) return false;
      out.push_back(static_cast<std::uint8_t>(value >> 8));
      out.push_back(static_cast<std::uint8_t>(value & 0xFF));
      if (colon == std::string_view::npos) return true;
      start = colon + 1;
    }
  };
  if (gap == std::string_view::npos) {
    if (!parse_side(text, head, true) || head.size() != 16) return std::nullopt;
  } else {
    if (!parse_side(text.substr(0, gap), head, false) || !parse_side(text.substr(gap + 2), tail, true)) {
      return std::nullopt;
    }
    if (head.size() + tail.size() > 14) return std::nullopt;  // "::" stands for at least one group
  }
  std::array<std::uint8_t, 16> bytes{};
  std::copy(head.begin(), head.end(), bytes.begin());
  std::copy(tail.begin(), tail.end(), bytes.end() - static_cast<std::ptrdiff_t>(tail.size()));
  return bytes;
}

bool is_ipv4_mapped(const ip_address& a) {
  for (std::size_t i = 0; i < 10; ++i) {
    if (a.bytes[i] != 0) return false;
  }
  return a.bytes[10] == 0xFF && a.bytes[11] == 0xFF;
}

bool prefix_matches(const std::uint8_t* a, const std::uint8_t* b, unsigned bits) {
  const unsigned whole = bits / 8;
  for (unsigned i = 0; i < whole; ++i) {
    if (a[i] != b[i]) return false;
  }
  const unsigned rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

std::optional<ip_address> parse_ip_address(std::string_view text) {
  ip_address address;
  if (text.find(':') == std::string_view::npos) {
    const auto octets = parse_ipv4_octets(text);
    if (!octets) return std::nullopt;
    std::copy(octets->begin(), octets->end(), address.bytes.begin());
    return address;
  }
  const auto bytes = parse_ipv6_bytes(text);
  if (!bytes) return std::nullopt;
  address.v6 = true;
  address.bytes = *bytes;
  return address;
}

bool address_range::contains(const ip_address& address) const noexcept {
  if (network.v6 == address.v6) return prefix_matches(network.bytes.data(), address.bytes.data(), prefix_length);
  if (!network.v6 && is_ipv4_mapped(address)) {
    return prefix_matches(network.bytes.data(), address.bytes.data() + 12, prefix_length);
  }
  return false;
}

range_parse_result parse_address_range(std::string_view text) {
  range_parse_result result;
  const std::size_t slash = text.find('/');
  const auto address = parse_ip_address(text.substr(0, slash));
  if (!address) {
    result.error = fmt::format("\"{}\" is not an IPv4 or IPv6 address", text.substr(0, slash));
    return result;
  }
  const unsigned max_bits = address->v6 ? 128 : 32;
  unsigned bits = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view length = text.substr(slash + 1);
    const auto [next, error] = std::from_chars(length.data(), length.data() + length.size(), bits);
    if (length.empty() || error != std::errc() || next != length.data() + length.size() || bits > max_bits) {
      result.error = fmt::format("prefix length \"{}\" is not a number from 0 to {}", length, max_bits);
      return result;
    }
  }
  address_range range{*address, static_cast<std::uint8_t>(bits)};
  ip_address masked{address->v6, {}};
  const auto byte_count = static_cast<unsigned>(address->v6 ? 16 : 4);
  for (unsigned i = 0; i < byte_count; ++i) {
    const unsigned keep = bits >= (i + 1) * 8 ? 8 : (bits > i * 8 ? bits - i * 8 : 0);
    masked.bytes[i] = static_cast<std::uint8_t>(address->bytes[i] & (keep == 0 ? 0 : 0xFF << (8 - keep)));
  }
  if (!(masked == *address)) {
    result.error = fmt::format("\"{}\" has host bits set after the /{} prefix", text, bits);
    return result;
  }
  result.range = range;
  return result;
}

std::uint32_t ipv4_to_number(const ip_address& address) noexcept {
  return (std::uint32_t{address.bytes[0]} << 24) | (std::uint32_t{address.bytes[1]} << 16) |
         (std::uint32_t{address.bytes[2]} << 8) | std::uint32_t{address.bytes[3]};
}

ip_address ipv4_from_number(std::uint32_t number) noexcept {
  ip_address address;
  address.bytes[0] = static_cast<std::uint8_t>(number >> 24);
  address.bytes[1] = static_cast<std::uint8_t>(number >> 16);
  address.bytes[2] = static_cast<std::uint8_t>(number >> 8);
  address.bytes[3] = static_cast<std::uint8_t>(number);
  return address;
}

std::uint32_t rras_from_number(std::uint32_t number) noexcept {
  return ((number & 0xFF) << 24) | ((number & 0xFF00) << 8) | ((number >> 8) & 0xFF00) | (number >> 24);
}

std::uint32_t number_from_rras(std::uint32_t rras) noexcept {
  return rras_from_number(rras);  // the byte swap is its own inverse
}

}  // namespace raswarden::core
