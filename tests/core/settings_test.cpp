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

// Bounds on what a configuration may be, checked before any parsing: a file crafted to nest or
// grow without end gets one short problem naming where, and nothing recurses over it.
std::string nested(std::size_t depth, std::string_view inner = "1") {
  return std::string(depth, '[') + std::string(inner) + std::string(depth, ']');
}

TEST(Settings, NestingTooDeepAnywhereIsOneShortProblemWithItsPosition) {
  const std::string deep = nested(100000);
  for (const std::string& text : {deep, "{\"schema\": 1, \"policy\": " + deep + "}",
                                  "{\"accounting\": {\"forward\": {\"" + std::string(3, 'x') + "\": " + deep + "}}}",
                                  "{\"schema\": 1,\n \"policy\": {\"rules\": [" + deep + "]}}"}) {
    const auto result = parse_settings(text, "raswarden.json");
    EXPECT_FALSE(result.usable());
    ASSERT_EQ(result.problems.size(), 1U) << all(result.problems).substr(0, 300);
    EXPECT_LT(result.problems[0].size(), 160U) << result.problems[0].substr(0, 300);
    EXPECT_NE(result.problems[0].find("nest more than 64 levels deep"), std::string::npos) << result.problems[0];
    EXPECT_EQ(result.problems[0].rfind("raswarden.json:", 0), 0U) << result.problems[0];
  }
  const auto placed = parse_settings("{\"schema\": 1,\n \"policy\": " + nested(65) + "}", "raswarden.json");
  ASSERT_EQ(placed.problems.size(), 1U);
  // The object is level 1, so the 64th bracket (column 12 + 63) is level 65.
  EXPECT_EQ(placed.problems[0].rfind("raswarden.json:2:75: ", 0), 0U) << placed.problems[0];
}

TEST(Settings, ALineCommentEndsWhereTheParserEndsItSoNestingCannotHideBehindIt) {
  // The JSON parser ends a // comment at a carriage return or a NUL too; so does the check.
  for (const std::string& end : {std::string("\r"), std::string(1, '\0')}) {
    const auto result = parse_settings("// x" + end + "{\"schema\": " + nested(100000) + "}", "raswarden.json");
    ASSERT_EQ(result.problems.size(), 1U) << all(result.problems).substr(0, 300);
    EXPECT_NE(result.problems[0].find("nest more than 64 levels deep"), std::string::npos) << result.problems[0];
  }
}

TEST(Settings, ObjectsAndArraysHoldABoundedNumberOfEntries) {
  std::string members = "{\"schema\": 1, \"policy\": {";
  for (int i = 0; i < 1001; ++i) members += (i == 0 ? "" : ",") + std::string("\"k") + std::to_string(i) + "\": 0";
  const auto wide = parse_settings(members + "}}", "raswarden.json");
  ASSERT_EQ(wide.problems.size(), 1U) << all(wide.problems).substr(0, 300);
  EXPECT_NE(wide.problems[0].find("holds more than 1000 members or 100000 elements"), std::string::npos)
      << wide.problems[0];
  std::string elements = "{\"schema\": 1, \"x\": [0";
  for (int i = 0; i < 100000; ++i) elements += ",0";
  const auto long_array = parse_settings(elements + "]}", "raswarden.json");
  ASSERT_EQ(long_array.problems.size(), 1U) << all(long_array.problems).substr(0, 300);
  EXPECT_NE(long_array.problems[0].find("holds more than"), std::string::npos) << long_array.problems[0];
  // Up to the bounds is an ordinary file.
  std::string fine = "{\"schema\": 1, \"x\": [0";
  for (int i = 0; i < 99998; ++i) fine += ",0";
  const auto at_bound = parse_settings(fine + "]}", "raswarden.json");
  ASSERT_EQ(at_bound.problems.size(), 1U);
  EXPECT_NE(at_bound.problems[0].find("/x: unknown key"), std::string::npos) << at_bound.problems[0];
}

TEST(Settings, AtMostTwentyProblemsAreListedAndTheRestCounted) {
  std::string text = "{\"schema\": 1";
  for (int i = 0; i < 50; ++i) text += ", \"unknown" + std::to_string(i) + "\": 0";
  const auto result = parse_settings(text + "}", "raswarden.json");
  ASSERT_EQ(result.problems.size(), 21U) << all(result.problems);
  EXPECT_NE(result.problems[0].find("/unknown0: unknown key"), std::string::npos) << result.problems[0];
  EXPECT_EQ(result.problems[20], "raswarden.json: and 30 more problem(s), not listed");
}

