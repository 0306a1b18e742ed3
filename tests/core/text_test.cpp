#include "raswarden/text.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace raswarden::core {
namespace {

std::string bytes(std::initializer_list<unsigned> values) {
  std::string out;
  for (const unsigned v : values) out.push_back(static_cast<char>(v));
  return out;
}

TEST(Utf8FromUtf16, StopsAtNul) {
  const char16_t text[] = u"abc\0def";
  EXPECT_EQ(utf8_from_utf16(text, 7), "abc");
}

TEST(Utf8FromUtf16, RespectsMaxUnitsWithoutTerminator) {
  const std::array<char16_t, 4> text{u'A', u'A', u'A', u'A'};  // no NUL anywhere
  EXPECT_EQ(utf8_from_utf16(text.data(), text.size()), "AAAA");
  EXPECT_EQ(utf8_from_utf16(text.data(), 2), "AA");
  EXPECT_EQ(utf8_from_utf16(text.data(), 0), "");
}

TEST(Utf8FromUtf16, NullPointerYieldsEmpty) {
  EXPECT_EQ(utf8_from_utf16(nullptr, 0), "");
  EXPECT_EQ(utf8_from_utf16(nullptr, 100), "");
}

TEST(Utf8FromUtf16, EncodesBmpCharacters) {
  const char16_t text[] = u"\u00e9\u20ac";  // é (2 bytes), € (3 bytes)
  EXPECT_EQ(utf8_from_utf16(text, 3), bytes({0xC3, 0xA9, 0xE2, 0x82, 0xAC}));
}

TEST(Utf8FromUtf16, SurrogatePairBecomesFourByteSequence) {
  const char16_t text[] = {0xD83D, 0xDE00, u'x', 0};  // U+1F600
  EXPECT_EQ(utf8_from_utf16(text, 4), bytes({0xF0, 0x9F, 0x98, 0x80, 'x'}));
  const char16_t max[] = {0xDBFF, 0xDFFF, 0};  // U+10FFFF
  EXPECT_EQ(utf8_from_utf16(max, 3), bytes({0xF4, 0x8F, 0xBF, 0xBF}));
}

TEST(Utf8FromUtf16, LoneHighSurrogateAtEndOfBound) {
  // The low surrogate lies just past the bound and must not be read or used.
  const char16_t text[] = {u'a', 0xD83D, 0xDE00, 0};
  EXPECT_EQ(utf8_from_utf16(text, 2), bytes({'a', 0xEF, 0xBF, 0xBD}));
}

TEST(Utf8FromUtf16, LoneLowSurrogate) {
  const char16_t text[] = {0xDC00, u'b', 0};
  EXPECT_EQ(utf8_from_utf16(text, 3), bytes({0xEF, 0xBF, 0xBD, 'b'}));
}

TEST(Utf8FromUtf16, HighSurrogateFollowedByNonLow) {
  const char16_t text[] = {0xD800, u'c', 0};
  EXPECT_EQ(utf8_from_utf16(text, 3), bytes({0xEF, 0xBF, 0xBD, 'c'}));
  const char16_t two_highs[] = {0xD800, 0xD800, 0xDC00, 0};
  EXPECT_EQ(utf8_from_utf16(two_highs, 4), bytes({0xEF, 0xBF, 0xBD, 0xF0, 0x90, 0x80, 0x80}));
  const char16_t high_then_nul[] = {0xD800, 0, 0xDC00};
  EXPECT_EQ(utf8_from_utf16(high_then_nul, 3), bytes({0xEF, 0xBF, 0xBD}));
}

TEST(Utf8FromLatin1, ConvertsHighBytesAndStopsAtNulOrBound) {
  const char text[] = {'c', 'a', 'f', static_cast<char>(0xE9), '\0', 'x'};
  EXPECT_EQ(utf8_from_latin1(text, sizeof text), bytes({'c', 'a', 'f', 0xC3, 0xA9}));
  const char unterminated[] = {'a', 'b', 'c'};
  EXPECT_EQ(utf8_from_latin1(unterminated, 2), "ab");
  EXPECT_EQ(utf8_from_latin1(unterminated, sizeof unterminated), "abc");
  EXPECT_EQ(utf8_from_latin1(nullptr, 10), "");
  const char all_high[] = {static_cast<char>(0xFF), static_cast<char>(0x80)};
  EXPECT_EQ(utf8_from_latin1(all_high, 2), bytes({0xC3, 0xBF, 0xC2, 0x80}));
}

TEST(AsciiLower, LowersOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lower("Alice@CORP.Example-42"), "alice@corp.example-42");
  EXPECT_EQ(ascii_lower(""), "");
  const std::string utf8 = bytes({'A', 0xC3, 0x89, 'Z'});  // "AÉZ": É is kept as is
  EXPECT_EQ(ascii_lower(utf8), bytes({'a', 0xC3, 0x89, 'z'}));
  EXPECT_EQ(ascii_lower("[@`{"), "[@`{");  // neighbours of the letter ranges
}

TEST(Printable, ControlCharactersBecomeVisibleEscapes) {
  EXPECT_EQ(printable("alice"), "alice");
  EXPECT_EQ(printable("\x1b[2J\x1b]0;owned\x07"), "\\x1b[2J\\x1b]0;owned\\x07");
  EXPECT_EQ(printable("bob\r\nFAKE LINE\t\x7f"), "bob\\x0d\\x0aFAKE LINE\\x09\\x7f");
  EXPECT_EQ(printable(std::string_view("a\0b", 3)), "a\\x00b");
  // C1 controls (CSI is U+009B) in UTF-8, and the characters either side of them that are not.
  EXPECT_EQ(printable("\xc2\x9b"
                      "31m \xc2\x85 \xc2\x7f \xc2\xa0 \xc2\xa9"),
            "\\u009b31m \\u0085 \xc2\\x7f \xc2\xa0 \xc2\xa9");  // a lone 0xC2 is kept, the DEL after it escaped
  EXPECT_EQ(printable("Jos\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac"), "Jos\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
}

TEST(CsvCell, FormulasAreNeutralisedAndPlainNumbersKept) {
  EXPECT_EQ(csv_cell("alice"), "alice");
  EXPECT_EQ(csv_cell("=HYPERLINK(\"http://evil.example/\",\"x\")"),
            "\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\"");
  EXPECT_EQ(csv_cell("+SUM(1,2)"), "\"'+SUM(1,2)\"");
  EXPECT_EQ(csv_cell("-2+3+cmd|' /C calc'!A0"), "'-2+3+cmd|' /C calc'!A0");
  EXPECT_EQ(csv_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_cell("-5"), "-5");
  EXPECT_EQ(csv_cell("+1.25"), "+1.25");
  EXPECT_EQ(csv_cell("-"), "-");
  EXPECT_EQ(csv_cell("\tx"), "\\x09x");  // escaped first, so no longer a leading tab
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell(""), "");
}

}  // namespace
}  // namespace raswarden::core
