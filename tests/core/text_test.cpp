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

}  // namespace
}  // namespace raswarden::core
