#include "common/dll_path_list.hpp"

#include <cwctype>

namespace raswarden::common {

namespace {
std::string narrow(const std::wstring& text) {
  std::string out;
  for (const wchar_t c : text) out.push_back(c < 0x80 ? static_cast<char>(c) : '?');
  return out;
}
}  // namespace

dll_path_list parse_dll_path(const std::wstring& value) {
  dll_path_list result;
  std::size_t start = 0;
  std::size_t index = 0;
  while (start <= value.size()) {
    const std::size_t end = value.find(L';', start);
    const std::wstring entry = value.substr(start, end == std::wstring::npos ? std::wstring::npos : end - start);
    if (!entry.empty()) {
      if (entry.front() == L' ') {
        result.warnings.push_back("entry " + std::to_string(index + 1) + " (\"" + narrow(entry) +
                                  "\") begins with a space: RRAS stops reading DLLPath there, so it and every "
                                  "entry after it are not loaded");
        break;
      }
      result.entries.push_back(entry);
      ++index;
    }
    if (end == std::wstring::npos) break;
    start = end + 1;
  }
  return result;
}

std::wstring path_key(const std::wstring& path) {
  std::wstring key;
  key.reserve(path.size());
  for (const wchar_t c : path) key.push_back(c == L'/' ? L'\\' : static_cast<wchar_t>(std::towlower(c)));
  return key;
}

namespace {

// The value as RRAS reads it: the entries it loads, as written (empty ones dropped), and the
// part it never reads, from the first entry that begins with a space, kept verbatim so that an
// edit changes neither another vendor's text nor which DLLs RRAS loads.
struct split_value {
  std::vector<std::wstring> entries;
  std::wstring unread;  // "" or text beginning with a space
};

split_value split_entries(const std::wstring& value, std::vector<std::string>& notes) {
  split_value split;
  std::size_t start = 0;
  while (start <= value.size()) {
    const std::size_t end = value.find(L';', start);
    const std::wstring entry = value.substr(start, end == std::wstring::npos ? std::wstring::npos : end - start);
    if (!entry.empty() && entry.front() == L' ') {
      split.unread = value.substr(start);
      notes.push_back("RRAS stops reading DLLPath at \"" + narrow(entry) +
                      "\" (it begins with a space), so it and what follows are not loaded; that part is kept as it "
                      "is, after RasWarden's entry");
      break;
    }
    if (!entry.empty()) split.entries.push_back(entry);
    if (end == std::wstring::npos) break;
    start = end + 1;
  }
  return split;
}

std::wstring join(const std::vector<std::wstring>& entries, const std::wstring& unread) {
  std::wstring value;
  for (const std::wstring& entry : entries) value += (value.empty() ? L"" : L";") + entry;
  if (!unread.empty()) value += L";" + unread;
  return value;
}

}  // namespace

dll_path_edit add_dll(const std::wstring& value, const std::wstring& dll, list_position where, bool move,
                      const path_expander& expand) {
  dll_path_edit edit;
  const split_value split = split_entries(value, edit.notes);
  const std::vector<std::wstring>& entries = split.entries;
  const std::wstring wanted = path_key(expand(dll));
  std::vector<std::wstring> others;
  std::size_t found_at = 0;  // 1-based; 0 = not listed
  std::wstring found_as;     // how the existing entry is written (kept: it may use %variables%)
  for (const std::wstring& entry : entries) {
    if (path_key(expand(entry)) == wanted) {
      if (found_at == 0) {
        found_at = others.size() + 1;
        found_as = entry;
      }
      continue;  // duplicates collapse to one entry
    }
    others.push_back(entry);
  }
  if (found_at != 0 && !move) {
    others.insert(others.begin() + static_cast<std::ptrdiff_t>(found_at - 1), found_as);
    edit.position = found_at;
  } else if (where == list_position::first) {
    others.insert(others.begin(), dll);
    edit.position = 1;
  } else {
    others.push_back(dll);
    edit.position = others.size();
  }
  if (found_at != 0 && !move) {
    // Already listed and staying where it is: the value is not touched at all.
    edit.value = value;
    return edit;
  }
  if (found_at != 0 && entries.size() > others.size()) edit.notes.push_back("duplicate entries of it are removed");
  edit.value = join(others, split.unread);
  edit.changed = edit.value != value;
  return edit;
}

dll_path_edit remove_dll(const std::wstring& value, const std::wstring& dll, const path_expander& expand) {
  dll_path_edit edit;
  const split_value split = split_entries(value, edit.notes);
  const std::vector<std::wstring>& entries = split.entries;
  const std::wstring wanted = path_key(expand(dll));
  std::vector<std::wstring> others;
  for (const std::wstring& entry : entries) {
    if (path_key(expand(entry)) != wanted) others.push_back(entry);
  }
  // With nothing loadable left, an unread tail is all that remains: the value goes with it only
  // if it would be empty.
  edit.value = others.empty() && !split.unread.empty() ? split.unread : join(others, split.unread);
  edit.changed = others.size() != entries.size();
  if (!edit.changed) edit.value = value;  // not ours to tidy
  return edit;
}

}  // namespace raswarden::common
