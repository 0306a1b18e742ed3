// accounting.forward (docs/forwarding.md): a background thread follows the public accounting
// files (log_format.hpp) the way a log shipper does and sends every complete line to a syslog
// collector as an RFC 5424 message, over RELP (every message acknowledged), TCP (RFC 6587 octet
// counting) or UDP. How far delivery got is a cursor saved in <directory>\.journal\forward.cursor,
// so a collector outage or a restart resumes at the first record not yet delivered; the files are
// the queue, and nothing waits in memory that is not also on disk. RRAS's threads never see any
// of this: records reach the files first and the forwarder reads them later.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "raswarden/forwarding.hpp"
#include "raswarden/platform.hpp"
#include "raswarden/settings.hpp"
#include "raswarden/syslog.hpp"

namespace raswarden::win32 {

class record_forwarder {
 public:
  // Starts the thread. The first start in a folder (no cursor file yet) forwards the records
  // published from now on; a start with a cursor resumes there.
  record_forwarder(core::forward_settings settings, core::syslog_identity identity, std::wstring log_directory,
                   core::diagnostics& diag);
  // Stops without draining (stop(0)): the cursor is saved, what was not acknowledged is sent
  // again by the next start.
  ~record_forwarder();
  record_forwarder(const record_forwarder&) = delete;
  record_forwarder& operator=(const record_forwarder&) = delete;

  // Keeps sending for at most `budget` (until everything published is delivered, if sooner),
  // then saves the cursor, closes the connection and stops the thread. Returns what is still
  // undelivered. Later calls return the same without doing anything.
  core::forward_lag stop(std::chrono::milliseconds budget) noexcept;
  // Published records not yet delivered, as of the thread's last pass (about every 200 ms).
  [[nodiscard]] core::forward_lag lag() const noexcept;

 private:
  struct state;  // the thread's, defined in record_forwarder.cpp
  std::unique_ptr<state> state_;
};

}  // namespace raswarden::win32
