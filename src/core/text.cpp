#include "raswarden/text.hpp"

#include <cstdint>

namespace raswarden::core {

namespace {
void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}
constexpr std::uint32_t replacement_character = 0xFFFD;
}  // namespace

std::string utf8_from_utf16(const char16_t* text, std::size_t max_units) {
  std::string out;
  if (text == nullptr) return out;
  // Names are almost always ASCII: measure up to the NUL (or the bound) and convert an ASCII
  // string with one allocation at most and no per-character appends. A short one (all of a RAS
  // struct's names, in practice) is narrowed into a stack buffer while it is measured, and the
  // string made from that in one copy. Units are read one at a time and never past the NUL: a
  // bare WCHAR* from RRAS may end at the last readable byte.
  char narrow[64];
  std::size_t length = 0;
  bool ascii = true;
  while (length < max_units && text[length] != 0) {
    ascii &= text[length] < 0x80;
    if (length < sizeof narrow) narrow[length] = static_cast<char>(text[length]);
    ++length;
  }
  if (ascii) {
    if (length <= sizeof narrow) return std::string(narrow, length);
    out.resize(length);
    for (std::size_t i = 0; i < length; ++i) out[i] = static_cast<char>(text[i]);
    return out;
  }
  out.reserve(length + length / 2);
  for (std::size_t i = 0; i < length; ++i) {
    const std::uint32_t unit = text[i];
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      // A high surrogate is valid only when a low surrogate follows within the bound.
      if (i + 1 < length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF) {
        const std::uint32_t low = text[i + 1];
        append_utf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
        ++i;
      } else {
        append_utf8(out, replacement_character);
      }
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      append_utf8(out, replacement_character);
    } else {
      append_utf8(out, unit);
    }
  }
  return out;
}

std::string utf8_from_latin1(const char* text, std::size_t max_bytes) {
  std::string out;
  if (text == nullptr) return out;
  for (std::size_t i = 0; i < max_bytes && text[i] != '\0'; ++i) {
    append_utf8(out, static_cast<unsigned char>(text[i]));
  }
  return out;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string printable(std::string_view utf8) {
  constexpr std::string_view hex = "0123456789abcdef";
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    if (byte < 0x20 || byte == 0x7F) {
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0xF];
    } else if (byte == 0xC2 && i + 1 < utf8.size() && static_cast<unsigned char>(utf8[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(utf8[i + 1]) <= 0x9F) {
      const auto code = static_cast<unsigned char>(utf8[i + 1]);  // U+0080..U+009F
      out += "\\u00";
      out += hex[code >> 4];
      out += hex[code & 0xF];
      ++i;
    } else {
      out += static_cast<char>(byte);
    }
  }
  return out;
}

namespace {
// -12, +3, 4.5, -0.25: a number that a spreadsheet reads as a number, not as a formula.
bool plain_number(std::string_view text) {
  std::size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  bool digits = false;
  bool point = false;
  for (; i < text.size(); ++i) {
    if (text[i] >= '0' && text[i] <= '9') {
      digits = true;
    } else if (text[i] == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  return digits;
}
}  // namespace

std::string csv_cell(std::string_view utf8) {
  // Escaped first, so a leading tab or carriage return is already text (\x09, \x0d), and no
  // line break is left to quote.
  std::string text = printable(utf8);
  if (!text.empty() && std::string_view("=+-@").find(text[0]) != std::string_view::npos && !plain_number(text) &&
      text != "-") {
    text.insert(0, 1, '\'');
  }
  if (text.find_first_of(",\"") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace raswarden::core
