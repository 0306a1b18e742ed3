#include "raswarden/address_pool.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "raswarden/address.hpp"

namespace raswarden::core {
namespace {

std::uint32_t ip(const char* text) {
  const auto address = parse_ip_address(text);
  EXPECT_TRUE(address && !address->v6) << text;
  return address ? ipv4_to_number(*address) : 0;
}

std::string text_of(std::uint64_t value) {
  const ip_address a = ipv4_from_number(static_cast<std::uint32_t>(value));
  return std::to_string(a.bytes[0]) + "." + std::to_string(a.bytes[1]) + "." + std::to_string(a.bytes[2]) + "." +
         std::to_string(a.bytes[3]);
}

address_request req(std::string user, std::string port = "VPN2-1") {
  return address_request{std::move(user), std::move(port)};
}

ipv4_pool pool(std::string name, const char* first, const char* last) {
  return ipv4_pool{std::move(name), ip(first), ip(last)};
}

ip_assignment_settings two_pools() {
  ip_assignment_settings s;
  s.enabled = true;
  s.pools = {pool("general", "10.0.0.1", "10.0.0.4"), pool("guests", "10.0.1.1", "10.0.1.2")};
  s.static_addresses = {static_address{"alice", ip("10.0.0.2")},
                        static_address{"corp\\bob", ip("10.9.9.9")},
                        static_address{"carol@lab.example", ip("10.9.9.10")}};
  return s;
}

TEST(AddressAllocator, EnabledFollowsTheSettings) {
  address_allocator a;
  EXPECT_FALSE(a.enabled());
  a.configure(two_pools());
  EXPECT_TRUE(a.enabled());
  a.configure(ip_assignment_settings{});
  EXPECT_FALSE(a.enabled());
}

TEST(AddressAllocator, StaticAddressComesFirst) {
  address_allocator a;
  a.configure(two_pools());
  const lease_result r = a.assign_ipv4(req("Alice"), 0, "guests");
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(text_of(r.value), "10.0.0.2");
  EXPECT_EQ(r.source, "static");
  EXPECT_EQ(r.pool, "");
}

TEST(AddressAllocator, StaticAddressWithADomainMatchesEitherFormOfThatUser) {
  address_allocator a;
  a.configure(two_pools());
  const lease_result slash = a.assign_ipv4(req("CORP\\bob", "p1"), 0, "");
  EXPECT_EQ(slash.source, "static");
  EXPECT_EQ(text_of(slash.value), "10.9.9.9");
  ASSERT_TRUE(a.release_ipv4(ip("10.9.9.9")));
  const lease_result realm = a.assign_ipv4(req("bob@corp", "p2"), 0, "");
  EXPECT_EQ(realm.source, "static");
  EXPECT_EQ(text_of(realm.value), "10.9.9.9");
}

TEST(AddressAllocator, StaticAddressForAnotherDomainDoesNotApply) {
  address_allocator a;
  a.configure(two_pools());
  const lease_result other = a.assign_ipv4(req("LAB\\bob"), 0, "");
  ASSERT_TRUE(other.ok);
  EXPECT_EQ(other.source, "pool");
  const lease_result plain = a.assign_ipv4(req("bob", "VPN2-2"), 0, "");
  ASSERT_TRUE(plain.ok);
  EXPECT_EQ(plain.source, "pool") << "no domain known: the static address of corp\\bob is not his";
  const lease_result carol = a.assign_ipv4(req("carol@LAB.example", "VPN2-3"), 0, "");
  EXPECT_EQ(carol.source, "static");
  EXPECT_EQ(text_of(carol.value), "10.9.9.10");
}

TEST(AddressAllocator, StaticAddressInUseByAnotherPortIsRefused) {
  address_allocator a;
  a.configure(two_pools());
  ASSERT_TRUE(a.assign_ipv4(req("alice", "VPN2-1"), 0, "").ok);
  const lease_result second = a.assign_ipv4(req("alice", "VPN2-7"), 0, "");
  EXPECT_FALSE(second.ok);
  EXPECT_EQ(second.reason, "the static address 10.0.0.2 of \"alice\" is in use by user \"alice\" on port \"vpn2-1\"");
  EXPECT_TRUE(a.release_ipv4(ip("10.0.0.2")));
  EXPECT_TRUE(a.assign_ipv4(req("alice", "VPN2-7"), 0, "").ok);
}

TEST(AddressAllocator, DefaultPoolIsTheFirstAndSkipsStaticAddresses) {
  address_allocator a;
  a.configure(two_pools());
  std::vector<std::string> given;
  for (int i = 0; i < 3; ++i) {
    const lease_result r = a.assign_ipv4(req("user" + std::to_string(i)), 0, "");
    ASSERT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.source, "pool");
    EXPECT_EQ(r.pool, "general");
    given.push_back(text_of(r.value));
  }
  EXPECT_EQ(given, (std::vector<std::string>{"10.0.0.1", "10.0.0.3", "10.0.0.4"}))
      << "10.0.0.2 is alice's static address even while she is not connected";
}

TEST(AddressAllocator, NamedPool) {
  address_allocator a;
  a.configure(two_pools());
  const lease_result r = a.assign_ipv4(req("guest1"), 0, "guests");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(text_of(r.value), "10.0.1.1");
  EXPECT_EQ(r.pool, "guests");
  EXPECT_EQ(r.source, "pool");
  EXPECT_TRUE(a.assign_ipv4(req("guest2"), 0, "GUESTS").ok) << "pool names are not case-sensitive";
  const lease_result missing = a.assign_ipv4(req("guest3"), 0, "nowhere");
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.reason, "no pool named \"nowhere\"");
}

