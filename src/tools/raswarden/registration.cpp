#include "tools/raswarden/registration.hpp"

#include <windows.h>

#include <fmt/format.h>

#include <algorithm>
#include <cwchar>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/dll_path_list.hpp"
#include "common/pe_image.hpp"
#include "raswarden/forward_cursor.hpp"
#include "raswarden/log_format.hpp"
#include "raswarden/settings.hpp"
#include "tools/raswarden/permissions.hpp"
#include "win32/configuration_file.hpp"
#include "win32/log_folder.hpp"
#include "win32/registry.hpp"
#include "win32/system.hpp"

namespace raswarden::tools {

namespace {

constexpr const wchar_t* admin_dll_key = L"SOFTWARE\\Microsoft\\RAS\\AdminDll";
constexpr const wchar_t* dll_path_value = L"DLLPath";
constexpr const wchar_t* display_name_value = L"DisplayName";
// Some guides name this key; RRAS does not read it (mprapi-reference.md 3).
constexpr const wchar_t* unread_key = L"SYSTEM\\CurrentControlSet\\Services\\RemoteAccess\\Parameters\\AdminDll";
constexpr const char* restart_note =
    "RRAS loads admin DLLs only when it starts: restart the RemoteAccess service for this to take effect "
    "(that drops every active session; plan a maintenance window)";

int fail(const std::string& message) {
  fmt::print(stderr, "raswarden: {}\n", message);
  return 1;
}

int usage(const std::string& message) {
  fmt::print(stderr, "raswarden: {} (see raswarden --help)\n", message);
  return 2;
}

// raswarden.dll beside raswarden.exe.
std::wstring default_dll() {
  const std::filesystem::path exe(win32::module_path(nullptr));
  return (exe.parent_path() / L"raswarden.dll").wstring();
}

std::wstring full_path(const std::wstring& path) {
  std::vector<wchar_t> buffer(32768);
  const DWORD length = ::GetFullPathNameW(path.c_str(), static_cast<DWORD>(buffer.size()), buffer.data(), nullptr);
  return length == 0 || length >= buffer.size() ? path : std::wstring(buffer.data(), length);
}

struct dll_options {
  std::wstring dll;
  common::list_position where = common::list_position::last;
  bool move = false;
  bool force = false;
  bool json = false;
};

std::optional<dll_options> parse_options(const std::vector<std::wstring>& arguments, bool positions, int& exit_code) {
  dll_options options;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::wstring& a = arguments[i];
    if (a == L"--dll" && i + 1 < arguments.size()) {
      options.dll = arguments[++i];
    } else if (positions && (a == L"--first" || a == L"--last")) {
      options.where = a == L"--first" ? common::list_position::first : common::list_position::last;
      options.move = true;
    } else if (positions && a == L"--force") {
      options.force = true;
    } else if (a == L"--json") {
      options.json = true;
    } else {
      exit_code = usage(fmt::format("unexpected argument \"{}\"", win32::to_utf8(a)));
      return std::nullopt;
    }
  }
  options.dll = full_path(options.dll.empty() ? default_dll() : options.dll);
  return options;
}

// An admin DLL RRAS could load on this machine: a file, a DLL, x64.
std::string dll_problem(const std::wstring& path) {
  if (::GetFileAttributesW(path.c_str()) == INVALID_FILE_ATTRIBUTES) return "the file does not exist";
  std::string error;
  const auto pe = common::read_pe_file(win32::to_utf8(path), error);
  if (!pe) return "it is not a PE image (" + error + ")";
  if (!pe->is_dll) return "it is not a DLL";
  if (pe->machine != common::pe_machine::amd64) {
    return fmt::format("it is a {} DLL; RRAS on x64 Windows loads only x64 DLLs", common::to_string(pe->machine));
  }
  return {};
}

// DLLPath as stored. Any type but REG_SZ or REG_EXPAND_SZ is refused: RRAS cannot read it, and
// rewriting it would destroy what the administrator or another vendor put there.
bool read_dll_path(win32::stored_value& stored, bool& exists, std::string& error) {
  switch (win32::read_machine_value(admin_dll_key, dll_path_value, stored, error)) {
    case win32::registry_read::failed: return false;
    case win32::registry_read::missing:
      exists = false;
      stored = {L"", REG_SZ};
      return true;
    case win32::registry_read::ok: break;
  }
  exists = true;
  if (stored.type != REG_SZ && stored.type != REG_EXPAND_SZ) {
    error = fmt::format(
        "HKLM\\{} {} has the registry type {} ({}); RRAS reads only REG_SZ or REG_EXPAND_SZ and fails to start "
        "with ERROR_REGISTRY_CORRUPT (1015). It was not changed: rewrite it by hand as one REG_SZ string of full "
        "paths separated by ';' with no spaces",
        win32::to_utf8(admin_dll_key), win32::to_utf8(dll_path_value), stored.type,
        win32::registry_type_name(stored.type));
    return false;
  }
  return true;
}

std::wstring expand(const std::wstring& text) {
  return win32::expand_environment(text);
}

// What register/unregister did, as text for a person or one JSON object for a script.
struct outcome {
  std::string action;  // "registered", "unregistered", "unchanged"
  std::string dll;
  std::wstring dll_path;  // the value now ("" = removed)
  std::size_t position = 0;
  std::vector<std::string> notes;
  std::string message;
};

int finish(const dll_options& options, const outcome& done) {
  if (options.json) {
    const nlohmann::ordered_json report{{"action", done.action},
                                        {"dll", done.dll},
                                        {"changed", done.action != "unchanged"},
                                        {"position", done.position},
                                        {"dll_path", win32::to_utf8(done.dll_path)},
                                        {"notes", done.notes},
                                        {"restart_needed", done.action != "unchanged"}};
    fmt::print("{}\n", report.dump(2));
    return 0;
  }
  for (const std::string& note : done.notes) fmt::print("note: {}\n", note);
  fmt::print("{}\n", done.message);
  if (done.action != "unchanged") fmt::print("{}\n", restart_note);
  return 0;
}

int fail(const dll_options& options, const std::string& message) {
  if (options.json) fmt::print("{}\n", nlohmann::ordered_json{{"action", "failed"}, {"error", message}}.dump(2));
  return fail(message);
}

}  // namespace

