#include "win32/background_thread.hpp"

namespace raswarden::win32 {

periodic_thread::periodic_thread(std::chrono::milliseconds interval, std::function<void()> task)
    : interval_(interval),
      task_(std::move(task)),
      stop_(::CreateEventW(nullptr, TRUE, FALSE, nullptr)),
      wake_(::CreateEventW(nullptr, FALSE, FALSE, nullptr)) {
  if (!stop_ || !wake_) return;
  // One reference for the thread, released by FreeLibraryAndExitThread when it ends.
  if (::GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, reinterpret_cast<LPCWSTR>(&periodic_thread::run),
                           &module_) == 0) {
    module_ = nullptr;
  }
  thread_.reset(::CreateThread(nullptr, 0, &periodic_thread::run, this, 0, nullptr));
  if (!thread_ && module_ != nullptr) ::FreeLibrary(module_);
}

periodic_thread::~periodic_thread() {
  if (!thread_) return;
  ::SetEvent(stop_.get());
  ::WaitForSingleObject(thread_.get(), INFINITE);
}

DWORD WINAPI periodic_thread::run(void* self) {
  auto* me = static_cast<periodic_thread*>(self);
  const HMODULE module = me->module_;
  const auto interval = static_cast<DWORD>(me->interval_.count());
  const HANDLE events[] = {me->stop_.get(), me->wake_.get()};
  while (::WaitForMultipleObjects(2, events, FALSE, interval) != WAIT_OBJECT_0) {
    try {
      me->task_();
    } catch (...) {
      // The task reports its own failures; the thread keeps its schedule.
    }
  }
  try {
    me->task_();  // a last run, so what was appended before the stop is flushed
  } catch (...) {
  }
  if (module != nullptr) ::FreeLibraryAndExitThread(module, 0);
  return 0;
}

}  // namespace raswarden::win32
