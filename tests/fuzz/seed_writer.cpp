// Writes the struct targets' seed inputs (tests/fuzz/corpus/{connection,connection_ex,link,
// address_request,legacy_port}) from the mirror structs, in each target's input format: realistic SSTP,
// IKEv2, L2TP and dial-up sessions plus a few hostile ones. Run it again after a layout or
// input-format change:  fuzz_seed_writer tests/fuzz/corpus
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "dll/legacy_layout.hpp"
#include "dll/ras_layout.hpp"

namespace {

namespace layout = raswarden::dll::layout;
namespace legacy_layout = raswarden::dll::legacy_layout;
namespace fs = std::filesystem;

template <std::size_t N>
void set_name(char16_t (&field)[N], std::u16string_view text) {
  const std::size_t n = std::min(text.size(), N - 1);
  std::copy_n(text.begin(), n, field);
  field[n] = u'\0';
}

// Every unit set, no NUL, with a lone surrogate and a reversed pair in the middle.
template <std::size_t N>
void set_hostile_name(char16_t (&field)[N]) {
  for (std::size_t i = 0; i < N; ++i) field[i] = static_cast<char16_t>(u'A' + i % 26);
  field[N / 2] = 0xD800;
  if (N > 4) {
    field[N / 2 + 2] = 0xDC00;
    field[N / 2 + 3] = 0xD83D;
  }
}

void* handle(std::uintptr_t value) {
  return reinterpret_cast<void*>(value);
}

// The bytes of a seed: prefix bytes, then each struct as it lies in memory.
class seed {
 public:
  explicit seed(std::initializer_list<std::uint8_t> prefix) : bytes_(prefix.begin(), prefix.end()) {}
  template <typename T>
  seed& add(const T& value) {
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof(T));
    return *this;
  }
  seed& add_units(std::u16string_view units) {
    for (const char16_t u : units) bytes_ += {static_cast<char>(u & 0xFF), static_cast<char>(u >> 8)};
    return *this;
  }
  void write(const fs::path& folder, const std::string& name) const {
    fs::create_directories(folder);
    std::ofstream(folder / name, std::ios::binary).write(bytes_.data(), static_cast<std::streamsize>(bytes_.size()));
    std::printf("%s (%zu bytes)\n", (folder / name).c_str(), bytes_.size());
  }

 private:
  std::string bytes_;
};

// Wednesday 10:00 UTC, server at UTC+1 (the clock bytes every target reads).
constexpr std::uint8_t clock_low = (2 * 1440 + 600) & 0xFF;
constexpr std::uint8_t clock_high = (2 * 1440 + 600) >> 8;
constexpr std::uint8_t zone_plus_one = 26;

struct connection_set {
  layout::ras_connection_0 c0{};
  layout::ras_connection_1 c1{};
  layout::ras_connection_2 c2{};
  layout::ras_connection_3 c3{};
};

connection_set connection(std::uintptr_t h, std::u16string_view user, std::u16string_view domain) {
  connection_set s;
  s.c0.hConnection = s.c1.hConnection = s.c2.hConnection = s.c3.hConnection = handle(h);
  s.c0.hInterface = s.c1.hInterface = handle(h + 1);
  s.c0.dwConnectDuration = 3600;
  s.c0.dwConnectionFlags = 0x1;  // PPP
  set_name(s.c0.wszInterfaceName, user);
  set_name(s.c0.wszUserName, user);
  set_name(s.c2.wszUserName, user);
  set_name(s.c3.wszUserName, user);
  set_name(s.c0.wszLogonDomain, domain);
  set_name(s.c0.wszRemoteComputer, u"LAPTOP-7");
  set_name(s.c1.PppInfo.ip.wszAddress, u"10.20.0.1");
  set_name(s.c1.PppInfo.ip.wszRemoteAddress, u"10.20.0.11");
  s.c1.dwBytesRcved = 123456;
  s.c1.dwBytesXmited = 654321;
  s.c1.dwFramesRcved = 321;
  s.c1.dwFramesXmited = 432;
  s.c2.guid = layout::win_guid{0x6b29fc40, 0xca47, 0x1067, {0xb3, 0x1d, 0x00, 0xdd, 0x01, 0x06, 0x62, 0xda}};
  s.c3.guid = s.c2.guid;
  s.c2.PppInfo2.ip = s.c3.PppInfo3.ip = layout::ppp_ipcp_info2{0, u"10.20.0.1", u"10.20.0.11", 0, 0};
  s.c2.PppInfo2.lcp.dwAuthenticationProtocol = s.c3.PppInfo3.lcp.dwAuthenticationProtocol = 0xC223;  // CHAP
  s.c2.PppInfo2.lcp.dwAuthenticationData = s.c3.PppInfo3.lcp.dwAuthenticationData = 0x81;            // MS-CHAPv2
  s.c3.dwVersion = 1;
  s.c3.dwSize = sizeof(layout::ras_connection_3);
  const std::uint8_t id[8] = {0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55};
  std::memcpy(s.c3.PppInfo3.ipv6.bRemoteInterfaceIdentifier, id, 8);
  return s;
}

