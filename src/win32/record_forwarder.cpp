#include "win32/record_forwarder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <optional>
#include <vector>

#include "raswarden/forward_cursor.hpp"
#include "raswarden/log_format.hpp"
#include "raswarden/relp.hpp"
#include "win32/background_thread.hpp"
#include "win32/collector_connection.hpp"
#include "win32/file_security.hpp"
#include "win32/public_log_reader.hpp"
#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

#ifndef RASWARDEN_VERSION
#define RASWARDEN_VERSION "0"
#endif

namespace raswarden::win32 {

namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace log_format = core::log_format;

constexpr auto poll_interval = 200ms;       // how often the files are looked at when idle
constexpr auto save_interval = 250ms;       // the cursor is saved at most this often while delivering,
constexpr std::uint64_t save_every = 1000;  // or after this many records, whichever comes first
constexpr auto connect_timeout = 2s;
constexpr auto send_timeout = 5s;
constexpr auto open_timeout = 5s;  // RELP: the answer to `open`
constexpr auto ack_timeout = 10s;  // RELP: no acknowledgement for this long means a hung collector
constexpr auto close_timeout = 500ms;
constexpr clock::duration first_backoff = 1s;
constexpr clock::duration max_backoff = 30s;
constexpr std::size_t window = 128;              // records read ahead, unacknowledged at most
constexpr std::size_t tcp_resend_window = 1000;  // records TCP sends again after a reconnect
constexpr std::size_t max_datagram = 65000;
constexpr int refusals_before_skip = 3;

enum class transport : std::uint8_t { tcp, udp, relp };

bool not_found(DWORD error) {
  return error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND;
}

}  // namespace

struct record_forwarder::state {
  // A record read from the files and not yet delivered.
  struct pending {
    core::forward_cursor after;  // the cursor once this one is delivered
    std::uint64_t bytes = 0;     // its line in the file, newline included
    std::string message;         // RFC 5424, unframed
    std::uint32_t txnr = 0;      // RELP: the frame carrying it on this connection; 0 when not sent on it
    bool acked = false;
    bool sent_before = false;  // so sending it again counts as a resend
    int refusals = 0;
  };

  state(core::forward_settings s, core::syslog_identity id, std::wstring directory, core::diagnostics& d)
      : settings(std::move(s)),
        identity(std::move(id)),
        folder(std::move(directory)),
        journal_folder(folder + L"\\" + to_wide(log_format::journal_folder)),
        cursor_path(journal_folder + L"\\" + to_wide(log_format::forward_cursor_file)),
        diag(d),
        how(settings.transport == "relp"  ? transport::relp
            : settings.transport == "udp" ? transport::udp
                                          : transport::tcp),
        reader(folder, d) {}

  // ---- the thread ----

  void task() noexcept {
    // Set for the whole pass: a process that exits ends this thread wherever it is, and stop()
    // must then not touch what the pass left half-changed.
    in_task.store(true);
    try {
      if (finished.load()) {
        in_task.store(false);
        return;
      }
      if (!initialised) initialise();
      while (!stopping.load() && step(clock::now() + send_timeout)) {
      }
      if (stopping.load()) drain_and_finish();
    } catch (...) {
      // Out of memory: nothing was lost (the files hold everything); the next pass tries again.
    }
    in_task.store(false);
  }

  void drain_and_finish() {
    const deadline until{clock::duration(drain_until.load())};
    try {
      if (!initialised) initialise();
      if (!connected) retry_at = std::min(retry_at, clock::now());  // a stop does not wait for the backoff
      while (clock::now() < until && (step(until) || (connected && unacked > 0))) {
      }
    } catch (...) {
    }
    finish(until);
  }

