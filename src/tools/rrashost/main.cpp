// rrashost: an RRAS admin-DLL loader emulator. Loads admin DLLs exactly as RRAS does (from
// DLLPath, or --dll), refuses what RRAS would refuse, and drives them through connection
// lifecycles from a scenario file or a generated load, reporting every decision and the latency
// of every callback. See docs/rrashost.md.
#include <cstdio>
#include <cwchar>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "host/admin_chain.hpp"
#include "host/conformance.hpp"
#include "host/driver.hpp"
#include "host/registry_dlls.hpp"
#include "host/scenario.hpp"
#include "win32/system.hpp"

namespace {

using namespace raswarden;

constexpr const char* usage_text =
    "usage: rrashost [--dll PATH]... [--check] [--scenario FILE] [load options] [--stress] [--json]\n"
    "                [--ack-journal FILE]\n"
    "\n"
    "Loads RRAS admin DLLs as RRAS does and drives them.\n"
    "  --dll PATH          load this DLL (repeatable, in order); without it, the DLLs listed in\n"
    "                      HKLM\\SOFTWARE\\Microsoft\\RAS\\AdminDll DLLPath are loaded, as RRAS does\n"
    "  --check             only load, initialize and validate; print each DLL's conformance\n"
    "  --scenario FILE     run the sessions (and load) described in a JSON scenario file\n"
    "  --load N            run N generated connection lifecycles\n"
    "  --threads T         worker threads for the generated load (default 1)\n"
    "  --concurrency C     connections held open at once (default 1)\n"
    "  --rate R            arrivals per second (default: as fast as possible)\n"
    "  --hold-ms H         minimum time a generated connection stays up\n"
    "  --links L           links per generated connection (default 1)\n"
    "  --addresses         include the IPv4 and IPv6 address callbacks in every generated lifecycle\n"
    "  --seed S            seed of the generated users, tunnels and counters (default 1)\n"
    "  --stress            do not serialize callbacks per function and group as RRAS does\n"
    "  --json              print the run report as JSON\n"
    "  --ack-journal FILE  after each callback returns, append one line saying what RRAS was told\n"
    "\n"
    "Exit codes: 0 success; 1 RRAS would refuse a DLL (fail to start) or a run failed; 2 bad usage.\n";

struct options {
  std::vector<std::wstring> dlls;
  bool check = false;
  std::wstring scenario;
  bool load = false;
  host::load_options load_options;
  bool stress = false;
  bool json = false;
  std::wstring ack_journal;
};

[[noreturn]] void usage_error(const std::string& message) {
  fmt::print(stderr, "rrashost: {}\n\n{}", message, usage_text);
  std::exit(2);
}

template <typename T>
T number_argument(const std::wstring& flag, const wchar_t* text) {
  wchar_t* end = nullptr;
  const double value = std::wcstod(text, &end);
  if (end == text || *end != L'\0' || value < 0) {
    usage_error(
        fmt::format("{} expects a non-negative number, not \"{}\"", win32::to_utf8(flag), win32::to_utf8(text)));
  }
  return static_cast<T>(value);
}

options parse(int argc, wchar_t** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::wstring arg = argv[i];
    const auto value = [&]() -> const wchar_t* {
      if (i + 1 >= argc) usage_error(fmt::format("{} needs a value", win32::to_utf8(arg)));
      return argv[++i];
    };
    if (arg == L"--dll") {
      o.dlls.emplace_back(value());
    } else if (arg == L"--check") {
      o.check = true;
    } else if (arg == L"--scenario") {
      o.scenario = value();
    } else if (arg == L"--load") {
      o.load = true;
      o.load_options.lifecycles = number_argument<std::uint64_t>(arg, value());
    } else if (arg == L"--threads") {
      o.load_options.threads = std::max<std::uint32_t>(1, number_argument<std::uint32_t>(arg, value()));
    } else if (arg == L"--concurrency") {
      o.load_options.concurrency = std::max<std::uint32_t>(1, number_argument<std::uint32_t>(arg, value()));
    } else if (arg == L"--rate") {
      o.load_options.arrival_per_s = number_argument<double>(arg, value());
    } else if (arg == L"--hold-ms") {
      o.load_options.hold_ms = number_argument<std::uint32_t>(arg, value());
    } else if (arg == L"--links") {
      o.load_options.links_per_session = std::max<std::uint32_t>(1, number_argument<std::uint32_t>(arg, value()));
    } else if (arg == L"--addresses") {
      o.load_options.addresses = true;
    } else if (arg == L"--seed") {
      o.load_options.seed = number_argument<std::uint64_t>(arg, value());
    } else if (arg == L"--stress") {
      o.stress = true;
    } else if (arg == L"--json") {
      o.json = true;
    } else if (arg == L"--ack-journal") {
      o.ack_journal = value();
    } else if (arg == L"--help" || arg == L"-h" || arg == L"/?") {
      std::fputs(usage_text, stdout);
      std::exit(0);
    } else {
      usage_error(fmt::format("unknown argument \"{}\"", win32::to_utf8(arg)));
    }
  }
  if (!o.check && o.scenario.empty() && !o.load) usage_error("say what to do: --check, --scenario FILE or --load N");
  return o;
}

