// RELP framing (docs/forwarding.md): the frames the forwarder sends byte for byte, and the
// response parser fed whole, byte by byte and in odd pieces, refusing every malformed stream.
#include "raswarden/relp.hpp"

#include <gtest/gtest.h>

namespace raswarden::core::relp {
namespace {

std::vector<response> parse_all(std::string_view bytes, response_parser& parser) {
  std::vector<response> out;
  EXPECT_TRUE(parser.feed(bytes, out)) << parser.error();
  return out;
}

std::string error_of(std::string_view bytes) {
  response_parser parser(1024);
  std::vector<response> out;
  EXPECT_FALSE(parser.feed(bytes, out)) << "accepted: " << bytes;
  EXPECT_TRUE(parser.failed());
  return parser.error();
}

TEST(RelpFrames, OpenOffersVersionSoftwareAndTheSyslogCommand) {
  const std::string data = "relp_version=0\nrelp_software=raswarden,0.1.0\ncommands=syslog";
  EXPECT_EQ(open_frame(1, "0.1.0"), "1 open " + std::to_string(data.size()) + " " + data + "\n");
}

TEST(RelpFrames, SyslogCarriesTheMessageWithItsByteLength) {
  EXPECT_EQ(syslog_frame(2, "<134>1 - - - - - - {}"), "2 syslog 21 <134>1 - - - - - - {}\n");
  EXPECT_EQ(syslog_frame(999999999, "h\xC3\xA9"), "999999999 syslog 3 h\xC3\xA9\n");  // bytes, not characters
}

TEST(RelpFrames, CloseAndEmptyDataHaveNoDataSpace) {
  EXPECT_EQ(close_frame(7), "7 close 0\n");
  EXPECT_EQ(frame(3, "syslog", ""), "3 syslog 0\n");
}

TEST(RelpFrames, TransactionNumbersStartAtOneAndWrapAfterNineDigits) {
  EXPECT_EQ(next_txnr(0), 1u);
  EXPECT_EQ(next_txnr(1), 2u);
  EXPECT_EQ(next_txnr(max_txnr - 1), max_txnr);
  EXPECT_EQ(next_txnr(max_txnr), 1u);
}

TEST(RelpParser, ReadsAnAcknowledgement) {
  response_parser parser;
  const auto frames = parse_all("1 rsp 6 200 OK\n", parser);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], (response{response::kind::rsp, 1, 200, "OK", ""}));
}

TEST(RelpParser, ReadsTheAnswerToOpenWithItsOffers) {
  const std::string data =
      "200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog";
  response_parser parser;
  const auto frames = parse_all("1 rsp " + std::to_string(data.size()) + " " + data + "\n", parser);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].status, 200);
  EXPECT_EQ(frames[0].text, "OK");
  EXPECT_EQ(frames[0].data, "relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog");
  EXPECT_EQ(check_open_response(frames[0]), "");
}

TEST(RelpParser, SameFramesWholeByteByByteAndInPieces) {
  const std::string stream =
      "1 rsp 6 200 OK\n2 rsp 17 500 queue is full\n0 serverclose 0\n3 rsp 3 200\n0 abort 0\n4 rsp 4 200 \n";
  response_parser whole;
  const auto expected = parse_all(stream, whole);
  ASSERT_EQ(expected.size(), 5u);  // the unknown hint "abort" is skipped
  EXPECT_EQ(expected[1], (response{response::kind::rsp, 2, 500, "queue is full", ""}));
  EXPECT_EQ(expected[2].type, response::kind::serverclose);
  EXPECT_EQ(expected[3], (response{response::kind::rsp, 3, 200, "", ""}));
  EXPECT_EQ(expected[4], (response{response::kind::rsp, 4, 200, "", ""}));
  for (std::size_t piece = 1; piece <= 7; ++piece) {
    response_parser parser;
    std::vector<response> frames;
    for (std::size_t at = 0; at < stream.size(); at += piece) {
      ASSERT_TRUE(parser.feed(std::string_view(stream).substr(at, piece), frames)) << parser.error();
    }
    EXPECT_EQ(frames, expected) << "pieces of " << piece;
  }
}

