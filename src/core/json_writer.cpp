#include "raswarden/json_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>

namespace raswarden::core {

namespace {

// How a byte is written inside a JSON string: copied as is, escaped, or the start of a
// multi-byte UTF-8 sequence to validate.
enum class byte_class : std::uint8_t { verbatim, escape, multibyte };

constexpr std::array<byte_class, 256> make_byte_classes() {
  std::array<byte_class, 256> classes{};
  for (std::size_t b = 0; b < 256; ++b) {
    if (b < 0x20 || b == '"' || b == '\\' || b == 0x7F) {
      classes[b] = byte_class::escape;
    } else if (b >= 0x80) {
      classes[b] = byte_class::multibyte;
    }
  }
  return classes;
}
constexpr std::array<byte_class, 256> byte_classes = make_byte_classes();

bool is_verbatim(char c) noexcept {
  return byte_classes[static_cast<unsigned char>(c)] == byte_class::verbatim;
}

}  // namespace

json_line& json_line::begin_object() {
  separator();
  buffer_.push_back('{');
  needs_comma_.push_back('0');
  return *this;
}

json_line& json_line::begin_object(std::string_view name) {
  key(name);
  buffer_.push_back('{');
  needs_comma_.push_back('0');
  return *this;
}

json_line& json_line::end_object() {
  buffer_.push_back('}');
  if (!needs_comma_.empty()) needs_comma_.pop_back();
  return *this;
}

json_line& json_line::begin_array(std::string_view name) {
  key(name);
  buffer_.push_back('[');
  needs_comma_.push_back('0');
  return *this;
}

json_line& json_line::element(std::string_view value) {
  separator();
  buffer_.push_back('"');
  append_escaped(value);
  buffer_.push_back('"');
  return *this;
}

json_line& json_line::end_array() {
  buffer_.push_back(']');
  if (!needs_comma_.empty()) needs_comma_.pop_back();
  return *this;
}

json_line& json_line::field(std::string_view name, std::string_view value) {
  key(name);
  buffer_.push_back('"');
  append_escaped(value);
  buffer_.push_back('"');
  return *this;
}

json_line& json_line::field(std::string_view name, std::uint64_t value) {
  key(name);
  append_number(value);
  return *this;
}

json_line& json_line::field(std::string_view name, std::int64_t value) {
  key(name);
  append_number(value);
  return *this;
}

json_line& json_line::field(std::string_view name, bool value) {
  key(name);
  buffer_.append(value ? "true" : "false");
  return *this;
}

json_line& json_line::field_if(std::string_view name, std::string_view value) {
  if (!value.empty()) field(name, value);
  return *this;
}

std::string_view json_line::finish() {
  while (!needs_comma_.empty()) end_object();
  buffer_.push_back('\n');
  return buffer_;
}

void json_line::separator() {
  if (separator_needed()) buffer_.push_back(',');
}

bool json_line::separator_needed() {
  if (needs_comma_.empty()) return false;
  const bool needed = needs_comma_.back() == '1';
  needs_comma_.back() = '1';
  return needed;
}

void json_line::key(std::string_view name) {
  // Keys are the schema's own names: one append for the separator, the quotes and the colon
  // around them when they need no escaping (always, in practice).
  const bool comma = separator_needed();
  if (std::all_of(name.begin(), name.end(), is_verbatim)) {
    const std::size_t at = buffer_.size();
    buffer_.resize(at + name.size() + (comma ? 4 : 3));
    char* out = buffer_.data() + at;
    if (comma) *out++ = ',';
    *out++ = '"';
    out = std::copy(name.begin(), name.end(), out);
    *out++ = '"';
    *out = ':';
  } else {
    if (comma) buffer_.push_back(',');
    buffer_.push_back('"');
    append_escaped(name);
    buffer_.append("\":", 2);
  }
  last_value_offset_ = buffer_.size();
}

template <typename Integer>
void json_line::append_number(Integer value) {
  char digits[24];
  const auto result = std::to_chars(std::begin(digits), std::end(digits), value);
  buffer_.append(digits, static_cast<std::size_t>(result.ptr - digits));
}

namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// The length of the well-formed UTF-8 sequence starting at text[0] (Unicode 15, table 3-7: no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0 when it is ill-formed; then
// `bad` is the length of its maximal subpart (the bytes one U+FFFD replaces, at least 1), as
// Unicode's "substitution of maximal subparts" practice and the WHATWG decoder count them.
std::size_t utf8_sequence(std::string_view text, std::size_t& bad) noexcept {
  const auto lead = static_cast<unsigned char>(text[0]);
  std::size_t continuation = 0;
  unsigned char low = 0x80;  // the allowed range of the second byte; later ones are 80..BF
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuation = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    continuation = 2;
    if (lead == 0xE0) low = 0xA0;   // overlong below U+0800
    if (lead == 0xED) high = 0x9F;  // surrogates U+D800..U+DFFF
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    continuation = 3;
    if (lead == 0xF0) low = 0x90;   // overlong below U+10000
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    bad = 1;  // a continuation byte without a lead, C0/C1 (overlong), F5..FF (no such forms)
    return 0;
  }
  for (std::size_t i = 1; i <= continuation; ++i) {
    if (i >= text.size()) {  // truncated by the end of the string
      bad = i;
      return 0;
    }
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < low || byte > high) {
      bad = i;
      return 0;
    }
    low = 0x80;
    high = 0xBF;
  }
  return continuation + 1;
}

}  // namespace

void json_line::append_escaped(std::string_view text) {
  // Runs of bytes that need nothing (printable ASCII and well-formed UTF-8) are appended whole;
  // JSON's mandatory escapes are written as escapes, and every ill-formed UTF-8 sequence becomes
  // U+FFFD, so a record is valid UTF-8 JSON whatever bytes a value holds.
  std::size_t run = 0;  // where the pending verbatim run starts
  std::size_t i = 0;
  const auto flush = [&](std::size_t end) { buffer_.append(text.data() + run, end - run); };
  while (i < text.size()) {
    const char c = text[i];
    switch (byte_classes[static_cast<unsigned char>(c)]) {
      case byte_class::verbatim: ++i; continue;
      case byte_class::multibyte: {
        std::size_t bad = 0;
        if (const std::size_t length = utf8_sequence(text.substr(i), bad); length != 0) {
          i += length;
          continue;
        }
        flush(i);
        buffer_.append(replacement_character);
        i += bad;
        break;
      }
      case byte_class::escape:
        flush(i);
        switch (c) {
          case '"': buffer_.append("\\\""); break;
          case '\\': buffer_.append("\\\\"); break;
          case '\n': buffer_.append("\\n"); break;
          case '\r': buffer_.append("\\r"); break;
          case '\t': buffer_.append("\\t"); break;
          default: {
            constexpr std::string_view hex = "0123456789abcdef";
            const auto byte = static_cast<unsigned char>(c);
            const char escaped[] = {'\\', 'u', '0', '0', hex[byte >> 4], hex[byte & 0xF]};
            buffer_.append(escaped, sizeof escaped);
          }
        }
        ++i;
        break;
    }
    run = i;
  }
  flush(i);
}

}  // namespace raswarden::core
