#include "raswarden/json_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>

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

// Whether eight (four) bytes need nothing: printable ASCII, no quote, no backslash. Exact in the
// sense that matters: true only when every byte is such a byte, and then always (a borrow or carry
// between bytes happens only past a byte that fails, so it can only turn a false into a false).
template <typename Word>
inline bool verbatim_word(Word x) noexcept {
  constexpr Word ones = static_cast<Word>(0x0101010101010101ULL);
  constexpr Word highs = static_cast<Word>(0x8080808080808080ULL);
  // Below 0x20 (x - 0x20 borrows), 0x7F and above (x + 1 or x itself reaches the high bit).
  const Word outside = static_cast<Word>(x - ones * 0x20) | static_cast<Word>(x + ones) | x;
  const Word quote = x ^ static_cast<Word>(ones * '"');
  const Word backslash = x ^ static_cast<Word>(ones * '\\');
  // A zero byte in quote or backslash: the classic test.
  const Word special = static_cast<Word>(static_cast<Word>(quote - ones) & ~quote) |
                       static_cast<Word>(static_cast<Word>(backslash - ones) & ~backslash);
  return ((outside | special) & highs) == 0;
}

template <typename Word>
inline Word load_word(const char* p) noexcept {
  Word word = 0;
  std::memcpy(&word, p, sizeof word);
  return word;
}

// Whether `text` can be copied as it is. Keys (short literals) and values are checked a word at a
// time with the last word overlapping the one before, so a check costs two or three word tests
// rather than a loop over every byte (which was most of a record's cost).
inline bool verbatim(std::string_view text) noexcept {
  const char* p = text.data();
  const std::size_t n = text.size();
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (!verbatim_word(load_word<std::uint64_t>(p + i))) return false;
    }
    return verbatim_word(load_word<std::uint64_t>(p + n - 8));
  }
  if (n >= 4) {
    return verbatim_word(load_word<std::uint32_t>(p)) && verbatim_word(load_word<std::uint32_t>(p + n - 4));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (byte_classes[static_cast<unsigned char>(p[i])] != byte_class::verbatim) return false;
  }
  return true;
}

}  // namespace

void json_line::grow(std::size_t more) {
  std::size_t capacity = buffer_.size() * 2;
  if (capacity - size_ < more) capacity = size_ + more;
  buffer_.resize(capacity);
}

void json_line::put(std::string_view text) {
  std::memcpy(room(text.size()), text.data(), text.size());
  size_ += text.size();
}

void json_line::overwrite(std::size_t offset, std::string_view text) {
  if (offset > size_ || text.size() > size_ - offset) return;  // not inside the line: nothing to replace
  std::memcpy(buffer_.data() + offset, text.data(), text.size());
}

json_line& json_line::begin_object() {
  separator();
  put('{');
  needs_comma_.push_back('0');
  return *this;
}

json_line& json_line::begin_object(json_key name) {
  key(name);
  put('{');
  needs_comma_.push_back('0');
  return *this;
}

json_line& json_line::end_object() {
  put('}');
  if (!needs_comma_.empty()) needs_comma_.pop_back();
  return *this;
}

json_line& json_line::begin_array(json_key name) {
  key(name);
  put('[');
  needs_comma_.push_back('0');
  return *this;
}

json_line& json_line::element(std::string_view value) {
  separator();
  put('"');
  append_escaped(value);
  put('"');
  return *this;
}

json_line& json_line::end_array() {
  put(']');
  if (!needs_comma_.empty()) needs_comma_.pop_back();
  return *this;
}

json_line& json_line::field(json_key name, std::string_view value) {
  if (name.plain() && verbatim(value)) {
    // Nearly every field: nothing to escape in key or value, so ,"key":"value" is written with
    // one bounds check and two copies.
    const std::string_view text = name.text();
    const bool comma = separator_needed();
    char* out = room(text.size() + value.size() + 6);
    char* const start = out;
    if (comma) *out++ = ',';
    *out++ = '"';
    std::memcpy(out, text.data(), text.size());
    out += text.size();
    *out++ = '"';
    *out++ = ':';
    last_value_offset_ = size_ + static_cast<std::size_t>(out - start);
    *out++ = '"';
    std::memcpy(out, value.data(), value.size());
    out += value.size();
    *out++ = '"';
    size_ += static_cast<std::size_t>(out - start);
    return *this;
  }
  key(name);
  put('"');
  append_escaped(value);
  put('"');
  return *this;
}

json_line& json_line::field(json_key name, std::uint64_t value) {
  key(name);
  append_number(value);
  return *this;
}

json_line& json_line::field(json_key name, std::int64_t value) {
  key(name);
  append_number(value);
  return *this;
}

json_line& json_line::field(json_key name, bool value) {
  key(name);
  put(value ? std::string_view("true") : std::string_view("false"));
  return *this;
}

json_line& json_line::field_if(json_key name, std::string_view value) {
  if (!value.empty()) field(name, value);
  return *this;
}

std::string_view json_line::finish() {
  while (!needs_comma_.empty()) end_object();
  put('\n');
  return text();
}

void json_line::separator() {
  if (separator_needed()) put(',');
}

bool json_line::separator_needed() {
  if (needs_comma_.empty()) return false;
  const bool needed = needs_comma_.back() == '1';
  needs_comma_.back() = '1';
  return needed;
}

void json_line::key(json_key name) {
  // Keys are the schema's own names: written with their separator, quotes and colon in one
  // copy when they need no escaping (always, in practice).
  const bool comma = separator_needed();
  if (name.plain()) {
    const std::string_view text = name.text();
    char* out = room(text.size() + 4);
    char* const start = out;
    if (comma) *out++ = ',';
    *out++ = '"';
    std::memcpy(out, text.data(), text.size());
    out += text.size();
    *out++ = '"';
    *out++ = ':';
    size_ += static_cast<std::size_t>(out - start);
  } else {
    if (comma) put(',');
    put('"');
    append_escaped(name.text());
    put(std::string_view("\":", 2));
  }
  last_value_offset_ = size_;
}

template <typename Integer>
void json_line::append_number(Integer value) {
  char digits[24];
  const auto result = std::to_chars(std::begin(digits), std::end(digits), value);
  put(std::string_view(digits, static_cast<std::size_t>(result.ptr - digits)));
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
  const auto flush = [&](std::size_t end) { put(text.substr(run, end - run)); };
  while (i < text.size()) {
    // Eight plain ASCII bytes at a time (most of every value), then byte by byte.
    while (i + 8 <= text.size() && verbatim_word(load_word<std::uint64_t>(text.data() + i))) i += 8;
    if (i >= text.size()) break;
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
        put(replacement_character);
        i += bad;
        break;
      }
      case byte_class::escape:
        flush(i);
        switch (c) {
          case '"': put("\\\""); break;
          case '\\': put("\\\\"); break;
          case '\n': put("\\n"); break;
          case '\r': put("\\r"); break;
          case '\t': put("\\t"); break;
          default: {
            constexpr std::string_view hex = "0123456789abcdef";
            const auto byte = static_cast<unsigned char>(c);
            const char escaped[] = {'\\', 'u', '0', '0', hex[byte >> 4], hex[byte & 0xF]};
            put(std::string_view(escaped, sizeof escaped));
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
