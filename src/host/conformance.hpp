// rrashost --check: what RRAS would make of an admin DLL, as a readable table. Two verdicts are
// kept apart: the documented contract (DOC-FN: required exports and matched pairs) and what the
// observed RRAS loader actually enforces (mprapi-reference.md 1.9), which decides whether RRAS
// starts.
#pragma once

#include <string>
#include <vector>

#include "host/admin_dll.hpp"

namespace raswarden::host {

struct conformance_row {
  std::string name;      // export or struct slot
  bool present = false;  // exported by name, or set in the callbacks struct
  std::string required;  // "yes", "pair", "one of", "optional"
  std::string note;
};

struct conformance_report {
  std::string path;
  std::string architecture;
  std::string load_path;  // "MprAdminInitializeDllEx (revision 2)" or "legacy named exports"
  std::vector<conformance_row> rows;
  std::vector<std::string> loader_refusals;    // RRAS would refuse the DLL and fail to start
  std::vector<std::string> contract_problems;  // the documented contract is not met
  [[nodiscard]] bool conforms() const { return loader_refusals.empty() && contract_problems.empty(); }
};

// `loader_problems` is what admin_dll::initialize() returned.
[[nodiscard]] conformance_report check_conformance(const admin_dll& dll, std::vector<std::string> loader_problems);
[[nodiscard]] std::string format_conformance(const conformance_report& report);

}  // namespace raswarden::host
