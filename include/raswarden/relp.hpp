// The client side of RELP, rsyslog's Reliable Event Logging Protocol (docs/forwarding.md): the
// frames a sender writes (`open`, `syslog`, `close`) and an incremental parser for what the
// server sends back (`rsp` acknowledgements and the `serverclose` hint). Sockets live elsewhere;
// this is only bytes, so it is tested natively and fuzzed.
//
//   frame = TXNR SP COMMAND SP DATALEN [SP DATA] LF
//
// TXNR and DATALEN are 1 to 9 decimal digits, COMMAND 1 to 32 letters; DATA is present only when
// DATALEN is not 0. TXNR 0 is reserved for hints from the server; commands use 1..999,999,999,
// after which the numbering starts again at 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace raswarden::core::relp {

inline constexpr std::uint32_t max_txnr = 999'999'999;
inline constexpr std::size_t max_command_length = 32;
inline constexpr std::size_t max_number_digits = 9;
// What the parser accepts from a server by default: responses are short ("200 OK", or the
// offers answering `open`), so anything near this is a broken or hostile peer.
inline constexpr std::size_t default_max_response_data = 64 * 1024;
inline constexpr int status_ok = 200;

// The transaction number after `txnr` (1 after 999,999,999; also 1 after 0).
[[nodiscard]] constexpr std::uint32_t next_txnr(std::uint32_t txnr) noexcept {
  return txnr >= max_txnr || txnr == 0 ? 1 : txnr + 1;
}

// One frame. `command` must be 1..32 letters and `txnr` at most max_txnr (the encoders below
// always pass valid ones).
[[nodiscard]] std::string frame(std::uint32_t txnr, std::string_view command, std::string_view data);
// `open` with the offers a syslog sender makes: relp_version=0 (what rsyslog's librelp speaks),
// relp_software=raswarden,<version> and commands=syslog.
[[nodiscard]] std::string open_frame(std::uint32_t txnr, std::string_view software_version);
// `syslog` carrying one RFC 5424 message (core::syslog_message), unframed.
[[nodiscard]] std::string syslog_frame(std::uint32_t txnr, std::string_view message);
// `close`: the last command of a session.
[[nodiscard]] std::string close_frame(std::uint32_t txnr);

// A frame the server sent that the client must act on.
struct response {
  enum class kind : std::uint8_t { rsp, serverclose };
  kind type = kind::rsp;
  std::uint32_t txnr = 0;  // of the command answered (0 for serverclose)
  int status = 0;          // 200 acknowledges; anything else is a refusal (0: a rsp without data, as
                           // rsyslog answers `close`)
  std::string text;        // the human-readable message after the status ("OK")
  std::string data;        // what follows the first LF (the server's offers, for `open`)
  friend bool operator==(const response&, const response&) = default;
};

// Whether the server's answer to `open` accepts a session that may send `syslog`: status 200, a
// relp_version offer, and (when a commands offer is present) syslog among its commands. Empty
// when it does; otherwise why not.
[[nodiscard]] std::string check_open_response(const response& answer);

// Consumes the server's byte stream in whatever pieces it arrives and yields whole frames. The
// first malformed byte puts it in a failed state (the connection must be closed, as the
// protocol says); it then ignores everything until reset(). Memory stays bounded by
// `max_data` per frame.
class response_parser {
 public:
  explicit response_parser(std::size_t max_data = default_max_response_data) noexcept : max_data_(max_data) {}

  // Appends the frames completed by `bytes` to `out`. Returns false once the stream is broken
  // (error() says why), including when memory runs out. Hints other than serverclose are
  // skipped, as the protocol allows.
  bool feed(std::string_view bytes, std::vector<response>& out) noexcept;
  [[nodiscard]] bool failed() const noexcept { return !error_.empty(); }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  // Back to the start of a frame, for a new connection.
  void reset() noexcept;

 private:
  enum class state : std::uint8_t { txnr, command, datalen, data, trailer };
  bool fail(std::string_view why) noexcept;
  bool finish_frame(std::vector<response>& out);

  std::size_t max_data_;
  state state_ = state::txnr;
  std::uint32_t txnr_ = 0;
  std::size_t digits_ = 0;
  std::string command_;
  std::size_t datalen_ = 0;
  std::string data_;
  std::string error_;
};

}  // namespace raswarden::core::relp
