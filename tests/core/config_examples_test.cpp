// The example configurations in docs/examples/ (shown verbatim in docs/configuration.md) are
// accepted by the parser RasWarden itself uses, with no problem at all. tests/config/schema_test.py
// checks the same files against docs/raswarden.schema.json, so the docs, the schema and the parser
// cannot drift apart unnoticed.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "raswarden/settings.hpp"

namespace raswarden::core {
namespace {

std::vector<std::filesystem::path> example_files() {
  const std::filesystem::path directory = std::filesystem::path(RASWARDEN_SOURCE_DIR) / "docs" / "examples";
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConfigExamples, EveryDocumentedExampleParsesWithoutProblems) {
  const auto files = example_files();
  ASSERT_GE(files.size(), 3U) << "expected the example configurations in " << RASWARDEN_SOURCE_DIR << "/docs/examples";
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    const std::string text = read_text(path);
    ASSERT_FALSE(text.empty());
    const settings_result result = parse_settings(text, path.filename().string());
    std::string problems;
    for (const std::string& problem : result.problems) problems += problem + "\n";
    EXPECT_TRUE(result.problems.empty()) << problems;
    std::string warnings;
    for (const std::string& warning : result.warnings) warnings += warning + "\n";
    EXPECT_TRUE(result.warnings.empty()) << "the examples show no rule a user could pass by another name form:\n"
                                         << warnings;
    EXPECT_TRUE(result.document_ok);
    EXPECT_TRUE(result.usable());
  }
}

// full.json is meant to use every key; make sure the parser saw the parts that matter.
TEST(ConfigExamples, FullExampleSetsEverySection) {
  const auto path = std::filesystem::path(RASWARDEN_SOURCE_DIR) / "docs" / "examples" / "full.json";
  const settings_result result = parse_settings(read_text(path), "full.json");
  ASSERT_TRUE(result.usable());
  const settings& s = result.value;
  EXPECT_TRUE(s.accounting.forward.enabled);
  EXPECT_EQ(s.accounting.on_failure, failure_mode::reject_new);
  EXPECT_TRUE(s.event_log.rejections);
  EXPECT_FALSE(s.policy.default_accept);
  EXPECT_EQ(s.policy.reauthentication, reauthentication_mode::rules);
  EXPECT_EQ(s.policy.domain_aliases.at("old-contoso.example"), "contoso");
  EXPECT_FALSE(s.policy.rules.empty());
  EXPECT_TRUE(s.ip_assignment.enabled);
  EXPECT_FALSE(s.ip_assignment.static_addresses.empty());
  ASSERT_EQ(s.ip_assignment.pools.size(), 2U);
  // "10.20.0.0/22": the network and broadcast addresses are left out.
  EXPECT_EQ(s.ip_assignment.pools[0].first, (10U << 24) | (20U << 16) | 1U);
  EXPECT_EQ(s.ip_assignment.pools[0].last, (10U << 24) | (20U << 16) | (3U << 8) | 254U);
  EXPECT_TRUE(s.ip_assignment.ipv6_interface_ids.has_value());
}

}  // namespace
}  // namespace raswarden::core
