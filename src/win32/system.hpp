// Small Win32 services the DLL and tools share: text conversion, error text, paths, host name.
// Windows error codes become readable text here and nowhere else.
#pragma once

#include <windows.h>

#include <string>
#include <string_view>
#include <system_error>

namespace raswarden::win32 {

[[nodiscard]] std::wstring to_wide(std::string_view utf8);
[[nodiscard]] std::string to_utf8(std::wstring_view wide);

// "Access is denied. (5)" for GetLastError codes.
[[nodiscard]] std::string describe_error(DWORD code);
[[nodiscard]] std::error_code last_error_code() noexcept;

// ExpandEnvironmentStringsW; returns the input unchanged if expansion fails.
[[nodiscard]] std::wstring expand_environment(std::wstring_view text);
// GetEnvironmentVariableW; empty when unset.
[[nodiscard]] std::wstring environment_variable(const wchar_t* name);
// Creates the folder and any missing parents, each with `security` (the parent's inheritance
// when null). Returns 0 or the Win32 error of the first failure.
DWORD create_directories(const std::wstring& path, SECURITY_ATTRIBUTES* security = nullptr);
// The DNS host name (falls back to the NetBIOS name, then "unknown-host").
[[nodiscard]] std::string host_name();
// Reads a whole file. Returns false with the Win32 error in `error` when it cannot.
bool read_file(const std::wstring& path, std::string& contents, DWORD& error);
// Up to `size` bytes of a file at `offset` (fewer at its end), or with `from_end` its last `size`
// bytes, opened so that writers may append, rename and delete meanwhile; `file_size` (if given)
// receives its size. False with the Win32 error in `error` when it cannot be read.
bool read_file_range(const std::wstring& path, std::uint64_t offset, std::size_t size, bool from_end, std::string& out,
                     DWORD& error, std::uint64_t* file_size = nullptr);
// The same from a handle opened for reading.
bool read_handle_range(HANDLE file, std::uint64_t offset, std::size_t size, bool from_end, std::string& out,
                       DWORD& error, std::uint64_t* file_size = nullptr);
// Full path of a loaded module (the DLL itself, to find files beside it).
[[nodiscard]] std::wstring module_path(HMODULE module);

}  // namespace raswarden::win32
