#include "win32/event_log.hpp"

#include "win32/system.hpp"

namespace raswarden::win32 {

namespace {
// The ids windmc gives the messages of src/dll/messages.mc: the severity in the top two bits.
constexpr DWORD informational = 0x40000000;
constexpr DWORD warning = 0x80000000;
constexpr DWORD error = 0xC0000000;
}  // namespace

DWORD event_log::event_id(core::severity level, core::topic about) noexcept {
  switch (about) {
    case core::topic::started: return informational | 1000;
    case core::topic::stopped: return informational | 1001;
    case core::topic::accounting_recovered: return informational | 1002;
    case core::topic::configuration: return warning | 2000;
    case core::topic::sessions_recovered: return warning | 2001;
    case core::topic::connection_rejected: return warning | 2100;
    case core::topic::accounting_failure: return error | 3000;
    case core::topic::internal_error: return error | 3001;
    case core::topic::general: break;
  }
  switch (level) {
    case core::severity::warning: return warning | 2002;
    case core::severity::error: return error | 3002;
    case core::severity::debug:
    case core::severity::info: break;
  }
  return informational | 1003;
}

event_log::event_log() noexcept : source_(::RegisterEventSourceW(nullptr, L"RasWarden")) {}

void event_log::report(core::severity level, core::topic about, std::string_view message) noexcept {
  if (!source_) return;
  try {
    const DWORD id = event_id(level, about);
    const WORD type = (id & 0xC0000000) == error     ? EVENTLOG_ERROR_TYPE
                      : (id & 0xC0000000) == warning ? EVENTLOG_WARNING_TYPE
                                                     : EVENTLOG_INFORMATION_TYPE;
    const std::wstring text = to_wide(message);
    const wchar_t* strings[] = {text.c_str()};
    ::ReportEventW(source_.get(), type, 0, id, nullptr, 1, 0, strings, nullptr);
  } catch (...) {
    // The Event Log is a best-effort channel; losing one entry must not reach RRAS.
  }
}

}  // namespace raswarden::win32