  // One pass: notice new files, count, read, send, take acknowledgements. True when it got
  // something done and another pass may do more.
  bool step(deadline until) {
    bool progress = reader.look();
    progress |= fill();
    if (connected && how == transport::relp) progress |= take_answers(clock::now());
    if (has_unsent() && ensure_connected(until)) progress |= send_pending(until);
    if (connected && how == transport::relp && unacked > 0) {
      if (!progress) progress |= take_answers(std::min(until, clock::now() + 100ms));
      if (connected && unacked > 0 && clock::now() - waiting_since > ack_timeout) {
        connection_failed("no acknowledgement for 10 s");
      }
    }
    advance_delivered();
    save_cursor(false);
    publish_lag();
    return progress;
  }

  // ---- where delivery starts ----

  void initialise() {
    if (std::string problem; !ensure_trusted_folder(journal_folder, true, problem)) {
      diag.report(core::severity::warning,
                  fmt::format("accounting.forward: {}; the forwarding cursor cannot be saved, so a restart may send "
                              "records again",
                              problem));
    }
    std::string text;
    std::string problem;
    std::uint64_t size = 0;
    std::string how_started;
    // A cursor is a line; anything much longer is not one (and is not read whole).
    const DWORD error = read_owned_file(cursor_path, 64 * 1024, text, size, problem);
    if (error == ERROR_SUCCESS) {
      const core::cursor_parse_result parsed = core::parse_forward_cursor(text);
      if (parsed.cursor) {
        delivered = *parsed.cursor;
        how_started = "resuming at";
      } else {
        const std::wstring aside = cursor_path + L".bad";
        ::MoveFileExW(cursor_path.c_str(), aside.c_str(), MOVEFILE_REPLACE_EXISTING);
        delivered = reader.start_of_newest();
        diag.report(
            core::severity::error,
            fmt::format("accounting.forward: the cursor {} is not usable ({}); it was kept as {} and "
                        "forwarding starts again at the beginning of {} (records may arrive twice)",
                        to_utf8(cursor_path), parsed.error, to_utf8(aside), log_format::file_name(delivered.file)));
        how_started = "restarting at";
      }
    } else if (not_found(error)) {
      // First start in this folder: what was written before forwarding was enabled is not sent
      // (docs/forwarding.md says how to send it anyway).
      delivered = reader.end_of_published();
      how_started = "first start: forwarding the records published from now on, from";
    } else {
      delivered = reader.start_of_newest();
      diag.report(core::severity::error,
                  fmt::format("accounting.forward: the cursor {} cannot be read ({}); forwarding starts at the "
                              "beginning of {} (records may arrive twice)",
                              to_utf8(cursor_path), problem, log_format::file_name(delivered.file)));
      how_started = "restarting at";
    }
    reader.start_at(delivered);
    start_note = fmt::format("{} {} byte {}", how_started, log_format::file_name(delivered.file), delivered.offset);
    initialised = true;
    save_cursor(true);  // a first start's "now" must not move with the next restart
    publish_lag();
  }

  // Reads counted records into `in_flight`, up to the window.
  bool fill() {
    if (in_flight.size() >= window) return false;
    lines.clear();
    const bool progress = reader.read(window - in_flight.size(), lines);
    for (public_log_reader::record& line : lines) {
      pending record;
      record.after = line.after;
      record.bytes = line.bytes;
      record.message = core::syslog_message(identity, line.line);
      in_flight.push_back(std::move(record));
    }
    return progress;
  }

  // ---- the collector ----

  [[nodiscard]] bool has_unsent() const {
    if (how != transport::relp) return !in_flight.empty();
    return std::any_of(in_flight.begin(), in_flight.end(), [](const pending& p) { return !p.acked && p.txnr == 0; });
  }

