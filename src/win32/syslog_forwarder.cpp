// winsock2.h must come before windows.h.
// clang-format off
#include <winsock2.h>
#include <ws2tcpip.h>
// clang-format on

#include "win32/syslog_forwarder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "win32/system.hpp"

namespace raswarden::win32 {

namespace {
constexpr std::int64_t max_backoff_ms = 60'000;
constexpr long connect_timeout_ms = 2000;
constexpr DWORD send_timeout_ms = 5000;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

syslog_forwarder::syslog_forwarder(core::forward_settings settings, core::syslog_identity identity,
                                   core::diagnostics& diag, std::size_t queue_limit)
    : settings_(std::move(settings)),
      identity_(std::move(identity)),
      diag_(diag),
      queue_limit_(queue_limit),
      socket_(INVALID_SOCKET) {
  WSADATA data{};
  winsock_ = ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
  if (!winsock_) {
    diag_.report(core::severity::error, "accounting.forward: Winsock is not available; records are not forwarded");
    return;
  }
  thread_ = std::make_unique<periodic_thread>(std::chrono::milliseconds(250), [this] { send_queued(); });
}

syslog_forwarder::~syslog_forwarder() {
  thread_.reset();  // its last run sends what it can
  disconnect();
  if (winsock_) ::WSACleanup();
  if (dropped_ > 0) {
    diag_.report(core::severity::warning,
                 fmt::format("accounting.forward: {} record(s) were not forwarded (queue full)", dropped_));
  }
}

void syslog_forwarder::enqueue(std::string_view record) noexcept {
  try {
    {
      const std::lock_guard lock(mutex_);
      if (queue_.size() >= queue_limit_) {
        ++dropped_;
        return;
      }
      queue_.emplace_back(record);
    }
    if (thread_) thread_->wake();
  } catch (...) {
    // A record that cannot be queued is only missing from the collector; the file has it.
  }
}

bool syslog_forwarder::connect_socket() noexcept {
  const bool tcp = settings_.transport == "tcp";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
  hints.ai_protocol = tcp ? IPPROTO_TCP : IPPROTO_UDP;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(settings_.port);
  if (::getaddrinfo(settings_.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) return false;
  bool connected = false;
  for (const addrinfo* a = found; a != nullptr && !connected; a = a->ai_next) {
    const SOCKET s = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (s == INVALID_SOCKET) continue;
    // Connect without blocking for longer than the timeout, so terminate never waits long.
    u_long non_blocking = 1;
    ::ioctlsocket(s, FIONBIO, &non_blocking);
    if (::connect(s, a->ai_addr, static_cast<int>(a->ai_addrlen)) == 0) {
      connected = true;
    } else if (::WSAGetLastError() == WSAEWOULDBLOCK) {
      fd_set writable;
      FD_ZERO(&writable);
      FD_SET(s, &writable);
      fd_set failed;
      FD_ZERO(&failed);
      FD_SET(s, &failed);
      timeval timeout{connect_timeout_ms / 1000, (connect_timeout_ms % 1000) * 1000};
      connected = ::select(0, nullptr, &writable, &failed, &timeout) == 1 && FD_ISSET(s, &writable);
    }
    if (!connected) {
      ::closesocket(s);
      continue;
    }
    non_blocking = 0;
    ::ioctlsocket(s, FIONBIO, &non_blocking);
    ::setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, reinterpret_cast<const char*>(&send_timeout_ms), sizeof send_timeout_ms);
    socket_ = static_cast<std::uintptr_t>(s);
  }
  ::freeaddrinfo(found);
  return connected;
}

void syslog_forwarder::disconnect() noexcept {
  if (socket_ != INVALID_SOCKET) {
    ::closesocket(static_cast<SOCKET>(socket_));
    socket_ = INVALID_SOCKET;
  }
}

bool syslog_forwarder::send_all(const std::string& bytes) noexcept {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const int n = ::send(static_cast<SOCKET>(socket_), bytes.data() + sent, static_cast<int>(bytes.size() - sent), 0);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

void syslog_forwarder::send_queued() noexcept {
  try {
    if (now_ms() < retry_at_ms_) return;
    std::deque<std::string> batch;
    {
      const std::lock_guard lock(mutex_);
      batch.swap(queue_);
    }
    if (batch.empty()) return;
    const bool tcp = settings_.transport == "tcp";
    const auto fail = [&](const std::string& why) {
      disconnect();
      if (!failing_) {
        diag_.report(core::severity::warning,
                     fmt::format("accounting.forward: cannot send to {}:{} over {} ({}); retrying with backoff, the "
                                 "local file keeps every record",
                                 settings_.host, settings_.port, settings_.transport, why));
        failing_ = true;
      }
      retry_at_ms_ = now_ms() + backoff_ms_;
      backoff_ms_ = std::min(backoff_ms_ * 2, max_backoff_ms);
      // Put the unsent messages back in front of anything queued meanwhile, within the limit.
      const std::lock_guard lock(mutex_);
      while (!batch.empty() && queue_.size() < queue_limit_) {
        queue_.push_front(std::move(batch.back()));
        batch.pop_back();
      }
      dropped_ += batch.size();
    };
    if (socket_ == INVALID_SOCKET && !connect_socket()) {
      fail("no connection: " + describe_error(static_cast<DWORD>(::WSAGetLastError())));
      return;
    }
    while (!batch.empty()) {
      const std::string message = core::syslog_message(identity_, batch.front());
      if (!send_all(tcp ? core::octet_counted(message) : message)) {
        fail("send failed: " + describe_error(static_cast<DWORD>(::WSAGetLastError())));
        return;
      }
      batch.pop_front();
    }
    if (failing_) {
      failing_ = false;
      diag_.report(core::severity::info,
                   fmt::format("accounting.forward: sending to {}:{} again", settings_.host, settings_.port));
    }
    backoff_ms_ = 1000;
  } catch (...) {
    // Retried on the next tick.
  }
}

}  // namespace raswarden::win32
