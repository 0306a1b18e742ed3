#include "win32/event_log.hpp"

#include "win32/system.hpp"

namespace raswarden::win32 {

event_log::event_log() noexcept : source_(::RegisterEventSourceW(nullptr, L"RasWarden")) {}

void event_log::report(core::severity level, std::string_view message) noexcept {
  if (!source_) return;
  try {
    WORD type = EVENTLOG_INFORMATION_TYPE;
    DWORD event_id = 1000;
    if (level == core::severity::warning) {
      type = EVENTLOG_WARNING_TYPE;
      event_id = 2000;
    } else if (level == core::severity::error) {
      type = EVENTLOG_ERROR_TYPE;
      event_id = 3000;
    }
    const std::wstring text = to_wide(message);
    const wchar_t* strings[] = {text.c_str()};
    ::ReportEventW(source_.get(), type, 0, event_id, nullptr, 1, 0, strings, nullptr);
  } catch (...) {
    // The Event Log is a best-effort channel; losing one entry must not reach RRAS.
  }
}

}  // namespace raswarden::win32
