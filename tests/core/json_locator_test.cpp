#include "raswarden/json_locator.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace raswarden::core {
namespace {

// "line:column" of a position, so a failure shows both.
std::string at(text_position p) {
  return std::to_string(p.line) + ":" + std::to_string(p.column);
}

TEST(JsonLocator, RootIsWhereTheDocumentStarts) {
  EXPECT_EQ(at(json_locator("{}").value("")), "1:1");
  EXPECT_EQ(at(json_locator("\n\n   {\"a\": 1}").value("")), "3:4");
}

TEST(JsonLocator, MembersAcrossLines) {
  const std::string text =
      "{\n"                               // 1
      "  \"schema\": 1,\n"                // 2
      "  \"accounting\": {\n"             // 3
      "    \"directory\": \"C:\\\\logs\",\n"  // 4
      "    \"rotate_mb\":64\n"            // 5
      "  }\n"                             // 6
      "}\n";
  const json_locator locator(text);
  EXPECT_EQ(at(locator.key("/schema")), "2:3");
  EXPECT_EQ(at(locator.value("/schema")), "2:13");
  EXPECT_EQ(at(locator.key("/accounting")), "3:3");
  EXPECT_EQ(at(locator.value("/accounting")), "3:17");
  EXPECT_EQ(at(locator.key("/accounting/directory")), "4:5");
  EXPECT_EQ(at(locator.value("/accounting/directory")), "4:18");
  EXPECT_EQ(at(locator.key("/accounting/rotate_mb")), "5:5");
  EXPECT_EQ(at(locator.value("/accounting/rotate_mb")), "5:17");
  EXPECT_TRUE(locator.duplicate_keys().empty());
}

TEST(JsonLocator, ValueAfterWhitespaceAroundTheColon) {
  const json_locator locator("{\"a\"   :\t\r\n   true}");
  EXPECT_EQ(at(locator.key("/a")), "1:2");
  EXPECT_EQ(at(locator.value("/a")), "2:4");
}

TEST(JsonLocator, ArrayElements) {
  const std::string text =
      "{\"rules\": [\n"
      "  {\"name\": \"a\"},\n"
      "  {\"name\": \"b\", \"hours\": [\"08:00-12:00\", \"13:00-17:00\"]},\n"
      "  [1, [2, 3]], null, \"x\"\n"
      "]}";
  const json_locator locator(text);
  EXPECT_EQ(at(locator.value("/rules")), "1:11");
  EXPECT_EQ(at(locator.value("/rules/0")), "2:3");
  EXPECT_EQ(at(locator.value("/rules/0/name")), "2:12");
  EXPECT_EQ(at(locator.value("/rules/1")), "3:3");
  EXPECT_EQ(at(locator.key("/rules/1/hours")), "3:17");
  EXPECT_EQ(at(locator.value("/rules/1/hours/0")), "3:27");
  EXPECT_EQ(at(locator.value("/rules/1/hours/1")), "3:42");
  EXPECT_EQ(at(locator.value("/rules/2")), "4:3");
  EXPECT_EQ(at(locator.value("/rules/2/0")), "4:4");
  EXPECT_EQ(at(locator.value("/rules/2/1")), "4:7");
  EXPECT_EQ(at(locator.value("/rules/2/1/1")), "4:11");
  EXPECT_EQ(at(locator.value("/rules/3")), "4:16");
  EXPECT_EQ(at(locator.value("/rules/4")), "4:22");
  // An array element has no key: its key position is the element itself.
  EXPECT_EQ(at(locator.key("/rules/1")), "3:3");
}

TEST(JsonLocator, ColumnsCountUtf8CharactersNotBytes) {
  // "é" is two bytes, "€" three, "😀" four: each is one column.
  const std::string text = "{\"caf\xC3\xA9\": \"\xE2\x82\xAC\xF0\x9F\x98\x80\", \"next\": 1}";
  const json_locator locator(text);
  EXPECT_EQ(at(locator.key("/caf\xC3\xA9")), "1:2");
  EXPECT_EQ(at(locator.value("/caf\xC3\xA9")), "1:10");
  EXPECT_EQ(at(locator.key("/next")), "1:16");
  EXPECT_EQ(at(locator.value("/next")), "1:24");
}

TEST(JsonLocator, EscapedCharactersInStringsDoNotEndThem) {
  const json_locator locator(R"({"a\"b": "x\"}, \\", "c": ["\\", "]"], "d": 2})");
  EXPECT_EQ(at(locator.key("/a\"b")), "1:2");
  EXPECT_EQ(at(locator.value("/a\"b")), "1:10");
  EXPECT_EQ(at(locator.key("/c")), "1:22");
  EXPECT_EQ(at(locator.value("/c/1")), "1:34");
  EXPECT_EQ(at(locator.key("/d")), "1:40");
}

