// The built DLLs' PE tables: every callback RRAS looks up is exported under its plain name (also
// in the 32-bit build, where __stdcall would decorate it), exports.def lists exactly those, and
// nothing is imported from the RAS administration DLLs (calling them from a callback deadlocks).
#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "common/pe_image.hpp"
#include "dll/dll_fixture.hpp"
#include "win32/system.hpp"

namespace raswarden::testing {
namespace {

const std::set<std::string> required_exports = {"MprAdminInitializeDll",
                                                "MprAdminInitializeDllEx",
                                                "MprAdminTerminateDll",
                                                "MprAdminAcceptNewConnection",
                                                "MprAdminAcceptNewConnection2",
                                                "MprAdminAcceptNewConnection3",
                                                "MprAdminAcceptNewConnectionEx",
                                                "MprAdminConnectionHangupNotification",
                                                "MprAdminConnectionHangupNotification2",
                                                "MprAdminConnectionHangupNotification3",
                                                "MprAdminConnectionHangupNotificationEx",
                                                "MprAdminAcceptNewLink",
                                                "MprAdminLinkHangupNotification",
                                                "MprAdminAcceptReauthentication",
                                                "MprAdminAcceptReauthenticationEx",
                                                "MprAdminGetIpAddressForUser",
                                                "MprAdminReleaseIpAddress",
                                                "MprAdminGetIpv6AddressForUser",
                                                "MprAdminReleaseIpv6AddressForUser",
                                                "RasAdminAcceptNewConnection",
                                                "RasAdminConnectionHangupNotification",
                                                "RasAdminGetIpAddressForUser",
                                                "RasAdminReleaseIpAddress"};

std::set<std::string> names_in_def_file() {
  std::ifstream def(RASWARDEN_EXPORTS_DEF_PATH);
  EXPECT_TRUE(def.good()) << "cannot read " << RASWARDEN_EXPORTS_DEF_PATH;
  std::set<std::string> names;
  bool in_exports = false;
  std::string line;
  while (std::getline(def, line)) {
    if (const auto comment = line.find(';'); comment != std::string::npos) line.resize(comment);
    std::istringstream words(line);
    std::string word;
    if (!(words >> word)) continue;
    if (word == "EXPORTS") {
      in_exports = true;
    } else if (in_exports) {
      names.insert(word);
    }
  }
  return names;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

void check_image(const std::string& path, common::pe_machine machine) {
  std::string error;
  const auto image = common::read_pe_file(path, error);
  ASSERT_TRUE(image) << error;
  EXPECT_EQ(image->machine, machine);
  EXPECT_TRUE(image->is_dll);
  const std::set<std::string> exported(image->exports.begin(), image->exports.end());
  for (const auto& name : required_exports) EXPECT_TRUE(exported.contains(name)) << path << " does not export " << name;
  for (const auto& name : image->exports) {
    EXPECT_EQ(name.find('@'), std::string::npos) << "decorated export " << name << " in " << path;
    EXPECT_NE(name.front(), '_') << "decorated export " << name << " in " << path;
  }
  EXPECT_EQ(exported, required_exports) << "the DLL exports something RRAS does not look up";
  for (const auto& dll : image->imports) {
    const std::string name = lower(dll);
    EXPECT_NE(name, "mprapi.dll") << path;
    EXPECT_NE(name, "rasapi32.dll") << path;
    EXPECT_NE(name, "rassapi.dll") << path;
  }
  // Statically linked: only system DLLs.
  for (const auto& dll : image->imports) {
    const std::string name = lower(dll);
    EXPECT_TRUE(name == "kernel32.dll" || name == "advapi32.dll" || name == "msvcrt.dll" || name == "user32.dll" ||
                name == "ws2_32.dll" || name == "ntdll.dll")
        << path << " imports " << dll << " (not a Windows system DLL)";
  }
}

TEST(export_table, def_file_lists_exactly_the_required_exports) {
  EXPECT_EQ(names_in_def_file(), required_exports);
}

TEST(export_table, x64_dll_exports_every_callback_undecorated_and_imports_no_ras_dll) {
  check_image(win32::to_utf8(dll_test::dll_path()), common::pe_machine::amd64);
}

TEST(export_table, x86_dll_exports_every_callback_undecorated_and_imports_no_ras_dll) {
  check_image(RASWARDEN_X86_DLL_PATH, common::pe_machine::i386);
}

}  // namespace
}  // namespace raswarden::testing
