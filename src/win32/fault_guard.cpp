#include "win32/fault_guard.hpp"

#include <cstdint>
#include <mutex>

namespace raswarden::win32 {

namespace {

struct guard_frame {
  void* jump[5];  // __builtin_setjmp's buffer
  const std::byte* begin;
  const std::byte* end;
  guarded_fault fault;
};

thread_local guard_frame* current_frame = nullptr;

std::mutex registration_mutex;
int registrations = 0;
void* handler_handle = nullptr;

// Where a guarded fault resumes: as if called from the faulting instruction, on the same stack
// below it. It never returns; the jump discards the frames of the guarded code.
[[noreturn]] void land() noexcept {
  __builtin_longjmp(current_frame->jump, 1);
}

LONG CALLBACK on_exception(EXCEPTION_POINTERS* information) noexcept {
  guard_frame* frame = current_frame;
  if (frame == nullptr) return EXCEPTION_CONTINUE_SEARCH;
  const EXCEPTION_RECORD* record = information->ExceptionRecord;
  const DWORD code = record->ExceptionCode;
  if ((code != EXCEPTION_ACCESS_VIOLATION && code != EXCEPTION_IN_PAGE_ERROR) || record->NumberParameters < 2) {
    return EXCEPTION_CONTINUE_SEARCH;
  }
  // ExceptionInformation[1] is the address that could not be read or written.
  const auto* address = reinterpret_cast<const std::byte*>(record->ExceptionInformation[1]);
  if (address < frame->begin || address >= frame->end) return EXCEPTION_CONTINUE_SEARCH;
  frame->fault = guarded_fault{code, address};
  CONTEXT* context = information->ContextRecord;
#if defined(__x86_64__)
  // Below the faulting frame, 16-byte aligned, minus the slot a call would have pushed.
  context->Rsp = ((context->Rsp - 256) & ~DWORD64{15}) - 8;
  context->Rip = reinterpret_cast<DWORD64>(&land);
#elif defined(__i386__)
  context->Esp = ((context->Esp - 256) & ~DWORD{15}) - 4;
  context->Eip = reinterpret_cast<DWORD>(&land);
#else
#error "fault_guard: unsupported architecture"
#endif
  return EXCEPTION_CONTINUE_EXECUTION;
}

// Kept out of line, so that the frame __builtin_setjmp saves is this one and its caller sees an
// ordinary return.
[[gnu::noinline]] bool run_guarded(guard_frame& frame, void (*body)(void*), void* context) noexcept {
  guard_frame* const outer = current_frame;
  if (__builtin_setjmp(frame.jump) != 0) {
    current_frame = outer;
    return false;
  }
  current_frame = &frame;
  body(context);
  current_frame = outer;
  return true;
}

}  // namespace

fault_guard_registration::fault_guard_registration() noexcept {
  const std::lock_guard lock(registration_mutex);
  if (registrations == 0) handler_handle = ::AddVectoredExceptionHandler(1, &on_exception);
  if (handler_handle != nullptr) {
    ++registrations;
    active_ = true;
  }
}

fault_guard_registration::~fault_guard_registration() {
  if (!active_) return;
  const std::lock_guard lock(registration_mutex);
  if (--registrations == 0) {
    ::RemoveVectoredExceptionHandler(handler_handle);
    handler_handle = nullptr;
  }
}

bool guarded_access(const void* begin, std::size_t size, void (*body)(void*), void* context,
                    guarded_fault& fault) noexcept {
  guard_frame frame{};
  frame.begin = static_cast<const std::byte*>(begin);
  frame.end = frame.begin + size;
  const bool completed = run_guarded(frame, body, context);
  fault = frame.fault;
  return completed;
}

}  // namespace raswarden::win32