  bool ensure_connected(deadline until) {
    if (connected) return true;
    const clock::time_point now = clock::now();
    if (now < retry_at || now >= until) return false;
    std::string why = connection.open(
        settings.host, settings.port,
        how == transport::udp ? collector_connection::kind::datagram : collector_connection::kind::stream,
        std::min(until, now + connect_timeout));
    if (why.empty() && how == transport::relp) why = open_session(std::min(until, clock::now() + open_timeout));
    if (!why.empty()) {
      connection_failed(why);
      return false;
    }
    connected = true;
    backoff = first_backoff;
    std::uint64_t again = 0;
    if (how == transport::relp) {
      again = static_cast<std::uint64_t>(std::count_if(in_flight.begin(), in_flight.end(),
                                                       [](const pending& p) { return !p.acked && p.sent_before; }));
    } else if (how == transport::tcp && !history.empty()) {
      // No acknowledgements over TCP: what the last connection took may have died with it.
      std::string batch;
      for (const std::string& message : history) batch += core::octet_counted(message);
      std::string failure;
      if (!connection.send_all(batch, std::min(until, clock::now() + send_timeout), failure)) {
        connection_failed(failure);
        return false;
      }
      again = history.size();
      resent += again;
    }
    if (down) {
      down = false;
      diag.report(
          core::severity::info,
          fmt::format("accounting.forward: sending to {}:{} over {} again after {} s; {} record(s) sent "
                      "again because they may not have arrived",
                      settings.host, settings.port, settings.transport,
                      std::chrono::duration_cast<std::chrono::seconds>(clock::now() - down_since).count(), again));
    } else if (!announced) {
      diag.report(core::severity::info, fmt::format("accounting.forward: sending to {}:{} over {} ({})", settings.host,
                                                    settings.port, settings.transport, start_note));
    }
    announced = true;
    return true;
  }

  // RELP: `open` and its answer, before anything else may be sent.
  std::string open_session(deadline until) {
    parser.reset();
    received.clear();
    last_txnr = 1;
    std::string why;
    if (!connection.send_all(core::relp::open_frame(last_txnr, RASWARDEN_VERSION), until, why)) return why;
    std::vector<core::relp::response> frames;
    while (frames.empty()) {
      switch (connection.receive(received, until, why)) {
        case collector_connection::received::data: break;
        case collector_connection::received::nothing: return "no answer to RELP open before the timeout";
        case collector_connection::received::closed: return "the collector closed the connection after RELP open";
        case collector_connection::received::failed: return why;
      }
      const bool ok = parser.feed(received, frames);
      received.clear();
      if (!ok) return "a malformed RELP answer to open: " + parser.error();
    }
    if (frames.front().type == core::relp::response::kind::rsp && frames.front().txnr != 1) {
      return "the collector answered a transaction that was not sent";
    }
    return core::relp::check_open_response(frames.front());
  }

  bool send_pending(deadline until) {
    bool progress = false;
    const deadline send_until = std::min(until, clock::now() + send_timeout);
    std::string batch;
    std::string why;
    if (how == transport::relp) {
      std::vector<pending*> batched;
      for (pending& p : in_flight) {
        if (unacked >= window) break;
        if (p.acked || p.txnr != 0) continue;
        last_txnr = core::relp::next_txnr(last_txnr);
        p.txnr = last_txnr;
        batch += core::relp::syslog_frame(p.txnr, p.message);
        batched.push_back(&p);
        if (unacked++ == 0) waiting_since = clock::now();
      }
      if (batch.empty()) return false;
      if (!connection.send_all(batch, send_until, why)) {
        connection_failed(why);
        return true;
      }
      for (pending* p : batched) {
        if (p->sent_before) ++resent;
        p->sent_before = true;
      }
      return true;
    }
    if (how == transport::tcp) {
      // A collector that closed the connection shows as readable; TCP collectors never send.
      std::string ignored;
      const auto peer = connection.receive(ignored, clock::now(), why);
      if (peer == collector_connection::received::closed || peer == collector_connection::received::failed) {
        connection_failed(peer == collector_connection::received::closed ? "the collector closed the connection" : why);
        return true;
      }
      for (const pending& p : in_flight) batch += core::octet_counted(p.message);
      if (!connection.send_all(batch, send_until, why)) {
        connection_failed(why);
        return true;
      }
      while (!in_flight.empty()) {
        delivered = in_flight.front().after;
        ++delivered_records;
        history.push_back(std::move(in_flight.front().message));
        if (history.size() > tcp_resend_window) history.pop_front();
        in_flight.pop_front();
        progress = true;
      }
      return progress;
    }
    while (!in_flight.empty()) {  // UDP: one datagram per record
      const pending& p = in_flight.front();
      if (p.message.size() <= max_datagram && !connection.send_all(p.message, send_until, why)) {
        connection_failed(why);
        return true;
      }
      if (p.message.size() > max_datagram && !oversize_reported) {
        oversize_reported = true;
        diag.report(core::severity::warning,
                    fmt::format("accounting.forward: a record of {} bytes is too large for one UDP datagram and "
                                "was not forwarded (it stays in {})",
                                p.message.size(), log_format::file_name(p.after.file)));
      }
      delivered = p.after;
      ++delivered_records;
      in_flight.pop_front();
      progress = true;
    }
    return progress;
  }