TEST(Settings, ALongKeyIsShortenedInItsProblem) {
  const auto result = parse_settings("{\"" + std::string(100000, 'k') + "\": 1}", "raswarden.json");
  ASSERT_EQ(result.problems.size(), 1U);
  EXPECT_LT(result.problems[0].size(), 400U) << result.problems[0].substr(0, 500);
  EXPECT_NE(result.problems[0].find("kkk...: unknown key"), std::string::npos) << result.problems[0].substr(0, 500);
}

TEST(Settings, BracketsInStringsAndCommentsDoNotCountAsNesting) {
  const std::string brackets(200, '[');
  // The directory's value is  D:\logs"[[[...  (an escaped backslash, an escaped quote, brackets).
  const std::string text = "// " + brackets + "\n/* " + brackets + " */\n" +
                           R"({"schema": 1, "accounting": {"directory": "D:\\logs\")" + brackets + "\"}}";
  const auto result = parse_settings(text, "raswarden.json");
  EXPECT_TRUE(result.usable()) << all(result.problems);
  EXPECT_EQ(result.value.accounting.directory, R"(D:\logs")" + brackets);
}

TEST(Settings, NestingUpToTheLimitIsAnOrdinaryProblem) {
  const auto result = parse_settings("{\"policy\": " + nested(63) + "}", "raswarden.json");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_NE(result.problems[0].find("/policy: expected an object"), std::string::npos) << result.problems[0];
  EXPECT_LT(result.problems[0].size(), 200U) << result.problems[0];
}

TEST(Settings, AFileOverOneMebibyteIsRefusedUnread) {
  std::string text =
      "{\"schema\": 1, \"accounting\": {\"directory\": \"" + std::string(max_configuration_bytes, 'a') + "\"}}";
  const auto result = parse_settings(text, "raswarden.json");
  EXPECT_FALSE(result.usable());
  ASSERT_EQ(result.problems.size(), 1U);
  EXPECT_EQ(result.problems[0], "raswarden.json: the file is " + std::to_string(text.size()) +
                                    " bytes; a configuration may be at most 1048576 bytes (1 MiB)");
}

TEST(Settings, ALongValueIsShownByItsStartTypeAndSize) {
  std::string numbers = "1";
  for (int i = 0; i < 1500; ++i) numbers += ",1";
  const auto result = parse_settings(
      R"({"schema": ")" + std::string(5000, 'v') + R"(", "policy": {"mode": [)" + numbers + "]}}", "raswarden.json");
  ASSERT_EQ(result.problems.size(), 2U) << all(result.problems).substr(0, 600);
  for (const std::string& problem : result.problems) EXPECT_LT(problem.size(), 200U) << problem.substr(0, 300);
  EXPECT_TRUE(any_contains(result.problems, "... (a string of 5000 bytes)")) << all(result.problems);
  EXPECT_TRUE(any_contains(result.problems, "... (an array of 1501 members)")) << all(result.problems);
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
  EXPECT_EQ(result.problems[0],
            "raswarden.json:1:15: /acounting: unknown key (expected one of \"accounting\", \"event_log\", "
            "\"ip_assignment\", \"policy\", \"schema\")");
}

TEST(Settings, UnknownNestedKeyNamesItsPathAndOtherKeysStillLoad) {
  const auto result = parse_settings(R"({"accounting": {"directory": "/var/log/rw", "rotate": true}})", "conf.json");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_TRUE(result.problems[0].starts_with("conf.json:1:45: /accounting/rotate: unknown key (expected one of "))
      << all(result.problems);
  EXPECT_EQ(result.value.accounting.directory, "/var/log/rw");
}

