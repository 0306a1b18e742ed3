// The only way an export runs its body: every exception stops here, is reported, and becomes the
// export's documented fallback answer. RRAS never sees an exception (it would end the service).
#pragma once

#include <exception>
#include <string_view>
#include <utility>

#include "dll/runtime.hpp"

namespace raswarden::dll {

template <typename Result, typename Body>
Result guarded(std::string_view callback, Result fallback, Body&& body) noexcept {
  try {
    return std::forward<Body>(body)();
  } catch (const std::exception& e) {
    report_failure(callback, e.what());
  } catch (...) {
    report_failure(callback, "unknown exception");
  }
  return fallback;
}

template <typename Body>
void guarded_notification(std::string_view callback, Body&& body) noexcept {
  try {
    std::forward<Body>(body)();
  } catch (const std::exception& e) {
    report_failure(callback, e.what());
  } catch (...) {
    report_failure(callback, "unknown exception");
  }
}

}  // namespace raswarden::dll
