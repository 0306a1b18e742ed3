// Reports to the Windows Application log under the source "RasWarden". The event ids are those
// of the message table compiled into raswarden.dll (src/dll/messages.mc), so Event Viewer shows
// their text with RasWarden's detail as the insertion string once the installer has registered
// the DLL as the source's EventMessageFile.
#pragma once

#include <string_view>

#include "raswarden/platform.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

class event_log {
 public:
  event_log() noexcept;
  void report(core::severity level, core::topic about, std::string_view message) noexcept;
  // The message-table id (with its severity bits) used for a report.
  [[nodiscard]] static DWORD event_id(core::severity level, core::topic about) noexcept;

 private:
  unique_event_source source_;
};

}  // namespace raswarden::win32