TEST(AddressAllocator, ExhaustedPoolRefusesAndNamesThePoolAndItsSize) {
  address_allocator a;
  a.configure(two_pools());
  ASSERT_TRUE(a.assign_ipv4(req("g1"), 0, "guests").ok);
  ASSERT_TRUE(a.assign_ipv4(req("g2"), 0, "guests").ok);
  const lease_result r = a.assign_ipv4(req("g3"), 0x0100000A, "guests");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, "pool \"guests\" is exhausted: all 2 addresses are in use");
  EXPECT_EQ(r.pool, "guests");
  EXPECT_EQ(a.ipv4_leases(), 2U);
}

TEST(AddressAllocator, NoAddressIsLeasedToTwoLiveHolders) {
  address_allocator a;
  ip_assignment_settings s;
  s.enabled = true;
  s.pools = {pool("p", "10.1.0.1", "10.1.0.50")};
  a.configure(s);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 50; ++i) {
    // The same user on many ports (multilink, several devices) still gets one address per port.
    const lease_result r = a.assign_ipv4(req(i % 2 == 0 ? "alice" : "bob", "VPN2-" + std::to_string(i)), 0, "");
    ASSERT_TRUE(r.ok) << i << ": " << r.reason;
    EXPECT_TRUE(seen.insert(r.value).second) << text_of(r.value) << " handed out twice";
  }
  EXPECT_FALSE(a.assign_ipv4(req("carol"), 0, "").ok);
  EXPECT_EQ(a.ipv4_leases(), 50U);
}

TEST(AddressAllocator, SameHolderAskingAgainKeepsItsAddress) {
  address_allocator a;
  a.configure(two_pools());
  const lease_result first = a.assign_ipv4(req("dave", "VPN2-4"), 0, "");
  const lease_result again = a.assign_ipv4(req("DAVE", "vpn2-4"), 0, "");
  ASSERT_TRUE(first.ok);
  ASSERT_TRUE(again.ok);
  EXPECT_EQ(again.value, first.value);
  EXPECT_EQ(again.source, "pool");
  EXPECT_EQ(a.ipv4_leases(), 1U);
  const lease_result alice = a.assign_ipv4(req("alice", "VPN2-5"), 0, "");
  EXPECT_EQ(a.assign_ipv4(req("alice", "VPN2-5"), 0, "").value, alice.value);
  EXPECT_EQ(a.assign_ipv4(req("alice", "VPN2-5"), 0, "").source, "static");
}