TEST(Settings, WrongTypes) {
  {
    const auto result = parse_settings(R"({"accounting": "C:\\logs"})", "raswarden.json");
    ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
    EXPECT_TRUE(any_contains(result.problems, "raswarden.json:1:16: /accounting: expected an object, found string"))
        << all(result.problems);
  }
  {
    const auto result = parse_settings(R"({"accounting": {"directory": 42}})", "raswarden.json");
    ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
    EXPECT_TRUE(
        any_contains(result.problems, "raswarden.json:1:30: /accounting/directory: expected a non-empty string"))
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
    EXPECT_TRUE(any_contains(result.problems, "raswarden.json:1:1: /: expected an object, found array"))
        << all(result.problems);
  }
}

TEST(Settings, InvalidJsonNamesTheByteOffset) {
  // The parser fails at the '}' that follows the ':' (byte 15, counting from 1).
  const auto result = parse_settings(R"({"accounting": })", "raswarden.json");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_TRUE(any_contains(result.problems,
                           "raswarden.json:1:16: not valid JSON: syntax error while parsing value - unexpected '}'"))
      << all(result.problems);
  EXPECT_TRUE(result.value.accounting.directory.empty());

  const auto empty = parse_settings("", "empty.json");
  ASSERT_EQ(empty.problems.size(), 1U);
  EXPECT_TRUE(any_contains(
      empty.problems, "empty.json:1:1: not valid JSON: syntax error while parsing value - unexpected end of input"))
      << all(empty.problems);
}

TEST(Settings, SchemaMustBeOne) {
  for (const char* text : {R"({"schema": 2})", R"({"schema": 0})", R"({"schema": "1"})", R"({"schema": -1})",
                           R"({"schema": 1.5})", R"({"schema": 4294967297})", R"({"schema": null})"}) {
    const auto result = parse_settings(text, "raswarden.json");
    ASSERT_EQ(result.problems.size(), 1U) << text << "\n" << all(result.problems);
    EXPECT_TRUE(any_contains(result.problems, ": /schema: expected 1, found")) << all(result.problems);
  }
  const auto ok = parse_settings(R"({"schema": 1})", "raswarden.json");
  EXPECT_TRUE(ok.problems.empty()) << all(ok.problems);
}

TEST(Settings, ProblemsDoNotStopLoading) {
  const auto result =
      parse_settings(R"({"schema": 3, "extra": 1, "accounting": {"directory": "/logs", "x": 2}})", "raswarden.json");
  EXPECT_EQ(result.problems.size(), 3U) << all(result.problems);
  EXPECT_TRUE(any_contains(result.problems, "/schema:"));
  EXPECT_TRUE(any_contains(result.problems, "/extra: unknown key"));
  EXPECT_TRUE(any_contains(result.problems, "/accounting/x: unknown key"));
  EXPECT_EQ(result.value.accounting.directory, "/logs");
}

}  // namespace
}  // namespace raswarden::core

namespace raswarden::core {
namespace {

TEST(Settings, AccountingKeysAreReadWithTheirBounds) {
  const auto result = parse_settings(R"({"schema": 1, "accounting": {"rotate_mb": 8, "retention_days": 30,
      "min_free_mb": 0, "flush_interval_ms": 250, "on_failure": "reject", "queue_limit": 500,
      "journal_mb": 16, "publish_interval_ms": 50, "write_method": "append", "forward": {"enabled": true, "transport": "udp", "host": "127.0.0.1", "port": 5514}},
      "event_log": {"rejections": true}})",
                                     "raswarden.json");
  ASSERT_TRUE(result.problems.empty()) << all(result.problems);
  const accounting_settings& a = result.value.accounting;
  EXPECT_EQ(a.rotate_mb, 8U);
  EXPECT_EQ(a.retention_days, 30U);
  EXPECT_EQ(a.min_free_mb, 0U);
  EXPECT_EQ(a.flush_interval_ms, 250U);
  EXPECT_EQ(a.on_failure, failure_mode::reject_new);
  EXPECT_EQ(a.queue_limit, 500U);
  EXPECT_EQ(a.journal_mb, 16U);
  EXPECT_EQ(a.publish_interval_ms, 50U);
  EXPECT_TRUE(a.forward.enabled);
  EXPECT_EQ(a.forward.transport, "udp");
  EXPECT_EQ(a.forward.host, "127.0.0.1");
  EXPECT_EQ(a.forward.port, 5514);
  EXPECT_TRUE(result.value.event_log.rejections);
}

