#include "raswarden/settings.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace raswarden::core {
namespace {

bool any_contains(const std::vector<std::string>& problems, const std::string& needle) {
  for (const auto& p : problems) {
    if (p.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::string all(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += p + "\n";
  return out;
}

TEST(Settings, ValidFileSetsAccountingDirectory) {
  const auto result =
      parse_settings(R"({"schema": 1, "accounting": {"directory": "D:\\RasWarden\\logs"}})", "raswarden.json");
  EXPECT_TRUE(result.problems.empty()) << all(result.problems);
  EXPECT_EQ(result.value.accounting.directory, "D:\\RasWarden\\logs");
}

TEST(Settings, EmptyObjectKeepsDefaults) {
  const auto result = parse_settings("{}", "raswarden.json");
  EXPECT_TRUE(result.problems.empty()) << all(result.problems);
  EXPECT_TRUE(result.value.accounting.directory.empty());
}

TEST(Settings, UnknownTopLevelKeyNamesItsPath) {
  const auto result = parse_settings(R"({"schema": 1, "acounting": {}})", "raswarden.json");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0], "raswarden.json: /acounting: unknown key");
}

TEST(Settings, UnknownNestedKeyNamesItsPathAndOtherKeysStillLoad) {
  const auto result =
      parse_settings(R"({"accounting": {"directory": "/var/log/rw", "rotate": true}})", "conf.json");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0], "conf.json: /accounting/rotate: unknown key");
  EXPECT_EQ(result.value.accounting.directory, "/var/log/rw");
}

TEST(Settings, WrongTypes) {
  {
    const auto result = parse_settings(R"({"accounting": "C:\\logs"})", "raswarden.json");
    ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
    EXPECT_TRUE(any_contains(result.problems, "raswarden.json: /accounting: expected an object, found string"))
        << all(result.problems);
  }
  {
    const auto result = parse_settings(R"({"accounting": {"directory": 42}})", "raswarden.json");
    ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
    EXPECT_TRUE(any_contains(result.problems, "raswarden.json: /accounting/directory: expected a non-empty string"))
        << all(result.problems);
    EXPECT_TRUE(result.value.accounting.directory.empty());
  }
  {
    const auto result = parse_settings(R"({"accounting": {"directory": ""}})", "raswarden.json");
    ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
    EXPECT_TRUE(any_contains(result.problems, "/accounting/directory: expected a non-empty string"));
  }
  {
    const auto result = parse_settings("[1, 2]", "raswarden.json");
    ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
    EXPECT_TRUE(any_contains(result.problems, "raswarden.json: /: expected an object, found array"))
        << all(result.problems);
  }
}

TEST(Settings, InvalidJsonNamesTheByteOffset) {
  // The parser fails at the '}' that follows the ':' (byte 15, counting from 1).
  const auto result = parse_settings(R"({"accounting": })", "raswarden.json");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_TRUE(any_contains(result.problems, "raswarden.json: not valid JSON at byte 16")) << all(result.problems);
  EXPECT_TRUE(result.value.accounting.directory.empty());

  const auto empty = parse_settings("", "empty.json");
  ASSERT_EQ(empty.problems.size(), 1U);
  EXPECT_TRUE(any_contains(empty.problems, "empty.json: not valid JSON at byte")) << all(empty.problems);
}

TEST(Settings, SchemaMustBeOne) {
  for (const char* text : {R"({"schema": 2})", R"({"schema": 0})", R"({"schema": "1"})", R"({"schema": -1})",
                           R"({"schema": 1.5})", R"({"schema": 4294967297})", R"({"schema": null})"}) {
    const auto result = parse_settings(text, "raswarden.json");
    ASSERT_EQ(result.problems.size(), 1U) << text << "\n" << all(result.problems);
    EXPECT_TRUE(any_contains(result.problems, "raswarden.json: /schema: expected 1, found")) << all(result.problems);
  }
  const auto ok = parse_settings(R"({"schema": 1})", "raswarden.json");
  EXPECT_TRUE(ok.problems.empty()) << all(ok.problems);
}

TEST(Settings, ProblemsDoNotStopLoading) {
  const auto result = parse_settings(R"({"schema": 3, "extra": 1, "accounting": {"directory": "/logs", "x": 2}})",
                                     "raswarden.json");
  EXPECT_EQ(result.problems.size(), 3U) << all(result.problems);
  EXPECT_TRUE(any_contains(result.problems, "/schema:"));
  EXPECT_TRUE(any_contains(result.problems, "/extra: unknown key"));
  EXPECT_TRUE(any_contains(result.problems, "/accounting/x: unknown key"));
  EXPECT_EQ(result.value.accounting.directory, "/logs");
}

}  // namespace
}  // namespace raswarden::core
