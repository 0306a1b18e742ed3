// raswarden on Linux and other POSIX hosts, where accounting logs are often shipped for analysis:
// report, tail and check-config. Registering the DLL with RRAS is Windows-only (main.cpp).
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tools/raswarden/report_commands.hpp"

namespace {

using namespace raswarden;

const std::string usage_text = std::string(
                                   "usage: raswarden <command> [arguments]\n"
                                   "\n"
                                   "Commands:\n"
                                   "  check-config [FILE]  check a configuration file (without FILE, the one named by\n"
                                   "                       RASWARDEN_CONFIG). Prints every problem as\n"
                                   "                       file:line:column: /json/path: message, or a summary of the "
                                   "policy.\n") +
                               tools::report_usage_text +
                               "\n"
                               "Exit codes: 0 success; 1 a problem (printed); 2 bad usage.\n";

int usage_error(const std::string& message) {
  fmt::print(stderr, "raswarden: {}\n\n{}", message, usage_text);
  return 2;
}

int check_config(const std::vector<std::string>& arguments) {
  if (arguments.size() > 1) return usage_error("check-config takes at most one FILE");
  if (!arguments.empty()) return tools::check_config_file(tools::path_from_utf8(arguments[0]));
  // There is no registry here: the environment variable is the only other way to name it.
  const char* named = std::getenv("RASWARDEN_CONFIG");
  if (named == nullptr || *named == '\0') return usage_error("check-config needs FILE (or RASWARDEN_CONFIG)");
  return tools::check_config_file(tools::path_from_utf8(named));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) return usage_error("no command");
    const std::string command = argv[1];
    const std::vector<std::string> arguments(argv + 2, argv + argc);
    if (command == "check-config") return check_config(arguments);
    if (command == "report") return tools::report_command(arguments);
    if (command == "tail") return tools::tail_command(arguments);
    if (command == "--help" || command == "-h" || command == "help") {
      fmt::print("{}", usage_text);
      return 0;
    }
    return usage_error(fmt::format("unknown command \"{}\"", command));
  } catch (const tools::usage_problem& e) {
    return usage_error(e.what());
  } catch (const std::exception& e) {
    fmt::print(stderr, "raswarden: {}\n", e.what());
    return 1;
  }
}
