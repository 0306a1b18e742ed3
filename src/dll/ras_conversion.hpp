// Win32 structs RRAS passes in -> core value types. Every string is read within its array's
// bound (RRAS does not promise a terminating NUL), every pointer may be null, and nothing here
// decides anything: the core does.
#pragma once

#include <optional>
#include <string>

#include "raswarden/types.hpp"
#include "win32/mprapi_sdk.hpp"

namespace raswarden::dll {

// Any of the four may be null; empty when none carries an identity.
[[nodiscard]] std::optional<core::connection_info> to_connection(const RAS_CONNECTION_0* c0, const RAS_CONNECTION_1* c1,
                                                                 const RAS_CONNECTION_2* c2,
                                                                 const RAS_CONNECTION_3* c3);

// Empty, with `problem` saying why, when the pointer is null or the MPRAPI_OBJECT_HEADER does not
// describe a RAS_CONNECTION_EX of a revision we understand.
[[nodiscard]] std::optional<core::connection_info> to_connection(const RAS_CONNECTION_EX* ex, std::string& problem);

[[nodiscard]] std::optional<core::link_info> to_link(const RAS_PORT_0* p0, const RAS_PORT_1* p1);

// The IP callbacks pass bare WCHAR pointers; they are read up to the longest name RRAS can hold.
[[nodiscard]] core::address_request to_address_request(const WCHAR* user, const WCHAR* port);

}  // namespace raswarden::dll
