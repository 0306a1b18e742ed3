#include "raswarden/json_writer.hpp"

#include <fmt/format.h>

#include <iterator>

namespace raswarden::core {

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
  fmt::format_to(std::back_inserter(buffer_), "{}", value);
  return *this;
}

json_line& json_line::field(std::string_view name, std::int64_t value) {
  key(name);
  fmt::format_to(std::back_inserter(buffer_), "{}", value);
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
  if (needs_comma_.empty()) return;
  if (needs_comma_.back() == '1') buffer_.push_back(',');
  needs_comma_.back() = '1';
}

void json_line::key(std::string_view name) {
  separator();
  buffer_.push_back('"');
  append_escaped(name);
  buffer_.append("\":");
  last_value_offset_ = buffer_.size();
}

void json_line::append_escaped(std::string_view text) {
  // Input is UTF-8 produced by our own converters; only JSON's mandatory escapes are needed.
  // Bytes that are not valid UTF-8 cannot occur here, but a lone byte would still produce a line
  // that parses, because it is copied verbatim inside a string.
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': buffer_.append("\\\""); break;
      case '\\': buffer_.append("\\\\"); break;
      case '\n': buffer_.append("\\n"); break;
      case '\r': buffer_.append("\\r"); break;
      case '\t': buffer_.append("\\t"); break;
      default:
        if (byte < 0x20 || byte == 0x7F) {
          fmt::format_to(std::back_inserter(buffer_), "\\u{:04x}", static_cast<unsigned>(byte));
        } else {
          buffer_.push_back(c);
        }
    }
  }
}

}  // namespace raswarden::core