  // RELP: reads what the collector sent (waiting until `until` for the first byte).
  bool take_answers(deadline until) {
    std::string why;
    switch (connection.receive(received, until, why)) {
      case collector_connection::received::nothing: return false;
      case collector_connection::received::closed: connection_lost("the collector closed the connection"); return true;
      case collector_connection::received::failed: connection_failed(why); return true;
      case collector_connection::received::data: break;
    }
    std::vector<core::relp::response> frames;
    const bool ok = parser.feed(received, frames);
    received.clear();
    for (const core::relp::response& frame : frames) {
      if (!connected) break;
      answer(frame);
    }
    if (!ok && connected) connection_failed("a malformed RELP frame from the collector: " + parser.error());
    return true;
  }

  void answer(const core::relp::response& frame) {
    if (frame.type == core::relp::response::kind::serverclose) {
      connection_lost("the collector ended the session (serverclose)");
      return;
    }
    if (frame.txnr == close_txnr) {
      close_answered = true;
      return;
    }
    const auto p = std::find_if(in_flight.begin(), in_flight.end(),
                                [&](const pending& r) { return !r.acked && r.txnr == frame.txnr; });
    if (p == in_flight.end()) {
      connection_failed(fmt::format("an answer for transaction {}, which is not waiting for one", frame.txnr));
      return;
    }
    --unacked;
    waiting_since = clock::now();
    if (frame.status == core::relp::status_ok) {
      p->acked = true;
      return;
    }
    if (++p->refusals >= refusals_before_skip) {
      p->acked = true;  // not delivered, but sending it again will not deliver it either
      diag.report(
          core::severity::warning,
          fmt::format("accounting.forward: the collector refused a record {} times ({} {}); it was skipped "
                      "and stays in {} before byte {}",
                      p->refusals, frame.status, frame.text, log_format::file_name(p->after.file), p->after.offset));
      return;
    }
    connection_failed(fmt::format("the collector refused a record ({} {})", frame.status, frame.text));
  }

  // The collector ended the session. With nothing waiting for it that is no failure (a collector
  // restarting at night, an idle timeout): the next record simply connects again.
  void connection_lost(const std::string& why) {
    const bool waiting = unacked > 0 || has_unsent();
    if (waiting || closing) {
      connection_failed(why);
      return;
    }
    connection.close(false);
    connected = false;
    parser.reset();
    received.clear();
  }

  void connection_failed(const std::string& why) {
    connection.close(false);
    connected = false;
    parser.reset();
    received.clear();
    for (pending& p : in_flight) p.txnr = 0;
    unacked = 0;
    const clock::time_point now = clock::now();
    retry_at = now + backoff;
    backoff = std::min(backoff * 2, max_backoff);
    if (down || closing) return;  // a session we are ending ends with serverclose: not a failure
    down = true;
    down_since = now;
    diag.report(core::severity::warning,
                fmt::format("accounting.forward: cannot send to {}:{} over {} ({}); retrying with backoff (up to "
                            "{} s), the records wait in the accounting files",
                            settings.host, settings.port, settings.transport, why.empty() ? "out of memory" : why,
                            std::chrono::duration_cast<std::chrono::seconds>(max_backoff).count()));
  }

