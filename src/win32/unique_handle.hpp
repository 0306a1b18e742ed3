// One owning-handle template for every Win32 handle kind. A traits type names the handle's
// close function and its invalid value, because Win32 APIs disagree on whether failure is NULL
// or INVALID_HANDLE_VALUE; picking the alias encodes which one the creating API returns.
// No bare CloseHandle/RegCloseKey/DeregisterEventSource/LocalFree appears outside this file.
#pragma once

#include <windows.h>

#include <cstdint>
#include <utility>

namespace raswarden::win32 {

template <typename Traits>
class unique_any {
 public:
  using pointer = typename Traits::type;

  unique_any() noexcept = default;
  explicit unique_any(pointer value) noexcept : value_(value) {}
  unique_any(const unique_any&) = delete;
  unique_any& operator=(const unique_any&) = delete;
  unique_any(unique_any&& other) noexcept : value_(other.release()) {}
  unique_any& operator=(unique_any&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~unique_any() { reset(); }

  [[nodiscard]] pointer get() const noexcept { return value_; }
  [[nodiscard]] bool is_valid() const noexcept { return value_ != Traits::invalid(); }
  explicit operator bool() const noexcept { return is_valid(); }

  pointer release() noexcept { return std::exchange(value_, Traits::invalid()); }
  void reset(pointer value = Traits::invalid()) noexcept {
    const pointer old = std::exchange(value_, value);
    if (old != Traits::invalid()) {
      // Closing must not disturb the error code the caller is about to read.
      const DWORD last_error = ::GetLastError();
      Traits::close(old);
      ::SetLastError(last_error);
    }
  }

 private:
  pointer value_ = Traits::invalid();
};

struct null_handle_traits {
  using type = HANDLE;
  static type invalid() noexcept { return nullptr; }
  static void close(type h) noexcept { ::CloseHandle(h); }
};
struct file_handle_traits {
  using type = HANDLE;
  static type invalid() noexcept { return INVALID_HANDLE_VALUE; }
  static void close(type h) noexcept { ::CloseHandle(h); }
};
struct registry_key_traits {
  using type = HKEY;
  static type invalid() noexcept { return nullptr; }
  static void close(type h) noexcept { ::RegCloseKey(h); }
};
struct event_source_traits {
  using type = HANDLE;
  static type invalid() noexcept { return nullptr; }
  static void close(type h) noexcept { ::DeregisterEventSource(h); }
};
struct module_traits {
  using type = HMODULE;
  static type invalid() noexcept { return nullptr; }
  static void close(type h) noexcept { ::FreeLibrary(h); }
};
struct find_traits {
  using type = HANDLE;
  static type invalid() noexcept { return INVALID_HANDLE_VALUE; }
  static void close(type h) noexcept { ::FindClose(h); }
};
struct mapped_view_traits {
  using type = void*;
  static type invalid() noexcept { return nullptr; }
  static void close(type view) noexcept { ::UnmapViewOfFile(view); }
};
struct local_memory_traits {
  using type = HLOCAL;
  static type invalid() noexcept { return nullptr; }
  static void close(type memory) noexcept { ::LocalFree(memory); }
};

// A Winsock SOCKET (an unsigned pointer-sized integer, INVALID_SOCKET = ~0). closesocket needs
// <winsock2.h>, which must come before <windows.h>, so `close` is defined with the code that opens
// sockets (src/win32/collector_connection.cpp).
struct socket_traits {
  using type = std::uintptr_t;
  static type invalid() noexcept { return ~type{0}; }
  static void close(type s) noexcept;
};

using unique_handle = unique_any<null_handle_traits>;         // CreateEvent, CreateThread, OpenProcess
using unique_hfile = unique_any<file_handle_traits>;          // CreateFile
using unique_hkey = unique_any<registry_key_traits>;          // RegOpenKeyEx, RegCreateKeyEx
using unique_event_source = unique_any<event_source_traits>;  // RegisterEventSource
using unique_hmodule = unique_any<module_traits>;             // LoadLibrary
using unique_mapped_view = unique_any<mapped_view_traits>;    // MapViewOfFile
using unique_find = unique_any<find_traits>;                  // FindFirstFile
using unique_socket = unique_any<socket_traits>;              // socket
using unique_local = unique_any<local_memory_traits>;         // what an API allocated with LocalAlloc

}  // namespace raswarden::win32