TEST(Settings, OutOfRangeValuesKeepTheirDefaultsAndNameTheBounds) {
  const auto result = parse_settings(
      "{\"accounting\": {\n"
      "  \"rotate_mb\": 0, \"flush_interval_ms\": 5, \"on_failure\": \"panic\", \"forward\": {\"port\": 70000}}}",
      "raswarden.json");
  ASSERT_EQ(result.problems.size(), 4U) << all(result.problems);
  // Reported in file order.
  EXPECT_EQ(result.problems[0],
            "raswarden.json:2:16: /accounting/rotate_mb: expected an integer from 1 to 4096, found 0");
  EXPECT_EQ(result.problems[1],
            "raswarden.json:2:40: /accounting/flush_interval_ms: expected an integer from 10 to 60000, found 5");
  EXPECT_EQ(result.problems[2],
            "raswarden.json:2:57: /accounting/on_failure: expected one of \"continue\", \"reject\", found \"panic\"");
  EXPECT_EQ(result.problems[3],
            "raswarden.json:2:86: /accounting/forward/port: expected an integer from 1 to 65535, found 70000");
  const accounting_settings defaults;
  EXPECT_EQ(result.value.accounting.rotate_mb, defaults.rotate_mb);
  EXPECT_EQ(result.value.accounting.flush_interval_ms, defaults.flush_interval_ms);
  EXPECT_EQ(result.value.accounting.on_failure, failure_mode::continue_admitting);
  EXPECT_EQ(result.value.accounting.forward.port, 514);
}

TEST(Settings, TheObsoleteWriteMethodIsAcceptedWhenItNamesAnOldChoice) {
  EXPECT_TRUE(parse_settings(R"({"accounting": {"write_method": "mapped"}})", "raswarden.json").problems.empty());
  const auto result = parse_settings(R"({"accounting": {"write_method": "fsync"}})", "raswarden.json");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0],
            "raswarden.json:1:33: /accounting/write_method: expected one of \"mapped\", "
            "\"append\", found \"fsync\"");
}

TEST(Settings, JournalAndPublicationBoundsAreNamed) {
  const auto result =
      parse_settings(R"({"accounting": {"journal_mb": 0, "publish_interval_ms": 6000}})", "raswarden.json");
  ASSERT_EQ(result.problems.size(), 2U) << all(result.problems);
  EXPECT_EQ(result.problems[0],
            "raswarden.json:1:31: /accounting/journal_mb: expected an integer from 1 to 4096, found 0");
  EXPECT_EQ(result.problems[1],
            "raswarden.json:1:57: /accounting/publish_interval_ms: expected an integer from 10 to 5000, found 6000");
  const accounting_settings defaults;
  EXPECT_EQ(defaults.journal_mb, 64U);
  EXPECT_EQ(defaults.publish_interval_ms, 100U);
}

TEST(Settings, ForwardingWithoutAHostStaysOff) {
  const auto result = parse_settings(R"({"accounting": {"forward": {"enabled": true}}})", "raswarden.json");
  ASSERT_EQ(result.problems.size(), 1U) << all(result.problems);
  EXPECT_EQ(result.problems[0],
            "raswarden.json:1:28: /accounting/forward: \"host\" is required when forwarding is enabled; forwarding "
            "stays off");
  EXPECT_FALSE(result.value.accounting.forward.enabled);
}

TEST(Settings, ForwardingTransportIsRelpTcpOrUdp) {
  const auto relp = parse_settings(
      R"({"accounting": {"forward": {"enabled": true, "transport": "relp", "host": "logs", "port": 2514}}})",
      "raswarden.json");
  ASSERT_TRUE(relp.problems.empty()) << all(relp.problems);
  EXPECT_EQ(relp.value.accounting.forward.transport, "relp");
  EXPECT_EQ(relp.value.accounting.forward.port, 2514);
  const auto wrong = parse_settings(R"({"accounting": {"forward": {"transport": "tls"}}})", "raswarden.json");
  ASSERT_EQ(wrong.problems.size(), 1U) << all(wrong.problems);
  EXPECT_EQ(wrong.problems[0],
            "raswarden.json:1:42: /accounting/forward/transport: expected one of \"relp\", \"tcp\", \"udp\", found "
            "\"tls\"");
  EXPECT_EQ(wrong.value.accounting.forward.transport, "tcp");
}

}  // namespace
}  // namespace raswarden::core
