#include "raswarden/json_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

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
