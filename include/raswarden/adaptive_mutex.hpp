// A mutex that spins a little before it sleeps. The locks on the callback path (the session
// registry, the accounting writer and file, the session state) are held for well under a
// microsecond, so a second RRAS thread that finds one taken almost always gets it by waiting a
// few hundred nanoseconds; putting that thread to sleep instead costs a trip through the kernel
// and a wake-up on each side (tens of microseconds under Wine, measured in docs/performance.md).
// It is std::mutex underneath, so sanitizers and the blocking path are the standard library's.
#pragma once

#include <mutex>

namespace raswarden::core {

class adaptive_mutex {
 public:
  void lock() {
    for (int attempt = 0; attempt < spin_attempts; ++attempt) {
      if (mutex_.try_lock()) return;
      pause();
    }
    mutex_.lock();
  }
  bool try_lock() { return mutex_.try_lock(); }
  void unlock() { mutex_.unlock(); }

 private:
  // About a microsecond of spinning on current x86 before giving up and sleeping.
  static constexpr int spin_attempts = 100;
  static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  std::mutex mutex_;
};

}  // namespace raswarden::core
