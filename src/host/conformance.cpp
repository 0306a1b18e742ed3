#include "host/conformance.hpp"

#include <fmt/format.h>

#include "common/pe_image.hpp"
#include "win32/system.hpp"

namespace raswarden::host {

namespace {
bool exported(const admin_dll& dll, const char* name) {
  return ::GetProcAddress(dll.module(), name) != nullptr;
}
}  // namespace

conformance_report check_conformance(const admin_dll& dll, std::vector<std::string> loader_problems) {
  conformance_report report;
  report.path = win32::to_utf8(dll.path());
  std::string pe_error;
  const auto image = common::read_pe_file(report.path, pe_error);
  report.architecture = image ? common::to_string(image->machine) : "unreadable (" + pe_error + ")";
  const entry_points& e = dll.entry();
  report.load_path = e.ex_path ? fmt::format("MprAdminInitializeDllEx (callbacks revision {})", e.callbacks.revision)
                               : "legacy named exports (revision 1)";
  report.loader_refusals = std::move(loader_problems);

  const auto row = [&](const char* name, bool present, const char* required, std::string note = {}) {
    report.rows.push_back(conformance_row{name, present, required, std::move(note)});
  };
  const auto& c = e.callbacks;
  const bool init = exported(dll, "MprAdminInitializeDll");
  const bool init_ex = exported(dll, "MprAdminInitializeDllEx");
  row("MprAdminInitializeDll", init, "one of", "or MprAdminInitializeDllEx");
  row("MprAdminInitializeDllEx", init_ex, "one of", init_ex ? "RRAS uses only the callbacks struct it fills" : "");
  row("MprAdminTerminateDll", exported(dll, "MprAdminTerminateDll"), "yes");
  row("MprAdminAcceptNewLink", exported(dll, "MprAdminAcceptNewLink"), "yes",
      e.ex_path ? (c.lpfnRasAdminAcceptNewLink ? "struct slot set" : "struct slot NULL") : "");
  row("MprAdminLinkHangupNotification", exported(dll, "MprAdminLinkHangupNotification"), "yes",
      e.ex_path ? (c.lpfnRasAdminLinkHangupNotification ? "struct slot set" : "struct slot NULL") : "");
  const char* pairs[][2] = {{"MprAdminAcceptNewConnection", "MprAdminConnectionHangupNotification"},
                            {"MprAdminAcceptNewConnection2", "MprAdminConnectionHangupNotification2"},
                            {"MprAdminAcceptNewConnection3", "MprAdminConnectionHangupNotification3"},
                            {"MprAdminAcceptNewConnectionEx", "MprAdminConnectionHangupNotificationEx"}};
  bool matched_pair = false;
  for (const auto& pair : pairs) {
    const bool accept = exported(dll, pair[0]);
    const bool hangup = exported(dll, pair[1]);
    matched_pair = matched_pair || (accept && hangup);
    row(pair[0], accept, "pair", accept != hangup ? fmt::format("without {}", pair[1]) : "");
    row(pair[1], hangup, "pair", accept != hangup ? fmt::format("without {}", pair[0]) : "");
  }
  const bool reauth = exported(dll, "MprAdminAcceptReauthentication");
  const bool reauth_ex = exported(dll, "MprAdminAcceptReauthenticationEx");
  row("MprAdminAcceptReauthentication", reauth, "one of", "or MprAdminAcceptReauthenticationEx");
  row("MprAdminAcceptReauthenticationEx", reauth_ex, "one of");
  const char* ip_pairs[][2] = {{"MprAdminGetIpAddressForUser", "MprAdminReleaseIpAddress"},
                               {"MprAdminGetIpv6AddressForUser", "MprAdminReleaseIpv6AddressForUser"}};
  bool ip_pairs_complete = true;
  for (const auto& pair : ip_pairs) {
    const bool get = exported(dll, pair[0]);
    const bool release = exported(dll, pair[1]);
    ip_pairs_complete = ip_pairs_complete && get == release;
    row(pair[0], get, "optional pair", get != release ? fmt::format("without {}", pair[1]) : "");
    row(pair[1], release, "optional pair", get != release ? fmt::format("without {}", pair[0]) : "");
  }
  if (e.ex_path) {
    row("slot lpfnRasAdminAcceptEndpointChangeEx", c.lpfnRasAdminAcceptEndpointChangeEx != nullptr, "optional",
        "undocumented");
    row("slot lpfnRASValidatePreAuthenticatedConnectionEx", c.lpfnRASValidatePreAuthenticatedConnectionEx != nullptr,
        "optional", "undocumented");
  }

  // The documented contract (DOC-FN).
  if (!init && !init_ex)
    report.contract_problems.emplace_back("neither MprAdminInitializeDll nor MprAdminInitializeDllEx is exported");
  if (!exported(dll, "MprAdminTerminateDll"))
    report.contract_problems.emplace_back("MprAdminTerminateDll is not exported");
  if (!exported(dll, "MprAdminAcceptNewLink"))
    report.contract_problems.emplace_back("MprAdminAcceptNewLink is not exported");
  if (!exported(dll, "MprAdminLinkHangupNotification")) {
    report.contract_problems.emplace_back("MprAdminLinkHangupNotification is not exported");
  }
  if (!matched_pair)
    report.contract_problems.emplace_back("no matched AcceptNewConnection/ConnectionHangupNotification pair");
  if (!reauth && !reauth_ex) {
    report.contract_problems.emplace_back("neither MprAdminAcceptReauthentication nor its Ex form is exported");
  }
  if (!ip_pairs_complete) report.contract_problems.emplace_back("an IP address pair is incomplete");
  return report;
}

std::string format_conformance(const conformance_report& r) {
  std::string out =
      fmt::format("{}\n  architecture: {}\n  loaded through: {}\n\n", r.path, r.architecture, r.load_path);
  out += fmt::format("  {:<48} {:<8} {:<14} {}\n", "callback", "present", "required", "note");
  for (const auto& row : r.rows) {
    out += fmt::format("  {:<48} {:<8} {:<14} {}\n", row.name, row.present ? "yes" : "no", row.required, row.note);
  }
  out += "\n";
  if (r.loader_refusals.empty()) {
    out += "  RRAS loader: would load this DLL\n";
  } else {
    out += "  RRAS loader: would REFUSE this DLL and fail to start (ERROR_INVALID_PARAMETER, event 20113):\n";
    for (const auto& p : r.loader_refusals) out += fmt::format("    - {}\n", p);
  }
  if (r.contract_problems.empty()) {
    out += "  documented contract: fully met\n";
  } else {
    out += "  documented contract: NOT met:\n";
    for (const auto& p : r.contract_problems) out += fmt::format("    - {}\n", p);
  }
  out += fmt::format("  verdict: {}\n", r.conforms() ? "CONFORMS" : "DOES NOT CONFORM");
  return out;
}

}  // namespace raswarden::host
