// raswarden on Windows: the administrator's command line for RasWarden.
//   raswarden check-config [FILE]   validate a configuration file and summarise what it does
//   raswarden register / unregister / status   RasWarden's place in RRAS's admin-DLL list
//   raswarden report / tail   the accounting records (report_commands.cpp, shared with Linux)
// main_posix.cpp is the Linux entry point, without the registry commands.
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "raswarden/policy.hpp"
#include "raswarden/settings.hpp"
#include "tools/raswarden/permissions.hpp"
#include "tools/raswarden/registration.hpp"
#include "tools/raswarden/report_commands.hpp"
#include "win32/configuration_file.hpp"
#include "win32/system.hpp"

namespace {

using namespace raswarden;

const std::string usage_text =
    std::string(
        "usage: raswarden <command> [arguments]\n"
        "\n"
        "Commands:\n"
        "  check-config [FILE]  check a configuration file; without FILE, the one the DLL reads\n"
        "                       (RASWARDEN_CONFIG, else HKLM\\SOFTWARE\\RasWarden ConfigPath, else\n"
        "                       %ProgramData%\\RasWarden\\raswarden.json). Prints every problem as\n"
        "                       file:line:column: /json/path: message, or a summary of the policy.\n"
        "  register [--dll PATH] [--first|--last] [--force] [--json]\n"
        "                       add RasWarden (default: raswarden.dll beside raswarden.exe) to\n"
        "                       HKLM\\SOFTWARE\\Microsoft\\RAS\\AdminDll DLLPath once, keeping every other\n"
        "                       vendor's entry and their order; --first/--last place (or move) it\n"
        "  unregister [--dll PATH] [--json]\n"
        "                       remove only RasWarden's entry (the values go when nothing else is left)\n"
        "  status [--json]      the admin DLLs in load order and whether RRAS can load each, RasWarden's\n"
        "                       place, the configuration and whether it is valid, who may write each of\n"
        "                       RasWarden's files and folders, the last record\n"
        "  repair-permissions [--reader NAME|SID] [--if-needed] [--json]\n"
        "                       give the configuration, accounting and journal folders and files the\n"
        "                       protected DACL (SYSTEM and Administrators: full control; the reader\n"
        "                       group: read), owned by Administrators; --if-needed: only those refused\n") +
    tools::report_usage_text +
    "  --version            the version of this tool (also in each binary's version resource)\n"
    "\n"
    "Exit codes: 0 success; 1 a problem (printed); 2 bad usage.\n";

int usage_error(const std::string& message) {
  fmt::print(stderr, "raswarden: {}\n\n{}", message, usage_text);
  return 2;
}

int check_config(const std::vector<std::wstring>& arguments) {
  if (arguments.size() > 1) return usage_error("check-config takes at most one FILE");
  win32::configuration_location location;
  if (arguments.empty()) {
    location = win32::locate_configuration();
  } else {
    location.path = arguments[0];
    location.origin = win32::configuration_origin::environment;  // named explicitly: must exist
  }
  const win32::loaded_configuration loaded = win32::load_configuration(location);
  const std::string path = win32::to_utf8(location.path);
  if (loaded.rejected) {
    for (const std::string& problem : loaded.problems) fmt::print(stderr, "{}\n", problem);
    for (const std::string& warning : loaded.warnings) fmt::print(stderr, "{}\n", warning);
    fmt::print(stderr, "{}: {} problem(s); RasWarden would not use this file\n", path, loaded.problems.size());
    return 1;
  }
  if (!loaded.from_file) {
    fmt::print("{}: no file (looked at {}); the defaults apply\n", path, win32::describe(location.origin));
  } else {
    fmt::print("{}: OK{}\n", path,
               loaded.warnings.empty() ? std::string() : fmt::format(", {} warning(s)", loaded.warnings.size()));
  }
  for (const std::string& warning : loaded.warnings) fmt::print("{}\n", warning);
  fmt::print("{}", core::describe(loaded.settings));
  return 0;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  try {
    if (argc < 2) return usage_error("no command");
    const std::wstring command = argv[1];
    const std::vector<std::wstring> arguments(argv + 2, argv + argc);
    if (command == L"check-config") return check_config(arguments);
    if (command == L"register") return tools::register_command(arguments);
    if (command == L"unregister") return tools::unregister_command(arguments);
    if (command == L"status") return tools::status_command(arguments);
    if (command == L"repair-permissions") return tools::repair_permissions_command(arguments);
    if (command == L"report" || command == L"tail") {
      std::vector<std::string> utf8_arguments;
      for (const std::wstring& argument : arguments) utf8_arguments.push_back(win32::to_utf8(argument));
      return command == L"report" ? tools::report_command(utf8_arguments) : tools::tail_command(utf8_arguments);
    }
    if (command == L"--version" || command == L"version") {
      fmt::print("raswarden {}\n", RASWARDEN_VERSION);
      return 0;
    }
    if (command == L"--help" || command == L"-h" || command == L"help") {
      fmt::print("{}", usage_text);
      return 0;
    }
    return usage_error(fmt::format("unknown command \"{}\"", win32::to_utf8(command)));
  } catch (const tools::usage_problem& e) {
    return usage_error(e.what());
  } catch (const std::exception& e) {
    fmt::print(stderr, "raswarden: {}\n", e.what());
    return 1;
  }
}