  // ---- the cursor ----

  void advance_delivered() {
    while (!in_flight.empty() && in_flight.front().acked) {
      delivered = in_flight.front().after;
      in_flight.pop_front();
      ++delivered_records;
    }
    if (in_flight.empty()) delivered = reader.position();
  }

  void save_cursor(bool force) {
    if (!initialised || (saved && *saved == delivered)) return;
    const clock::time_point now = clock::now();
    if (!force && now - last_save < save_interval && delivered_records - saved_records < save_every) return;
    last_save = now;
    const std::string text = core::serialize(delivered);
    const std::wstring temporary = cursor_path + L".tmp";
    DWORD error = write_through(temporary, text);
    if (std::string ignored; error == ERROR_PATH_NOT_FOUND && ensure_trusted_folder(journal_folder, true, ignored)) {
      error = write_through(temporary, text);
    }
    if (error == 0 && ::MoveFileExW(temporary.c_str(), cursor_path.c_str(),
                                    MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) == 0) {
      error = ::GetLastError();
    }
    if (error != 0) {
      if (!save_failing) {
        save_failing = true;
        diag.report(core::severity::warning,
                    fmt::format("accounting.forward: cannot save the cursor {} ({}); a restart now may send records "
                                "again",
                                to_utf8(cursor_path), describe_error(error)));
      }
      return;
    }
    saved = delivered;
    saved_records = delivered_records;
    if (save_failing) {
      save_failing = false;
      diag.report(core::severity::info,
                  fmt::format("accounting.forward: the cursor {} is saved again", to_utf8(cursor_path)));
    }
  }

  // Into a new file: a leftover one is deleted first, so a planted link is never written through.
  static DWORD write_through(const std::wstring& path, const std::string& text) {
    ::DeleteFileW(path.c_str());
    std::string ignored;
    const unique_hfile file = open_owned_file(path, GENERIC_WRITE, 0, CREATE_NEW, ignored);
    if (!file) return ::GetLastError();
    DWORD written = 0;
    if (::WriteFile(file.get(), text.data(), static_cast<DWORD>(text.size()), &written, nullptr) == 0) {
      return ::GetLastError();
    }
    if (written != text.size()) return ERROR_WRITE_FAULT;
    if (::FlushFileBuffers(file.get()) == 0) return ::GetLastError();
    return 0;
  }

  void publish_lag() {
    std::uint64_t records = reader.unread_records();
    std::uint64_t bytes = reader.unread_bytes();
    for (const pending& p : in_flight) {
      if (p.acked) continue;
      ++records;
      bytes += p.bytes;
    }
    lag_records.store(records);
    lag_bytes.store(bytes);
    lag_resent.store(resent);
  }

  void finish(deadline until) {
    try {
      if (connected && how == transport::relp && clock::now() < until) {
        // `close`, and the acknowledgements that arrive before its answer.
        std::string why;
        closing = true;
        close_txnr = core::relp::next_txnr(last_txnr);
        if (connection.send_all(core::relp::close_frame(close_txnr), std::min(until, clock::now() + close_timeout),
                                why)) {
          const deadline close_until = std::min(until, clock::now() + close_timeout);
          while (connected && !close_answered && clock::now() < close_until && take_answers(close_until)) {
          }
        }
      }
      advance_delivered();
      connection.close(/*graceful=*/true);
      connected = false;
      save_cursor(true);
      publish_lag();
    } catch (...) {
    }
    finished.store(true);
  }

  core::forward_settings settings;
  core::syslog_identity identity;
  std::wstring folder;
  std::wstring journal_folder;
  std::wstring cursor_path;
  core::diagnostics& diag;
  transport how;

