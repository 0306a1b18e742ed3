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

// Text a remote client controls (user, domain, port names), made safe for a terminal or a log
// line: the C0 controls, DEL and the C1 controls (U+0080-U+009F, which some terminals also obey)
// become visible escapes (\x1b, \x7f, \u009b), so no name can move the cursor, recolour the
// screen or start a new, forged line. Everything else, other UTF-8 included, is kept.
[[nodiscard]] std::string printable(std::string_view utf8);

// A cell for a CSV file opened in a spreadsheet: a cell that starts with =, +, -, @, a tab or a
// carriage return is a formula to Excel, LibreOffice and Google Sheets. Control characters are
// escaped first (printable), which takes care of a leading tab or carriage return; a cell that
// then starts with =, +, - or @ gets a leading apostrophe (OWASP's advice), except a plain number
// such as -5. Quoted when it holds a comma or a quote, with quotes doubled.
[[nodiscard]] std::string csv_cell(std::string_view utf8);

}  // namespace raswarden::core
