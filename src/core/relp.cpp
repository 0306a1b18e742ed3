#include "raswarden/relp.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace raswarden::core::relp {

namespace {

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A byte as the error messages show it: printable ASCII as itself, anything else in hex.
std::string shown(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x21 && byte < 0x7f ? fmt::format("'{}'", c) : fmt::format("0x{:02X}", byte);
}

// Splits a `rsp` frame's DATA: STATUS [SP HUMAN-TEXT] [LF CMDDATA]. No data at all is what
// librelp answers `close` with; it carries no status (0).
bool parse_rsp_data(std::string_view data, response& out, std::string& why) {
  if (data.empty()) return true;
  if (data.size() < 3 || !is_digit(data[0]) || !is_digit(data[1]) || !is_digit(data[2])) {
    why = "a rsp frame whose data does not start with a three-digit status";
    return false;
  }
  out.status = (data[0] - '0') * 100 + (data[1] - '0') * 10 + (data[2] - '0');
  std::string_view rest = data.substr(3);
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\n') {
    why = fmt::format("a rsp status followed by {} instead of a space or LF", shown(rest.front()));
    return false;
  }
  if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  const std::size_t newline = rest.find('\n');
  out.text = std::string(rest.substr(0, newline));
  if (newline != std::string_view::npos) out.data = std::string(rest.substr(newline + 1));
  return true;
}

// The value of one offer ("name=value" lines) in an `open` answer; nullopt-like empty view with
// `found` false when the offer is absent.
std::string_view offer_value(std::string_view offers, std::string_view name, bool& found) {
  found = false;
  std::size_t start = 0;
  while (start <= offers.size()) {
    const std::size_t end = std::min(offers.find('\n', start), offers.size());
    const std::string_view line = offers.substr(start, end - start);
    const std::size_t equals = line.find('=');
    if (line.substr(0, equals) == name) {
      found = true;
      return equals == std::string_view::npos ? std::string_view{} : line.substr(equals + 1);
    }
    start = end + 1;
  }
  return {};
}

}  // namespace

std::string frame(std::uint32_t txnr, std::string_view command, std::string_view data) {
  if (data.empty()) return fmt::format("{} {} 0\n", txnr, command);
  return fmt::format("{} {} {} {}\n", txnr, command, data.size(), data);
}

std::string open_frame(std::uint32_t txnr, std::string_view software_version) {
  return frame(txnr, "open",
               fmt::format("relp_version=0\nrelp_software=raswarden,{}\ncommands=syslog", software_version));
}

std::string syslog_frame(std::uint32_t txnr, std::string_view message) {
  return frame(txnr, "syslog", message);
}

std::string close_frame(std::uint32_t txnr) {
  return frame(txnr, "close", {});
}

std::string check_open_response(const response& answer) {
  if (answer.type != response::kind::rsp) return "the server closed the session instead of answering open";
  if (answer.status != status_ok) {
    return fmt::format("the server refused the session: {} {}", answer.status, answer.text);
  }
  bool found = false;
  (void)offer_value(answer.data, "relp_version", found);
  if (!found) return "the server's answer to open has no relp_version offer";
  const std::string_view commands = offer_value(answer.data, "commands", found);
  if (found) {
    bool syslog = false;
    std::size_t start = 0;
    while (start <= commands.size() && !syslog) {
      const std::size_t end = std::min(commands.find(',', start), commands.size());
      syslog = commands.substr(start, end - start) == "syslog";
      start = end + 1;
    }
    if (!syslog) return fmt::format("the server does not offer the syslog command (commands={})", commands);
  }
  return {};
}

void response_parser::reset() noexcept {
  state_ = state::txnr;
  txnr_ = 0;
  digits_ = 0;
  command_.clear();
  datalen_ = 0;
  data_.clear();
  error_.clear();
}

