// src/win32/file_security.cpp under Wine: the verdict over descriptors made by Windows' own SDDL
// conversion, and what can be planted here (Wine keeps no DACLs, but it has hard links, folders
// and network paths): a hard-linked file, a folder where a file belongs, a folder on another
// computer are refused, and what RasWarden creates itself is trusted.
#include "win32/file_security.hpp"

#include <sddl.h>

#include <gtest/gtest.h>

#include "win32/configuration_file.hpp"
#include "win32/journal_file.hpp"
#include "win32/pipeline_fixture.hpp"
#include "win32/system.hpp"

namespace raswarden::win32::testing {
namespace {

class win32_file_security : public pipeline_test {};

core::security_verdict judge_sddl(const std::string& sddl) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const std::wstring wide = to_wide(sddl);
  EXPECT_NE(::ConvertStringSecurityDescriptorToSecurityDescriptorW(wide.c_str(), SDDL_REVISION_1, &descriptor, nullptr),
            0)
      << sddl;
  const unique_local owned(descriptor);
  return judge_security_descriptor(descriptor);
}

TEST_F(win32_file_security, the_process_user_is_a_sid) {
  EXPECT_EQ(process_user_sid().rfind("S-1-5-", 0), 0u) << process_user_sid();
}

TEST_F(win32_file_security, judges_descriptors_that_windows_converts) {
  EXPECT_TRUE(judge_sddl("O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)").trusted);
  EXPECT_TRUE(judge_sddl("O:SY" + core::protected_dacl_sddl(process_user_sid(), "S-1-5-32-573")).trusted);
  EXPECT_TRUE(judge_sddl("O:" + process_user_sid() + "D:(A;;FA;;;SY)(A;;FR;;;WD)").trusted);

  const core::security_verdict users_own = judge_sddl("O:BUD:P(A;;FA;;;SY)");
  EXPECT_FALSE(users_own.trusted);
  EXPECT_NE(users_own.problem.find("S-1-5-32-545 (BUILTIN\\Users)"), std::string::npos) << users_own.problem;

  const core::security_verdict everyone_writes = judge_sddl("O:SYD:P(A;;FA;;;SY)(A;;FW;;;WD)");
  EXPECT_FALSE(everyone_writes.trusted);
  EXPECT_NE(everyone_writes.problem.find("Everyone"), std::string::npos) << everyone_writes.problem;

  const core::security_verdict inherited_create = judge_sddl("O:SYD:(A;OICI;FA;;;SY)(A;CI;DCLCRPCR;;;BU)");
  EXPECT_FALSE(inherited_create.trusted);
}

// A null DACL made by hand (Wine turns "D:NO_ACCESS_CONTROL" into an empty DACL instead).
TEST_F(win32_file_security, a_null_dacl_is_refused) {
  SECURITY_DESCRIPTOR descriptor{};
  ASSERT_NE(::InitializeSecurityDescriptor(&descriptor, SECURITY_DESCRIPTOR_REVISION), 0);
  PSID system = nullptr;
  ASSERT_NE(::ConvertStringSidToSidW(L"S-1-5-18", &system), 0);
  const unique_local owned(system);
  ASSERT_NE(::SetSecurityDescriptorOwner(&descriptor, system, FALSE), 0);
  ASSERT_NE(::SetSecurityDescriptorDacl(&descriptor, TRUE, nullptr, FALSE), 0);
  const core::security_verdict verdict = judge_security_descriptor(&descriptor);
  EXPECT_FALSE(verdict.trusted);
  EXPECT_NE(verdict.problem.find("no DACL"), std::string::npos) << verdict.problem;
}

TEST_F(win32_file_security, what_raswarden_creates_is_trusted) {
  const std::wstring nested = folder() + L"\\new\\deeper";
  std::string problem;
  ASSERT_TRUE(ensure_trusted_folder(nested, false, problem)) << problem;
  EXPECT_TRUE(is_directory(nested));
  const core::security_verdict folder_verdict = judge_path(nested, object_kind::folder);
  EXPECT_TRUE(folder_verdict.trusted) << folder_verdict.problem;

  const std::wstring file = nested + L"\\state.dat";
  {
    const unique_hfile created = open_owned_file(file, GENERIC_WRITE, 0, CREATE_NEW, problem);
    ASSERT_TRUE(created) << problem;
  }
  const unique_hfile adopted = open_owned_file(file, GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING, problem);
  EXPECT_TRUE(adopted) << problem;
  EXPECT_FALSE(judge_path(file, object_kind::folder).trusted) << "a file where a folder belongs";
}

TEST_F(win32_file_security, a_hard_linked_file_is_never_adopted) {
  const std::wstring elsewhere = folder() + L"\\someone-elses.txt";
  const std::wstring planted = folder() + L"\\sessions.state";
  write_bytes(elsewhere, "precious\n");
  ASSERT_NE(::CreateHardLinkW(planted.c_str(), elsewhere.c_str(), nullptr), 0) << ::GetLastError();

  std::string problem;
  const unique_hfile file = open_owned_file(planted, GENERIC_READ | GENERIC_WRITE, 0, OPEN_ALWAYS, problem);
  EXPECT_FALSE(file);
  EXPECT_NE(problem.find("2 hard links"), std::string::npos) << problem;
  EXPECT_EQ(::GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
  EXPECT_EQ(read_bytes(elsewhere), "precious\n");

  std::string contents;
  std::uint64_t size = 0;
  EXPECT_EQ(read_owned_file(planted, 1024, contents, size, problem), static_cast<DWORD>(ERROR_ACCESS_DENIED));
  EXPECT_TRUE(contents.empty());
}

TEST_F(win32_file_security, a_folder_where_a_file_belongs_is_refused_by_name) {
  const std::wstring planted = folder() + L"\\sessions.state";
  ASSERT_NE(::CreateDirectoryW(planted.c_str(), nullptr), 0);
  std::string problem;
  EXPECT_FALSE(open_owned_file(planted, GENERIC_READ | GENERIC_WRITE, 0, OPEN_ALWAYS, problem));
  EXPECT_NE(problem.find("folder where a file belongs"), std::string::npos) << problem;
  const core::security_verdict verdict = judge_path(planted, object_kind::file);
  EXPECT_FALSE(verdict.trusted);
  EXPECT_NE(verdict.problem.find("folder where a file belongs"), std::string::npos) << verdict.problem;
}

TEST_F(win32_file_security, a_symbolic_link_is_refused_where_wine_can_make_one) {
  const std::wstring target = folder() + L"\\target.txt";
  const std::wstring link = folder() + L"\\link.txt";
  write_bytes(target, "x\n");
  if (::CreateSymbolicLinkW(link.c_str(), target.c_str(), 0) == 0) {
    GTEST_SKIP() << "this Wine cannot create symbolic links (error " << ::GetLastError() << ")";
  }
  const DWORD attributes = ::GetFileAttributesW(link.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES || (attributes & FILE_ATTRIBUTE_REPARSE_POINT) == 0) {
    GTEST_SKIP() << "this Wine makes symbolic links that are no reparse points";
  }
  std::string problem;
  EXPECT_FALSE(open_owned_file(link, GENERIC_WRITE, 0, OPEN_EXISTING, problem));
  EXPECT_NE(problem.find("reparse point"), std::string::npos) << problem;
}

TEST_F(win32_file_security, network_paths_are_remote_and_refused_unless_allowed) {
  EXPECT_TRUE(is_remote_path(L"\\\\fileserver\\share\\logs"));
  EXPECT_TRUE(is_remote_path(L"\\\\?\\UNC\\fileserver\\share\\logs"));
  EXPECT_FALSE(is_remote_path(L"C:\\ProgramData\\RasWarden\\logs"));
  EXPECT_FALSE(is_remote_path(L"\\\\?\\C:\\ProgramData\\RasWarden\\logs"));
  EXPECT_FALSE(is_remote_path(folder()));

  std::string problem;
  EXPECT_FALSE(ensure_trusted_folder(L"\\\\fileserver\\share\\logs", false, problem));
  EXPECT_NE(problem.find("accounting.allow_remote_directory"), std::string::npos) << problem;
}

TEST_F(win32_file_security, the_journal_is_not_opened_in_a_remote_folder) {
  std::string error;
  // Refused before any name is resolved: nothing reaches the network.
  const auto journal = journal_file::open(L"\\\\fileserver\\share\\logs", 64 << 10, false, clock, diag, error);
  EXPECT_EQ(journal, nullptr);
  EXPECT_NE(error.find("\\\\fileserver\\share\\logs is on another computer"), std::string::npos) << error;
}

// One writer per journal: its share mode lets others read only, so a second instance on the same
// folder is refused with a reason instead of writing into the same ring.
TEST_F(win32_file_security, a_second_instance_on_the_same_folder_fails_loudly) {
  std::string error;
  const auto first = journal_file::open(folder(), 64 << 10, false, clock, diag, error);
  ASSERT_NE(first, nullptr) << error;
  const auto second = journal_file::open(folder(), 64 << 10, false, clock, diag, error);
  EXPECT_EQ(second, nullptr);
  EXPECT_NE(error.find(to_utf8(journal_path())), std::string::npos) << error;
  EXPECT_NE(error.find("(32)"), std::string::npos) << "ERROR_SHARING_VIOLATION: " << error;
}

TEST_F(win32_file_security, a_configuration_that_is_also_another_file_is_not_used) {
  const std::wstring elsewhere = folder() + L"\\elsewhere.json";
  const std::wstring config = folder() + L"\\raswarden.json";
  write_bytes(elsewhere, R"({"policy": {"default": "accept"}})");
  ASSERT_NE(::CreateHardLinkW(config.c_str(), elsewhere.c_str(), nullptr), 0) << ::GetLastError();
  configuration_location location;
  location.path = config;
  location.origin = configuration_origin::environment;
  const loaded_configuration loaded = load_configuration(location);
  EXPECT_TRUE(loaded.rejected);
  EXPECT_FALSE(loaded.from_file);
  ASSERT_FALSE(loaded.problems.empty());
  EXPECT_NE(loaded.problems[0].find("hard links"), std::string::npos) << loaded.problems[0];
  EXPECT_NE(loaded.problems[0].find(to_utf8(config)), std::string::npos) << loaded.problems[0];
}

}  // namespace
}  // namespace raswarden::win32::testing
