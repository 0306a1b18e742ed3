// winsock2.h must come before windows.h.
// clang-format off
#include <winsock2.h>
#include <ws2tcpip.h>
// clang-format on

#include "win32/collector_connection.hpp"

#include <algorithm>
#include <memory>

#include "win32/system.hpp"

namespace raswarden::win32 {

void socket_traits::close(type s) noexcept {
  ::closesocket(static_cast<SOCKET>(s));
}

namespace {

constexpr std::size_t receive_chunk = 64 * 1024;

// What is left until `until`, as select() wants it (0 once it has passed).
timeval remaining(deadline until) {
  const auto left = std::chrono::duration_cast<std::chrono::microseconds>(until - std::chrono::steady_clock::now());
  const long long us = std::max<long long>(left.count(), 0);
  return timeval{static_cast<long>(us / 1'000'000), static_cast<long>(us % 1'000'000)};
}

// Waits until the socket can be written (`write`) or read, or fails, or `until`. 1: ready,
// 0: timed out, -1: select failed.
int wait_for(SOCKET s, bool write, deadline until) {
  fd_set ready;
  FD_ZERO(&ready);
  FD_SET(s, &ready);
  fd_set failed;
  FD_ZERO(&failed);
  FD_SET(s, &failed);
  timeval timeout = remaining(until);
  const int n = ::select(0, write ? nullptr : &ready, write ? &ready : nullptr, &failed, &timeout);
  if (n == SOCKET_ERROR) return -1;
  if (n == 0) return 0;
  return FD_ISSET(s, &ready) || FD_ISSET(s, &failed) ? 1 : 0;
}

std::string socket_error(std::string_view what) {
  return std::string(what) + ": " + describe_error(static_cast<DWORD>(::WSAGetLastError()));
}

}  // namespace

winsock_session::winsock_session() noexcept {
  WSADATA data{};
  ready_ = ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
}

winsock_session::~winsock_session() {
  if (ready_) ::WSACleanup();
}

bool collector_connection::is_open() const noexcept {
  return socket_.is_valid();
}

void collector_connection::close(bool graceful) noexcept {
  if (!socket_) return;
  if (graceful) ::shutdown(static_cast<SOCKET>(socket_.get()), SD_SEND);
  socket_.reset();
}

std::string collector_connection::open(const std::string& host, std::uint16_t port, kind type,
                                       deadline until) noexcept {
  try {
    close(false);
    const bool stream = type == kind::stream;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = stream ? SOCK_STREAM : SOCK_DGRAM;
    hints.ai_protocol = stream ? IPPROTO_TCP : IPPROTO_UDP;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int error = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); error != 0 || !found) {
      return "cannot resolve " + host + ": " + describe_error(static_cast<DWORD>(error));
    }
    const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
    std::string why = "no address to connect to";
    for (const addrinfo* a = addresses.get(); a != nullptr && !socket_; a = a->ai_next) {
      unique_socket s(static_cast<std::uintptr_t>(::socket(a->ai_family, a->ai_socktype, a->ai_protocol)));
      if (s.get() == static_cast<std::uintptr_t>(INVALID_SOCKET)) {
        why = socket_error("socket");
        continue;
      }
      const auto raw = static_cast<SOCKET>(s.get());
      u_long non_blocking = 1;
      ::ioctlsocket(raw, FIONBIO, &non_blocking);
      if (stream) {
        BOOL no_delay = TRUE;  // one small message at a time; RELP waits for each answer
        ::setsockopt(raw, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&no_delay), sizeof no_delay);
      }
      if (::connect(raw, a->ai_addr, static_cast<int>(a->ai_addrlen)) != 0) {
        if (::WSAGetLastError() != WSAEWOULDBLOCK) {
          why = socket_error("connect");
          continue;
        }
        if (wait_for(raw, /*write=*/true, until) != 1) {
          why = "connect: no answer before the timeout";
          continue;
        }
        int error = 0;
        int length = sizeof error;
        if (::getsockopt(raw, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&error), &length) != 0 || error != 0) {
          why = "connect: " + describe_error(static_cast<DWORD>(error));
          continue;
        }
      }
      socket_ = std::move(s);
    }
    return socket_ ? std::string{} : why;
  } catch (...) {
    close(false);
    return "out of memory while connecting";
  }
}

bool collector_connection::send_all(std::string_view bytes, deadline until, std::string& why) noexcept {
  try {
    if (!socket_) {
      why = "not connected";
      return false;
    }
    const auto raw = static_cast<SOCKET>(socket_.get());
    while (!bytes.empty()) {
      const int chunk = static_cast<int>(std::min<std::size_t>(bytes.size(), 1 << 20));
      const int sent = ::send(raw, bytes.data(), chunk, 0);
      if (sent > 0) {
        bytes.remove_prefix(static_cast<std::size_t>(sent));
        continue;
      }
      if (sent == SOCKET_ERROR && ::WSAGetLastError() != WSAEWOULDBLOCK) {
        why = socket_error("send");
        return false;
      }
      if (wait_for(raw, /*write=*/true, until) != 1) {
        why = "send: the collector did not take the data before the timeout";
        return false;
      }
    }
    return true;
  } catch (...) {
    why.clear();
    return false;
  }
}

collector_connection::received collector_connection::receive(std::string& out, deadline until,
                                                             std::string& why) noexcept {
  try {
    if (!socket_) {
      why = "not connected";
      return received::failed;
    }
    const auto raw = static_cast<SOCKET>(socket_.get());
    const int ready = wait_for(raw, /*write=*/false, until);
    if (ready == 0) return received::nothing;
    if (ready < 0) {
      why = socket_error("select");
      return received::failed;
    }
    const std::size_t start = out.size();
    out.resize(start + receive_chunk);
    const int got = ::recv(raw, out.data() + start, static_cast<int>(receive_chunk), 0);
    out.resize(start + static_cast<std::size_t>(std::max(got, 0)));
    if (got > 0) return received::data;
    if (got == 0) return received::closed;
    if (::WSAGetLastError() == WSAEWOULDBLOCK) return received::nothing;
    why = socket_error("recv");
    return received::failed;
  } catch (...) {
    why.clear();
    return received::failed;
  }
}

}  // namespace raswarden::win32
