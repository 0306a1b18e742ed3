// Text conversion at the trust boundary: RRAS hands us fixed-size UTF-16 arrays that are not
// guaranteed to be terminated or well-formed, and the core works in UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace raswarden::core {

// Converts at most `max_units` UTF-16 code units, stopping early at the first NUL. Unpaired
// surrogates become U+FFFD. A null pointer yields "". Never reads past `max_units`.
[[nodiscard]] std::string utf8_from_utf16(const char16_t* text, std::size_t max_units);

// Converts at most `max_bytes` narrow (ANSI, treated as Latin-1) bytes, stopping at NUL. Used for
// the NT 4.0 structures' CHAR arrays.
[[nodiscard]] std::string utf8_from_latin1(const char* text, std::size_t max_bytes);

// Lower-cases ASCII letters; other bytes are kept (user names compare case-insensitively on
// Windows, and the ASCII rule is what matters for the keys we derive).
[[nodiscard]] std::string ascii_lower(std::string_view text);

}  // namespace raswarden::core
