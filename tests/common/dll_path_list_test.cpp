// parse_dll_path splits DLLPath as RRAS does (mprapi-reference.md 3): on ';', skipping empty
// entries, and stopping at the first entry that begins with a space.
#include "common/dll_path_list.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using raswarden::common::parse_dll_path;
using paths = std::vector<std::wstring>;

TEST(dll_path_list, one_path) {
  const auto list = parse_dll_path(L"C:\\Program Files\\RasWarden\\raswarden.dll");
  EXPECT_EQ(list.entries, paths{L"C:\\Program Files\\RasWarden\\raswarden.dll"});
  EXPECT_TRUE(list.warnings.empty());
}

TEST(dll_path_list, splits_on_semicolons_in_order) {
  const auto list = parse_dll_path(L"C:\\a.dll;D:\\vendor\\b.dll;c.dll");
  EXPECT_EQ(list.entries, (paths{L"C:\\a.dll", L"D:\\vendor\\b.dll", L"c.dll"}));
  EXPECT_TRUE(list.warnings.empty());
}

TEST(dll_path_list, empty_value_is_an_empty_list) {
  const auto list = parse_dll_path(L"");
  EXPECT_TRUE(list.entries.empty());
  EXPECT_TRUE(list.warnings.empty());
  EXPECT_TRUE(parse_dll_path(L";;").entries.empty());
}

TEST(dll_path_list, empty_entries_are_skipped) {
  const auto list = parse_dll_path(L";C:\\a.dll;;;C:\\b.dll");
  EXPECT_EQ(list.entries, (paths{L"C:\\a.dll", L"C:\\b.dll"}));
  EXPECT_TRUE(list.warnings.empty());
}

TEST(dll_path_list, trailing_semicolon_adds_nothing) {
  const auto list = parse_dll_path(L"C:\\a.dll;C:\\b.dll;");
  EXPECT_EQ(list.entries, (paths{L"C:\\a.dll", L"C:\\b.dll"}));
  EXPECT_TRUE(list.warnings.empty());
}

TEST(dll_path_list, an_entry_beginning_with_a_space_ends_the_list) {
  // Microsoft's own example writes "a.dll; b.dll": RRAS loads only a.dll.
  const auto list = parse_dll_path(L"C:\\a.dll;C:\\b.dll; C:\\c.dll;C:\\d.dll");
  EXPECT_EQ(list.entries, (paths{L"C:\\a.dll", L"C:\\b.dll"}));
  ASSERT_EQ(list.warnings.size(), 1u);
  const std::string& warning = list.warnings[0];
  EXPECT_NE(warning.find("entry 3"), std::string::npos) << warning;
  EXPECT_NE(warning.find("\" C:\\c.dll\""), std::string::npos) << warning;
  EXPECT_NE(warning.find("begins with a space"), std::string::npos) << warning;
  EXPECT_NE(warning.find("every entry after it"), std::string::npos) << warning;
}

TEST(dll_path_list, a_leading_space_on_the_first_entry_loads_nothing) {
  const auto list = parse_dll_path(L" C:\\a.dll;C:\\b.dll");
  EXPECT_TRUE(list.entries.empty());
  ASSERT_EQ(list.warnings.size(), 1u);
  EXPECT_NE(list.warnings[0].find("entry 1"), std::string::npos) << list.warnings[0];
}

TEST(dll_path_list, spaces_inside_or_after_a_path_are_kept) {
  const auto list = parse_dll_path(L"C:\\Program Files\\a.dll;C:\\b c.dll");
  EXPECT_EQ(list.entries, (paths{L"C:\\Program Files\\a.dll", L"C:\\b c.dll"}));
  EXPECT_TRUE(list.warnings.empty());
}

TEST(dll_path_list, non_ascii_in_a_warning_is_replaced) {
  const auto list = parse_dll_path(L"a.dll; C:\\Caf\u00e9\\x.dll");
  ASSERT_EQ(list.warnings.size(), 1u);
  EXPECT_NE(list.warnings[0].find("C:\\Caf?\\x.dll"), std::string::npos) << list.warnings[0];
  EXPECT_EQ(list.entries, paths{L"a.dll"});
}

}  // namespace
