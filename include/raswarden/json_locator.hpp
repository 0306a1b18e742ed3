// Where each value of a JSON document sits in its text, so a configuration problem can name the
// line and column an administrator has to edit. nlohmann::json (3.11, Debian 12) keeps no source
// positions, so this is a second, small pass over text the parser has already accepted.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace raswarden::core {

struct text_position {
  std::size_t line = 1;    // 1-based
  std::size_t column = 1;  // 1-based, in characters (UTF-8 sequences count as one)
};

class json_locator {
 public:
  // `text` must be valid JSON (parse it first); it is not kept.
  explicit json_locator(std::string_view text);

  // Position of the value at `pointer` (RFC 6901, "" for the root), or of its key when `key` is
  // true and the value is an object member. Unknown pointers give the nearest known ancestor.
  [[nodiscard]] text_position value(const std::string& pointer) const;
  [[nodiscard]] text_position key(const std::string& pointer) const;
  // Object members whose key appeared more than once, in file order (the last one counts).
  [[nodiscard]] const std::vector<std::string>& duplicate_keys() const noexcept { return duplicates_; }

  [[nodiscard]] static text_position position_of(std::string_view text, std::size_t offset);

  // A flat scan of any text (JSON or not, before it is parsed) for the first place where objects
  // and arrays nest deeper than `max_depth`, or where one object holds more than `max_members`
  // members or one array more than `max_elements` elements. Strings and comments are stepped
  // over as the JSON parser reads them. Nothing here recurses, whatever the text.
  struct shape_problem {
    std::size_t offset = 0;
    bool too_deep = false;  // else too many members or elements
  };
  [[nodiscard]] static std::optional<shape_problem> check_shape(std::string_view text, std::size_t max_depth,
                                                                std::size_t max_members, std::size_t max_elements);
  // RFC 6901 escaping of one key ("~" -> "~0", "/" -> "~1").
  [[nodiscard]] static std::string escape(std::string_view key);

  struct offsets_t {
    std::size_t key = 0;
    std::size_t value = 0;
  };

 private:
  [[nodiscard]] text_position at(const std::string& pointer, bool want_key) const;

  std::unordered_map<std::string, offsets_t> offsets_;
  std::vector<std::string> duplicates_;
  std::vector<std::size_t> line_starts_;
  std::string text_;
};

}  // namespace raswarden::core
