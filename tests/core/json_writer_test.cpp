#include "raswarden/json_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace raswarden::core {
namespace {

nlohmann::json parse_line(std::string_view line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  return nlohmann::json::parse(line);
}

TEST(JsonLine, WritesEveryFieldTypeAsParsableJson) {
  json_line line;
  line.begin_object()
      .field("text", "hello")
      .field("string", std::string("world"))
      .field("u64", std::uint64_t{18446744073709551615ULL})
      .field("u32", std::uint32_t{42})
      .field("i64", std::int64_t{-7})
      .field("yes", true)
      .field("no", false);
  const std::string text(line.finish());
  EXPECT_EQ(text,
            "{\"text\":\"hello\",\"string\":\"world\",\"u64\":18446744073709551615,\"u32\":42,\"i64\":-7,"
            "\"yes\":true,\"no\":false}\n");
  const auto json = parse_line(text);
  EXPECT_EQ(json["text"], "hello");
  EXPECT_EQ(json["u64"].get<std::uint64_t>(), 18446744073709551615ULL);
  EXPECT_EQ(json["i64"].get<std::int64_t>(), -7);
  EXPECT_EQ(json["yes"], true);
  EXPECT_EQ(json["no"], false);
}

TEST(JsonLine, EscapesQuotesBackslashesAndControlCharacters) {
  const std::string nasty = std::string("say \"hi\" C:\\path\n\r\t") + '\x01' + '\x1f' + '\x7f' + "end";
  json_line line;
  line.begin_object().field("v", nasty).field("k\"ey", "x");
  const std::string text(line.finish());
  EXPECT_NE(text.find("\\\"hi\\\""), std::string::npos) << text;
  EXPECT_NE(text.find("C:\\\\path"), std::string::npos) << text;
  EXPECT_NE(text.find("\\n\\r\\t"), std::string::npos) << text;
  EXPECT_NE(text.find("\\u0001"), std::string::npos) << text;
  EXPECT_NE(text.find("\\u001f"), std::string::npos) << text;
  EXPECT_NE(text.find("\\u007f"), std::string::npos) << text;
  // The only raw newline is the terminator.
  EXPECT_EQ(text.find('\n'), text.size() - 1);
  const auto json = parse_line(text);
  EXPECT_EQ(json["v"].get<std::string>(), nasty);
  EXPECT_EQ(json["k\"ey"], "x");
}

TEST(JsonLine, KeepsUtf8Verbatim) {
  const std::string utf8 = "J\xC3\xBCrgen \xF0\x9F\x98\x80";
  json_line line;
  line.begin_object().field("user", utf8);
  const auto json = parse_line(line.finish());
  EXPECT_EQ(json["user"].get<std::string>(), utf8);
}

// ---- ill-formed UTF-8 becomes U+FFFD -----------------------------------------------------------

constexpr std::string_view fffd = "\xEF\xBF\xBD";

// Repeats U+FFFD `n` times.
std::string replacements(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += fffd;
  return out;
}

// The string value the line holds for `input`, as a strict UTF-8 JSON parser reads it back (it
// throws on invalid UTF-8, so a record that is not valid UTF-8 fails here).
std::string round_trip(std::string_view input) {
  json_line line;
  line.begin_object().field("v", input);
  const std::string text(line.finish());
  EXPECT_EQ(text.find('\n'), text.size() - 1) << text;
  return parse_line(text)["v"].get<std::string>();
}

struct utf8_case {
  const char* name;
  std::string input;
  std::string expected;  // each maximal ill-formed subpart replaced by one U+FFFD
};

TEST(JsonLine, ReplacesIllFormedUtf8WithReplacementCharacter) {
  const std::string r1 = replacements(1);
  const std::vector<utf8_case> cases = {
      // Overlong encodings: '/' in two, three and four bytes, and U+007F in two.
      {"overlong 2-byte '/'",
       "a\xC0\xAF"
       "b",
       "a" + replacements(2) + "b"},
      {"overlong 2-byte U+007F", "\xC1\xBF", replacements(2)},
      {"overlong 3-byte '/'",
       "a\xE0\x80\xAF"
       "b",
       "a" + replacements(3) + "b"},
      {"overlong 3-byte U+07FF", "\xE0\x9F\xBF", replacements(3)},
      {"overlong 4-byte '/'", "\xF0\x80\x80\xAF", replacements(4)},
      {"overlong 4-byte U+FFFF", "\xF0\x8F\xBF\xBF", replacements(4)},
      // UTF-16 surrogates encoded in UTF-8 (CESU-8), alone and as a pair.
      {"high surrogate U+D800", "x\xED\xA0\x80y", "x" + replacements(3) + "y"},
      {"low surrogate U+DFFF", "\xED\xBF\xBF", replacements(3)},
      {"surrogate pair", "\xED\xA0\xBD\xED\xB8\x80", replacements(6)},
      // Sequences cut off by the end of the value: one U+FFFD for the valid prefix.
      {"truncated 2-byte", "end\xC3", "end" + r1},
      {"truncated 3-byte", "end\xE2\x82", "end" + r1},
      {"truncated 4-byte after 1", "end\xF0", "end" + r1},
      {"truncated 4-byte after 3", "end\xF0\x9F\x98", "end" + r1},
      // ... and by an ASCII byte in the middle of the value.
      {"interrupted 3-byte",
       "\xE2\x82"
       "A",
       r1 + "A"},
      // Continuation bytes without a lead byte.
      {"lone continuation", "\x80", r1},
      {"continuation run", "a\x80\xBF\x9Fz", "a" + replacements(3) + "z"},
      {"continuation after a complete sequence", "\xC3\xA9\xA9", "\xC3\xA9" + r1},
      // The old 5- and 6-byte forms (F8..FD) and the bytes FE, FF, which UTF-8 never uses.
      {"5-byte form", "\xF8\x88\x80\x80\x80", replacements(5)},
      {"6-byte form", "\xFC\x84\x80\x80\x80\x80", replacements(6)},
      {"FE and FF", "\xFE\xFF", replacements(2)},
      // Code points above U+10FFFF: F4 90.. and the leads F5..F7.
      {"U+110000", "\xF4\x90\x80\x80", replacements(4)},
      {"F5 lead", "\xF5\x80\x80\x80", replacements(4)},
      {"F7 lead", "\xF7\xBF\xBF\xBF", replacements(4)},
      // Latin-1 where UTF-8 belongs.
      {"Latin-1 name", "J\xFCrgen M\xFCller", "J" + r1 + "rgen M" + r1 + "ller"},
  };
  for (const utf8_case& c : cases) {
    EXPECT_EQ(round_trip(c.input), c.expected) << c.name;
  }
}

TEST(JsonLine, KeepsEveryWellFormedBoundaryCodePoint) {
  // The smallest and largest code point of each length, and the neighbours of the surrogates.
  const std::string valid =
      "\x7F-\xC2\x80-\xDF\xBF-\xE0\xA0\x80-\xED\x9F\xBF-\xEE\x80\x80-\xEF\xBF\xBF-\xF0\x90\x80\x80-\xF4\x8F\xBF\xBF";
  json_line line;
  line.begin_object().field("v", valid);
  const std::string text(line.finish());
  EXPECT_NE(text.find(valid.substr(1)), std::string::npos) << "copied verbatim (after the escaped DEL)";
  EXPECT_EQ(parse_line(text)["v"].get<std::string>(), valid);
}

TEST(JsonLine, KeysAndArrayElementsAreRepairedToo) {
  json_line line;
  line.begin_object().field("k\xFF", "v").begin_array("list").element("a\xC0").end_array();
  const auto json = parse_line(line.finish());
  EXPECT_EQ(json["k" + std::string(fffd)], "v");
  EXPECT_EQ(json["list"][0], "a" + replacements(1));
}

TEST(JsonLine, EscapesAndReplacementsMixInOneValue) {
  const std::string input = "\"q\"\xE9\t\x01\xF0\x9F\x98\x80\xED\xA0\x80\\";
  EXPECT_EQ(round_trip(input), "\"q\"" + replacements(1) + "\t\x01\xF0\x9F\x98\x80" + replacements(3) + "\\");
}

TEST(JsonLine, NulBytesInsideAValueAreEscaped) {
  json_line line;
  line.begin_object().field("v", std::string_view("a\0b", 3));
  const std::string text(line.finish());
  EXPECT_NE(text.find("a\\u0000b"), std::string::npos) << text;
  EXPECT_EQ(parse_line(text)["v"].get<std::string>(), std::string("a\0b", 3));
}

// Every byte string of length 1 to 3 over bytes chosen around every boundary gives a line that a
// strict parser accepts, and well-formed input is unchanged.
TEST(JsonLine, EveryShortByteStringGivesValidUtf8) {
  const std::vector<unsigned char> bytes = {0x00, 0x22, 0x41, 0x5C, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                            0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0,
                                            0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF};
  std::size_t checked = 0;
  const auto check = [&](const std::string& input) {
    json_line line;
    line.begin_object().field("v", input);
    const std::string text(line.finish());
    nlohmann::json json;
    ASSERT_NO_THROW(json = nlohmann::json::parse(text)) << ::testing::PrintToString(input);
    const std::string out = json["v"].get<std::string>();
    // Well-formed input (by the parser's own judgement of the raw bytes) comes back unchanged.
    bool well_formed = true;
    try {
      (void)nlohmann::json(input).dump();
    } catch (const nlohmann::json::type_error&) {
      well_formed = false;
    }
    if (well_formed) {
      EXPECT_EQ(out, input) << ::testing::PrintToString(input);
    }
    ++checked;
  };
  for (const unsigned char a : bytes) {
    check(std::string(1, static_cast<char>(a)));
    for (const unsigned char b : bytes) {
      check(std::string{static_cast<char>(a), static_cast<char>(b)});
      for (const unsigned char c : bytes)
        check(std::string{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
    }
  }
  EXPECT_EQ(checked, bytes.size() + bytes.size() * bytes.size() + bytes.size() * bytes.size() * bytes.size());
}

TEST(JsonLine, NestedObjects) {
  json_line line;
  line.begin_object()
      .field("a", std::uint64_t{1})
      .begin_object("inner")
      .field("b", std::uint64_t{2})
      .begin_object("deeper")
      .end_object()
      .field("c", "x")
      .end_object()
      .field("d", true)
      .end_object();
  const std::string text(line.finish());
  EXPECT_EQ(text, "{\"a\":1,\"inner\":{\"b\":2,\"deeper\":{},\"c\":\"x\"},\"d\":true}\n");
  const auto json = parse_line(text);
  EXPECT_EQ(json["inner"]["b"], 2);
  EXPECT_TRUE(json["inner"]["deeper"].is_object());
  EXPECT_TRUE(json["inner"]["deeper"].empty());
  EXPECT_EQ(json["d"], true);
}

TEST(JsonLine, FinishClosesOpenObjectsAndAppendsOneNewline) {
  json_line line;
  line.begin_object().field("a", "1").begin_object("inner").field("b", "2");
  const std::string text(line.finish());
  EXPECT_EQ(text, "{\"a\":\"1\",\"inner\":{\"b\":\"2\"}}\n");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_EQ(line.text(), text);
  const auto json = parse_line(text);
  EXPECT_EQ(json["inner"]["b"], "2");
}

TEST(JsonLine, EmptyObject) {
  json_line line;
  line.begin_object();
  EXPECT_EQ(line.finish(), "{}\n");
}

TEST(JsonLine, FieldIfSkipsEmptyStringsAndNullopt) {
  json_line line;
  line.begin_object()
      .field_if("empty", std::string_view{})
      .field_if("present", std::string_view{"v"})
      .field_if("none", std::optional<std::uint32_t>{})
      .field_if("some", std::optional<std::uint32_t>{7})
      .field_if("none64", std::optional<std::uint64_t>{})
      .field_if("flag", std::optional<bool>{false});
  const std::string text(line.finish());
  EXPECT_EQ(text, "{\"present\":\"v\",\"some\":7,\"flag\":false}\n");
  const auto json = parse_line(text);
  EXPECT_FALSE(json.contains("empty"));
  EXPECT_FALSE(json.contains("none"));
  EXPECT_FALSE(json.contains("none64"));
}

TEST(JsonLine, FieldIfSkippedFirstFieldLeavesNoLeadingComma) {
  json_line line;
  line.begin_object().field_if("skip", std::string_view{}).field("a", "b");
  EXPECT_EQ(line.finish(), "{\"a\":\"b\"}\n");
}

TEST(JsonLine, OverwriteReplacesValueInPlace) {
  json_line line;
  line.begin_object().field("ts", "XXXX-XX");
  const std::size_t offset = line.last_value_offset();
  EXPECT_EQ(line.text().substr(offset), "\"XXXX-XX\"");
  line.field("after", std::uint64_t{5});
  line.overwrite(offset + 1, "2026-11");
  const std::string text(line.finish());
  EXPECT_EQ(text, "{\"ts\":\"2026-11\",\"after\":5}\n");
  EXPECT_EQ(parse_line(text)["ts"], "2026-11");
}

TEST(JsonLine, LastValueOffsetPointsAfterTheColon) {
  json_line line;
  line.begin_object().field("n", std::uint64_t{123});
  EXPECT_EQ(line.text().substr(line.last_value_offset()), "123");
}

TEST(JsonLine, ClearStartsANewLine) {
  json_line line;
  line.begin_object().field("old", "x").begin_object("open");
  line.clear();
  EXPECT_TRUE(line.text().empty());
  line.begin_object().field("new", "y");
  EXPECT_EQ(line.finish(), "{\"new\":\"y\"}\n");
}

}  // namespace
}  // namespace raswarden::core