TEST(AddressAllocator, ReleaseFreesTheAddressAndUnknownReleasesSayNo) {
  address_allocator a;
  a.configure(two_pools());
  const lease_result g1 = a.assign_ipv4(req("g1"), 0, "guests");
  ASSERT_TRUE(a.assign_ipv4(req("g2"), 0, "guests").ok);
  ASSERT_FALSE(a.assign_ipv4(req("g3"), 0, "guests").ok);
  EXPECT_TRUE(a.release_ipv4(static_cast<std::uint32_t>(g1.value)));
  EXPECT_FALSE(a.release_ipv4(static_cast<std::uint32_t>(g1.value))) << "released twice";
  EXPECT_FALSE(a.release_ipv4(ip("192.0.2.1"))) << "never ours";
  const lease_result g3 = a.assign_ipv4(req("g3"), 0, "guests");
  ASSERT_TRUE(g3.ok);
  EXPECT_EQ(g3.value, g1.value);
  EXPECT_EQ(a.ipv4_leases(), 2U);
}

TEST(AddressAllocator, ReleasedAddressesAreReusedLast) {
  address_allocator a;
  a.configure(two_pools());
  const lease_result first = a.assign_ipv4(req("u1"), 0, "");  // 10.0.0.1
  ASSERT_TRUE(a.release_ipv4(static_cast<std::uint32_t>(first.value)));
  EXPECT_EQ(text_of(a.assign_ipv4(req("u2"), 0, "").value), "10.0.0.3");
  EXPECT_EQ(text_of(a.assign_ipv4(req("u3"), 0, "").value), "10.0.0.4");
  EXPECT_EQ(text_of(a.assign_ipv4(req("u4"), 0, "").value), "10.0.0.1") << "wraps around to the freed address";
}

TEST(AddressAllocator, LeasesSurviveAReload) {
  address_allocator a;
  a.configure(two_pools());
  const lease_result u1 = a.assign_ipv4(req("u1"), 0, "");
  const lease_result alice = a.assign_ipv4(req("alice"), 0, "");
  ASSERT_TRUE(u1.ok);
  ASSERT_TRUE(alice.ok);
  a.configure(two_pools());
  EXPECT_EQ(a.ipv4_leases(), 2U);
  EXPECT_EQ(a.assign_ipv4(req("u1"), 0, "").value, u1.value);
  const lease_result u2 = a.assign_ipv4(req("u2"), 0, "");
  EXPECT_NE(u2.value, u1.value);
  EXPECT_NE(u2.value, alice.value);
}

TEST(AddressAllocator, LeaseOutsideAShrunkPoolLastsUntilReleased) {
  address_allocator a;
  ip_assignment_settings s;
  s.enabled = true;
  s.pools = {pool("p", "10.2.0.1", "10.2.0.4")};
  a.configure(s);
  std::vector<std::uint64_t> held;
  for (int i = 0; i < 4; ++i) held.push_back(a.assign_ipv4(req("u" + std::to_string(i)), 0, "").value);
  ASSERT_EQ(text_of(held[3]), "10.2.0.4");

  s.pools = {pool("p", "10.2.0.1", "10.2.0.2")};  // shrunk while all four are connected
  a.configure(s);
  EXPECT_EQ(a.ipv4_leases(), 4U);
  EXPECT_FALSE(a.assign_ipv4(req("new"), 0, "").ok) << "both addresses of the smaller pool are still leased";
  EXPECT_EQ(a.assign_ipv4(req("u3"), 0, "").value, held[3]) << "the holder outside the new range keeps its address";
  EXPECT_TRUE(a.release_ipv4(static_cast<std::uint32_t>(held[3])));
  EXPECT_FALSE(a.assign_ipv4(req("new"), 0, "").ok) << "10.2.0.4 is no longer in the pool";
  EXPECT_TRUE(a.release_ipv4(static_cast<std::uint32_t>(held[0])));
  const lease_result r = a.assign_ipv4(req("new"), 0, "");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(text_of(r.value), "10.2.0.1");
}

TEST(AddressAllocator, StaticAddressRemovedByAReloadStaysLeasedUntilReleased) {
  address_allocator a;
  ip_assignment_settings s;
  s.enabled = true;
  s.pools = {pool("p", "10.3.0.1", "10.3.0.2")};
  s.static_addresses = {static_address{"alice", ip("10.3.0.1")}};
  a.configure(s);
  ASSERT_EQ(text_of(a.assign_ipv4(req("alice"), 0, "").value), "10.3.0.1");
  s.static_addresses.clear();
  a.configure(s);
  EXPECT_EQ(text_of(a.assign_ipv4(req("bob"), 0, "").value), "10.3.0.2");
  EXPECT_FALSE(a.assign_ipv4(req("carol"), 0, "").ok) << "alice's old static address is still hers";
}

