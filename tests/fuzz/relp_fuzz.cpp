// What a RELP server (or anything pretending to be one) sends back: arbitrary bytes through
// relp::response_parser, whole and cut into pieces the input chooses, each frame checked against
// the grammar and read back after encoding again, and check_open_response over every rsp frame.
//
// Input: a byte choosing the piece size (0: one byte at a time) and the parser's data limit, then
// the stream.
#include <algorithm>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "raswarden/relp.hpp"

namespace {

using namespace raswarden;
using core::relp::response;
using core::relp::response_parser;

struct outcome {
  std::vector<response> frames;
  bool ok = true;
  std::string error;
};

outcome parse(std::string_view stream, std::size_t piece, std::size_t limit) {
  response_parser parser(limit);
  outcome result;
  for (std::size_t at = 0; at < stream.size() && result.ok; at += piece) {
    result.ok = parser.feed(stream.substr(at, piece), result.frames);
  }
  if (result.ok == parser.failed()) fuzz::fail("feed's answer and failed() disagree");
  result.error = parser.error();
  if (!result.ok && result.error.empty()) fuzz::fail("a failed parser without a reason");
  std::vector<response> after;
  if (!result.ok && (parser.feed("1 rsp 6 200 OK\n", after) || !after.empty())) {
    fuzz::fail("a failed parser accepted more bytes");
  }
  return result;
}

void check_frame(const response& r, std::size_t limit) {
  if (r.type == response::kind::serverclose) {
    if (r.txnr != 0 || r.status != 0 || !r.text.empty() || !r.data.empty()) fuzz::fail("a serverclose with content");
    return;
  }
  if (r.txnr == 0 || r.txnr > core::relp::max_txnr) fuzz::fail("a rsp whose txnr is out of range");
  if (r.status < 0 || r.status > 999) fuzz::fail("a status that is not three digits");
  if (r.text.find('\n') != std::string::npos) fuzz::fail("a human-readable text holding LF");
  if (r.text.size() + r.data.size() + 4 > limit + 1) fuzz::fail("a frame larger than the parser's limit");
  (void)core::relp::check_open_response(r);
  // Encoded again, the same frame comes back.
  std::string data = std::to_string(r.status);
  while (data.size() < 3) data.insert(data.begin(), '0');
  if (!r.text.empty()) data += " " + r.text;
  if (!r.data.empty() || r.text.empty()) data += "\n" + r.data;
  response_parser again(data.size() + 1);
  std::vector<response> frames;
  if (!again.feed(core::relp::frame(r.txnr, "rsp", data), frames) || frames.size() != 1 || frames[0] != r) {
    fuzz::fail("a rsp frame does not survive being encoded again: " + again.error());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = data[0] & 0x0F ? data[0] & 0x0F : 1;
  const std::size_t limit = (data[0] & 0x80) ? 64 : core::relp::default_max_response_data;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  const outcome whole = parse(stream, std::max<std::size_t>(stream.size(), 1), limit);
  const outcome pieces = parse(stream, piece, limit);
  if (whole.ok != pieces.ok || whole.error != pieces.error || whole.frames != pieces.frames) {
    fuzz::fail("the frames depend on how the bytes arrived");
  }
  for (const response& r : whole.frames) check_frame(r, limit);
  return 0;
}
