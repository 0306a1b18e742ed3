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

}  // namespace raswarden::common
