// One connection to a syslog collector for the record forwarder (src/win32/record_forwarder.cpp):
// a non-blocking socket whose every wait (connect, send, receive) ends at a deadline the caller
// gives, so a collector that is slow, gone or hostile can never hold the forwarder's thread, and
// through it a service stop, for longer than the caller allows. Used only on that thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "win32/unique_handle.hpp"

namespace raswarden::win32 {

using deadline = std::chrono::steady_clock::time_point;

// WSAStartup/WSACleanup for as long as it lives.
class winsock_session {
 public:
  winsock_session() noexcept;
  ~winsock_session();
  winsock_session(const winsock_session&) = delete;
  winsock_session& operator=(const winsock_session&) = delete;
  [[nodiscard]] bool ready() const noexcept { return ready_; }

 private:
  bool ready_ = false;
};

class collector_connection {
 public:
  enum class kind : std::uint8_t { stream, datagram };
  enum class received : std::uint8_t { data, nothing, closed, failed };

  collector_connection() noexcept = default;
  ~collector_connection() = default;
  collector_connection(const collector_connection&) = delete;
  collector_connection& operator=(const collector_connection&) = delete;

  // Resolves `host` and connects to the first address that answers before `until`. A datagram
  // socket is connected too, so the system reports an unreachable port on a later send. Returns
  // an empty string, or why it could not connect. Name resolution itself cannot be bounded: a
  // slow DNS server delays this by the resolver's own timeout.
  [[nodiscard]] std::string open(const std::string& host, std::uint16_t port, kind type, deadline until) noexcept;
  // `graceful` shuts the sending side down first, so what was sent is delivered before the close.
  void close(bool graceful) noexcept;
  [[nodiscard]] bool is_open() const noexcept;

  // Every byte, or false with the reason once `until` passes or the socket fails.
  [[nodiscard]] bool send_all(std::string_view bytes, deadline until, std::string& why) noexcept;
  // Waits until something can be read or `until`, then appends what is there (at most 64 KiB).
  [[nodiscard]] received receive(std::string& out, deadline until, std::string& why) noexcept;

 private:
  unique_socket socket_;
};

}  // namespace raswarden::win32
