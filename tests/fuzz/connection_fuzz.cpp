// RAS_CONNECTION_0/1/2/3 as RRAS passes them to the 1/2/3 families: arbitrary bytes as each
// struct (names without a terminating NUL, invalid UTF-16, any handle, enum or counter), any of
// them null, converted by the DLL's own code and pushed through the engine: accept (twice: the
// same connection through another family), reauthentication, hangup.
//
// Input: [accept mask | hangup mask << 4] [actions] [clock: 3 bytes]
//        [RAS_CONNECTION_0] [RAS_CONNECTION_1] [RAS_CONNECTION_2] [RAS_CONNECTION_3]
// Bit i of a mask passes struct i (0..3); the rest are null. Missing bytes are zeros.
#include "dll/ras_conversion.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace raswarden;

struct connection_structs {
  std::unique_ptr<dll::layout::ras_connection_0> c0;
  std::unique_ptr<dll::layout::ras_connection_1> c1;
  std::unique_ptr<dll::layout::ras_connection_2> c2;
  std::unique_ptr<dll::layout::ras_connection_3> c3;

  [[nodiscard]] std::optional<core::connection_info> convert(unsigned mask) const {
    const auto pick = [mask](const auto& p, unsigned bit) { return (mask & (1U << bit)) != 0 ? p.get() : nullptr; };
    return dll::to_connection(pick(c0, 0), pick(c1, 1), pick(c2, 2), pick(c3, 3));
  }
};

enum action : std::uint8_t { second_accept = 1, reauthenticate = 2, audit = 4, skip_hangup = 8 };

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::byte_source in(data, size);
  const std::uint8_t masks = in.byte();
  const std::uint8_t actions = in.byte();
  const fuzz::start_time at = fuzz::start_time_from(in);
  connection_structs s;
  s.c0 = in.object<dll::layout::ras_connection_0>();
  s.c1 = in.object<dll::layout::ras_connection_1>();
  s.c2 = in.object<dll::layout::ras_connection_2>();
  s.c3 = in.object<dll::layout::ras_connection_3>();

  fuzz::engine_harness harness(fuzz::fuzz_settings((actions & audit) != 0), at);
  core::engine& engine = harness.engine();
  const auto accepted = s.convert(masks & 0x0F);
  if (accepted) {
    (void)engine.accept_connection("MprAdminAcceptNewConnection3", *accepted);
  } else {
    (void)engine.malformed_call("MprAdminAcceptNewConnection3", "every RAS_CONNECTION_* pointer is null");
  }
  const auto all = s.convert(0x0F);
  if ((actions & second_accept) != 0) (void)engine.accept_connection("MprAdminAcceptNewConnection2", *all);
  if ((actions & reauthenticate) != 0) (void)engine.accept_reauthentication("MprAdminAcceptReauthentication", *all);
  if ((actions & skip_hangup) == 0) {
    if (const auto hung_up = s.convert(masks >> 4U)) {
      engine.connection_hangup("MprAdminConnectionHangupNotification3", *hung_up);
    }
  }
  return 0;
}
