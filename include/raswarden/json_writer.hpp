// Builds one JSON object as a single line. Accounting records are written on RRAS's threads, so
// this appends into a reusable buffer instead of building a DOM (nlohmann::json is used to read
// records back in tests and tools, where speed does not matter).
//
// The line is always valid UTF-8 JSON, whatever bytes keys and values hold: JSON's mandatory
// escapes are written as escapes, and every ill-formed UTF-8 sequence (overlong forms, encoded
// surrogates, code points above U+10FFFF, 5- and 6-byte forms, stray continuation bytes, a
// sequence cut off by the end of the value) becomes U+FFFD, one per maximal ill-formed subpart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace raswarden::core {

class json_line {
 public:
  json_line() { buffer_.reserve(512); }

  void clear() {
    buffer_.clear();
    needs_comma_.clear();
  }
  json_line& begin_object();
  json_line& begin_object(std::string_view key);
  json_line& end_object();
  json_line& begin_array(std::string_view key);
  json_line& element(std::string_view value);  // a string inside the open array
  json_line& end_array();

  json_line& field(std::string_view key, std::string_view value);
  json_line& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
  json_line& field(std::string_view key, const std::string& value) { return field(key, std::string_view(value)); }
  json_line& field(std::string_view key, std::uint64_t value);
  json_line& field(std::string_view key, std::uint32_t value) { return field(key, std::uint64_t{value}); }
  json_line& field(std::string_view key, std::int64_t value);
  json_line& field(std::string_view key, bool value);

  // Writes the field only when there is a value (the schema omits fields the source lacks).
  json_line& field_if(std::string_view key, std::string_view value);
  template <typename T>
  json_line& field_if(std::string_view key, const std::optional<T>& value) {
    if (value) field(key, *value);
    return *this;
  }

  // Where the value of the field just written starts, to overwrite it later with text of the
  // same length (the writer fills the timestamp in under its lock, so time follows seq order).
  [[nodiscard]] std::size_t last_value_offset() const noexcept { return last_value_offset_; }
  void overwrite(std::size_t offset, std::string_view text) { buffer_.replace(offset, text.size(), text); }

  // The finished line with its terminating '\n'.
  [[nodiscard]] std::string_view finish();
  [[nodiscard]] std::string_view text() const noexcept { return buffer_; }

 private:
  void key(std::string_view name);
  void separator();
  bool separator_needed();  // and marks the open object as holding a member
  void append_escaped(std::string_view text);
  template <typename Integer>
  void append_number(Integer value);

  std::string buffer_;
  std::string needs_comma_;  // one flag per open object: '1' once it holds a member
  std::size_t last_value_offset_ = 0;
};

}  // namespace raswarden::core
