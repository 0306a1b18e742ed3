// The NT 4.0 callbacks' structs (rassapi.h) -> core value types, written against the portable
// mirrors of legacy_layout.hpp so it builds natively too (tests/fuzz/legacy_port_fuzz.cpp feeds
// it arbitrary bytes). Every string is read within its array's bound, every pointer may be null,
// and nothing here decides anything: the core does. legacy_exports.cpp reads RRAS's structs
// through the mirrors and static_asserts that they agree with the SDK's.
#pragma once

#include <optional>

#include "dll/legacy_layout.hpp"
#include "raswarden/engine.hpp"

namespace raswarden::dll {

// Empty when `port` is null; `stats` may be null (no counters).
[[nodiscard]] std::optional<core::legacy_port> to_legacy_port(const legacy_layout::ras_port_1* port,
                                                              const legacy_layout::ras_port_statistics* stats);

// The bare WCHAR user and port names of RasAdminGetIpAddressForUser and RasAdminReleaseIpAddress,
// each read up to its first NUL or legacy_layout::max_address_user / max_address_port units.
// Either may be null.
[[nodiscard]] core::address_request to_legacy_address_request(const char16_t* user, const char16_t* port);

}  // namespace raswarden::dll
