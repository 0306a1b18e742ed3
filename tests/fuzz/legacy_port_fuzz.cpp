// RAS_PORT_1 (with its RAS_PORT_0) and RAS_PORT_STATISTICS as the NT 4.0 callbacks receive them:
// arbitrary bytes as each struct (names without a terminating NUL, invalid UTF-16, any counter),
// either null, converted by the DLL's own to_legacy_port and pushed through the engine:
// RasAdminAcceptNewConnection (twice, or for a second port of the same connection) and
// RasAdminConnectionHangupNotification.
//
// Input: [flags] [clock: 3 bytes] [RAS_PORT_1] [RAS_PORT_STATISTICS]
// flags: bit 0/1 pass a null RAS_PORT_1/RAS_PORT_STATISTICS to the accept, bit 2/3 to the hangup,
// bit 4 accepts the port twice, bit 5 also accepts and hangs up a second port of the connection
// (another port name), bit 6 skips the hangup, bit 7 decides in audit mode. Missing bytes are zeros.
#include "dll/legacy_conversion.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace raswarden;

enum flag : std::uint8_t {
  null_accept_port = 1,
  null_accept_stats = 2,
  null_hangup_port = 4,
  null_hangup_stats = 8,
  second_accept = 16,
  second_port = 32,
  skip_hangup = 64,
  audit = 128,
};

constexpr std::string_view no_port = "RAS_PORT_1 pointer is null";

void accept(core::engine& engine, const std::optional<core::legacy_port>& port) {
  constexpr std::string_view callback = "RasAdminAcceptNewConnection";
  if (port) {
    (void)engine.legacy_accept(callback, *port);
  } else {
    (void)engine.malformed_call(callback, no_port);
  }
}

void hangup(core::engine& engine, const std::optional<core::legacy_port>& port) {
  constexpr std::string_view callback = "RasAdminConnectionHangupNotification";
  if (port) {
    engine.legacy_hangup(callback, *port);
  } else {
    (void)engine.malformed_call(callback, no_port);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::byte_source in(data, size);
  const std::uint8_t flags = in.byte();
  const fuzz::start_time at = fuzz::start_time_from(in);
  const auto port = in.object<dll::legacy_layout::ras_port_1>();
  const auto stats = in.object<dll::legacy_layout::ras_port_statistics>();
  const auto convert = [&](bool no_port_struct, bool no_stats) {
    return dll::to_legacy_port(no_port_struct ? nullptr : port.get(), no_stats ? nullptr : stats.get());
  };

  fuzz::engine_harness harness(fuzz::fuzz_settings((flags & audit) != 0), at);
  core::engine& engine = harness.engine();
  const auto accepted = convert((flags & null_accept_port) != 0, (flags & null_accept_stats) != 0);
  accept(engine, accepted);
  if ((flags & second_accept) != 0) accept(engine, accepted);
  std::optional<core::legacy_port> other;
  if ((flags & second_port) != 0) {
    other = convert(false, false);
    other->link.port_name += "-2";
    accept(engine, other);
  }
  if ((flags & skip_hangup) == 0) {
    hangup(engine, convert((flags & null_hangup_port) != 0, (flags & null_hangup_stats) != 0));
    if (other) hangup(engine, other);
  }
  return 0;
}