int register_command(const std::vector<std::wstring>& arguments) {
  int exit_code = 0;
  const auto options = parse_options(arguments, true, exit_code);
  if (!options) return exit_code;
  const std::string dll = win32::to_utf8(options->dll);
  if (const std::string problem = dll_problem(options->dll); !problem.empty()) {
    if (!options->force) {
      return fail(*options, fmt::format("not registering {}: {}. RRAS fails to start when an admin DLL cannot be "
                                        "loaded (use --force to register it anyway)",
                                        dll, problem));
    }
    fmt::print(stderr, "raswarden: warning: {}: {}; registered anyway (--force)\n", dll, problem);
  }
  win32::stored_value stored;
  bool exists = false;
  std::string error;
  if (!read_dll_path(stored, exists, error)) return fail(*options, error);
  const common::dll_path_edit edit = common::add_dll(stored.text, options->dll, options->where, options->move, expand);
  if (edit.changed && !win32::write_machine_string(admin_dll_key, dll_path_value, edit.value, stored.type, error)) {
    return fail(*options, error);
  }
  win32::stored_value name;
  if (win32::read_machine_value(admin_dll_key, display_name_value, name, error) == win32::registry_read::missing &&
      !win32::write_machine_string(admin_dll_key, display_name_value, L"RasWarden", REG_SZ, error)) {
    return fail(*options, error);
  }
  const std::size_t count = common::parse_dll_path(expand(edit.value)).entries.size();
  outcome done{edit.changed ? "registered" : "unchanged", dll, edit.value, edit.position, edit.notes, {}};
  done.message = edit.changed ? fmt::format("registered {} at position {} of {} in HKLM\\{} {}", dll, edit.position,
                                            count, win32::to_utf8(admin_dll_key), win32::to_utf8(dll_path_value))
                              : fmt::format("{} is already registered (position {} of {}); nothing changed", dll,
                                            edit.position, count);
  return finish(*options, done);
}

int unregister_command(const std::vector<std::wstring>& arguments) {
  int exit_code = 0;
  const auto options = parse_options(arguments, false, exit_code);
  if (!options) return exit_code;
  const std::string dll = win32::to_utf8(options->dll);
  win32::stored_value stored;
  bool exists = false;
  std::string error;
  if (!read_dll_path(stored, exists, error)) return fail(*options, error);
  const common::dll_path_edit edit = common::remove_dll(stored.text, options->dll, expand);
  if (!exists || !edit.changed) {
    return finish(*options, outcome{"unchanged", dll, stored.text, 0, {}, dll + " is not registered; nothing changed"});
  }
  if (edit.value.empty()) {
    // Nothing else is listed: the values were ours alone.
    if (!win32::delete_machine_value(admin_dll_key, dll_path_value, error) ||
        !win32::delete_machine_value(admin_dll_key, display_name_value, error)) {
      return fail(*options, error);
    }
    return finish(*options,
                  outcome{"unregistered",
                          dll,
                          {},
                          0,
                          edit.notes,
                          "unregistered " + dll + "; no admin DLL remains, so DLLPath and DisplayName were removed"});
  }
  if (!win32::write_machine_string(admin_dll_key, dll_path_value, edit.value, stored.type, error)) {
    return fail(*options, error);
  }
  return finish(*options,
                outcome{"unregistered", dll, edit.value, 0, edit.notes,
                        fmt::format("unregistered {}; DLLPath now lists {}", dll, win32::to_utf8(edit.value))});
}

