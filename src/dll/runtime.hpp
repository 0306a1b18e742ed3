// The DLL's process-wide state: one running instance (engine, its log, its clock) from
// MprAdminInitializeDll to MprAdminTerminateDll. Callbacks hold a shared reference for their
// duration, so a terminate racing a late callback never frees what that callback uses.
#pragma once

#include <windows.h>

#include <memory>
#include <string_view>

#include "raswarden/engine.hpp"

namespace raswarden::dll {

class instance;

// The running engine. A callback that arrives before Initialize or after Terminate (RRAS should
// not do that, but a host might) starts an instance implicitly so its record is not lost.
[[nodiscard]] std::shared_ptr<core::engine> engine_for(std::string_view callback);

// MprAdminInitializeDll(Ex): loads the configuration, opens the logs, writes service-start.
// Every problem is reported and survived; RRAS must start.
void start(std::string_view callback);
// MprAdminTerminateDll: writes service-stop and closes everything.
void stop(std::string_view callback);

// What an accept callback answers when handling it failed (exception, malformed input).
[[nodiscard]] bool answer_on_failure() noexcept;
// Reports a failure inside a callback to the DLL's log and the Event Log. Never throws.
void report_failure(std::string_view callback, std::string_view what) noexcept;

void set_module(HMODULE module) noexcept;

}  // namespace raswarden::dll
