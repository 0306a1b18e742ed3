// Where RRAS finds admin DLLs: HKLM\SOFTWARE\Microsoft\RAS\AdminDll DLLPath (mprapi-reference.md 3).
// These tests write the value in the (test) Wine prefix's registry and restore it afterwards;
// CTest runs them one at a time (RESOURCE_LOCK), since they share that value.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "host/host_test_support.hpp"
#include "host/registry_dlls.hpp"
#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::testing {
namespace {

class dll_path_registry : public ::testing::Test {
 protected:
  void SetUp() override {
    HKEY raw = nullptr;
    DWORD disposition = 0;
    ASSERT_EQ(::RegCreateKeyExW(HKEY_LOCAL_MACHINE, host::admin_dll_key, 0, nullptr, 0,
                                KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_WOW64_64KEY, nullptr, &raw, &disposition),
              ERROR_SUCCESS);
    key_.reset(raw);
    created_key_ = disposition == REG_CREATED_NEW_KEY;
    DWORD size = 0;
    if (::RegQueryValueExW(key_.get(), L"DLLPath", nullptr, &saved_type_, nullptr, &size) == ERROR_SUCCESS) {
      saved_.emplace(size, BYTE{0});
      ASSERT_EQ(::RegQueryValueExW(key_.get(), L"DLLPath", nullptr, &saved_type_, saved_->data(), &size),
                ERROR_SUCCESS);
    }
  }

  void TearDown() override {
    if (saved_) {
      EXPECT_EQ(
          ::RegSetValueExW(key_.get(), L"DLLPath", 0, saved_type_, saved_->data(), static_cast<DWORD>(saved_->size())),
          ERROR_SUCCESS);
    } else {
      remove_value();
    }
    key_.reset();
    if (created_key_) {
      EXPECT_EQ(::RegDeleteKeyExW(HKEY_LOCAL_MACHINE, host::admin_dll_key, KEY_WOW64_64KEY, 0), ERROR_SUCCESS);
    }
  }

  // Writes DLLPath; `text` may hold embedded NULs (REG_MULTI_SZ), a final NUL is added.
  void set_value(DWORD type, std::wstring_view text) {
    std::wstring data(text);
    data.push_back(L'\0');
    ASSERT_EQ(::RegSetValueExW(key_.get(), L"DLLPath", 0, type, reinterpret_cast<const BYTE*>(data.data()),
                               static_cast<DWORD>(data.size() * sizeof(wchar_t))),
              ERROR_SUCCESS);
  }
  void remove_value() {
    const LSTATUS status = ::RegDeleteValueW(key_.get(), L"DLLPath");
    EXPECT_TRUE(status == ERROR_SUCCESS || status == ERROR_FILE_NOT_FOUND) << status;
  }

  static common::dll_path_list read() {
    std::string error;
    const auto list = host::read_registered_dlls(error);
    EXPECT_TRUE(list.has_value()) << error;
    EXPECT_TRUE(error.empty()) << error;
    return list.value_or(common::dll_path_list{});
  }
  static std::string read_error() {
    std::string error;
    EXPECT_FALSE(host::read_registered_dlls(error).has_value());
    return error;
  }

