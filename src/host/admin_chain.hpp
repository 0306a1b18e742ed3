// Several admin DLLs driven as RRAS drives them (mprapi-reference.md 4.1, 4.6): every DLL must
// accept a connection or link, in DLLPath order; hangups go to every DLL; the IP callbacks go only
// to the first DLL that exports them; Terminate at shutdown in order. Calls are serialized per
// function and per group as RRAS documents, unless the chain is built for stress.
//
// After each callback returns, an optional acknowledgement journal gets one line with a direct OS
// write, so a crash test can compare what "RRAS" was told with what the DLL recorded.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "host/admin_dll.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::host {

// Appends lines to a file with one WriteFile each (FILE_APPEND_DATA), so every line that was
// written survives the process being killed right after.
class ack_journal {
 public:
  static std::unique_ptr<ack_journal> open(const std::wstring& path, std::string& error);
  // Numbers the line ("ack": n, in call-return order) and writes it.
  void append(std::string_view callback, std::string_view fields);

 private:
  explicit ack_journal(win32::unique_hfile file) : file_(std::move(file)) {}
  std::mutex mutex_;
  win32::unique_hfile file_;
  std::uint64_t sequence_ = 0;
};

// Which callback a timing or journal line is about.
enum class callback_kind : std::uint8_t {
  accept_connection,
  hangup_connection,
  accept_link,
  hangup_link,
  reauthenticate,
  get_ipv4,
  release_ipv4,
  get_ipv6,
  release_ipv6,
  count
};
[[nodiscard]] std::string_view to_string(callback_kind kind) noexcept;

class admin_chain {
 public:
  // `serialize`: RRAS's per-function and per-group serialization; false drops it (--stress).
  admin_chain(std::vector<std::unique_ptr<admin_dll>> dlls, bool serialize, std::unique_ptr<ack_journal> journal);

  // How long the last call on this thread spent in the DLLs themselves, after the serialization
  // lock was taken: the callback's own latency, without the wait for another thread's callback.
  // Only measured while switched on (a load with more than one thread).
  [[nodiscard]] static std::uint64_t last_call_in_dlls_ns() noexcept;
  static void time_calls_in_dlls(bool on) noexcept;
  [[nodiscard]] static bool timing_calls_in_dlls() noexcept;

  [[nodiscard]] bool accept_connection(connection_structs& c);
  void hangup_connection(connection_structs& c);
  [[nodiscard]] bool accept_link(port_structs& p);
  void hangup_link(port_structs& p);
  [[nodiscard]] bool reauthenticate(connection_structs& c);
  // NO_ERROR lets the connection proceed. `address` in: RRAS's proposal; out: the answer.
  DWORD get_ipv4(WCHAR* user, WCHAR* port, DWORD& address, BOOL& notify_release);
  void release_ipv4(WCHAR* user, WCHAR* port, DWORD address);
  DWORD get_ipv6(WCHAR* user, WCHAR* port, IN6_ADDR& address, BOOL& notify_release);
  void release_ipv6(WCHAR* user, WCHAR* port, IN6_ADDR address);
  // MprAdminTerminateDll in every DLL, in order.
  void terminate();

  [[nodiscard]] const std::vector<std::unique_ptr<admin_dll>>& dlls() const noexcept { return dlls_; }
  [[nodiscard]] bool has_ipv4() const noexcept { return ipv4_owner_ != nullptr; }
  [[nodiscard]] bool has_ipv6() const noexcept { return ipv6_owner_ != nullptr; }

 private:
  class maybe_lock;
  template <typename Accept, typename Withdraw>
  bool every_dll_accepts(Accept accept, Withdraw withdraw) const;
  class dll_call_timer;
  void acknowledge_connection(callback_kind kind, const connection_structs& c, std::string_view answer);
  void acknowledge_link(callback_kind kind, const port_structs& p, std::string_view answer);
  void acknowledge_address(callback_kind kind, const WCHAR* user, const WCHAR* port, std::string_view answer);

  std::vector<std::unique_ptr<admin_dll>> dlls_;
  bool serialize_;
  std::unique_ptr<ack_journal> journal_;
  const admin_dll* ipv4_owner_ = nullptr;
  const admin_dll* ipv6_owner_ = nullptr;
  // RRAS's documented serialization: accept and hangup of connections are one group, the two
  // address functions of a family another; every other callback is serialized with itself.
  std::mutex connection_group_;
  std::mutex link_accept_;
  std::mutex link_hangup_;
  std::mutex reauthentication_;
  std::mutex ipv4_group_;
  std::mutex ipv6_group_;
};

}  // namespace raswarden::host
