#include "raswarden/json_locator.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_set>

namespace raswarden::core {

namespace {

// A recursive walk over valid JSON text recording where every value (and member key) starts.
class scanner {
 public:
  scanner(std::string_view text, std::unordered_map<std::string, json_locator::offsets_t>& out,
          std::vector<std::string>& duplicates)
      : text_(text), out_(out), duplicates_(duplicates) {}

  void run() {
    // A UTF-8 byte order mark (Notepad writes one; the JSON parser skips it) comes before the
    // document.
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    skip_space();
    out_[""] = {pos_, pos_};
    value("");
  }

 private:
  // Whitespace and comments (// to the end of the line, /* ... */), which the configuration
  // allows so that a file can explain itself.
  void skip_space() {
    for (;;) {
      while (pos_ < text_.size() &&
             (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
        ++pos_;
      }
      if (text_.substr(pos_, 2) == "//") {
        // As the parser reads it: a line comment also ends at a carriage return or a NUL byte.
        const std::size_t end = text_.find_first_of(std::string_view("\n\r\0", 3), pos_);
        pos_ = end == std::string_view::npos ? text_.size() : end + 1;
      } else if (text_.substr(pos_, 2) == "/*") {
        const std::size_t end = text_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? text_.size() : end + 2;
      } else {
        return;
      }
    }
  }

  // Returns the raw string token including its quotes.
  std::string_view string_token() {
    const std::size_t start = pos_++;
    while (pos_ < text_.size() && text_[pos_] != '"') pos_ += text_[pos_] == '\\' ? 2 : 1;
    ++pos_;
    return text_.substr(start, std::min(pos_, text_.size()) - start);
  }

  void value(const std::string& pointer) {
    if (pos_ >= text_.size()) return;
    switch (text_[pos_]) {
      case '{':
      case '[':
        if (depth_ == deepest) {
          pass_over_nested();
          break;
        }
        ++depth_;
        if (text_[pos_] == '{') {
          object(pointer);
        } else {
          array(pointer);
        }
        --depth_;
        break;
      case '"': string_token(); break;
      default:  // a number or literal, which a comment may follow directly
        while (pos_ < text_.size() && std::string_view(",]} \t\r\n/").find(text_[pos_]) == std::string_view::npos) {
          ++pos_;
        }
    }
  }

  void object(const std::string& pointer) {
    ++pos_;
    std::unordered_set<std::string> seen;
    for (skip_space(); pos_ < text_.size() && text_[pos_] != '}';) {
      const std::size_t key_at = pos_;
      const std::string key = nlohmann::json::parse(string_token()).get<std::string>();
      skip_space();
      ++pos_;  // ':'
      skip_space();
      const std::string child = pointer + "/" + json_locator::escape(key);
      if (!seen.insert(key).second) duplicates_.push_back(child);
      out_[child] = {key_at, pos_};
      value(child);
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') ++pos_;
      skip_space();
    }
    ++pos_;
  }

  void array(const std::string& pointer) {
    ++pos_;
    std::size_t index = 0;
    for (skip_space(); pos_ < text_.size() && text_[pos_] != ']';) {
      const std::string child = pointer + "/" + std::to_string(index++);
      out_[child] = {pos_, pos_};
      value(child);
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') ++pos_;
      skip_space();
    }
    ++pos_;
  }

  // From an opening bracket to past its closing one, iteratively and recording nothing inside.
  void pass_over_nested() {
    std::size_t open = 0;
    do {
      if (text_[pos_] == '"') {
        string_token();
      } else {
        if (text_[pos_] == '{' || text_[pos_] == '[') ++open;
        if (text_[pos_] == '}' || text_[pos_] == ']') --open;
        ++pos_;
      }
      skip_space();
    } while (open > 0 && pos_ < text_.size());
  }

  // Values nested deeper than this are passed over whole (a pointer into one finds its nearest
  // recorded ancestor), so the recursion, and the pointers whose length grows with the depth,
  // stay bounded whatever the text; no configuration nests anywhere near this deep.
  static constexpr std::size_t deepest = 64;
  std::size_t depth_ = 0;
  std::string_view text_;
  std::size_t pos_ = 0;
  std::unordered_map<std::string, json_locator::offsets_t>& out_;
  std::vector<std::string>& duplicates_;
};

}  // namespace

std::optional<json_locator::shape_problem> json_locator::check_shape(std::string_view text, std::size_t max_depth,
                                                                     std::size_t max_members,
                                                                     std::size_t max_elements) {
  // Per open container: whether it is an object, and how many commas it has seen (members - 1).
  struct open_container {
    bool object = false;
    std::size_t commas = 0;
  };
  std::vector<open_container> open;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      // As the parser reads it: a line comment also ends at a carriage return or a NUL byte.
      i = text.find_first_of(std::string_view("\n\r\0", 3), i);
      if (i == std::string_view::npos) break;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      i = text.find("*/", i + 2);
      if (i == std::string_view::npos) break;
      ++i;
    } else if (c == '{' || c == '[') {
      if (open.size() >= max_depth) return shape_problem{i, true};
      open.push_back({c == '{', 0});
    } else if ((c == '}' || c == ']') && !open.empty()) {
      open.pop_back();
    } else if (c == ',' && !open.empty()) {
      open_container& in = open.back();
      if (++in.commas >= (in.object ? max_members : max_elements)) return shape_problem{i, false};
    }
  }
  return std::nullopt;
}

json_locator::json_locator(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  }
  scanner(text, offsets_, duplicates_).run();
}

std::string json_locator::escape(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

text_position json_locator::position_of(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  text_position position;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++position.line;
      line_start = i + 1;
    }
  }
  // A byte order mark is no character an editor shows.
  if (line_start == 0 && offset >= 3 && text.starts_with("\xEF\xBB\xBF")) line_start = 3;
  for (std::size_t i = line_start; i < offset; ++i) {
    // Continuation bytes of a UTF-8 sequence do not start a character.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++position.column;
  }
  return position;
}

text_position json_locator::at(const std::string& pointer, bool want_key) const {
  std::string p = pointer;
  for (;;) {
    if (const auto found = offsets_.find(p); found != offsets_.end()) {
      const std::size_t offset = want_key ? found->second.key : found->second.value;
      const auto line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - 1;
      text_position position = position_of(std::string_view(text_).substr(*line), offset - *line);
      position.line = static_cast<std::size_t>(line - line_starts_.begin()) + 1;
      return position;
    }
    if (p.empty()) return {};
    p.erase(p.rfind('/'));
  }
}

text_position json_locator::value(const std::string& pointer) const {
  return at(pointer, false);
}

text_position json_locator::key(const std::string& pointer) const {
  return at(pointer, true);
}

}  // namespace raswarden::core