  // Used by the thread only (and by stop() once the thread has ended).
  winsock_session winsock;
  bool initialised = false;
  std::string start_note;
  core::forward_cursor delivered;
  std::optional<core::forward_cursor> saved;
  std::uint64_t delivered_records = 0;  // this run, so a save can follow a count as well as a clock
  std::uint64_t saved_records = 0;
  clock::time_point last_save{};
  bool save_failing = false;
  public_log_reader reader;
  std::vector<public_log_reader::record> lines;  // reused by fill()
  std::deque<pending> in_flight;
  std::deque<std::string> history;  // TCP: the last messages sent, for a reconnect
  bool oversize_reported = false;
  collector_connection connection;
  core::relp::response_parser parser;
  std::string received;
  std::uint32_t last_txnr = 0;
  std::uint32_t close_txnr = 0;
  bool close_answered = false;
  bool closing = false;  // `close` sent: what follows is the end of the session, not an outage
  std::size_t unacked = 0;
  clock::time_point waiting_since{};
  bool connected = false;
  bool announced = false;
  bool down = false;
  clock::time_point down_since{};
  clock::time_point retry_at{};
  clock::duration backoff = first_backoff;
  std::uint64_t resent = 0;

  // Shared with stop() and lag().
  std::atomic<bool> stop_called{false};
  std::atomic<bool> stopping{false};
  std::atomic<clock::rep> drain_until{0};
  std::atomic<bool> finished{false};
  std::atomic<bool> in_task{false};
  std::atomic<std::uint64_t> lag_records{0};
  std::atomic<std::uint64_t> lag_bytes{0};
  std::atomic<std::uint64_t> lag_resent{0};
  std::unique_ptr<periodic_thread> thread;  // last: it runs on everything above
};

record_forwarder::record_forwarder(core::forward_settings settings, core::syslog_identity identity,
                                   std::wstring log_directory, core::diagnostics& diag) {
  try {
    state_ = std::make_unique<state>(std::move(settings), std::move(identity), std::move(log_directory), diag);
    if (!state_->winsock.ready()) {
      diag.report(core::severity::error,
                  "accounting.forward: Winsock is not available; records are not forwarded (they stay in the "
                  "accounting files and are sent after a restart)");
      return;
    }
    state* s = state_.get();
    // Where delivery starts is decided now, before the caller writes this run's first record: a
    // first start forwards from here.
    s->initialise();
    s->thread = std::make_unique<periodic_thread>(poll_interval, [s] { s->task(); });
    if (!s->thread->running()) {
      s->thread.reset();
      diag.report(core::severity::error,
                  "accounting.forward: the forwarding thread could not start; records are not forwarded (they stay "
                  "in the accounting files and are sent after a restart)");
    }
  } catch (...) {
    state_.reset();
    diag.report(core::severity::error, "accounting.forward could not start (out of memory); records are not forwarded");
  }
}

record_forwarder::~record_forwarder() {
  (void)stop(std::chrono::milliseconds(0));
}

core::forward_lag record_forwarder::stop(std::chrono::milliseconds budget) noexcept {
  if (!state_) return lag();
  state& s = *state_;
  if (s.stop_called.exchange(true)) return lag();
  s.drain_until.store((clock::now() + budget).time_since_epoch().count());
  s.stopping.store(true);
  if (s.thread) {
    s.thread->wake();
    // Joins: the thread's pass sees `stopping`, delivers until the budget is spent (every wait in
    // it ends by then), saves the cursor and closes the connection.
    s.thread.reset();
  }
  // Without a thread (it could not start, or the exiting process ended it) the work is done here,
  // unless the thread was ended in the middle of a pass: then the cursor saved last stays.
  if (!s.finished.load() && !s.in_task.load()) s.drain_and_finish();
  return lag();
}

core::forward_lag record_forwarder::lag() const noexcept {
  core::forward_lag lag;
  if (!state_) return lag;
  lag.enabled = true;
  lag.records = state_->lag_records.load();
  lag.bytes = state_->lag_bytes.load();
  lag.resent = state_->lag_resent.load();
  return lag;
}

}  // namespace raswarden::win32
