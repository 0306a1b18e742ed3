// Win32 structs RRAS passes in -> core value types. Every string is read within its array's
// bound (RRAS does not promise a terminating NUL), every pointer may be null, and nothing here
// decides anything: the core does.
//
// The conversion is written against the portable mirror structs of ras_layout.hpp, so it builds
// natively too (the fuzzers in tests/fuzz feed it arbitrary bytes). The DLL's exports call the
// SDK-typed overloads below, which read RRAS's structs through those mirrors; ras_conversion.cpp
// static_asserts that every struct and every member read has the SDK's size and offset.
#pragma once

#include <optional>
#include <string>

#include "dll/ras_layout.hpp"
#include "raswarden/types.hpp"

#ifdef _WIN32
#include "win32/mprapi_sdk.hpp"
#endif

namespace raswarden::dll {

// Any of the four may be null; empty when none carries an identity.
[[nodiscard]] std::optional<core::connection_info> to_connection(const layout::ras_connection_0* c0,
                                                                 const layout::ras_connection_1* c1,
                                                                 const layout::ras_connection_2* c2,
                                                                 const layout::ras_connection_3* c3);

// Empty, with `problem` saying why, when the pointer is null or the MPRAPI_OBJECT_HEADER does not
// describe a RAS_CONNECTION_EX of a revision we understand.
[[nodiscard]] std::optional<core::connection_info> to_connection(const layout::ras_connection_ex* ex,
                                                                 std::string& problem);

[[nodiscard]] std::optional<core::link_info> to_link(const layout::ras_port_0* p0, const layout::ras_port_1* p1);

// The IP callbacks pass bare WCHAR pointers; each is read up to the longest name RRAS can hold
// (layout::max_address_user, layout::max_address_port) or its first NUL. Either may be null.
[[nodiscard]] core::address_request to_address_request(const char16_t* user, const char16_t* port);

#ifdef _WIN32
// The same conversions over the SDK's structs, as the exports receive them from RRAS.
[[nodiscard]] std::optional<core::connection_info> to_connection(const RAS_CONNECTION_0* c0, const RAS_CONNECTION_1* c1,
                                                                 const RAS_CONNECTION_2* c2,
                                                                 const RAS_CONNECTION_3* c3);
[[nodiscard]] std::optional<core::connection_info> to_connection(const RAS_CONNECTION_EX* ex, std::string& problem);
[[nodiscard]] std::optional<core::link_info> to_link(const RAS_PORT_0* p0, const RAS_PORT_1* p1);
[[nodiscard]] core::address_request to_address_request(const WCHAR* user, const WCHAR* port);
#endif

}  // namespace raswarden::dll
