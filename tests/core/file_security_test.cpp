#include "raswarden/file_security.hpp"

#include <gtest/gtest.h>

namespace raswarden::core {
namespace {

constexpr std::string_view service_account = "S-1-5-21-1004336348-1177238915-682003330-1000";

TEST(FileSecurityTest, ProtectedFolderOfAdministratorsIsTrusted) {
  const auto verdict = judge_descriptor("O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)", {});
  EXPECT_TRUE(verdict.trusted) << verdict.problem;
  EXPECT_TRUE(verdict.problem.empty());
}

TEST(FileSecurityTest, ProgramDataInheritanceLetsUsersCreateFilesAndIsRefused) {
  // What a new subfolder of %ProgramData% inherits: Users may add files and subfolders.
  const auto verdict = judge_descriptor(
      "O:SYG:SYD:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIIOID;GA;;;CO)(A;OICIID;0x1200a9;;;BU)"
      "(A;CIID;DCLCRPCR;;;BU)",
      {});
  EXPECT_FALSE(verdict.trusted);
  EXPECT_NE(verdict.problem.find("S-1-5-32-545 (BUILTIN\\Users)"), std::string::npos) << verdict.problem;
  EXPECT_NE(verdict.problem.find("(A;CIID;DCLCRPCR;;;BU)"), std::string::npos) << verdict.problem;
}

TEST(FileSecurityTest, AnOwnerWhoIsNotTrustedIsNamed) {
  const auto verdict = judge_descriptor("O:S-1-5-21-1-2-3-1001G:S-1-5-21-1-2-3-513D:P(A;;FA;;;SY)(A;;FA;;;BA)", {});
  EXPECT_FALSE(verdict.trusted);
  EXPECT_NE(verdict.problem.find("is owned by S-1-5-21-1-2-3-1001"), std::string::npos) << verdict.problem;
}

TEST(FileSecurityTest, TrustedOwners) {
  for (const std::string_view owner : {well_known_sid::local_system, well_known_sid::administrators,
                                       well_known_sid::trusted_installer, service_account}) {
    const std::string sddl = "O:" + std::string(owner) + "D:P(A;;FA;;;SY)";
    EXPECT_TRUE(judge_descriptor(sddl, service_account).trusted) << sddl;
  }
  // The service's own account is trusted only as that account.
  EXPECT_FALSE(judge_descriptor("O:" + std::string(service_account) + "D:P(A;;FA;;;SY)", {}).trusted);
}

TEST(FileSecurityTest, ANullDaclIsRefused) {
  for (const std::string_view sddl : {"O:SYD:NO_ACCESS_CONTROL", "O:SYG:SY"}) {
    const auto verdict = judge_descriptor(sddl, {});
    EXPECT_FALSE(verdict.trusted) << sddl;
    EXPECT_NE(verdict.problem.find("no DACL"), std::string::npos) << verdict.problem;
  }
}

TEST(FileSecurityTest, AnyWriteLikeRightForOthersIsRefused) {
  for (const std::string_view entry : {"(A;;FA;;;WD)", "(A;;FW;;;AU)", "(A;;GA;;;BU)", "(A;;GW;;;BU)", "(A;;WD;;;BU)",
                                       "(A;;WO;;;BU)", "(A;;SD;;;BU)", "(A;;0x40000000;;;AU)", "(A;;0x00000004;;;IU)",
                                       "(A;OICI;0x1301bf;;;AU)", "(A;;FA;;;S-1-5-21-1-2-3-1001)", "(OA;;FA;;;BU)"}) {
    const std::string sddl = "O:SYD:P(A;;FA;;;SY)" + std::string(entry);
    const auto verdict = judge_descriptor(sddl, {});
    EXPECT_FALSE(verdict.trusted) << sddl;
    EXPECT_NE(verdict.problem.find(entry), std::string::npos) << verdict.problem;
  }
}

TEST(FileSecurityTest, ReadingDenyingAndInheritOnlyEntriesAreHarmless) {
  for (const std::string_view entry :
       {"(A;;FR;;;WD)", "(A;;FRFX;;;BU)", "(A;;0x1200a9;;;AU)", "(D;;FA;;;BU)", "(A;OICIIO;FA;;;BU)",
        "(A;OICIIO;GA;;;CO)", "(A;;FA;;;OW)", "(AU;SAFA;FA;;;WD)"}) {
    const std::string sddl = "O:BAD:(A;;FA;;;SY)" + std::string(entry);
    const auto verdict = judge_descriptor(sddl, {});
    EXPECT_TRUE(verdict.trusted) << sddl << ": " << verdict.problem;
  }
}

TEST(FileSecurityTest, WhatWineSynthesizesIsTrustedForItsUser) {
  // Wine's descriptor for every file: its user owns it, SYSTEM and the user have full control,
  // Everyone may read.
  const std::string sddl = "O:" + std::string(service_account) + "G:" + std::string(service_account) +
                           "D:(A;;FA;;;SY)(A;;FA;;;" + std::string(service_account) + ")(A;;0x1200a9;;;WD)";
  EXPECT_TRUE(judge_descriptor(sddl, service_account).trusted);
}

TEST(FileSecurityTest, UnreadableTextIsRefusedWithAReason) {
  for (const std::string_view sddl :
       {"", "hello", "O:DAD:(A;;FA;;;SY)", "O:SYD:(A;;FA;;SY)", "O:SYD:(A;;ZZ;;;SY)", "O:SYD:(A;;FA;;;SY",
        "O:SYD:(Q;;FA;;;SY)", "O:SYD:x(A;;FA;;;SY)", "O:S-1-D:(A;;FA;;;SY)"}) {
    const auto verdict = judge_descriptor(sddl, {});
    EXPECT_FALSE(verdict.trusted) << sddl;
    EXPECT_FALSE(verdict.problem.empty()) << sddl;
  }
}

TEST(FileSecurityTest, ParsesAllParts) {
  std::string problem;
  const auto parsed = parse_sddl("O:SOG:SYD:PAI(A;OICIIO;0x1200a9;;;AU)(D;;FA;;;AN)S:AI(AU;SAFA;FA;;;WD)", problem);
  ASSERT_TRUE(parsed) << problem;
  EXPECT_EQ(parsed->owner, "S-1-5-32-549");
  EXPECT_TRUE(parsed->has_dacl);
  EXPECT_TRUE(parsed->dacl_protected);
  ASSERT_EQ(parsed->dacl.size(), 2u);
  EXPECT_EQ(parsed->dacl[0].kind, 'A');
  EXPECT_TRUE(parsed->dacl[0].inherit_only);
  EXPECT_EQ(parsed->dacl[0].mask, 0x1200a9u);
  EXPECT_EQ(parsed->dacl[0].sid, "S-1-5-11");
  EXPECT_EQ(parsed->dacl[1].kind, 'D');
  EXPECT_EQ(parsed->dacl[1].sid, "S-1-5-7");
}

TEST(FileSecurityTest, TheProtectedDaclItselfIsTrusted) {
  const std::string plain = protected_dacl_sddl({});
  EXPECT_EQ(plain, "D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)");
  const std::string with_self = protected_dacl_sddl(service_account, "S-1-5-32-573");
  EXPECT_NE(with_self.find(std::string(service_account)), std::string::npos);
  std::string problem;
  const auto parsed = parse_sddl(with_self, problem);
  ASSERT_TRUE(parsed) << problem;
  EXPECT_TRUE(parsed->dacl_protected);
  EXPECT_EQ(parsed->dacl.size(), 4u);
  EXPECT_TRUE(judge_descriptor("O:SY" + with_self, service_account).trusted);
  // SYSTEM running the service needs no entry of its own beside SY.
  EXPECT_EQ(protected_dacl_sddl(well_known_sid::local_system), plain);
}

TEST(FileSecurityTest, DescribesWellKnownSids) {
  EXPECT_EQ(describe_sid("S-1-1-0"), "S-1-1-0 (Everyone)");
  EXPECT_EQ(describe_sid(well_known_sid::trusted_installer),
            std::string(well_known_sid::trusted_installer) + " (NT SERVICE\\TrustedInstaller)");
  EXPECT_EQ(describe_sid("S-1-5-21-1-2-3-1001"), "S-1-5-21-1-2-3-1001");
}

}  // namespace
}  // namespace raswarden::core
