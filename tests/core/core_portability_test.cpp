// The core must build on any platform: no Windows header, type or macro may creep into it.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#ifndef RASWARDEN_SOURCE_DIR
#error "RASWARDEN_SOURCE_DIR must name the source tree"
#endif

namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 4> forbidden{"windows.h", "DWORD", "HANDLE", "_WIN32"};

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t check_tree(const fs::path& root) {
  EXPECT_TRUE(fs::is_directory(root)) << root;
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string text = read_all(entry.path());
    EXPECT_FALSE(text.empty()) << entry.path() << " could not be read";
    for (const std::string_view token : forbidden) {
      const auto at = text.find(token);
      if (at != std::string::npos) {
        const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
        ADD_FAILURE() << entry.path().string() << ":" << line << " contains \"" << token
                      << "\"; the portable core must not name Windows types or headers";
      }
    }
  }
  return files;
}

TEST(CorePortability, CoreSourcesNameNoWindowsTypes) {
  const std::size_t files = check_tree(fs::path(RASWARDEN_SOURCE_DIR) / "src" / "core");
  EXPECT_GE(files, 9U);  // accounting, engine, json_writer, platform, policy, registry, settings, text, types
}

TEST(CorePortability, PublicHeadersNameNoWindowsTypes) {
  const std::size_t files = check_tree(fs::path(RASWARDEN_SOURCE_DIR) / "include" / "raswarden");
  EXPECT_GE(files, 9U);
}

}  // namespace