 private:
  win32::unique_hkey key_;
  bool created_key_ = false;
  DWORD saved_type_ = 0;
  std::optional<std::vector<BYTE>> saved_;
};

TEST_F(dll_path_registry, reg_sz_with_one_path) {
  set_value(REG_SZ, L"C:\\Program Files\\RasWarden\\raswarden.dll");
  const auto list = read();
  EXPECT_EQ(list.entries, (std::vector<std::wstring>{L"C:\\Program Files\\RasWarden\\raswarden.dll"}));
  EXPECT_TRUE(list.warnings.empty());
}

TEST_F(dll_path_registry, reg_expand_sz_expands_environment_variables) {
  ASSERT_NE(::SetEnvironmentVariableW(L"RASWARDEN_TEST_VENDOR", L"D:\\Vendor"), FALSE);
  set_value(REG_EXPAND_SZ, L"%RASWARDEN_TEST_VENDOR%\\a.dll;%RASWARDEN_TEST_VENDOR%\\sub\\b.dll");
  const auto list = read();
  ::SetEnvironmentVariableW(L"RASWARDEN_TEST_VENDOR", nullptr);
  EXPECT_EQ(list.entries, (std::vector<std::wstring>{L"D:\\Vendor\\a.dll", L"D:\\Vendor\\sub\\b.dll"}));
}

TEST_F(dll_path_registry, a_list_is_loaded_in_order) {
  set_value(REG_SZ, L"C:\\a.dll;C:\\b.dll");
  EXPECT_EQ(read().entries, (std::vector<std::wstring>{L"C:\\a.dll", L"C:\\b.dll"}));
}

TEST_F(dll_path_registry, an_entry_starting_with_a_space_ends_the_list_with_a_warning) {
  set_value(REG_SZ, L"C:\\a.dll; C:\\b.dll;C:\\c.dll");
  const auto list = read();
  EXPECT_EQ(list.entries, (std::vector<std::wstring>{L"C:\\a.dll"}));
  ASSERT_EQ(list.warnings.size(), 1u);
  EXPECT_NE(list.warnings[0].find("entry 2"), std::string::npos) << list.warnings[0];
  EXPECT_NE(list.warnings[0].find("begins with a space"), std::string::npos) << list.warnings[0];
}

TEST_F(dll_path_registry, reg_multi_sz_is_refused_as_rras_does) {
  std::wstring multi = L"C:\\a.dll";
  multi.push_back(L'\0');
  multi += L"C:\\b.dll";
  multi.push_back(L'\0');
  set_value(REG_MULTI_SZ, multi);
  const std::string error = read_error();
  EXPECT_NE(error.find("REG_MULTI_SZ"), std::string::npos) << error;
  EXPECT_NE(error.find("1015"), std::string::npos) << error;
}

TEST_F(dll_path_registry, reg_dword_is_refused) {
  HKEY raw = nullptr;
  ASSERT_EQ(::RegOpenKeyExW(HKEY_LOCAL_MACHINE, host::admin_dll_key, 0, KEY_SET_VALUE | KEY_WOW64_64KEY, &raw),
            ERROR_SUCCESS);
  const win32::unique_hkey key(raw);
  const DWORD value = 1;
  ASSERT_EQ(::RegSetValueExW(key.get(), L"DLLPath", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&value), sizeof(value)),
            ERROR_SUCCESS);
  const std::string error = read_error();
  EXPECT_NE(error.find("REG_DWORD"), std::string::npos) << error;
  EXPECT_NE(error.find("1015"), std::string::npos) << error;
}

TEST_F(dll_path_registry, missing_or_empty_value_is_an_empty_list) {
  remove_value();
  auto list = read();
  EXPECT_TRUE(list.entries.empty());
  EXPECT_TRUE(list.warnings.empty());
  set_value(REG_SZ, L"");
  list = read();
  EXPECT_TRUE(list.entries.empty());
}

// rrashost without --dll reads DLLPath, as RRAS does at service start.

TEST_F(dll_path_registry, rrashost_check_loads_the_registered_dll) {
  const raswarden_config config;
  set_value(REG_SZ, beside_tests(L"raswarden.dll"));
  const auto result = run_rrashost({L"--check"});
  EXPECT_EQ(result.exit_code, 0u) << result.all();
  EXPECT_NE(result.out.find("raswarden.dll"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("verdict: CONFORMS"), std::string::npos) << result.out;
  EXPECT_EQ(config.records_of("service-start").size(), 1u);
}

TEST_F(dll_path_registry, rrashost_check_stops_the_list_at_a_space_and_warns) {
  const raswarden_config config;
  set_value(REG_SZ, beside_tests(L"raswarden.dll") + L"; " + beside_tests(L"broken_missing_link.dll"));
  const auto result = run_rrashost({L"--check"});
  // The broken DLL after the space is never loaded, so RRAS would start.
  EXPECT_EQ(result.exit_code, 0u) << result.all();
  EXPECT_NE(result.err.find("warning: DLLPath entry 2"), std::string::npos) << result.err;
  EXPECT_EQ(result.out.find("broken_missing_link"), std::string::npos) << result.out;
}

TEST_F(dll_path_registry, rrashost_check_refuses_a_registered_broken_dll) {
  const raswarden_config config;
  set_value(REG_SZ, beside_tests(L"raswarden.dll") + L";" + beside_tests(L"broken_missing_link.dll"));
  const auto result = run_rrashost({L"--check"});
  EXPECT_EQ(result.exit_code, 1u) << result.all();
  EXPECT_NE(result.all().find("MprAdminLinkHangupNotification is missing"), std::string::npos) << result.all();
}

TEST_F(dll_path_registry, rrashost_fails_on_reg_multi_sz) {
  std::wstring multi = beside_tests(L"raswarden.dll");
  multi.push_back(L'\0');
  set_value(REG_MULTI_SZ, multi);
  const auto result = run_rrashost({L"--check"});
  EXPECT_EQ(result.exit_code, 1u) << result.all();
  EXPECT_NE(result.err.find("ERROR_REGISTRY_CORRUPT (1015)"), std::string::npos) << result.err;
}

TEST_F(dll_path_registry, rrashost_without_a_registered_dll_says_so) {
  remove_value();
  const auto result = run_rrashost({L"--check"});
  EXPECT_EQ(result.exit_code, 1u) << result.all();
  EXPECT_NE(result.err.find("no admin DLL is registered"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace raswarden::testing
