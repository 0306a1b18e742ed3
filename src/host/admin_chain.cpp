#include "host/admin_chain.hpp"

#include <atomic>
#include <chrono>

#include <fmt/format.h>

#include "win32/system.hpp"

namespace raswarden::host {

std::unique_ptr<ack_journal> ack_journal::open(const std::wstring& path, std::string& error) {
  win32::unique_hfile file(::CreateFileW(path.c_str(), FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                                         OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file) {
    error = fmt::format("cannot open the acknowledgement journal {}: {}", win32::to_utf8(path),
                        win32::describe_error(::GetLastError()));
    return nullptr;
  }
  return std::unique_ptr<ack_journal>(new ack_journal(std::move(file)));
}

void ack_journal::append(std::string_view callback, std::string_view fields) {
  const std::lock_guard lock(mutex_);
  const std::string line = fmt::format("{{\"ack\":{},\"callback\":\"{}\",{}}}\n", ++sequence_, callback, fields);
  DWORD written = 0;
  ::WriteFile(file_.get(), line.data(), static_cast<DWORD>(line.size()), &written, nullptr);
}

std::string_view to_string(callback_kind kind) noexcept {
  switch (kind) {
    case callback_kind::accept_connection: return "AcceptNewConnection";
    case callback_kind::hangup_connection: return "ConnectionHangupNotification";
    case callback_kind::accept_link: return "AcceptNewLink";
    case callback_kind::hangup_link: return "LinkHangupNotification";
    case callback_kind::reauthenticate: return "AcceptReauthentication";
    case callback_kind::get_ipv4: return "GetIpAddressForUser";
    case callback_kind::release_ipv4: return "ReleaseIpAddress";
    case callback_kind::get_ipv6: return "GetIpv6AddressForUser";
    case callback_kind::release_ipv6: return "ReleaseIpv6AddressForUser";
    case callback_kind::count: break;
  }
  return "unknown";
}

// Takes the lock only when the chain serializes as RRAS does.
class admin_chain::maybe_lock {
 public:
  maybe_lock(std::mutex& mutex, bool enabled) : mutex_(enabled ? &mutex : nullptr) {
    if (mutex_ != nullptr) mutex_->lock();
  }
  ~maybe_lock() {
    if (mutex_ != nullptr) mutex_->unlock();
  }
  maybe_lock(const maybe_lock&) = delete;
  maybe_lock& operator=(const maybe_lock&) = delete;

 private:
  std::mutex* mutex_;
};

namespace {
thread_local std::uint64_t time_in_dlls_ns = 0;
// Off unless more than one thread calls the chain: with one, nothing waits for the lock, and two
// more clock reads per call (a system call each under Wine) would only slow the host down.
std::atomic<bool> timing_in_dlls{false};
}  // namespace

// Times the calls into the DLLs once the serialization lock is held: declared after the lock,
// it ends before the lock is released, so a wait for another thread's callback is not counted.
class admin_chain::dll_call_timer {
 public:
  dll_call_timer() : on_(timing_in_dlls.load(std::memory_order_relaxed)) {
    if (on_) start_ = std::chrono::steady_clock::now();
  }
  ~dll_call_timer() {
    if (!on_) return;
    time_in_dlls_ns = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count());
  }
  dll_call_timer(const dll_call_timer&) = delete;
  dll_call_timer& operator=(const dll_call_timer&) = delete;

 private:
  bool on_;
  std::chrono::steady_clock::time_point start_;
};

std::uint64_t admin_chain::last_call_in_dlls_ns() noexcept {
  return time_in_dlls_ns;
}

void admin_chain::time_calls_in_dlls(bool on) noexcept {
  timing_in_dlls.store(on, std::memory_order_relaxed);
}

bool admin_chain::timing_calls_in_dlls() noexcept {
  return timing_in_dlls.load(std::memory_order_relaxed);
}

admin_chain::admin_chain(std::vector<std::unique_ptr<admin_dll>> dlls, bool serialize,
                         std::unique_ptr<ack_journal> journal)
    : dlls_(std::move(dlls)), serialize_(serialize), journal_(std::move(journal)) {
  // The IP callbacks go only to the first DLL, in DLLPath order, that exports them.
  for (const auto& dll : dlls_) {
    const auto& c = dll->entry().callbacks;
    if (ipv4_owner_ == nullptr && c.lpfnMprAdminGetIpAddressForUser != nullptr) ipv4_owner_ = dll.get();
    if (ipv6_owner_ == nullptr && c.lpfnMprAdminGetIpv6AddressForUser != nullptr) ipv6_owner_ = dll.get();
  }
}

namespace {
std::string json_text(std::wstring_view text) {
  std::string out;
  for (const char c : win32::to_utf8(text)) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);
  }
  return out;
}

