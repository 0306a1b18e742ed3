// raswarden register / unregister / status run as an administrator (or the MSI) would, against
// the test prefix's HKLM\SOFTWARE\Microsoft\RAS\AdminDll. CTest runs these one at a time with the
// other tests that write that key (RESOURCE_LOCK); each test starts from a clean key.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "host/host_test_support.hpp"
#include "win32/registry.hpp"
#include "win32/system.hpp"

namespace raswarden::testing {
namespace {

constexpr const wchar_t* admin_key = L"SOFTWARE\\Microsoft\\RAS\\AdminDll";
constexpr const wchar_t* unread_key = L"SYSTEM\\CurrentControlSet\\Services\\RemoteAccess\\Parameters\\AdminDll";

class registration : public ::testing::Test {
 protected:
  void SetUp() override { clear(); }
  void TearDown() override {
    clear();
    ::RegDeleteKeyExW(HKEY_LOCAL_MACHINE, unread_key, KEY_WOW64_64KEY, 0);
  }

  static void clear() {
    std::string error;
    EXPECT_TRUE(win32::delete_machine_value(admin_key, L"DLLPath", error)) << error;
    EXPECT_TRUE(win32::delete_machine_value(admin_key, L"DisplayName", error)) << error;
  }
  static void set(const wchar_t* value, const std::wstring& text, DWORD type = REG_SZ) {
    std::string error;
    ASSERT_TRUE(win32::write_machine_string(admin_key, value, text, type, error)) << error;
  }
  static void set_multi(const std::wstring& text_with_nuls) {
    HKEY raw = nullptr;
    ASSERT_EQ(::RegCreateKeyExW(HKEY_LOCAL_MACHINE, admin_key, 0, nullptr, 0, KEY_SET_VALUE | KEY_WOW64_64KEY, nullptr,
                                &raw, nullptr),
              ERROR_SUCCESS);
    std::wstring data = text_with_nuls + L'\0' + L'\0';
    ::RegSetValueExW(raw, L"DLLPath", 0, REG_MULTI_SZ, reinterpret_cast<const BYTE*>(data.data()),
                     static_cast<DWORD>(data.size() * sizeof(wchar_t)));
    ::RegCloseKey(raw);
  }
  // The value's text and type, or type REG_NONE when it does not exist.
  static win32::stored_value get(const wchar_t* value) {
    win32::stored_value stored;
    std::string error;
    if (win32::read_machine_value(admin_key, value, stored, error) != win32::registry_read::ok) return {};
    return stored;
  }
  static process_result cli(const std::vector<std::wstring>& arguments) {
    return run_program(L"raswarden.exe", arguments);
  }
  static std::wstring ours() { return beside_tests(L"raswarden.dll"); }
};

TEST_F(registration, register_creates_the_values_once_and_unregister_removes_them) {
  const process_result first = cli({L"register", L"--dll", ours()});
  ASSERT_EQ(first.exit_code, 0u) << first.all();
  EXPECT_NE(first.out.find("at position 1 of 1"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("restart the RemoteAccess service"), std::string::npos) << first.out;
  EXPECT_EQ(get(L"DLLPath").text, ours());
  EXPECT_EQ(get(L"DLLPath").type, static_cast<DWORD>(REG_SZ));
  EXPECT_EQ(get(L"DisplayName").text, L"RasWarden");

  const process_result again = cli({L"register", L"--dll", ours()});
  ASSERT_EQ(again.exit_code, 0u) << again.all();
  EXPECT_NE(again.out.find("already registered"), std::string::npos) << again.out;
  EXPECT_EQ(get(L"DLLPath").text, ours());

  const process_result removed = cli({L"unregister", L"--dll", ours()});
  ASSERT_EQ(removed.exit_code, 0u) << removed.all();
  EXPECT_EQ(get(L"DLLPath").type, static_cast<DWORD>(REG_NONE));
  EXPECT_EQ(get(L"DisplayName").type, static_cast<DWORD>(REG_NONE));
  const process_result nothing = cli({L"unregister", L"--dll", ours()});
  EXPECT_EQ(nothing.exit_code, 0u) << nothing.all();
  EXPECT_NE(nothing.out.find("is not registered; nothing changed"), std::string::npos) << nothing.out;
}

TEST_F(registration, another_vendors_expand_sz_entry_keeps_its_text_type_order_and_display_name) {
  set(L"DLLPath", L"%SystemRoot%\\System32\\vendor.dll;", REG_EXPAND_SZ);
  set(L"DisplayName", L"Vendor Admin DLL");
  ASSERT_EQ(cli({L"register", L"--dll", ours()}).exit_code, 0u);
  EXPECT_EQ(get(L"DLLPath").text, L"%SystemRoot%\\System32\\vendor.dll;" + ours());
  EXPECT_EQ(get(L"DLLPath").type, static_cast<DWORD>(REG_EXPAND_SZ));
  EXPECT_EQ(get(L"DisplayName").text, L"Vendor Admin DLL");

  ASSERT_EQ(cli({L"register", L"--dll", ours(), L"--first"}).exit_code, 0u);
  EXPECT_EQ(get(L"DLLPath").text, ours() + L";%SystemRoot%\\System32\\vendor.dll");

  ASSERT_EQ(cli({L"unregister", L"--dll", ours()}).exit_code, 0u);
  EXPECT_EQ(get(L"DLLPath").text, L"%SystemRoot%\\System32\\vendor.dll");
  EXPECT_EQ(get(L"DLLPath").type, static_cast<DWORD>(REG_EXPAND_SZ));
  EXPECT_EQ(get(L"DisplayName").text, L"Vendor Admin DLL");
}

TEST_F(registration, a_mixed_case_entry_with_forward_slashes_is_not_added_twice) {
  std::wstring variant = ours();
  for (wchar_t& c : variant) c = c == L'\\' ? L'/' : static_cast<wchar_t>(std::towupper(c));
  set(L"DLLPath", L"C:\\Vendor\\a.dll;" + variant + L";");
  const process_result result = cli({L"register", L"--dll", ours()});
  ASSERT_EQ(result.exit_code, 0u) << result.all();
  EXPECT_NE(result.out.find("already registered (position 2 of 2)"), std::string::npos) << result.out;
  EXPECT_EQ(get(L"DLLPath").text, L"C:\\Vendor\\a.dll;" + variant + L";") << "an unchanged list is not rewritten";
  ASSERT_EQ(cli({L"unregister", L"--dll", ours()}).exit_code, 0u);
  EXPECT_EQ(get(L"DLLPath").text, L"C:\\Vendor\\a.dll");
}

TEST_F(registration, a_reg_multi_sz_value_is_refused_and_left_alone) {
  set_multi(std::wstring(L"C:\\Vendor\\a.dll") + L'\0' + L"C:\\Vendor\\b.dll");
  const process_result result = cli({L"register", L"--dll", ours()});
  EXPECT_EQ(result.exit_code, 1u) << result.all();
  EXPECT_NE(result.err.find("REG_MULTI_SZ"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("ERROR_REGISTRY_CORRUPT (1015)"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("It was not changed"), std::string::npos) << result.err;
  EXPECT_EQ(get(L"DLLPath").type, static_cast<DWORD>(REG_MULTI_SZ));
  EXPECT_EQ(get(L"DLLPath").text, std::wstring(L"C:\\Vendor\\a.dll") + L'\0' + L"C:\\Vendor\\b.dll");
  EXPECT_EQ(cli({L"unregister", L"--dll", ours()}).exit_code, 1u);
}

TEST_F(registration, a_dll_rras_could_not_load_is_not_registered_without_force) {
  const process_result missing = cli({L"register", L"--dll", L"C:\\nowhere\\raswarden.dll"});
  EXPECT_EQ(missing.exit_code, 1u) << missing.all();
  EXPECT_NE(missing.err.find("the file does not exist"), std::string::npos) << missing.err;
  EXPECT_EQ(get(L"DLLPath").type, static_cast<DWORD>(REG_NONE));

  const process_result x86 = cli({L"register", L"--dll", win32::to_wide(RASWARDEN_X86_DLL_PATH)});
  EXPECT_EQ(x86.exit_code, 1u) << x86.all();
  EXPECT_NE(x86.err.find("RRAS on x64 Windows loads only x64 DLLs"), std::string::npos) << x86.err;

  const process_result forced = cli({L"register", L"--dll", L"C:\\nowhere\\raswarden.dll", L"--force"});
  EXPECT_EQ(forced.exit_code, 0u) << forced.all();
  EXPECT_EQ(get(L"DLLPath").text, L"C:\\nowhere\\raswarden.dll");
}

TEST_F(registration, an_entry_after_a_space_stays_unread_and_after_ours) {
  set(L"DLLPath", L"C:\\Vendor\\a.dll; C:\\Vendor\\c.dll");
  const process_result result = cli({L"register", L"--dll", ours()});
  ASSERT_EQ(result.exit_code, 0u) << result.all();
  EXPECT_NE(result.out.find("begins with a space"), std::string::npos) << result.out;
  EXPECT_EQ(get(L"DLLPath").text, L"C:\\Vendor\\a.dll;" + ours() + L"; C:\\Vendor\\c.dll");
}

TEST_F(registration, status_lists_the_load_order_and_warns_about_what_rras_would_trip_on) {
  set(L"DLLPath", ours() + L";C:\\Vendor\\gone.dll");
  HKEY raw = nullptr;
  ASSERT_EQ(::RegCreateKeyExW(HKEY_LOCAL_MACHINE, unread_key, 0, nullptr, 0, KEY_SET_VALUE | KEY_WOW64_64KEY, nullptr,
                              &raw, nullptr),
            ERROR_SUCCESS);
  ::RegCloseKey(raw);
  const raswarden_config config;  // a valid configuration, records in a temporary folder
  const process_result result = cli({L"status", L"--json"});
  EXPECT_EQ(result.exit_code, 1u) << result.all();
  const auto report = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << result.out;
  ASSERT_EQ(report.at("entries").size(), 2u);
  EXPECT_EQ(report.at("entries")[0].at("raswarden"), true);
  EXPECT_EQ(report.at("entries")[0].at("loadable"), true);
  EXPECT_EQ(report.at("entries")[1].at("loadable"), false);
  EXPECT_EQ(report.at("raswarden_position"), 1);
  EXPECT_EQ(report.at("config").at("valid"), true);
  const std::string warnings = report.at("warnings").dump();
  EXPECT_NE(warnings.find("gone.dll"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("RRAS does not read it"), std::string::npos) << warnings;

  const process_result text = cli({L"status"});
  EXPECT_NE(text.out.find("  1. " + win32::to_utf8(ours()) + "  <- RasWarden"), std::string::npos) << text.out;
}

TEST_F(registration, status_shows_the_last_record_of_the_newest_file_before_its_padding) {
  const raswarden_config config;
  ASSERT_EQ(win32::create_directories(config.logs()), 0u);
  const auto record = [](int seq) { return "{\"event\":\"service-start\",\"seq\":" + std::to_string(seq) + "}\n"; };
  write_text_file(config.logs() + L"\\accounting-20261130.jsonl", record(1));
  write_text_file(config.logs() + L"\\accounting-20261130-2.jsonl", record(2));
  // -10 comes after -2 the same day, and is still open: zero padding after its records.
  write_text_file(config.logs() + L"\\accounting-20261130-10.jsonl", record(3) + record(4) + std::string(4096, '\0'));
  const process_result result = cli({L"status", L"--json"});
  const auto report = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << result.all();
  const std::string newest = report.at("logs").at("newest_file");
  EXPECT_NE(newest.find("accounting-20261130-10.jsonl"), std::string::npos) << newest;
  EXPECT_EQ(report.at("logs").at("last_record").value("seq", 0), 4) << report.at("logs").dump();
}

// Wine keeps no DACLs, but a hard link is a planted file it can show: status names it, and
// repair-permissions cannot make it safe (it has to be removed), while the rest is trusted.
TEST_F(registration, status_and_repair_permissions_judge_each_path) {
  const raswarden_config config;
  ASSERT_EQ(win32::create_directories(config.logs()), 0u);
  const std::wstring elsewhere = config.logs() + L"\\elsewhere.dat";
  const std::wstring state = config.logs() + L"\\sessions.state";
  write_text_file(elsewhere, "x");
  ASSERT_NE(::CreateHardLinkW(state.c_str(), elsewhere.c_str(), nullptr), 0);

  const process_result status = cli({L"status", L"--json"});
  EXPECT_EQ(status.exit_code, 1u) << status.all();
  const auto report = nlohmann::json::parse(status.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << status.all();
  std::map<std::string, nlohmann::json> by_role;
  for (const auto& entry : report.at("permissions")) by_role[entry.at("role")] = entry;
  EXPECT_EQ(by_role.at("configuration file").at("trusted"), true) << report.at("permissions").dump();
  EXPECT_EQ(by_role.at("accounting folder").at("trusted"), true);
  EXPECT_TRUE(by_role.at("journal").at("trusted").is_null()) << "not there yet";
  EXPECT_EQ(by_role.at("session state").at("trusted"), false);
  EXPECT_NE(by_role.at("session state").value("problem", "").find("2 hard links"), std::string::npos);
  const std::string warnings = report.at("warnings").dump();
  EXPECT_NE(warnings.find("repair-permissions"), std::string::npos) << warnings;
  const process_result text = cli({L"status"});
  EXPECT_NE(text.out.find("session state: " + win32::to_utf8(state) + ": REFUSED: has 2 hard links"), std::string::npos)
      << text.out;

  const process_result repair = cli({L"repair-permissions", L"--reader", L"S-1-5-32-573", L"--json"});
  EXPECT_EQ(repair.exit_code, 1u) << repair.all();
  const auto repaired = nlohmann::json::parse(repair.out, nullptr, false);
  ASSERT_TRUE(repaired.is_array()) << repair.all();
  for (const auto& entry : repaired) {
    const bool planted = entry.at("role") == "session state";
    EXPECT_EQ(entry.at("trusted"), !planted) << entry.dump();
  }
  const process_result unknown = cli({L"repair-permissions", L"--reader", L"No Such Group 7f3a"});
  EXPECT_EQ(unknown.exit_code, 2u) << unknown.all();
  EXPECT_NE(unknown.err.find("no account named \"No Such Group 7f3a\""), std::string::npos) << unknown.all();

  ASSERT_NE(::DeleteFileW(state.c_str()), 0);
  const process_result clean = cli({L"repair-permissions", L"--if-needed"});
  EXPECT_EQ(clean.exit_code, 0u) << clean.all();
  EXPECT_NE(clean.out.find("already trusted, unchanged"), std::string::npos) << clean.out;
  EXPECT_EQ(clean.out.find("protected DACL applied"), std::string::npos) << clean.out;
}

}  // namespace
}  // namespace raswarden::testing

namespace raswarden::testing {
namespace {

class registration_json : public ::testing::Test {
 protected:
  void TearDown() override {
    std::string error;
    win32::delete_machine_value(L"SOFTWARE\\Microsoft\\RAS\\AdminDll", L"DLLPath", error);
    win32::delete_machine_value(L"SOFTWARE\\Microsoft\\RAS\\AdminDll", L"DisplayName", error);
  }
};

TEST_F(registration_json, register_and_unregister_report_one_json_object_for_scripts) {
  const std::wstring dll = beside_tests(L"raswarden.dll");
  const process_result added = run_program(L"raswarden.exe", {L"register", L"--dll", dll, L"--json"});
  ASSERT_EQ(added.exit_code, 0u) << added.all();
  const auto report = nlohmann::json::parse(added.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << added.out;
  EXPECT_EQ(report.at("action"), "registered");
  EXPECT_EQ(report.at("position"), 1);
  EXPECT_EQ(report.at("dll_path"), win32::to_utf8(dll));
  EXPECT_EQ(report.at("restart_needed"), true);

  const process_result again = run_program(L"raswarden.exe", {L"register", L"--dll", dll, L"--json"});
  EXPECT_EQ(nlohmann::json::parse(again.out, nullptr, false).value("action", ""), "unchanged") << again.out;

  const process_result removed = run_program(L"raswarden.exe", {L"unregister", L"--dll", dll, L"--json"});
  ASSERT_EQ(removed.exit_code, 0u) << removed.all();
  EXPECT_EQ(nlohmann::json::parse(removed.out, nullptr, false).value("action", ""), "unregistered") << removed.out;

  const process_result refused = run_program(L"raswarden.exe", {L"register", L"--dll", L"C:\\nowhere.dll", L"--json"});
  EXPECT_EQ(refused.exit_code, 1u);
  EXPECT_EQ(nlohmann::json::parse(refused.out, nullptr, false).value("action", ""), "failed") << refused.out;
}

}  // namespace
}  // namespace raswarden::testing