namespace {

// The newest accounting file (in log_format's order) and its last complete line.
std::pair<std::wstring, std::string> last_record(const std::wstring& folder) {
  const std::vector<win32::public_file> files = win32::list_public_files(folder);
  if (files.empty()) return {};
  const std::wstring& path = files.back().path;
  std::ifstream in(std::filesystem::path(path), std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string_view records = std::string_view(text).substr(0, core::log_format::records_end(text));
  if (records.empty()) return {path, {}};
  records.remove_suffix(1);  // its newline
  const std::size_t start = records.rfind('\n');
  return {path, std::string(records.substr(start == std::string_view::npos ? 0 : start + 1))};
}

}  // namespace

int status_command(const std::vector<std::wstring>& arguments) {
  bool json = false;
  for (const std::wstring& a : arguments) {
    if (a == L"--json") {
      json = true;
    } else {
      return usage(fmt::format("unexpected argument \"{}\"", win32::to_utf8(a)));
    }
  }
  nlohmann::ordered_json report;
  std::vector<std::string> warnings;
  std::string error;
  win32::stored_value stored;
  const win32::registry_read read = win32::read_machine_value(admin_dll_key, dll_path_value, stored, error);
  report["key"] = "HKLM\\" + win32::to_utf8(admin_dll_key);
  report["dll_path"] = read == win32::registry_read::ok ? nlohmann::json(win32::to_utf8(stored.text)) : nullptr;
  report["type"] = read == win32::registry_read::ok ? win32::registry_type_name(stored.type) : "none";
  if (read == win32::registry_read::failed) warnings.push_back(error);
  std::vector<std::wstring> entries;
  if (read == win32::registry_read::ok) {
    if (stored.type != REG_SZ && stored.type != REG_EXPAND_SZ) {
      warnings.push_back(
          fmt::format("DLLPath has the registry type {}: RRAS fails to start with "
                      "ERROR_REGISTRY_CORRUPT (1015)",
                      win32::registry_type_name(stored.type)));
    } else {
      common::dll_path_list list = common::parse_dll_path(expand(stored.text));
      entries = std::move(list.entries);
      warnings.insert(warnings.end(), list.warnings.begin(), list.warnings.end());
    }
  }
  const std::wstring ours = common::path_key(full_path(default_dll()));
  std::size_t our_position = 0;
  report["entries"] = nlohmann::json::array();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string problem = dll_problem(entries[i]);
    const bool is_ours = common::path_key(entries[i]) == ours ||
                         common::path_key(std::filesystem::path(entries[i]).filename().wstring()) == L"raswarden.dll";
    if (is_ours && our_position == 0) our_position = i + 1;
    if (!problem.empty()) {
      warnings.push_back(
          fmt::format("entry {} ({}): {}; RRAS fails to start", i + 1, win32::to_utf8(entries[i]), problem));
    }
    report["entries"].push_back({{"position", i + 1},
                                 {"path", win32::to_utf8(entries[i])},
                                 {"loadable", problem.empty()},
                                 {"problem", problem},
                                 {"raswarden", is_ours}});
  }
  report["raswarden_position"] = our_position;
  if (our_position == 0) warnings.push_back("RasWarden is not registered (run: raswarden register)");
  if (win32::machine_key_exists(unread_key)) {
    warnings.push_back("HKLM\\" + win32::to_utf8(unread_key) +
                       " exists, but RRAS does not read it: admin DLLs belong in HKLM\\" +
                       win32::to_utf8(admin_dll_key) + " DLLPath");
  }
  const win32::loaded_configuration config = win32::load_configuration(win32::locate_configuration());
  report["config"] = {{"path", win32::to_utf8(config.location.path)},
                      {"found_by", win32::describe(config.location.origin)},
                      {"file", config.from_file},
                      {"valid", !config.rejected},
                      {"problems", config.problems}};
  if (config.rejected) {
    warnings.push_back(
        fmt::format("the configuration has {} problem(s) (run: raswarden check-config)", config.problems.size()));
  }
  const std::wstring logs = accounting_folder(config.settings);
  report["permissions"] = permissions_report(config, warnings);
  const auto [record_file, record] = last_record(logs);
  report["logs"] = {
      {"folder", win32::to_utf8(logs)},
      {"newest_file", win32::to_utf8(record_file)},
      {"last_record", record.empty() ? nlohmann::json(nullptr) : nlohmann::json::parse(record, nullptr, false)}};
  // accounting.forward: how far the forwarder's cursor says delivery got, and what is published after it.
  const core::forward_settings& forward = config.settings.accounting.forward;
  const std::wstring cursor_path = logs + L"\\" + win32::to_wide(core::log_format::journal_folder) + L"\\" +
                                   win32::to_wide(core::log_format::forward_cursor_file);
  std::optional<core::forward_cursor> cursor;
  std::string cursor_problem;
  std::string cursor_text;
  DWORD cursor_error = 0;
  if (win32::read_file(cursor_path, cursor_text, cursor_error)) {
    core::cursor_parse_result parsed = core::parse_forward_cursor(cursor_text);
    cursor = parsed.cursor;
    cursor_problem = std::move(parsed.error);
  } else if (cursor_error != ERROR_FILE_NOT_FOUND && cursor_error != ERROR_PATH_NOT_FOUND) {
    cursor_problem = win32::describe_error(cursor_error);
  }
  nlohmann::ordered_json forwarding = {{"enabled", forward.enabled},
                                       {"transport", forward.transport},
                                       {"host", forward.host},
                                       {"port", forward.port},
                                       {"cursor_file", win32::to_utf8(cursor_path)},
                                       {"delivered_to", nullptr},
                                       {"lag_records", nullptr},
                                       {"lag_bytes", nullptr}};
  core::forward_lag lag;
  if (cursor) {
    lag = core::measure_lag(std::filesystem::path(logs), *cursor);
    forwarding["delivered_to"] = {{"file", core::log_format::file_name(cursor->file)}, {"offset", cursor->offset}};
    forwarding["lag_records"] = lag.records;
    forwarding["lag_bytes"] = lag.bytes;
  }
  if (!cursor_problem.empty()) {
    forwarding["problem"] = cursor_problem;
    warnings.push_back(fmt::format("the forwarding cursor {} is not usable ({}); the next start forwards again from "
                                   "the beginning of the newest file",
                                   win32::to_utf8(cursor_path), cursor_problem));
  }
  report["forward"] = forwarding;
  report["warnings"] = warnings;

