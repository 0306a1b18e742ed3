// The Event Log message table compiled into raswarden.dll: every event id RasWarden reports has
// text Event Viewer can show, with RasWarden's detail inserted, and the ids in the code match the
// ones windmc generated from messages.mc.
#include "win32/event_log.hpp"
#include "dll/dll_fixture.hpp"
#include "messages.h"
#include "win32/system.hpp"

namespace raswarden::testing {
namespace {

std::string message_text(HMODULE module, DWORD id, const wchar_t* detail) {
  const DWORD_PTR arguments[] = {reinterpret_cast<DWORD_PTR>(detail)};
  wchar_t buffer[2048] = {};
  const DWORD length = ::FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ARGUMENT_ARRAY, module, id, 0x409,
                                        buffer, 2048, reinterpret_cast<va_list*>(const_cast<DWORD_PTR*>(arguments)));
  return length == 0 ? std::string() : win32::to_utf8(std::wstring_view(buffer, length));
}

TEST(event_log_messages, every_topic_maps_to_its_message_table_entry) {
  using core::severity;
  using core::topic;
  using win32::event_log;
  EXPECT_EQ(event_log::event_id(severity::info, topic::started), static_cast<DWORD>(MSG_STARTED));
  EXPECT_EQ(event_log::event_id(severity::info, topic::stopped), static_cast<DWORD>(MSG_STOPPED));
  EXPECT_EQ(event_log::event_id(severity::info, topic::accounting_recovered),
            static_cast<DWORD>(MSG_ACCOUNTING_RECOVERED));
  EXPECT_EQ(event_log::event_id(severity::info, topic::general), static_cast<DWORD>(MSG_INFORMATION));
  EXPECT_EQ(event_log::event_id(severity::warning, topic::configuration), static_cast<DWORD>(MSG_CONFIGURATION));
  EXPECT_EQ(event_log::event_id(severity::warning, topic::sessions_recovered),
            static_cast<DWORD>(MSG_SESSIONS_RECOVERED));
  EXPECT_EQ(event_log::event_id(severity::warning, topic::general), static_cast<DWORD>(MSG_WARNING));
  EXPECT_EQ(event_log::event_id(severity::info, topic::connection_rejected),
            static_cast<DWORD>(MSG_CONNECTION_REJECTED));
  EXPECT_EQ(event_log::event_id(severity::error, topic::accounting_failure),
            static_cast<DWORD>(MSG_ACCOUNTING_FAILURE));
  EXPECT_EQ(event_log::event_id(severity::error, topic::internal_error), static_cast<DWORD>(MSG_INTERNAL_ERROR));
  EXPECT_EQ(event_log::event_id(severity::error, topic::general), static_cast<DWORD>(MSG_ERROR));
}

TEST(event_log_messages, the_dll_carries_text_for_every_event_id) {
  // As Event Viewer does: the DLL loaded as a data file, the text looked up by id.
  const win32::unique_hmodule module(::LoadLibraryExW(dll_test::dll_path().c_str(), nullptr,
                                                      LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE));
  ASSERT_TRUE(module) << win32::describe_error(::GetLastError());
  const DWORD ids[] = {MSG_STARTED,
                       MSG_STOPPED,
                       MSG_ACCOUNTING_RECOVERED,
                       MSG_INFORMATION,
                       MSG_CONFIGURATION,
                       MSG_SESSIONS_RECOVERED,
                       MSG_WARNING,
                       MSG_CONNECTION_REJECTED,
                       MSG_ACCOUNTING_FAILURE,
                       MSG_INTERNAL_ERROR,
                       MSG_ERROR};
  for (const DWORD id : ids) {
    const std::string text = message_text(module.get(), id, L"DETAIL-42");
    EXPECT_NE(text.find("RasWarden"), std::string::npos) << "no text for event " << (id & 0xFFFF);
    EXPECT_NE(text.find("DETAIL-42"), std::string::npos) << "event " << (id & 0xFFFF) << " drops its detail: " << text;
  }
  EXPECT_NE(message_text(module.get(), MSG_ACCOUNTING_FAILURE, L"x").find("accounting.on_failure"), std::string::npos);
}

}  // namespace
}  // namespace raswarden::testing
