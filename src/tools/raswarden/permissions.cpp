#include "tools/raswarden/permissions.hpp"

#include <windows.h>

#include <sddl.h>

#include <fmt/format.h>

#include "raswarden/log_format.hpp"
#include "tools/raswarden/report_commands.hpp"
#include "win32/event_log.hpp"
#include "win32/file_security.hpp"
#include "win32/system.hpp"

namespace raswarden::tools {

namespace {

struct secured_path {
  const char* role;
  std::wstring path;
  win32::object_kind kind;
};

std::wstring folder_of(const std::wstring& path) {
  const std::size_t separator = path.find_last_of(L"\\/");
  return separator == std::wstring::npos ? std::wstring(L".") : path.substr(0, separator);
}

// What the DLL reads and writes, for the configuration it would use.
std::vector<secured_path> secured_paths(const win32::loaded_configuration& config) {
  const std::wstring logs = accounting_folder(config.settings);
  const std::wstring journal = logs + L"\\" + win32::to_wide(core::log_format::journal_folder);
  return {
      {"configuration folder", folder_of(config.location.path), win32::object_kind::folder},
      {"configuration file", config.location.path, win32::object_kind::file},
      {"accounting folder", logs, win32::object_kind::folder},
      {"session state", logs + L"\\sessions.state", win32::object_kind::file},
      {"journal folder", journal, win32::object_kind::folder},
      {"journal", journal + L"\\" + win32::to_wide(core::log_format::journal_file), win32::object_kind::file},
  };
}

// A group's SID from its name ("Event Log Readers", "CORP\RAS Auditors") or a SID string.
std::string reader_sid_of(const std::wstring& name) {
  PSID sid = nullptr;
  if (::ConvertStringSidToSidW(name.c_str(), &sid) != 0) {
    const win32::unique_local owned(sid);
    return win32::to_utf8(name);
  }
  DWORD sid_size = 0;
  DWORD domain_size = 0;
  SID_NAME_USE use{};
  ::LookupAccountNameW(nullptr, name.c_str(), nullptr, &sid_size, nullptr, &domain_size, &use);
  if (sid_size == 0) {
    throw usage_problem(fmt::format("--reader: no account named \"{}\" ({})", win32::to_utf8(name),
                                    win32::describe_error(::GetLastError())));
  }
  std::vector<std::byte> buffer(sid_size);
  std::wstring domain(domain_size, L'\0');
  if (::LookupAccountNameW(nullptr, name.c_str(), buffer.data(), &sid_size, domain.data(), &domain_size, &use) == 0) {
    throw usage_problem(fmt::format("--reader: no account named \"{}\" ({})", win32::to_utf8(name),
                                    win32::describe_error(::GetLastError())));
  }
  wchar_t* text = nullptr;
  if (::ConvertSidToStringSidW(buffer.data(), &text) == 0) {
    throw usage_problem(fmt::format("--reader: the SID of \"{}\" cannot be read", win32::to_utf8(name)));
  }
  const win32::unique_local owned(text);
  return win32::to_utf8(text);
}

}  // namespace

std::wstring accounting_folder(const core::settings& settings) {
  return settings.accounting.directory.empty()
             ? win32::expand_environment(L"%ProgramData%\\RasWarden\\logs")
             : win32::expand_environment(win32::to_wide(settings.accounting.directory));
}

nlohmann::ordered_json permissions_report(const win32::loaded_configuration& config,
                                          std::vector<std::string>& warnings) {
  nlohmann::ordered_json entries = nlohmann::json::array();
  for (const secured_path& p : secured_paths(config)) {
    const std::string path = win32::to_utf8(p.path);
    const auto verdict = win32::judge_if_present(p.path, p.kind);
    nlohmann::ordered_json entry = {{"role", p.role}, {"path", path}, {"exists", verdict.has_value()}};
    if (!verdict) {
      entry["trusted"] = nullptr;
    } else {
      entry["trusted"] = verdict->trusted;
      if (!verdict->trusted) {
        entry["problem"] = verdict->problem;
        warnings.push_back(
            fmt::format("the {} {} {} (run: raswarden repair-permissions)", p.role, path, verdict->problem));
      }
    }
    if (std::string_view(p.role) == "accounting folder" && !config.settings.accounting.allow_remote_directory &&
        win32::is_remote_path(p.path)) {
      entry["problem"] = "on another computer, and accounting.allow_remote_directory is false";
      warnings.push_back(
          fmt::format("the accounting folder {} is on another computer; RasWarden does not write there "
                      "unless accounting.allow_remote_directory is true",
                      path));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

int repair_permissions_command(const std::vector<std::wstring>& arguments) {
  bool json = false;
  bool if_needed = false;
  std::string reader;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i] == L"--json") {
      json = true;
    } else if (arguments[i] == L"--if-needed") {
      if_needed = true;
    } else if (arguments[i] == L"--reader" && i + 1 < arguments.size()) {
      // An empty value (an unset installer property) means no reader.
      if (!arguments[++i].empty()) reader = reader_sid_of(arguments[i]);
    } else {
      throw usage_problem(fmt::format("repair-permissions: unexpected argument \"{}\"", win32::to_utf8(arguments[i])));
    }
  }
  const win32::loaded_configuration config = win32::load_configuration(win32::locate_configuration());
  win32::event_log event_log;
  nlohmann::ordered_json report = nlohmann::json::array();
  int failures = 0;
  for (const secured_path& p : secured_paths(config)) {
    const auto present = win32::judge_if_present(p.path, p.kind);
    if (!present) continue;
    const core::security_verdict& before = *present;
    nlohmann::ordered_json entry = {
        {"role", p.role}, {"path", win32::to_utf8(p.path)}, {"was_trusted", before.trusted}};
    if (!before.problem.empty()) entry["was"] = before.problem;
    // A reparse point, a hard link or a folder-for-a-file is not repaired by permissions: it has
    // to be removed by hand, and stays refused.
    const bool leave_alone = if_needed && before.trusted && reader.empty();
    const DWORD error = leave_alone ? ERROR_SUCCESS : win32::apply_protected_dacl(p.path, reader);
    const core::security_verdict after = win32::judge_path(p.path, p.kind);
    entry["changed"] = error == ERROR_SUCCESS && !leave_alone;
    entry["trusted"] = after.trusted;
    if (error != ERROR_SUCCESS) entry["error"] = win32::describe_error(error);
    if (!after.trusted) {
      entry["problem"] = after.problem;
      ++failures;
    }
    if (!before.trusted) {
      // What was found and done is evidence: it goes to the Event Log as well.
      event_log.report(
          after.trusted ? core::severity::warning : core::severity::error, core::topic::configuration,
          fmt::format("repair-permissions: the {} {} {}; {}", p.role, win32::to_utf8(p.path), before.problem,
                      after.trusted ? "it now has the protected DACL and Administrators own it"
                                    : "it is still refused: " + after.problem));
    }
    report.push_back(std::move(entry));
  }
  if (json) {
    fmt::print("{}\n", report.dump(2));
  } else {
    for (const auto& e : report) {
      fmt::print("{} {}: {}{}\n", e["role"].get<std::string>(), e["path"].get<std::string>(),
                 e["changed"].get<bool>() ? "protected DACL applied" : "already trusted, unchanged",
                 e["trusted"].get<bool>() ? "" : "; still refused: " + e["problem"].get<std::string>());
    }
    if (report.empty()) fmt::print("nothing to repair: none of RasWarden's paths exists yet\n");
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace raswarden::tools
