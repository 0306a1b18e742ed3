// A thread that runs a task every interval until stopped, holding a reference on the module that
// contains this code. RRAS unloads an admin DLL with FreeLibrary and no MprAdminTerminateDll when
// validation fails (mprapi-reference.md 1.9); the reference keeps the code mapped while the thread
// runs, and the thread releases it as it exits (FreeLibraryAndExitThread).
#pragma once

#include <chrono>
#include <functional>

#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

class periodic_thread {
 public:
  periodic_thread(std::chrono::milliseconds interval, std::function<void()> task);
  // Stops the thread after one last run of the task, and waits for it.
  ~periodic_thread();
  periodic_thread(const periodic_thread&) = delete;
  periodic_thread& operator=(const periodic_thread&) = delete;

  [[nodiscard]] bool running() const noexcept { return thread_.is_valid(); }
  // Runs the task now instead of at the end of the interval (new work has arrived).
  void wake() noexcept { ::SetEvent(wake_.get()); }

 private:
  static DWORD WINAPI run(void* self);

  std::chrono::milliseconds interval_;
  std::function<void()> task_;
  unique_handle stop_;
  unique_handle wake_;
  unique_handle thread_;
  HMODULE module_ = nullptr;
};

}  // namespace raswarden::win32