TEST(JsonLocator, KeysAreDecodedAndEscapedAsJsonPointers) {
  const json_locator locator(R"({"a/b": 1, "m~n": 2, "\u0041": 3, "": 4})");
  EXPECT_EQ(at(locator.key("/a~1b")), "1:2");
  EXPECT_EQ(at(locator.key("/m~0n")), "1:12");
  EXPECT_EQ(at(locator.key("/A")), "1:22") << "\\u0041 is the key \"A\"";
  EXPECT_EQ(at(locator.key("/")), "1:35") << "the empty key";
}

TEST(JsonLocator, EscapeFollowsRfc6901) {
  EXPECT_EQ(json_locator::escape("plain"), "plain");
  EXPECT_EQ(json_locator::escape("a/b"), "a~1b");
  EXPECT_EQ(json_locator::escape("m~n"), "m~0n");
  EXPECT_EQ(json_locator::escape("~/"), "~0~1");
  EXPECT_EQ(json_locator::escape("~1"), "~01") << "the ~ is escaped first, so ~1 stays two characters";
  EXPECT_EQ(json_locator::escape(""), "");
}

TEST(JsonLocator, UnknownPointerGivesTheNearestKnownAncestor) {
  const std::string text = "{\n  \"policy\": {\n    \"rules\": []\n  }\n}";
  const json_locator locator(text);
  EXPECT_EQ(at(locator.value("/policy/rules/0/name")), "3:14");
  EXPECT_EQ(at(locator.value("/policy/nothing")), "2:13");
  EXPECT_EQ(at(locator.value("/nothing/at/all")), "1:1");
  EXPECT_EQ(at(locator.key("/policy/rules/7")), "3:5") << "the key of the nearest ancestor";
}

TEST(JsonLocator, DuplicateKeysAreListedInFileOrderAndTheLastOnePositions) {
  const std::string text =
      "{\n"
      "  \"a\": 1,\n"
      "  \"b\": {\"x\": 1, \"x\": 2, \"x\": 3},\n"
      "  \"a\": 2\n"
      "}";
  const json_locator locator(text);
  EXPECT_EQ(locator.duplicate_keys(), (std::vector<std::string>{"/b/x", "/b/x", "/a"}));
  EXPECT_EQ(at(locator.key("/a")), "4:3") << "the last occurrence is the one that counts";
  EXPECT_EQ(at(locator.value("/b/x")), "3:30");
}

TEST(JsonLocator, SameKeyInDifferentObjectsIsNoDuplicate) {
  const json_locator locator(R"({"a": {"name": 1}, "b": {"name": 2}, "c": [{"name": 3}, {"name": 4}]})");
  EXPECT_TRUE(locator.duplicate_keys().empty());
}

TEST(JsonLocator, WindowsLineEndings) {
  const json_locator locator("{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}\r\n");
  EXPECT_EQ(at(locator.key("/a")), "2:3");
  EXPECT_EQ(at(locator.key("/b")), "3:3");
  EXPECT_EQ(at(locator.value("/b")), "3:8");
}

TEST(JsonLocator, ScalarDocument) {
  EXPECT_EQ(at(json_locator("  42  ").value("")), "1:3");
  EXPECT_EQ(at(json_locator("  42  ").value("/x")), "1:3");
}

TEST(JsonLocator, PositionOf) {
  const std::string text = "ab\ncd\xC3\xA9" "f\n";
  EXPECT_EQ(at(json_locator::position_of(text, 0)), "1:1");
  EXPECT_EQ(at(json_locator::position_of(text, 2)), "1:3");
  EXPECT_EQ(at(json_locator::position_of(text, 3)), "2:1");
  EXPECT_EQ(at(json_locator::position_of(text, 7)), "2:4") << "after the two-byte é";
  EXPECT_EQ(at(json_locator::position_of(text, 9)), "3:1");
  EXPECT_EQ(at(json_locator::position_of(text, 1000)), "3:1") << "clamped to the end";
}

TEST(JsonLocator, ByteOrderMarkIsNotAColumnAndDoesNotHideTheDocument) {
  // Notepad saves UTF-8 with a byte order mark; nlohmann::json accepts it.
  const std::string text = "\xEF\xBB\xBF{\"a\": 1,\n \"a\": {\"b\": 2}}";
  const json_locator locator(text);
  EXPECT_EQ(at(locator.value("")), "1:1");
  EXPECT_EQ(at(locator.key("/a")), "2:2");
  EXPECT_EQ(at(locator.value("/a/b")), "2:13");
  EXPECT_EQ(locator.duplicate_keys(), (std::vector<std::string>{"/a"}));
  EXPECT_EQ(at(json_locator::position_of(text, 4)), "1:2") << "the byte after the first brace";
}

}  // namespace
}  // namespace raswarden::core