// Loads and initializes every DLL in order, as RRAS does: the first one that fails to load,
// initialize or validate is unloaded without MprAdminTerminateDll and RRAS does not start.
bool load_all(const std::vector<std::wstring>& paths, bool check_only,
              std::vector<std::unique_ptr<host::admin_dll>>& loaded) {
  for (const std::wstring& path : paths) {
    std::string error;
    auto dll = host::admin_dll::load(path, error);
    if (!dll) {
      fmt::print(stderr, "rrashost: RRAS would fail to start: {}\n", error);
      return false;
    }
    auto problems = dll->initialize();
    if (check_only) {
      const auto report = host::check_conformance(*dll, problems);
      fmt::print("{}\n", host::format_conformance(report));
      if (!report.conforms() && problems.empty()) {
        // The loader accepts it, so RRAS starts; the documented contract is still not met.
        loaded.push_back(std::move(dll));
        continue;
      }
    }
    if (!problems.empty()) {
      fmt::print(stderr, "rrashost: RRAS would refuse {} and fail to start (error 87, event 20113):\n",
                 win32::to_utf8(path));
      for (const auto& p : problems) fmt::print(stderr, "  - {}\n", p);
      return false;
    }
    if (!check_only) {
      fmt::print(stderr, "rrashost: loaded {} through {}\n", win32::to_utf8(path),
                 dll->entry().ex_path ? "MprAdminInitializeDllEx" : "the legacy named exports");
    }
    loaded.push_back(std::move(dll));
  }
  return true;
}

int run(const options& o) {
  std::vector<std::wstring> paths = o.dlls;
  if (paths.empty()) {
    std::string error;
    const auto registered = host::read_registered_dlls(error);
    if (!registered) {
      fmt::print(stderr, "rrashost: RRAS would fail to start: {}\n", error);
      return 1;
    }
    for (const auto& warning : registered->warnings) fmt::print(stderr, "rrashost: warning: DLLPath {}\n", warning);
    if (registered->entries.empty()) {
      fmt::print(stderr, "rrashost: no admin DLL is registered in HKLM\\{} DLLPath (and no --dll given)\n",
                 win32::to_utf8(host::admin_dll_key));
      return 1;
    }
    paths = registered->entries;
  }

  std::vector<std::unique_ptr<host::admin_dll>> loaded;
  const bool loaded_all = load_all(paths, o.check, loaded);
  if (!loaded_all || o.check) {
    bool all_conform = loaded_all;
    for (auto& dll : loaded) {
      if (o.check && !host::check_conformance(*dll, {}).conforms()) all_conform = false;
      dll->terminate();
    }
    return all_conform ? 0 : 1;
  }

  std::unique_ptr<host::ack_journal> journal;
  if (!o.ack_journal.empty()) {
    std::string error;
    journal = host::ack_journal::open(o.ack_journal, error);
    if (!journal) {
      fmt::print(stderr, "rrashost: {}\n", error);
      for (auto& dll : loaded) dll->terminate();
      return 1;
    }
  }
  host::admin_chain chain(std::move(loaded), !o.stress, std::move(journal));

  int result = 0;
  if (!o.scenario.empty()) {
    std::string text;
    DWORD read_error = 0;
    std::string error;
    std::optional<host::scenario> scenario;
    if (!win32::read_file(o.scenario, text, read_error)) {
      error = fmt::format("cannot read {}: {}", win32::to_utf8(o.scenario), win32::describe_error(read_error));
    } else {
      scenario = host::parse_scenario(text, win32::to_utf8(o.scenario), error);
    }
    if (!scenario) {
      fmt::print(stderr, "rrashost: {}\n", error);
      result = 1;
    } else {
      if (!scenario->sessions.empty()) {
        const auto print = [&o](std::string_view line) {
          if (!o.json) fmt::print("{}\n", line);
        };
        const auto report = host::run_sessions(chain, scenario->sessions, print);
        fmt::print("{}\n", o.json ? host::report_json(report) : "\n" + host::format_report(report));
      }
      if (scenario->load) {
        const auto report = host::run_load(chain, *scenario->load, !o.stress);
        fmt::print("{}\n", o.json ? host::report_json(report) : host::format_report(report));
      }
    }
  }
  if (o.load && result == 0) {
    const auto report = host::run_load(chain, o.load_options, !o.stress);
    fmt::print("{}\n", o.json ? host::report_json(report) : host::format_report(report));
  }
  chain.terminate();
  return result;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    fmt::print(stderr, "rrashost: {}\n", e.what());
    return 1;
  }
}
