#include "raswarden/address.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

namespace raswarden::core {
namespace {

ip_address v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  ip_address out;
  out.bytes[0] = a;
  out.bytes[1] = b;
  out.bytes[2] = c;
  out.bytes[3] = d;
  return out;
}

ip_address v6(std::initializer_list<std::uint16_t> groups) {
  ip_address out;
  out.v6 = true;
  std::size_t i = 0;
  for (const std::uint16_t g : groups) {
    out.bytes[i++] = static_cast<std::uint8_t>(g >> 8);
    out.bytes[i++] = static_cast<std::uint8_t>(g & 0xFF);
  }
  return out;
}

ip_address parsed(const char* text) {
  const auto address = parse_ip_address(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address.value_or(ip_address{});
}

address_range range(const char* text) {
  const auto result = parse_address_range(text);
  EXPECT_TRUE(result.range.has_value()) << text << ": " << result.error;
  return result.range.value_or(address_range{});
}

// ---- parse_ip_address ------------------------------------------------------------------------

TEST(ParseIpAddress, DottedIpv4) {
  EXPECT_EQ(parsed("10.1.2.3"), v4(10, 1, 2, 3));
  EXPECT_EQ(parsed("0.0.0.0"), v4(0, 0, 0, 0));
  EXPECT_EQ(parsed("255.255.255.255"), v4(255, 255, 255, 255));
  EXPECT_FALSE(parsed("192.168.0.1").v6);
}

TEST(ParseIpAddress, RejectsMalformedIpv4) {
  for (const char* bad : {"", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "1.2.3.4.", ".1.2.3.4", "1..2.3",
                          "01.2.3.4", "1.2.3.04", "a.b.c.d", "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "1.2.3.+4",
                          "99999999999.1.1.1", "1.2.3.4/24"}) {
    EXPECT_FALSE(parse_ip_address(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(ParseIpAddress, FullAndCompressedIpv6) {
  EXPECT_EQ(parsed("2001:db8:85a3:1:2:8a2e:370:7334"), v6({0x2001, 0xdb8, 0x85a3, 1, 2, 0x8a2e, 0x370, 0x7334}));
  EXPECT_EQ(parsed("2001:DB8::1"), v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(parsed("::"), v6({0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(parsed("::1"), v6({0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(parsed("fe80::"), v6({0xfe80, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(parsed("1:2:3:4:5:6:7::"), v6({1, 2, 3, 4, 5, 6, 7, 0}));
  EXPECT_EQ(parsed("::2:3:4:5:6:7:8"), v6({0, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(parsed("0000:0000:0000:0000:0000:0000:0000:0001"), v6({0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_TRUE(parsed("::1").v6);
}

TEST(ParseIpAddress, Ipv4TailInIpv6) {
  EXPECT_EQ(parsed("::ffff:10.0.0.1"), v6({0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001}));
  EXPECT_EQ(parsed("::FFFF:192.168.1.2"), v6({0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0102}));
  EXPECT_EQ(parsed("1:2:3:4:5:6:10.0.0.1"), v6({1, 2, 3, 4, 5, 6, 0x0a00, 0x0001}));
  EXPECT_EQ(parsed("64:ff9b::192.0.2.33"), v6({0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221}));
}

TEST(ParseIpAddress, RejectsMalformedIpv6) {
  for (const char* bad : {":", ":::", "1:::2", "1::2::3", ":1::2", "1::2:", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
                          "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::1", "g::1", "fe80::1%eth0", "fe80::1%1",
                          "0x1::1", "::ffff:10.0.0", "::ffff:10.0.0.256", "10.0.0.1::1", "1:2:3:4:5:6:7:10.0.0.1",
                          "[::1]", "::1 "}) {
    EXPECT_FALSE(parse_ip_address(bad).has_value()) << '"' << bad << '"';
  }
}

// ---- parse_address_range ---------------------------------------------------------------------

TEST(ParseAddressRange, Ipv4Cidr) {
  const address_range r = range("10.0.0.0/8");
  EXPECT_EQ(r.network, v4(10, 0, 0, 0));
  EXPECT_EQ(r.prefix_length, 8);
  EXPECT_EQ(range("192.168.4.0/22").prefix_length, 22);
  EXPECT_EQ(range("0.0.0.0/0").prefix_length, 0);
  EXPECT_EQ(range("10.1.2.3/32").prefix_length, 32);
}

TEST(ParseAddressRange, SingleAddressIsAHostRange) {
  EXPECT_EQ(range("10.1.2.3").prefix_length, 32);
  EXPECT_EQ(range("2001:db8::1").prefix_length, 128);
  EXPECT_TRUE(range("2001:db8::1").network.v6);
}

TEST(ParseAddressRange, Ipv6Cidr) {
  const address_range r = range("2001:db8::/32");
  EXPECT_EQ(r.network, v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(r.prefix_length, 32);
  EXPECT_EQ(range("::/0").prefix_length, 0);
  EXPECT_EQ(range("fd00:1:2::/48").prefix_length, 48);
  EXPECT_EQ(range("2001:db8::1/128").prefix_length, 128);
  EXPECT_EQ(range("2001:db8:8000::/33").prefix_length, 33);
}

TEST(ParseAddressRange, HostBitsSetIsAnErrorNotAWiderRange) {
  const auto a = parse_address_range("10.1.0.0/8");
  EXPECT_FALSE(a.range.has_value());
  EXPECT_EQ(a.error, "\"10.1.0.0/8\" has host bits set after the /8 prefix");
  const auto b = parse_address_range("192.168.1.1/24");
  EXPECT_EQ(b.error, "\"192.168.1.1/24\" has host bits set after the /24 prefix");
  const auto c = parse_address_range("10.0.0.12/29");
  EXPECT_EQ(c.error, "\"10.0.0.12/29\" has host bits set after the /29 prefix") << "a partial byte is checked too";
  EXPECT_TRUE(parse_address_range("10.0.0.8/29").range.has_value());
  EXPECT_TRUE(parse_address_range("10.0.0.16/28").range.has_value());
  const auto d = parse_address_range("2001:db8::1/64");
  EXPECT_EQ(d.error, "\"2001:db8::1/64\" has host bits set after the /64 prefix");
  const auto e = parse_address_range("2001:db8:8000::/32");
  EXPECT_EQ(e.error, "\"2001:db8:8000::/32\" has host bits set after the /32 prefix");
  EXPECT_FALSE(parse_address_range("1.0.0.0/0").range.has_value());
}

TEST(ParseAddressRange, PrefixLengthBounds) {
  EXPECT_EQ(parse_address_range("10.0.0.0/33").error, "prefix length \"33\" is not a number from 0 to 32");
  EXPECT_EQ(parse_address_range("2001:db8::/129").error, "prefix length \"129\" is not a number from 0 to 128");
  EXPECT_TRUE(parse_address_range("::/128").range.has_value());
  EXPECT_EQ(parse_address_range("10.0.0.0/").error, "prefix length \"\" is not a number from 0 to 32");
  EXPECT_EQ(parse_address_range("10.0.0.0/-1").error, "prefix length \"-1\" is not a number from 0 to 32");
  EXPECT_EQ(parse_address_range("10.0.0.0/8x").error, "prefix length \"8x\" is not a number from 0 to 32");
  EXPECT_EQ(parse_address_range("10.0.0.0/8/9").error, "prefix length \"8/9\" is not a number from 0 to 32");
  EXPECT_EQ(parse_address_range("10.0.0.0/ 8").error, "prefix length \" 8\" is not a number from 0 to 32");
  EXPECT_EQ(parse_address_range("10.0.0.0/99999999999").error,
            "prefix length \"99999999999\" is not a number from 0 to 32");
}

TEST(ParseAddressRange, BadAddressPart) {
  EXPECT_EQ(parse_address_range("10.0.0/8").error, "\"10.0.0\" is not an IPv4 or IPv6 address");
  EXPECT_EQ(parse_address_range("office").error, "\"office\" is not an IPv4 or IPv6 address");
  EXPECT_EQ(parse_address_range("").error, "\"\" is not an IPv4 or IPv6 address");
  EXPECT_EQ(parse_address_range("/8").error, "\"\" is not an IPv4 or IPv6 address");
  EXPECT_EQ(parse_address_range("2001:db8:::/32").error, "\"2001:db8:::\" is not an IPv4 or IPv6 address");
}

// ---- contains --------------------------------------------------------------------------------

TEST(AddressRangeContains, Ipv4PrefixBoundaries) {
  const address_range r = range("192.168.4.0/22");
  EXPECT_TRUE(r.contains(parsed("192.168.4.0")));
  EXPECT_TRUE(r.contains(parsed("192.168.7.255")));
  EXPECT_FALSE(r.contains(parsed("192.168.8.0")));
  EXPECT_FALSE(r.contains(parsed("192.168.3.255")));
  const address_range nibble = range("10.0.0.16/28");
  EXPECT_TRUE(nibble.contains(parsed("10.0.0.31")));
  EXPECT_FALSE(nibble.contains(parsed("10.0.0.32")));
  EXPECT_FALSE(nibble.contains(parsed("10.0.0.15")));
}

TEST(AddressRangeContains, HostAndEverything) {
  EXPECT_TRUE(range("10.1.2.3").contains(parsed("10.1.2.3")));
  EXPECT_FALSE(range("10.1.2.3").contains(parsed("10.1.2.4")));
  EXPECT_TRUE(range("0.0.0.0/0").contains(parsed("255.255.255.255")));
  EXPECT_TRUE(range("::/0").contains(parsed("2001:db8::1")));
  EXPECT_FALSE(range("::/0").contains(parsed("10.0.0.1"))) << "an IPv6 range holds no IPv4 address";
}

TEST(AddressRangeContains, Ipv4RangeContainsTheMappedForm) {
  const address_range r = range("10.0.0.0/8");
  EXPECT_TRUE(r.contains(parsed("::ffff:10.9.8.7")));
  EXPECT_TRUE(r.contains(parsed("::ffff:a00:1")));
  EXPECT_FALSE(r.contains(parsed("::ffff:11.0.0.1")));
  EXPECT_FALSE(r.contains(parsed("::10.9.8.7"))) << "IPv4-compatible (deprecated) is not the mapped form";
  EXPECT_FALSE(r.contains(parsed("64:ff9b::10.9.8.7")));
  EXPECT_FALSE(r.contains(parsed("0:0:0:0:1:ffff:10.9.8.7")));
  EXPECT_TRUE(range("0.0.0.0/0").contains(parsed("::ffff:1.2.3.4")));
  EXPECT_FALSE(range("0.0.0.0/0").contains(parsed("2001:db8::1")));
}

TEST(AddressRangeContains, Ipv6Prefixes) {
  const address_range r = range("2001:db8:8000::/33");
  EXPECT_TRUE(r.contains(parsed("2001:db8:8000::1")));
  EXPECT_TRUE(r.contains(parsed("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(r.contains(parsed("2001:db8:7fff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_TRUE(range("2001:db8::1").contains(parsed("2001:0db8:0:0:0:0:0:1")));
  EXPECT_FALSE(range("2001:db8::1").contains(parsed("2001:db8::2")));
}

// ---- number conversions ----------------------------------------------------------------------

TEST(Ipv4Number, FirstOctetIsMostSignificant) {
  EXPECT_EQ(ipv4_to_number(v4(10, 1, 2, 3)), 0x0A010203U);
  EXPECT_EQ(ipv4_to_number(v4(255, 255, 255, 255)), 0xFFFFFFFFU);
  EXPECT_EQ(ipv4_to_number(v4(0, 0, 0, 1)), 1U);
  EXPECT_EQ(ipv4_from_number(0xC0A80001), v4(192, 168, 0, 1));
  EXPECT_FALSE(ipv4_from_number(0xC0A80001).v6);
  // Numbers compare and count like the addresses they stand for.
  EXPECT_LT(ipv4_to_number(v4(10, 0, 0, 255)), ipv4_to_number(v4(10, 0, 1, 0)));
  EXPECT_EQ(ipv4_to_number(v4(10, 0, 1, 0)) - ipv4_to_number(v4(10, 0, 0, 255)), 1U);
}

TEST(Ipv4Number, RoundTrips) {
  for (const std::uint32_t n : {0U, 1U, 0x0A000001U, 0x7F000001U, 0xC0A80101U, 0xFFFFFFFFU, 0x01020304U}) {
    EXPECT_EQ(ipv4_to_number(ipv4_from_number(n)), n);
    EXPECT_EQ(number_from_rras(rras_from_number(n)), n);
    EXPECT_EQ(rras_from_number(number_from_rras(n)), n);
  }
}

TEST(Ipv4Number, RrasOrderPutsTheFirstOctetInTheLowestByte) {
  EXPECT_EQ(rras_from_number(0x0A010203U), 0x0302010AU);  // 10.1.2.3
  EXPECT_EQ(rras_from_number(0xC0A80001U), 0x0100A8C0U);  // 192.168.0.1
  EXPECT_EQ(number_from_rras(0x0100A8C0U), 0xC0A80001U);
  EXPECT_EQ(rras_from_number(0), 0U);
  EXPECT_EQ(rras_from_number(0xFFFFFFFFU), 0xFFFFFFFFU);
}

}  // namespace
}  // namespace raswarden::core
