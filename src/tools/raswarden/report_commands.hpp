// raswarden report / tail / check-config FILE: the commands that need only the portable core and
// the file system, so the same code runs on Windows and on the Linux hosts logs are shipped to.
// Arguments are UTF-8 (the Windows entry point converts its UTF-16 command line).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace raswarden::tools {

// Bad usage: the entry point prints the message and the usage text and exits 2.
class usage_problem : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr const char* report_usage_text =
    "  report PATH... [--since TIME] [--until TIME] [--utc] [--user GLOB] [--server NAME]\n"
    "         [--event KIND] [--csv | --json | --html FILE]\n"
    "                       summarise accounting files or folders (rotated files in order): per user,\n"
    "                       per day, peak concurrent sessions, rejections by rule, sessions still open\n"
    "                       and recovered. TIME is RFC 3339 or \"YYYY-MM-DD[ HH:MM]\" in local time (UTC\n"
    "                       with --utc). --user, --server and --event may repeat; globs use * and ?.\n"
    "  tail PATH [-f] [-n N] [--utc] [--user GLOB] [--server NAME] [--event KIND]\n"
    "                       the last N (10) records of the newest file in PATH as one readable line\n"
    "                       each; -f keeps following, also into the next file after a rotation.\n";

[[nodiscard]] std::filesystem::path path_from_utf8(std::string_view text);

int report_command(const std::vector<std::string>& arguments);
int tail_command(const std::vector<std::string>& arguments);
// Validates FILE with the core's parser and prints its problems or a summary of the policy.
int check_config_file(const std::filesystem::path& file);

}  // namespace raswarden::tools
