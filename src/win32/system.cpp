#include "win32/system.hpp"

#include <fmt/format.h>

#include <vector>

#include "raswarden/text.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

std::wstring to_wide(std::string_view utf8) {
  if (utf8.empty()) return {};
  const int length = ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring out(static_cast<std::size_t>(length > 0 ? length : 0), L'\0');
  if (length > 0) {
    ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), length);
  }
  return out;
}

std::string to_utf8(std::wstring_view wide) {
  static_assert(sizeof(wchar_t) == sizeof(char16_t));
  return core::utf8_from_utf16(reinterpret_cast<const char16_t*>(wide.data()), wide.size());
}

std::string describe_error(DWORD code) {
  wchar_t* text = nullptr;
  const DWORD length =
      ::FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                       nullptr, code, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  const unique_local owned(text);
  std::string message;
  if (length > 0 && text != nullptr) {
    message = to_utf8(std::wstring_view(text, length));
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r' || message.back() == ' ')) {
      message.pop_back();
    }
  }
  if (message.empty()) message = "Windows error";
  return fmt::format("{} ({})", message, code);
}

std::error_code last_error_code() noexcept {
  return std::error_code(static_cast<int>(::GetLastError()), std::system_category());
}

std::wstring expand_environment(std::wstring_view text) {
  const std::wstring input(text);
  const DWORD needed = ::ExpandEnvironmentStringsW(input.c_str(), nullptr, 0);
  if (needed == 0) return input;
  std::wstring out(needed, L'\0');
  const DWORD written = ::ExpandEnvironmentStringsW(input.c_str(), out.data(), needed);
  if (written == 0 || written > needed) return input;
  out.resize(written - 1);  // drop the terminating NUL counted by the API
  return out;
}

std::wstring environment_variable(const wchar_t* name) {
  const DWORD needed = ::GetEnvironmentVariableW(name, nullptr, 0);
  if (needed == 0) return {};
  std::wstring value(needed, L'\0');
  const DWORD written = ::GetEnvironmentVariableW(name, value.data(), needed);
  value.resize(written < needed ? written : 0);
  return value;
}

DWORD create_directories(const std::wstring& path, SECURITY_ATTRIBUTES* security) {
  if (path.empty()) return ERROR_PATH_NOT_FOUND;
  const DWORD attributes = ::GetFileAttributesW(path.c_str());
  if (attributes != INVALID_FILE_ATTRIBUTES) {
    return (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0 ? ERROR_SUCCESS : ERROR_ALREADY_EXISTS;
  }
  const std::size_t separator = path.find_last_of(L"\\/");
  if (separator != std::wstring::npos && separator > 0 && path[separator - 1] != L':') {
    if (const DWORD parent = create_directories(path.substr(0, separator), security); parent != ERROR_SUCCESS) {
      return parent;
    }
  }
  if (::CreateDirectoryW(path.c_str(), security) == 0) {
    const DWORD error = ::GetLastError();
    return error == ERROR_ALREADY_EXISTS ? ERROR_SUCCESS : error;
  }
  return ERROR_SUCCESS;
}

std::string host_name() {
  for (const COMPUTER_NAME_FORMAT format : {ComputerNameDnsHostname, ComputerNameNetBIOS}) {
    DWORD size = 0;
    ::GetComputerNameExW(format, nullptr, &size);
    if (size == 0) continue;
    std::wstring name(size, L'\0');
    if (::GetComputerNameExW(format, name.data(), &size) != 0) {
      name.resize(size);
      if (!name.empty()) return to_utf8(name);
    }
  }
  return "unknown-host";
}

namespace {
// Opened so that writers may go on appending, renaming and deleting while it is read.
unique_hfile open_shared_for_reading(const std::wstring& path) {
  return unique_hfile(::CreateFileW(path.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                    nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
}
}  // namespace

bool read_file_range(const std::wstring& path, std::uint64_t offset, std::size_t size, bool from_end, std::string& out,
                     DWORD& error, std::uint64_t* file_size) {
  out.clear();
  const unique_hfile file = open_shared_for_reading(path);
  if (!file) {
    error = ::GetLastError();
    return false;
  }
  return read_handle_range(file.get(), offset, size, from_end, out, error, file_size);
}

bool read_handle_range(HANDLE file, std::uint64_t offset, std::size_t size, bool from_end, std::string& out,
                       DWORD& error, std::uint64_t* file_size) {
  out.clear();
  LARGE_INTEGER length{};
  const std::uint64_t bytes = ::GetFileSizeEx(file, &length) != 0 ? static_cast<std::uint64_t>(length.QuadPart) : 0;
  if (file_size != nullptr) *file_size = bytes;
  if (from_end) {
    offset = bytes > size ? bytes - size : 0;
    size = static_cast<std::size_t>(bytes - offset);
  }
  out.resize(size);
  std::size_t got = 0;
  while (got < size) {
    OVERLAPPED at{};
    const std::uint64_t position = offset + got;
    at.Offset = static_cast<DWORD>(position & 0xFFFFFFFFu);
    at.OffsetHigh = static_cast<DWORD>(position >> 32);
    DWORD n = 0;
    if (::ReadFile(file, out.data() + got, static_cast<DWORD>(size - got), &n, &at) == 0) {
      error = ::GetLastError();
      if (error == ERROR_HANDLE_EOF) break;
      out.clear();
      return false;
    }
    if (n == 0) break;
    got += n;
  }
  out.resize(got);
  return true;
}

bool read_file(const std::wstring& path, std::string& contents, DWORD& error) {
  const unique_hfile file = open_shared_for_reading(path);
  if (!file) {
    error = ::GetLastError();
    return false;
  }
  contents.clear();
  char buffer[64 * 1024];
  for (;;) {
    DWORD read = 0;
    if (::ReadFile(file.get(), buffer, sizeof buffer, &read, nullptr) == 0) {
      error = ::GetLastError();
      return false;
    }
    if (read == 0) break;
    contents.append(buffer, read);
  }
  error = ERROR_SUCCESS;
  return true;
}

std::wstring module_path(HMODULE module) {
  std::vector<wchar_t> buffer(MAX_PATH);
  for (;;) {
    const DWORD length = ::GetModuleFileNameW(module, buffer.data(), static_cast<DWORD>(buffer.size()));
    if (length == 0) return {};
    if (length < buffer.size()) return std::wstring(buffer.data(), length);
    buffer.resize(buffer.size() * 2);
  }
}

}  // namespace raswarden::win32
