// RAS_CONNECTION_EX (MPRAPI_OBJECT_HEADER, the PPP or IKEv2 PROJECTION_INFO union) as RRAS passes
// it to the Ex callbacks: arbitrary bytes, converted by the DLL's own code (which must refuse a
// header it does not understand) and pushed through the engine: accept, reauthentication,
// hangup.
//
// Input: [flags] [clock: 3 bytes] [RAS_CONNECTION_EX]
// flags: bit 0 makes the header a valid revision 1 connection object (bit 1: with size 0, which
// RRAS may send, rather than sizeof); bits 2-3 set the projection type (1 PPP, 2 IKEv2) unless 0;
// bit 4 reauthenticates, bit 5 decides in audit mode, bit 6 accepts twice, bit 7 skips the hangup.
#include "dll/ras_conversion.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace raswarden;

enum flag : std::uint8_t {
  valid_header = 1,
  header_size_zero = 2,
  reauthenticate = 16,
  audit = 32,
  second_accept = 64,
  skip_hangup = 128,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::byte_source in(data, size);
  const std::uint8_t flags = in.byte();
  const fuzz::start_time at = fuzz::start_time_from(in);
  const auto ex = in.object<dll::layout::ras_connection_ex>();
  if ((flags & valid_header) != 0) {
    ex->Header.revision = dll::layout::ras_connection_revision_1;
    ex->Header.type = dll::layout::object_type_ras_connection;
    ex->Header.size = (flags & header_size_zero) != 0 ? 0 : sizeof(dll::layout::ras_connection_ex);
  }
  if (const auto projection = static_cast<std::uint8_t>((flags >> 2U) & 3U); projection != 0) {
    ex->ProjectionInfo.projectionInfoType = projection;
  }

  fuzz::engine_harness harness(fuzz::fuzz_settings((flags & audit) != 0), at);
  core::engine& engine = harness.engine();
  std::string problem;
  const auto info = dll::to_connection(ex.get(), problem);
  if (!info) {
    if (problem.empty()) fuzz::fail("a refused RAS_CONNECTION_EX without a reason");
    (void)engine.malformed_call("MprAdminAcceptNewConnectionEx", problem);
    return 0;
  }
  (void)engine.accept_connection("MprAdminAcceptNewConnectionEx", *info);
  if ((flags & second_accept) != 0) (void)engine.accept_connection("MprAdminAcceptNewConnectionEx", *info);
  if ((flags & reauthenticate) != 0) (void)engine.accept_reauthentication("MprAdminAcceptReauthenticationEx", *info);
  if ((flags & skip_hangup) == 0) engine.connection_hangup("MprAdminConnectionHangupNotificationEx", *info);
  return 0;
}