  if (json) {
    fmt::print("{}\n", report.dump(2));
  } else {
    fmt::print("Admin DLLs (HKLM\\{} DLLPath, {}), in load order:\n", win32::to_utf8(admin_dll_key),
               report["type"].get<std::string>());
    if (entries.empty()) fmt::print("  (none)\n");
    for (const auto& e : report["entries"]) {
      fmt::print("  {}. {}{}{}\n", e["position"].get<std::size_t>(), e["path"].get<std::string>(),
                 e["raswarden"].get<bool>() ? "  <- RasWarden" : "",
                 e["loadable"].get<bool>() ? "" : "  [" + e["problem"].get<std::string>() + "]");
    }
    fmt::print("Configuration: {} (found by {}): {}\n", win32::to_utf8(config.location.path),
               win32::describe(config.location.origin),
               config.rejected ? fmt::format("{} problem(s)", config.problems.size())
                               : (config.from_file ? "valid" : "no file, defaults apply"));
    fmt::print("Accounting folder: {}\n", win32::to_utf8(logs));
    fmt::print("Permissions (only SYSTEM, Administrators, TrustedInstaller and the service's account may own or "
               "write):\n");
    for (const auto& p : report["permissions"]) {
      const std::string verdict = p["trusted"].is_null() ? "not there yet"
                                  : p["trusted"].get<bool>() ? "trusted"
                                                             : "REFUSED: " + p["problem"].get<std::string>();
      fmt::print("  {}: {}: {}\n", p["role"].get<std::string>(), p["path"].get<std::string>(), verdict);
    }
    fmt::print("Last record: {}\n", record.empty() ? "(none)" : record);
    const std::string delivered =
        cursor ? fmt::format("delivered up to {} byte {}; published and not yet delivered: {} record(s), {} bytes",
                             core::log_format::file_name(cursor->file), cursor->offset, lag.records, lag.bytes)
               : "no cursor yet";
    if (forward.enabled) {
      fmt::print("Forwarding: {} {}:{}, {}\n", forward.transport, forward.host, forward.port, delivered);
    } else {
      fmt::print("Forwarding: off{}\n", cursor ? " (when it was on: " + delivered + ")" : "");
    }
    for (const std::string& w : warnings) fmt::print("warning: {}\n", w);
  }
  return warnings.empty() ? 0 : 1;
}

}  // namespace raswarden::tools