TEST(AddressAllocator, NoPoolPassesRrasProposalThrough) {
  address_allocator a;
  ip_assignment_settings s;
  s.enabled = true;
  s.static_addresses = {static_address{"alice", ip("10.0.0.2")}};
  a.configure(s);
  const lease_result r = a.assign_ipv4(req("bob"), rras_from_number(ip("192.168.5.9")), "");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.source, "rras");
  EXPECT_EQ(text_of(r.value), "192.168.5.9") << "RRAS's byte order is turned into a number";
  EXPECT_EQ(a.ipv4_leases(), 0U) << "RRAS's own address is not ours to lease";
  const lease_result none = a.assign_ipv4(req("bob", "VPN2-9"), 0, "");
  EXPECT_FALSE(none.ok);
  EXPECT_EQ(none.reason, "ip_assignment has no pool for this user and RRAS proposed no address");
  EXPECT_EQ(a.assign_ipv4(req("alice"), 0, "").source, "static");
}

TEST(AddressAllocator, Ipv6InterfaceIdentifiers) {
  address_allocator a;
  ip_assignment_settings s;
  s.enabled = true;
  s.ipv6_interface_ids = std::array<std::uint64_t, 2>{0x100, 0x102};
  a.configure(s);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 3; ++i) {
    const lease_result r = a.assign_ipv6(req("u" + std::to_string(i)), 0xABCDEF);
    ASSERT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.source, "pool");
    EXPECT_EQ(r.pool, "ipv6_interface_ids");
    EXPECT_GE(r.value, 0x100U);
    EXPECT_LE(r.value, 0x102U);
    EXPECT_TRUE(seen.insert(r.value).second);
  }
  EXPECT_EQ(a.assign_ipv6(req("u1"), 0).value, 0x101U) << "the same holder keeps its identifier";
  const lease_result full = a.assign_ipv6(req("u9"), 0xABCDEF);
  EXPECT_FALSE(full.ok);
  EXPECT_EQ(full.reason, "ipv6_interface_ids is exhausted: all 3 identifiers are in use");
  EXPECT_TRUE(a.release_ipv6(0x101));
  EXPECT_FALSE(a.release_ipv6(0x101));
  EXPECT_EQ(a.assign_ipv6(req("u9"), 0).value, 0x101U);
  EXPECT_EQ(a.ipv6_leases(), 3U);
  EXPECT_EQ(a.ipv4_leases(), 0U);
}

TEST(AddressAllocator, Ipv6WithoutIdentifiersPassesRrasProposalThrough) {
  address_allocator a;
  ip_assignment_settings s;
  s.enabled = true;
  a.configure(s);
  const lease_result r = a.assign_ipv6(req("u"), 0x1234);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.value, 0x1234U);
  EXPECT_EQ(r.source, "rras");
  EXPECT_EQ(a.ipv6_leases(), 0U);
  const lease_result none = a.assign_ipv6(req("u"), 0);
  EXPECT_FALSE(none.ok);
  EXPECT_EQ(none.reason, "ip_assignment has no ipv6_interface_ids and RRAS proposed none");
}

TEST(AddressAllocator, Ipv6LeasesSurviveAReload) {
  address_allocator a;
  ip_assignment_settings s;
  s.enabled = true;
  s.ipv6_interface_ids = std::array<std::uint64_t, 2>{1, 2};
  a.configure(s);
  const std::uint64_t first = a.assign_ipv6(req("u1"), 0).value;
  a.configure(s);
  EXPECT_EQ(a.ipv6_leases(), 1U);
  const lease_result other = a.assign_ipv6(req("u2"), 0);
  ASSERT_TRUE(other.ok);
  EXPECT_NE(other.value, first);
  EXPECT_FALSE(a.assign_ipv6(req("u3"), 0).ok);
}

}  // namespace
}  // namespace raswarden::core
