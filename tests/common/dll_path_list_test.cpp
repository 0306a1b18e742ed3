// parse_dll_path splits DLLPath as RRAS does (mprapi-reference.md 3): on ';', skipping empty
// entries, and stopping at the first entry that begins with a space.
#include "common/dll_path_list.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using raswarden::common::parse_dll_path;
using raswarden::common::add_dll;
using raswarden::common::list_position;
using raswarden::common::remove_dll;
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

// ---- editing for raswarden register / unregister ----

// %VENDOR% stands for C:\Vendor, as ExpandEnvironmentStrings would say.
std::wstring expand_test(const std::wstring& text) {
  std::wstring out = text;
  const std::wstring variable = L"%VENDOR%";
  if (const auto at = out.find(variable); at != std::wstring::npos) out.replace(at, variable.size(), L"C:\\Vendor");
  return out;
}

constexpr const wchar_t* ours = L"C:\\Program Files\\RasWarden\\raswarden.dll";

TEST(dll_path_edit, registering_into_an_empty_value_creates_it) {
  const auto edit = add_dll(L"", ours, list_position::last, false, expand_test);
  EXPECT_TRUE(edit.changed);
  EXPECT_EQ(edit.value, ours);
  EXPECT_EQ(edit.position, 1u);
}

TEST(dll_path_edit, another_vendors_entry_keeps_its_place_and_text) {
  const auto last = add_dll(L"%VENDOR%\\other.dll", ours, list_position::last, false, expand_test);
  EXPECT_EQ(last.value, std::wstring(L"%VENDOR%\\other.dll;") + ours);
  EXPECT_EQ(last.position, 2u);
  const auto first = add_dll(L"%VENDOR%\\other.dll", ours, list_position::first, true, expand_test);
  EXPECT_EQ(first.value, std::wstring(ours) + L";%VENDOR%\\other.dll");
  EXPECT_EQ(first.position, 1u);
}

TEST(dll_path_edit, a_second_registration_changes_nothing_whatever_the_case_or_slashes) {
  const std::wstring value = std::wstring(L"C:\\a.dll;") + L"c:/program files/RASWARDEN/RasWarden.DLL" + L";C:\\b.dll";
  const auto edit = add_dll(value, ours, list_position::last, false, expand_test);
  EXPECT_FALSE(edit.changed);
  EXPECT_EQ(edit.value, value);
  EXPECT_EQ(edit.position, 2u);
}

TEST(dll_path_edit, first_or_last_moves_an_existing_entry_and_duplicates_collapse) {
  const std::wstring value = std::wstring(ours) + L";C:\\a.dll;" + ours;
  const auto edit = add_dll(value, ours, list_position::last, true, expand_test);
  EXPECT_TRUE(edit.changed);
  EXPECT_EQ(edit.value, std::wstring(L"C:\\a.dll;") + ours);
  EXPECT_EQ(edit.position, 2u);
  ASSERT_FALSE(edit.notes.empty());
}

TEST(dll_path_edit, a_trailing_semicolon_and_empty_entries_are_dropped) {
  const auto edit = add_dll(L"C:\\a.dll;;", ours, list_position::last, false, expand_test);
  EXPECT_EQ(edit.value, std::wstring(L"C:\\a.dll;") + ours);
}

TEST(dll_path_edit, the_part_rras_never_reads_stays_unread_and_after_us) {
  // RRAS loads only a.dll from this value; it must still load a.dll and us, and not c.dll.
  const auto edit = add_dll(L"C:\\a.dll; C:\\c.dll", ours, list_position::last, false, expand_test);
  EXPECT_EQ(edit.value, std::wstring(L"C:\\a.dll;") + ours + L"; C:\\c.dll");
  EXPECT_EQ(parse_dll_path(edit.value).entries, (paths{L"C:\\a.dll", ours}));
  ASSERT_EQ(edit.notes.size(), 1u);
  EXPECT_NE(edit.notes[0].find("begins with a space"), std::string::npos) << edit.notes[0];
}

TEST(dll_path_edit, unregistering_removes_only_our_entry) {
  const auto edit = remove_dll(std::wstring(L"%VENDOR%\\other.dll;") + L"C:/PROGRAM FILES/RasWarden/raswarden.dll",
                               ours, expand_test);
  EXPECT_TRUE(edit.changed);
  EXPECT_EQ(edit.value, L"%VENDOR%\\other.dll");
}

TEST(dll_path_edit, unregistering_the_last_entry_leaves_nothing) {
  const auto edit = remove_dll(std::wstring(ours) + L";", ours, expand_test);
  EXPECT_TRUE(edit.changed);
  EXPECT_TRUE(edit.value.empty());
}

TEST(dll_path_edit, unregistering_what_is_not_listed_changes_nothing) {
  const auto edit = remove_dll(L"C:\\a.dll;;C:\\b.dll", ours, expand_test);
  EXPECT_FALSE(edit.changed);
  EXPECT_EQ(edit.value, L"C:\\a.dll;;C:\\b.dll");
}

TEST(dll_path_edit, an_expanded_entry_is_recognised_as_ours) {
  const auto edit = add_dll(L"%VENDOR%\\raswarden.dll", L"C:\\Vendor\\raswarden.dll", list_position::last, false,
                            expand_test);
  EXPECT_FALSE(edit.changed);
  EXPECT_EQ(edit.value, L"%VENDOR%\\raswarden.dll");
}

}  // namespace
