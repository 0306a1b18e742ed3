// Reports to the Windows Application log under the source "RasWarden". The message table that
// makes Event Viewer show full text comes with the installer; until then entries carry their
// text as the insertion string.
#pragma once

#include <string_view>

#include "raswarden/platform.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

class event_log {
 public:
  event_log() noexcept;
  void report(core::severity level, std::string_view message) noexcept;

 private:
  unique_event_source source_;
};

}  // namespace raswarden::win32
