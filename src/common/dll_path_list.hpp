// The value RRAS reads to find admin DLLs: HKLM\SOFTWARE\Microsoft\RAS\AdminDll "DLLPath", a
// semicolon-separated list in one REG_SZ or REG_EXPAND_SZ string (mprapi-reference.md 3).
// Parsing and editing are pure string work, shared by rrashost (which loads the list as RRAS
// does) and the admin CLI (which registers RasWarden without disturbing other vendors' entries).
#pragma once

#include <string>
#include <vector>

namespace raswarden::common {

struct dll_path_list {
  std::vector<std::wstring> entries;  // in load order, as RRAS would load them
  // What RRAS would silently do differently from what an administrator may expect.
  std::vector<std::string> warnings;
};

// Splits the (already expanded) value as RRAS does: on ';', skipping empty entries, and stopping
// at the first entry that begins with a space, which RRAS treats as the end of the list.
[[nodiscard]] dll_path_list parse_dll_path(const std::wstring& value);

}  // namespace raswarden::common