std::string guid_text(const GUID& g) {
  return fmt::format("{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}", g.Data1, g.Data2,
                     g.Data3, g.Data4[0], g.Data4[1], g.Data4[2], g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6],
                     g.Data4[7]);
}

template <std::size_t N>
std::wstring_view bounded(const WCHAR (&field)[N]) {
  std::size_t length = 0;
  while (length < N && field[length] != 0) ++length;
  return {field, length};
}
}  // namespace

// Journal lines carry what the DLL's records also carry (GUID, user, port name), so a crash
// test can match each acknowledged callback with its accounting record.
void admin_chain::acknowledge_connection(callback_kind kind, const connection_structs& c, std::string_view answer) {
  if (!journal_) return;
  journal_->append(to_string(kind), fmt::format("\"guid\":\"{}\",\"user\":\"{}\",\"answer\":\"{}\"",
                                                guid_text(c.c2.guid), json_text(bounded(c.c0.wszUserName)), answer));
}

void admin_chain::acknowledge_link(callback_kind kind, const port_structs& p, std::string_view answer) {
  if (!journal_) return;
  journal_->append(to_string(kind),
                   fmt::format("\"port\":\"{}\",\"answer\":\"{}\"", json_text(bounded(p.p0.wszPortName)), answer));
}

void admin_chain::acknowledge_address(callback_kind kind, const WCHAR* user, const WCHAR* port,
                                      std::string_view answer) {
  if (!journal_) return;
  journal_->append(to_string(kind),
                   fmt::format("\"user\":\"{}\",\"port\":\"{}\",\"answer\":\"{}\"",
                               json_text(user != nullptr ? std::wstring_view(user) : std::wstring_view()),
                               json_text(port != nullptr ? std::wstring_view(port) : std::wstring_view()), answer));
}

// Every DLL must accept. After a refusal no further DLL is asked (RRAS's behaviour is
// undocumented; this is the conservative reading), and the DLLs that had accepted are told it went
// away, as they are on RRAS since Windows Server 2003 (mprapi-reference.md 4.4).
template <typename Accept, typename Withdraw>
bool admin_chain::every_dll_accepts(Accept accept, Withdraw withdraw) const {
  for (std::size_t i = 0; i < dlls_.size(); ++i) {
    if (!accept(*dlls_[i])) {
      for (std::size_t j = 0; j < i; ++j) withdraw(*dlls_[j]);
      return false;
    }
  }
  return true;
}

bool admin_chain::accept_connection(connection_structs& c) {
  bool accepted = true;
  {
    const maybe_lock lock(connection_group_, serialize_);
    const dll_call_timer timer;
    accepted = every_dll_accepts([&](const admin_dll& dll) { return dll.accept_connection(c); },
                                 [&](const admin_dll& dll) { dll.hangup_connection(c); });
  }
  acknowledge_connection(callback_kind::accept_connection, c, accepted ? "accept" : "reject");
  return accepted;
}