bool response_parser::fail(std::string_view why) noexcept {
  try {
    error_ = why.empty() ? "malformed frame" : std::string(why);
  } catch (...) {
    error_.clear();
  }
  if (error_.empty()) {
    // Out of memory for the message itself: a short literal fits the small-string buffer.
    error_.assign("malformed");
  }
  return false;
}

bool response_parser::finish_frame(std::vector<response>& out) {
  response r;
  r.txnr = txnr_;
  std::string why;
  if (command_ == "rsp") {
    if (txnr_ == 0) return fail("a rsp frame with transaction number 0");
    if (!parse_rsp_data(data_, r, why)) return fail(why);
    out.push_back(std::move(r));
  } else if (command_ == "serverclose") {
    if (txnr_ != 0) return fail(fmt::format("a serverclose hint with transaction number {} instead of 0", txnr_));
    r.type = response::kind::serverclose;
    out.push_back(std::move(r));
  } else if (txnr_ != 0) {
    return fail(fmt::format("the server sent the command \"{}\"; only rsp frames and hints are expected", command_));
  }
  // Any other hint (transaction number 0) is advice the client may ignore.
  state_ = state::txnr;
  txnr_ = 0;
  digits_ = 0;
  command_.clear();
  datalen_ = 0;
  data_.clear();
  return true;
}

bool response_parser::feed(std::string_view bytes, std::vector<response>& out) noexcept {
  if (failed()) return false;
  try {
    std::size_t i = 0;
    while (i < bytes.size()) {
      const char c = bytes[i];
      switch (state_) {
        case state::txnr:
          if (is_digit(c)) {
            if (++digits_ > max_number_digits) return fail("a transaction number longer than 9 digits");
            txnr_ = txnr_ * 10 + static_cast<std::uint32_t>(c - '0');
          } else if (c == ' ' && digits_ > 0) {
            state_ = state::command;
          } else {
            return fail(fmt::format("{} where a transaction number digit was expected", shown(c)));
          }
          ++i;
          break;
        case state::command:
          if (is_letter(c)) {
            if (command_.size() == max_command_length) return fail("a command longer than 32 letters");
            command_.push_back(c);
          } else if (c == ' ' && !command_.empty()) {
            state_ = state::datalen;
            digits_ = 0;
          } else {
            return fail(fmt::format("{} where a command letter was expected", shown(c)));
          }
          ++i;
          break;
        case state::datalen:
          if (is_digit(c)) {
            if (++digits_ > max_number_digits) return fail("a DATALEN longer than 9 digits");
            datalen_ = datalen_ * 10 + static_cast<std::size_t>(c - '0');
            if (datalen_ > max_data_) {
              return fail(
                  fmt::format("a frame of more than {} data bytes (the limit for a server's answer)", max_data_));
            }
          } else if (digits_ > 0 && c == '\n' && datalen_ == 0) {
            if (!finish_frame(out)) return false;
          } else if (digits_ > 0 && c == ' ' && datalen_ > 0) {
            state_ = state::data;
          } else if (digits_ > 0 && datalen_ == 0) {
            return fail(fmt::format("{} after DATALEN 0 instead of LF", shown(c)));
          } else if (digits_ > 0 && c == '\n') {
            return fail(fmt::format("LF right after DATALEN {}: the data is missing", datalen_));
          } else {
            return fail(fmt::format("{} where a DATALEN digit was expected", shown(c)));
          }
          ++i;
          break;
        case state::data: {
          const std::size_t take = std::min(datalen_ - data_.size(), bytes.size() - i);
          data_.append(bytes.substr(i, take));
          i += take;
          if (data_.size() == datalen_) state_ = state::trailer;
          break;
        }
        case state::trailer:
          if (c != '\n') return fail(fmt::format("{} where the frame's closing LF was expected", shown(c)));
          if (!finish_frame(out)) return false;
          ++i;
          break;
      }
    }
    return true;
  } catch (...) {
    return fail("out of memory while reading the server's frames");
  }
}

}  // namespace raswarden::core::relp
