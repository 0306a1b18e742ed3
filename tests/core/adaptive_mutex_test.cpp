#include "raswarden/adaptive_mutex.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace raswarden::core {
namespace {

TEST(AdaptiveMutex, ExcludesUnderContentionAndBlocksWhenSpinningIsNotEnough) {
  adaptive_mutex mutex;
  long counter = 0;  // deliberately not atomic: only the mutex protects it (TSan checks)
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        const std::lock_guard lock(mutex);
        ++counter;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter, 4 * 20000);

  // Held far longer than the spin: the waiter must fall back to blocking and still get it.
  mutex.lock();
  std::thread waiter([&] {
    const std::lock_guard lock(mutex);
    ++counter;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(counter, 4 * 20000) << "the waiter got in while the mutex was held";
  mutex.unlock();
  waiter.join();
  EXPECT_EQ(counter, 4 * 20000 + 1);
}

}  // namespace
}  // namespace raswarden::core
