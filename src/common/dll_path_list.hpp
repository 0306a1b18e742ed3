// The value RRAS reads to find admin DLLs: HKLM\SOFTWARE\Microsoft\RAS\AdminDll "DLLPath", a
// semicolon-separated list in one REG_SZ or REG_EXPAND_SZ string (mprapi-reference.md 3).
// Parsing and editing are pure string work, shared by rrashost (which loads the list as RRAS
// does) and the admin CLI (which registers RasWarden without disturbing other vendors' entries).
#pragma once

#include <cstdint>
#include <functional>
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

// Editing the value for `raswarden register` / `unregister`. The value is edited as written
// (unexpanded, so other vendors' %variables% stay); `expand` gives the path an entry stands for,
// which is what duplicates are compared by (case-insensitively, '/' and '\' alike). Other
// entries keep their text and order; spaces around separators and empty entries are dropped,
// because RRAS stops reading at an entry that begins with a space.
enum class list_position : std::uint8_t { first, last };

struct dll_path_edit {
  std::wstring value;              // the new value ("" = nothing left: delete it)
  bool changed = false;            // false: the value already said this; leave the registry alone
  std::size_t position = 0;        // 1-based place of the DLL in the new list (0 when removed)
  std::vector<std::string> notes;  // what an administrator should know about the change
};

using path_expander = std::function<std::wstring(const std::wstring&)>;

// Adds `dll` once. Already listed: left where it is, unless `move` asks for `where`.
[[nodiscard]] dll_path_edit add_dll(const std::wstring& value, const std::wstring& dll, list_position where, bool move,
                                    const path_expander& expand);
// Removes every entry that stands for `dll`.
[[nodiscard]] dll_path_edit remove_dll(const std::wstring& value, const std::wstring& dll, const path_expander& expand);
// The comparison key of a path: lower case, '/' as '\'.
[[nodiscard]] std::wstring path_key(const std::wstring& path);

}  // namespace raswarden::common
