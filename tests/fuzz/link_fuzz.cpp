// RAS_PORT_0/1 as RRAS passes them to MprAdminAcceptNewLink and MprAdminLinkHangupNotification:
// arbitrary bytes as each struct, either null, converted by the DLL's own code and pushed through
// the engine, optionally under a connection opened for the link's connection handle (so the
// multilink limit and tunnel-from-device rules apply) that may be hung up before the link.
//
// Input: [accept mask | hangup mask << 2 | flags] [clock: 3 bytes] [user byte]
//        [RAS_PORT_0] [RAS_PORT_1]
// Bit 0/1 of a mask passes RAS_PORT_0/1. flags: bit 4 opens the connection first, bit 5 hangs it
// up before the link, bit 6 accepts the link twice, bit 7 decides in audit mode.
#include <array>

#include "dll/ras_conversion.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace raswarden;

enum flag : std::uint8_t { open_connection = 16, connection_first = 32, second_accept = 64, audit = 128 };

// Who the connection belongs to: each matches another rule of the fuzz configuration.
constexpr std::array<const char*, 8> users{"alice", "ext-carol", "CONTOSO\\adm-dave", "ops-01",
                                           "guest", "c1-erin",   "frank@evil",        ""};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::byte_source in(data, size);
  const std::uint8_t flags = in.byte();
  const fuzz::start_time at = fuzz::start_time_from(in);
  const std::uint8_t user = in.byte();
  const auto p0 = in.object<dll::layout::ras_port_0>();
  const auto p1 = in.object<dll::layout::ras_port_1>();
  const auto pick = [&](unsigned mask) {
    return dll::to_link((mask & 1U) != 0 ? p0.get() : nullptr, (mask & 2U) != 0 ? p1.get() : nullptr);
  };

  fuzz::engine_harness harness(fuzz::fuzz_settings((flags & audit) != 0), at);
  core::engine& engine = harness.engine();
  const auto link = pick(flags & 3U);
  if (!link) {
    (void)engine.malformed_call("MprAdminAcceptNewLink", "both RAS_PORT_0 and RAS_PORT_1 pointers are null");
    return 0;
  }
  core::connection_info connection;
  connection.handle = link->connection;
  connection.user = users[user % users.size()];
  connection.if_type = core::interface_type_from_raw(user >> 3U);
  if ((flags & open_connection) != 0) (void)engine.accept_connection("MprAdminAcceptNewConnection", connection);
  (void)engine.accept_link("MprAdminAcceptNewLink", *link);
  if ((flags & second_accept) != 0) (void)engine.accept_link("MprAdminAcceptNewLink", *link);
  if ((flags & connection_first) != 0) engine.connection_hangup("MprAdminConnectionHangupNotification", connection);
  if (const auto hung_up = pick((flags >> 2U) & 3U)) engine.link_hangup("MprAdminLinkHangupNotification", *hung_up);
  if ((flags & connection_first) == 0) engine.connection_hangup("MprAdminConnectionHangupNotification", connection);
  return 0;
}