// [accept mask | hangup mask << 4] [actions] [clock] and the four structs (connection_fuzz.cpp).
void write_connection_seed(const fs::path& folder, const std::string& name, std::uint8_t masks, std::uint8_t actions,
                           const connection_set& s) {
  seed({masks, actions, clock_low, clock_high, zone_plus_one})
      .add(s.c0)
      .add(s.c1)
      .add(s.c2)
      .add(s.c3)
      .write(folder, name);
}

void write_connection_seeds(const fs::path& folder) {
  auto alice = connection(0x100, u"alice", u"CONTOSO");
  write_connection_seed(folder, "family1-alice", 0x33, 0x00, alice);
  auto ext = connection(0x200, u"ext-bob", u"PARTNER");
  ext.c3.rasQuarState = 2;  // probation
  ext.c3.timer = layout::win_filetime{0xD53E8000, 0x01DA6E5D};
  write_connection_seed(folder, "family3-probation-reauth", 0xFF, 0x03, ext);
  auto router = connection(0x300, u"CONTOSO\\adm-dave", u"");
  router.c0.dwInterfaceType = 2;  // full router
  router.c3.PppInfo3.ipv6.bPrefix[0] = 0x20;
  router.c3.PppInfo3.ipv6.bPrefix[1] = 0x01;
  write_connection_seed(folder, "c3-only-router-audit", 0x88, 0x04, router);
  auto hostile = connection(0x400, u"", u"");
  set_hostile_name(hostile.c0.wszUserName);
  set_hostile_name(hostile.c0.wszLogonDomain);
  set_hostile_name(hostile.c0.wszRemoteComputer);
  set_hostile_name(hostile.c0.wszInterfaceName);
  set_hostile_name(hostile.c1.PppInfo.ip.wszRemoteAddress);
  set_hostile_name(hostile.c2.wszUserName);
  hostile.c0.dwInterfaceType = -1;
  hostile.c3.rasQuarState = 77;
  write_connection_seed(folder, "unterminated-invalid-utf16", 0x7F, 0x01, hostile);
}

layout::ras_connection_ex connection_ex(std::uintptr_t h, std::u16string_view user) {
  layout::ras_connection_ex ex{};
  ex.Header = layout::mprapi_object_header{layout::ras_connection_revision_1, layout::object_type_ras_connection,
                                           static_cast<std::uint16_t>(sizeof(layout::ras_connection_ex))};
  ex.hConnection = handle(h);
  ex.hInterface = handle(h + 1);
  ex.dwConnectDuration = 1800;
  set_name(ex.wszUserName, user);
  set_name(ex.wszLogonDomain, u"CONTOSO");
  set_name(ex.wszRemoteComputer, u"PHONE");
  set_name(ex.wszRemoteEndpointAddress, u"203.0.113.7");
  set_name(ex.wszLocalEndpointAddress, u"192.0.2.1");
  ex.guid = layout::win_guid{0x1234, 0x5678, 0x9abc, {1, 2, 3, 4, 5, 6, 7, 8}};
  ex.dwBytesRcved = 1000;
  ex.dwBytesXmited = 2000;
  return ex;
}

