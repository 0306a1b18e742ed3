// The address callbacks' bare WCHAR pointers (user and port name), read by the DLL's own
// to_address_request, then assigned and released through the engine's IPv4 or IPv6 allocator
// (static addresses, two small pools, a rule choosing the pool).
//
// A name is read up to its first NUL or the longest name RRAS can hold, never further. Each name
// here lives in a heap block of exactly its length: with fewer units than the maximum it ends in
// a NUL, at the maximum it has none, so a read past either limit is an ASan report.
//
// Input: [flags] [user units] [port units] [clock: 3 bytes] [IPv4 proposal: 4] [IPv6 proposal: 16]
//        [user: 2 bytes per unit] [port: 2 bytes per unit]
// flags: bit 0/1 pass a null user/port, bit 2 asks for IPv6, bit 3 asks twice (the same session
// again), bit 4 releases, bit 5 releases the proposal instead of what was assigned, bit 6 decides
// in audit mode.
#include <algorithm>
#include <array>
#include <memory>

#include "dll/ras_conversion.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace raswarden;

enum flag : std::uint8_t {
  null_user = 1,
  null_port = 2,
  ipv6 = 4,
  ask_twice = 8,
  release = 16,
  release_proposal = 32,
  audit = 64,
};

// `units` (at most `max`) UTF-16 units from the input, NUL-terminated unless there are `max`.
std::unique_ptr<char16_t[]> bare_name(fuzz::byte_source& in, std::size_t units, std::size_t max) {
  units = std::min(units, max);
  const std::size_t length = units == max ? max : units + 1;
  auto name = std::make_unique<char16_t[]>(length);
  for (std::size_t i = 0; i < units; ++i) name[i] = static_cast<char16_t>(in.u16());
  return name;
}

void run_ipv4(core::engine& engine, const core::address_request& request, std::uint32_t proposed, std::uint8_t flags) {
  auto assigned = engine.assign_ipv4("MprAdminGetIpAddressForUser", request, proposed);
  if ((flags & ask_twice) != 0) assigned = engine.assign_ipv4("MprAdminGetIpAddressForUser", request, proposed);
  if ((flags & release) != 0) {
    engine.release_ipv4("MprAdminReleaseIpAddress", request,
                        (flags & release_proposal) != 0 ? proposed : assigned.address);
  }
}

void run_ipv6(core::engine& engine, const core::address_request& request, const std::array<std::uint8_t, 16>& proposed,
              std::uint8_t flags) {
  auto assigned = engine.assign_ipv6("MprAdminGetIpv6AddressForUser", request, proposed);
  if ((flags & ask_twice) != 0) assigned = engine.assign_ipv6("MprAdminGetIpv6AddressForUser", request, proposed);
  if ((flags & release) != 0) {
    engine.release_ipv6("MprAdminReleaseIpv6AddressForUser", request,
                        (flags & release_proposal) != 0 ? proposed : assigned.address);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::byte_source in(data, size);
  const std::uint8_t flags = in.byte();
  const std::size_t user_units = in.byte() * 2U;  // up to 510: past the 273 a name can hold
  const std::size_t port_units = in.byte();
  const fuzz::start_time at = fuzz::start_time_from(in);
  const std::uint32_t proposed_v4 = in.u32();
  std::array<std::uint8_t, 16> proposed_v6{};
  in.fill(proposed_v6.data(), proposed_v6.size());
  const auto user = bare_name(in, user_units, dll::layout::max_address_user);
  const auto port = bare_name(in, port_units, dll::layout::max_address_port);

  const core::address_request request = dll::to_address_request((flags & null_user) != 0 ? nullptr : user.get(),
                                                                (flags & null_port) != 0 ? nullptr : port.get());
  fuzz::engine_harness harness(fuzz::fuzz_settings((flags & audit) != 0), at);
  if ((flags & ipv6) != 0) {
    run_ipv6(harness.engine(), request, proposed_v6, flags);
  } else {
    run_ipv4(harness.engine(), request, proposed_v4, flags);
  }
  return 0;
}
