// Builds one JSON object as a single line. Accounting records are written on RRAS's threads, so
// this appends into a reusable buffer instead of building a DOM (nlohmann::json is used to read
// records back in tests and tools, where speed does not matter).
//
// The line is always valid UTF-8 JSON, whatever bytes keys and values hold: JSON's mandatory
// escapes are written as escapes, and every ill-formed UTF-8 sequence (overlong forms, encoded
// surrogates, code points above U+10FFFF, 5- and 6-byte forms, stray continuation bytes, a
// sequence cut off by the end of the value) becomes U+FFFD, one per maximal ill-formed subpart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace raswarden::core {

// A record's key. Keys are the schema's own names, string literals at every call site, so whether
// one needs escaping is settled when the program is compiled (consteval): writing a key is then a
// copy. Checking every key's bytes on every record was a large part of a record's cost.
class json_key {
 public:
  template <std::size_t N>
  consteval json_key(const char (&text)[N]) noexcept  // NOLINT: implicit, so call sites pass literals
      : text_(text, N - 1), plain_(is_plain(std::string_view(text, N - 1))) {}
  // A key known only at run time, checked then.
  explicit json_key(std::string_view text) noexcept : text_(text), plain_(is_plain(text)) {}

  [[nodiscard]] constexpr std::string_view text() const noexcept { return text_; }
  // Printable ASCII without quote or backslash: written as it is.
  [[nodiscard]] constexpr bool plain() const noexcept { return plain_; }

 private:
  static constexpr bool is_plain(std::string_view text) noexcept {
    for (const char c : text) {
      const auto b = static_cast<unsigned char>(c);
      if (b < 0x20 || b >= 0x7F || b == '"' || b == '\\') return false;
    }
    return true;
  }
  std::string_view text_;
  bool plain_;
};

class json_line {
 public:
  json_line() { buffer_.resize(1024); }

  void clear() {
    size_ = 0;
    needs_comma_.clear();
  }
  json_line& begin_object();
  json_line& begin_object(json_key key);
  json_line& end_object();
  json_line& begin_array(json_key key);
  json_line& element(std::string_view value);  // a string inside the open array
  json_line& end_array();

  json_line& field(json_key key, std::string_view value);
  json_line& field(json_key key, const char* value) { return field(key, std::string_view(value)); }
  json_line& field(json_key key, const std::string& value) { return field(key, std::string_view(value)); }
  json_line& field(json_key key, std::uint64_t value);
  json_line& field(json_key key, std::uint32_t value) { return field(key, std::uint64_t{value}); }
  json_line& field(json_key key, std::int64_t value);
  json_line& field(json_key key, bool value);

  // Writes the field only when there is a value (the schema omits fields the source lacks).
  json_line& field_if(json_key key, std::string_view value);
  template <typename T>
  json_line& field_if(json_key key, const std::optional<T>& value) {
    if (value) field(key, *value);
    return *this;
  }

  // Where the value of the field just written starts, to overwrite it later with text of the
  // same length (the writer fills the timestamp in under its lock, so time follows seq order).
  [[nodiscard]] std::size_t last_value_offset() const noexcept { return last_value_offset_; }
  void overwrite(std::size_t offset, std::string_view text);

  // The finished line with its terminating '\n'.
  [[nodiscard]] std::string_view finish();
  [[nodiscard]] std::string_view text() const noexcept { return {buffer_.data(), size_}; }

 private:
  void key(json_key name);
  void separator();
  bool separator_needed();  // and marks the open object as holding a member
  void append_escaped(std::string_view text);
  template <typename Integer>
  void append_number(Integer value);
  // Room for `more` bytes after the line; returns where they go. The caller writes them and
  // adds them to size_.
  char* room(std::size_t more) {
    if (buffer_.size() - size_ < more) grow(more);
    return buffer_.data() + size_;
  }
  void grow(std::size_t more);
  void put(char c) { *room(1) = c, ++size_; }
  void put(std::string_view text);

  // The line is buffer_[0, size_). buffer_ is only storage, kept at its full size, so writing a
  // field is a bounds check and a copy: std::string's own append and resize check, call out and
  // (resize) zero-fill on every call, which was most of a record's cost.
  std::string buffer_;
  std::size_t size_ = 0;
  std::string needs_comma_;  // one flag per open object: '1' once it holds a member
  std::size_t last_value_offset_ = 0;
};

}  // namespace raswarden::core