void write_connection_ex_seeds(const fs::path& folder) {
  auto ikev2 = connection_ex(0x500, u"bob@contoso.example");
  ikev2.dwConnectionFlags = 0x10;
  ikev2.ProjectionInfo.projectionInfoType = layout::ikev2_projection_info_type;
  set_name(ikev2.ProjectionInfo.Ikev2ProjectionInfo.wszRemoteAddress, u"10.20.0.12");
  ikev2.ProjectionInfo.Ikev2ProjectionInfo.dwAuthenticationProtocol = 2;  // EAP
  ikev2.ProjectionInfo.Ikev2ProjectionInfo.dwEapTypeId = 26;
  ikev2.ProjectionInfo.Ikev2ProjectionInfo.bRemoteInterfaceIdentifier[7] = 9;
  seed({0x10, clock_low, clock_high, zone_plus_one}).add(ikev2).write(folder, "ikev2-reauth");
  auto sstp = connection_ex(0x600, u"ext-carol");
  sstp.ProjectionInfo.projectionInfoType = layout::ppp_projection_info_type;
  sstp.ProjectionInfo.PppProjectionInfo.dwAuthenticationProtocol = 0xC227;  // EAP
  sstp.ProjectionInfo.PppProjectionInfo.dwEapTypeId = 13;
  sstp.ProjectionInfo.PppProjectionInfo.dwLcpTerminateReason = 4;
  set_name(sstp.ProjectionInfo.PppProjectionInfo.wszRemoteAddress, u"10.20.8.10");
  sstp.rasQuarState = 2;
  sstp.probationTime = layout::win_filetime{0xD53E8000, 0x01DA6E5D};
  seed({0x40, clock_low, clock_high, zone_plus_one}).add(sstp).write(folder, "ppp-probation-twice");
  auto bad = connection_ex(0x700, u"mallory");
  bad.Header.revision = 0;
  bad.Header.size = 12;
  seed({0x00, clock_low, clock_high, zone_plus_one}).add(bad).write(folder, "bad-header");
  auto zero_size = connection_ex(0x800, u"");
  set_hostile_name(zero_size.wszUserName);
  set_hostile_name(zero_size.wszRemoteEndpointAddress);
  zero_size.ProjectionInfo.projectionInfoType = 7;
  seed({0x03, clock_low, clock_high, zone_plus_one}).add(zero_size).write(folder, "size-zero-hostile");
}

void write_link_seeds(const fs::path& folder) {
  layout::ras_port_0 p0{};
  layout::ras_port_1 p1{};
  p0.hPort = p1.hPort = handle(0x901);
  p0.hConnection = p1.hConnection = handle(0x900);
  p0.dwConnectDuration = 600;
  p0.dwTotalNumberOfCalls = 1;
  set_name(p0.wszPortName, u"VPN3-17");
  set_name(p0.wszMediaName, u"rastapi");
  set_name(p0.wszDeviceName, u"WAN Miniport (SSTP)");
  set_name(p0.wszDeviceType, u"vpn");
  p1.dwLineSpeed = 100000000;
  p1.dwBytesRcved = 5000;
  // Open the connection, accept the link twice, hang up the link, then the connection.
  seed({0x5F, clock_low, clock_high, zone_plus_one, 0}).add(p0).add(p1).write(folder, "sstp-link-of-alice");
  set_name(p0.wszDeviceName, u"WAN Miniport (PPTP)");
  set_name(p0.wszPortName, u"VPN1-2");
  seed({0x3F, clock_low, clock_high, zone_plus_one, 1}).add(p0).add(p1).write(folder, "pptp-connection-first");
  set_hostile_name(p0.wszPortName);
  set_hostile_name(p0.wszDeviceName);
  set_hostile_name(p0.wszDeviceType);
  set_hostile_name(p0.wszMediaName);
  seed({0x96, clock_low, clock_high, zone_plus_one, 5}).add(p0).add(p1).write(folder, "hostile-names-audit");
}

using ipv6_bytes = std::array<std::uint8_t, 16>;

// [flags] [user units / 2] [port units] [clock] [IPv4 proposal, little-endian] [IPv6 proposal] [user] [port]
// (address_request_fuzz.cpp). The user is padded with NULs to an even length; a user longer than
// the fuzzer reads is written whole (its count byte 0xFF), with no port.
void write_address_seed(const fs::path& folder, const std::string& name, std::uint8_t flags, std::u16string user,
                        std::u16string_view port, std::uint32_t ipv4, const ipv6_bytes& ipv6) {
  const bool longest = user.size() > 2 * 0xFF;
  if (user.size() % 2 != 0) user += u'\0';
  seed({flags, static_cast<std::uint8_t>(longest ? 0xFF : user.size() / 2),
        static_cast<std::uint8_t>(longest ? 0xFF : port.size()), clock_low, clock_high, zone_plus_one,
        static_cast<std::uint8_t>(ipv4), static_cast<std::uint8_t>(ipv4 >> 8), static_cast<std::uint8_t>(ipv4 >> 16),
        static_cast<std::uint8_t>(ipv4 >> 24)})
      .add(ipv6)
      .add_units(user)
      .add_units(longest ? std::u16string_view() : port)
      .write(folder, name);
}

