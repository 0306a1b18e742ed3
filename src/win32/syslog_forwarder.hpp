// accounting.forward: every record written to the local file is also sent to a syslog collector
// as an RFC 5424 message, over TCP (RFC 6587 octet counting) or UDP. The local file stays the
// system of record. Enqueuing never blocks a callback: a background thread connects, sends, and
// on failure reconnects with exponential backoff (1 s doubling to 60 s); while the collector is
// away, up to `queue_limit` messages wait and the rest are counted as dropped.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "raswarden/accounting.hpp"
#include "raswarden/settings.hpp"
#include "raswarden/syslog.hpp"
#include "win32/background_thread.hpp"

namespace raswarden::win32 {

class syslog_forwarder {
 public:
  syslog_forwarder(core::forward_settings settings, core::syslog_identity identity, core::diagnostics& diag,
                   std::size_t queue_limit = 10000);
  // Stops the thread after a last attempt to send what is queued.
  ~syslog_forwarder();
  syslog_forwarder(const syslog_forwarder&) = delete;
  syslog_forwarder& operator=(const syslog_forwarder&) = delete;

  void enqueue(std::string_view record) noexcept;

 private:
  void send_queued() noexcept;
  bool connect_socket() noexcept;
  void disconnect() noexcept;
  bool send_all(const std::string& bytes) noexcept;

  core::forward_settings settings_;
  core::syslog_identity identity_;
  core::diagnostics& diag_;
  std::size_t queue_limit_;
  std::mutex mutex_;
  std::deque<std::string> queue_;  // guarded by mutex_
  std::uint64_t dropped_ = 0;      // guarded by mutex_
  // Used only on the forwarder thread:
  std::uintptr_t socket_;
  bool winsock_ = false;
  bool failing_ = false;
  std::int64_t retry_at_ms_ = 0;
  std::int64_t backoff_ms_ = 1000;
  std::unique_ptr<periodic_thread> thread_;
};

// Writes to the local file first; forwards what the file accepted.
class forwarding_sink final : public core::record_sink {
 public:
  forwarding_sink(std::unique_ptr<core::record_sink> primary, std::unique_ptr<syslog_forwarder> forwarder)
      : primary_(std::move(primary)), forwarder_(std::move(forwarder)) {}
  bool append(std::string_view line) noexcept override {
    const bool written = primary_->append(line);
    if (written) forwarder_->enqueue(line);
    return written;
  }
  bool append_stamped(std::string_view line, std::int64_t unix_ms) noexcept override {
    const bool written = primary_->append_stamped(line, unix_ms);
    if (written) forwarder_->enqueue(line);
    return written;
  }
  void flush() noexcept override { primary_->flush(); }
  void maintain() noexcept override { primary_->maintain(); }

 private:
  std::unique_ptr<core::record_sink> primary_;
  std::unique_ptr<syslog_forwarder> forwarder_;
};

}  // namespace raswarden::win32
