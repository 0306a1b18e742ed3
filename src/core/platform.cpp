#include "raswarden/platform.hpp"

#include <chrono>
#include <ctime>
#include <mutex>

namespace raswarden::core {

std::int64_t system_clock::now_unix_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::uint64_t system_clock::steady_ns() const {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

std::int32_t system_clock::utc_offset_minutes(std::int64_t unix_ms) const {
  // The C library knows the zone on every platform; std::localtime shares one buffer on some, so
  // calls are serialised. The offset is the local wall time read as if it were UTC, minus UTC.
  static std::mutex localtime_mutex;
  const auto seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm local{};
  {
    const std::lock_guard lock(localtime_mutex);
    const std::tm* converted = std::localtime(&seconds);
    if (converted == nullptr) return 0;
    local = *converted;
  }
  using namespace std::chrono;
  const sys_days day{year{local.tm_year + 1900} / month{static_cast<unsigned>(local.tm_mon + 1)} /
                     std::chrono::day{static_cast<unsigned>(local.tm_mday)}};
  const std::int64_t wall = duration_cast<std::chrono::seconds>(day.time_since_epoch()).count() +
                            local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec;
  return static_cast<std::int32_t>((wall - static_cast<std::int64_t>(seconds)) / 60);
}

}  // namespace raswarden::core