void write_address_seeds(const fs::path& folder) {
  write_address_seed(folder, "ipv4-static-release", 0x10, u"CONTOSO\\alice", u"VPN3-17", 0, {});
  write_address_seed(folder, "ipv4-pool-twice", 0x18, u"ext-carol", u"VPN1-2", 0x0900140A, {});
  write_address_seed(folder, "ipv6-release-proposal", 0x34, u"bob", u"VPN2-9", 0,
                     {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x01});
  std::u16string longest(2 * 0xFF + 10, u'x');
  longest[20] = 0xDFFF;
  write_address_seed(folder, "unterminated-user-null-port-audit", 0x42, longest, u"", 0x04030201, {});
}

// [flags] [clock] [RAS_PORT_1] [RAS_PORT_STATISTICS] (legacy_port_fuzz.cpp).
void write_legacy_seeds(const fs::path& folder) {
  legacy_layout::ras_port_1 port{};
  legacy_layout::ras_port_0& p0 = port.rasport0;
  set_name(p0.wszPortName, u"COM3");
  set_name(p0.wszDeviceType, u"modem");
  set_name(p0.wszDeviceName, u"US Robotics 56K");
  set_name(p0.wszMediaName, u"rasser");
  set_name(p0.wszUserName, u"alice");
  set_name(p0.wszComputer, u"LAPTOP-7");
  set_name(p0.wszLogonDomain, u"CONTOSO");
  p0.Flags = 0x0005;                   // USER_AUTHENTICATED | PPP_CLIENT
  p0.dwStartSessionTime = 1718000000;  // June 2024
  port.LineSpeed = 57600;
  set_name(port.ProjResult.ip.wszAddress, u"10.20.0.21");
  legacy_layout::ras_port_statistics stats{};
  stats.dwBytesXmited = 654321;
  stats.dwBytesRcved = 123456;
  stats.dwFramesXmited = 432;
  stats.dwFramesRcved = 321;
  stats.dwPortBytesXmited = 54321;
  stats.dwPortBytesRcved = 12345;
  stats.dwPortCrcErr = 2;
  // Accept and hang up; a multilink connection's second port, accepted twice, in audit mode.
  seed({0x00, clock_low, clock_high, zone_plus_one}).add(port).add(stats).write(folder, "dialup-alice");
  set_name(p0.wszUserName, u"CONTOSO\\adm-dave");
  p0.Flags |= 0x0020;  // PORT_MULTILINKED
  seed({0xB0, clock_low, clock_high, zone_plus_one}).add(port).add(stats).write(folder, "multilink-twice-audit");
  // Null statistics at the accept, a null port at the hangup.
  set_name(p0.wszUserName, u"ext-carol");
  seed({0x06, clock_low, clock_high, zone_plus_one}).add(port).add(stats).write(folder, "null-stats-null-hangup");
  set_hostile_name(p0.wszPortName);
  set_hostile_name(p0.wszUserName);
  set_hostile_name(p0.wszComputer);
  set_hostile_name(p0.wszLogonDomain);
  set_hostile_name(port.ProjResult.ip.wszAddress);
  stats.dwBytesXmited = stats.dwBytesRcved = stats.dwPortBytesXmited = stats.dwPortBytesRcved = 0xFFFFFFFF;
  seed({0x20, clock_low, clock_high, zone_plus_one}).add(port).add(stats).write(folder, "hostile-names");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seed_writer CORPUS_FOLDER (tests/fuzz/corpus)\n");
    return 2;
  }
  const fs::path corpus = argv[1];
  write_connection_seeds(corpus / "connection");
  write_connection_ex_seeds(corpus / "connection_ex");
  write_link_seeds(corpus / "link");
  write_address_seeds(corpus / "address_request");
  write_legacy_seeds(corpus / "legacy_port");
  return 0;
}