TEST(RelpParser, RefusesMalformedStreams) {
  EXPECT_EQ(error_of("x rsp 6 200 OK\n"), "'x' where a transaction number digit was expected");
  EXPECT_EQ(error_of(" rsp 6 200 OK\n"), "0x20 where a transaction number digit was expected");
  EXPECT_EQ(error_of("1234567890 rsp 6 200 OK\n"), "a transaction number longer than 9 digits");
  EXPECT_EQ(error_of("1 r2p 6 200 OK\n"), "'2' where a command letter was expected");
  EXPECT_EQ(error_of("1  6 200 OK\n"), "0x20 where a command letter was expected");
  EXPECT_EQ(error_of("1 " + std::string(33, 'a') + " 0\n"), "a command longer than 32 letters");
  EXPECT_EQ(error_of("1 rsp x\n"), "'x' where a DATALEN digit was expected");
  EXPECT_EQ(error_of("1 rsp 0000000001 "), "a DATALEN longer than 9 digits");
  EXPECT_EQ(error_of("1 rsp 1025 "), "a frame of more than 1024 data bytes (the limit for a server's answer)");
  EXPECT_EQ(error_of("1 rsp 6\n"), "LF right after DATALEN 6: the data is missing");
  EXPECT_EQ(error_of("1 rsp 0 \n"), "0x20 after DATALEN 0 instead of LF");
  EXPECT_EQ(error_of("1 rsp 6 200 OKX"), "'X' where the frame's closing LF was expected");
  EXPECT_EQ(error_of("1 rsp 6 200 OK\r\n"), "0x0D where the frame's closing LF was expected");
  EXPECT_EQ(error_of("0 rsp 6 200 OK\n"), "a rsp frame with transaction number 0");
  EXPECT_EQ(error_of("1 rsp 6 2x0 OK\n"), "a rsp frame whose data does not start with a three-digit status");
  EXPECT_EQ(error_of("1 rsp 4 2000\n"), "a rsp status followed by '0' instead of a space or LF");
  EXPECT_EQ(error_of("5 serverclose 0\n"), "a serverclose hint with transaction number 5 instead of 0");
  EXPECT_EQ(error_of("2 syslog 2 hi\n"),
            "the server sent the command \"syslog\"; only rsp frames and hints are expected");
}

TEST(RelpParser, ReadsTheDatalessAnswerToCloseAndTheServercloseThatFollows) {
  response_parser parser;  // what rsyslog 8.2302 (librelp 1.11) sends after "3 close 0"
  const auto frames = parse_all("3 rsp 0\n0 serverclose 0\n", parser);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], (response{response::kind::rsp, 3, 0, "", ""}));
  EXPECT_EQ(frames[1].type, response::kind::serverclose);
}

TEST(RelpParser, StaysFailedUntilResetAndKeepsFramesBeforeTheError) {
  response_parser parser;
  std::vector<response> frames;
  EXPECT_FALSE(parser.feed("1 rsp 6 200 OK\n2 rsp 6 200 OK?", frames));
  EXPECT_EQ(frames.size(), 1u);
  EXPECT_FALSE(parser.feed("3 rsp 6 200 OK\n", frames));
  EXPECT_EQ(frames.size(), 1u);
  parser.reset();
  EXPECT_FALSE(parser.failed());
  EXPECT_TRUE(parser.feed("3 rsp 6 200 OK\n", frames));
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1].txnr, 3u);
}

TEST(RelpParser, DataMayHoldAnyBytesIncludingLfAndNul) {
  const std::string data = std::string("200 OK\n", 7) + std::string("a\0b\nc", 5);
  response_parser parser;
  const auto frames = parse_all("9 rsp " + std::to_string(data.size()) + " " + data + "\n", parser);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].data, std::string("a\0b\nc", 5));
}

TEST(RelpOpen, RefusesAnswersThatDoNotOpenASyslogSession) {
  EXPECT_EQ(check_open_response({response::kind::rsp, 1, 500, "not now", ""}),
            "the server refused the session: 500 not now");
  EXPECT_EQ(check_open_response({response::kind::serverclose, 0, 0, "", ""}),
            "the server closed the session instead of answering open");
  EXPECT_EQ(check_open_response({response::kind::rsp, 1, 200, "OK", "commands=syslog"}),
            "the server's answer to open has no relp_version offer");
  EXPECT_EQ(check_open_response({response::kind::rsp, 1, 200, "OK", "relp_version=0\ncommands=eventlog"}),
            "the server does not offer the syslog command (commands=eventlog)");
  EXPECT_EQ(check_open_response({response::kind::rsp, 1, 200, "OK", "relp_version=0\ncommands=eventlog,syslog"}), "");
  EXPECT_EQ(check_open_response({response::kind::rsp, 1, 200, "OK", "relp_version=0"}), "");
}

}  // namespace
}  // namespace raswarden::core::relp