void admin_chain::hangup_connection(connection_structs& c) {
  {
    const maybe_lock lock(connection_group_, serialize_);
    const dll_call_timer timer;
    for (const auto& dll : dlls_) dll->hangup_connection(c);
  }
  acknowledge_connection(callback_kind::hangup_connection, c, "done");
}

bool admin_chain::accept_link(port_structs& p) {
  bool accepted = true;
  {
    const maybe_lock lock(link_accept_, serialize_);
    const dll_call_timer timer;
    accepted = every_dll_accepts([&](const admin_dll& dll) { return dll.accept_link(p); },
                                 [&](const admin_dll& dll) { dll.hangup_link(p); });
  }
  acknowledge_link(callback_kind::accept_link, p, accepted ? "accept" : "reject");
  return accepted;
}

void admin_chain::hangup_link(port_structs& p) {
  {
    const maybe_lock lock(link_hangup_, serialize_);
    const dll_call_timer timer;
    for (const auto& dll : dlls_) dll->hangup_link(p);
  }
  acknowledge_link(callback_kind::hangup_link, p, "done");
}

bool admin_chain::reauthenticate(connection_structs& c) {
  bool accepted = true;
  {
    const maybe_lock lock(reauthentication_, serialize_);
    const dll_call_timer timer;
    // A refused reauthentication ends the connection; RRAS then sends its hangup itself.
    accepted = every_dll_accepts([&](const admin_dll& dll) { return dll.reauthenticate(c); }, [](const admin_dll&) {});
  }
  acknowledge_connection(callback_kind::reauthenticate, c, accepted ? "accept" : "reject");
  return accepted;
}

DWORD admin_chain::get_ipv4(WCHAR* user, WCHAR* port, DWORD& address, BOOL& notify_release) {
  notify_release = FALSE;
  if (ipv4_owner_ == nullptr) return NO_ERROR;
  DWORD result = NO_ERROR;
  {
    const maybe_lock lock(ipv4_group_, serialize_);
    const dll_call_timer timer;
    result = ipv4_owner_->entry().callbacks.lpfnMprAdminGetIpAddressForUser(user, port, &address, &notify_release);
  }
  acknowledge_address(callback_kind::get_ipv4, user, port, result == NO_ERROR ? "accept" : "reject");
  return result;
}

void admin_chain::release_ipv4(WCHAR* user, WCHAR* port, DWORD address) {
  if (ipv4_owner_ == nullptr) return;
  {
    const maybe_lock lock(ipv4_group_, serialize_);
    const dll_call_timer timer;
    ipv4_owner_->entry().callbacks.lpfnMprAdminReleaseIpAddress(user, port, &address);
  }
  acknowledge_address(callback_kind::release_ipv4, user, port, "done");
}

DWORD admin_chain::get_ipv6(WCHAR* user, WCHAR* port, IN6_ADDR& address, BOOL& notify_release) {
  notify_release = FALSE;
  if (ipv6_owner_ == nullptr) return NO_ERROR;
  DWORD result = NO_ERROR;
  {
    const maybe_lock lock(ipv6_group_, serialize_);
    const dll_call_timer timer;
    result = ipv6_owner_->entry().callbacks.lpfnMprAdminGetIpv6AddressForUser(user, port, &address, &notify_release);
  }
  acknowledge_address(callback_kind::get_ipv6, user, port, result == NO_ERROR ? "accept" : "reject");
  return result;
}

void admin_chain::release_ipv6(WCHAR* user, WCHAR* port, IN6_ADDR address) {
  if (ipv6_owner_ == nullptr) return;
  {
    const maybe_lock lock(ipv6_group_, serialize_);
    const dll_call_timer timer;
    ipv6_owner_->entry().callbacks.lpfnMprAdminReleaseIpV6AddressForUser(user, port, &address);
  }
  acknowledge_address(callback_kind::release_ipv6, user, port, "done");
}

void admin_chain::terminate() {
  for (const auto& dll : dlls_) dll->terminate();
}

}  // namespace raswarden::host
