// Memory-mapped files turn I/O errors into exceptions: a read or write of a view whose page
// cannot be brought in (a failing disk, a volume that went away) raises EXCEPTION_IN_PAGE_ERROR,
// and a view of a file that was cut shorter raises an access violation (Wine reports that case as
// 0xC0000005 too). Neither is a C++ exception, so catch (...) does not stop it, and mingw-w64's
// GCC has no __try. guarded_access runs a piece of code so that such a fault on an address inside
// a given range ends that code early: the call returns false instead of the process (svchost)
// dying. Any other fault is left alone and crashes as it would have.
//
// How: a vectored exception handler, registered while a fault_guard_registration lives, checks
// that the faulting thread is inside guarded_access and that the address is in its range, and
// resumes the thread in a landing function that jumps back (__builtin_longjmp) to where
// guarded_access began. The guarded code must hold no lock and own nothing it has to release:
// the frames between are discarded without running their destructors.
#pragma once

#include <windows.h>

#include <cstddef>

namespace raswarden::win32 {

// Keeps the handler registered (counted: the first registers it, the last removes it, so the
// DLL never leaves a handler behind that points into unloaded code).
class fault_guard_registration {
 public:
  fault_guard_registration() noexcept;
  ~fault_guard_registration();
  fault_guard_registration(const fault_guard_registration&) = delete;
  fault_guard_registration& operator=(const fault_guard_registration&) = delete;
  [[nodiscard]] bool active() const noexcept { return active_; }

 private:
  bool active_ = false;
};

struct guarded_fault {
  DWORD code = 0;  // EXCEPTION_IN_PAGE_ERROR or EXCEPTION_ACCESS_VIOLATION; 0: none
  const void* address = nullptr;
};

// Runs body(context). False, with the fault in `fault`, when it faulted inside [begin, begin +
// size). Without a registration it simply runs the body.
bool guarded_access(const void* begin, std::size_t size, void (*body)(void*), void* context,
                    guarded_fault& fault) noexcept;

template <typename F>
bool guarded_access(const void* begin, std::size_t size, F& body, guarded_fault& fault) noexcept {
  return guarded_access(
      begin, size, [](void* f) { (*static_cast<F*>(f))(); }, &body, fault);
}

}  // namespace raswarden::win32
