#include "raswarden/syslog.hpp"

#include <gtest/gtest.h>

namespace raswarden::core {
namespace {

constexpr std::string_view record =
    R"({"schema":1,"ts":"2026-11-22T01:02:03.456Z","event":"connection-accept","server":"gw1","user":"alice"})"
    "\n";

TEST(Syslog, Rfc5424HeaderTakesTimestampAndMsgidFromTheRecord) {
  const syslog_identity identity{"gw1.contoso.com", "raswarden", 4242, 16};
  EXPECT_EQ(
      syslog_message(identity, record),
      "<134>1 2026-11-22T01:02:03.456Z gw1.contoso.com raswarden 4242 connection-accept - "
      R"({"schema":1,"ts":"2026-11-22T01:02:03.456Z","event":"connection-accept","server":"gw1","user":"alice"})");
}

TEST(Syslog, MissingFieldsBecomeNilValuesAndHeaderFieldsAreSanitised) {
  const syslog_identity identity{"my host", "", 0, 4};
  EXPECT_EQ(syslog_message(identity, "{}"), "<38>1 - my_host - - - - {}");
}

TEST(Syslog, OctetCountingPrefixesTheByteLength) {
  EXPECT_EQ(octet_counted("<134>1 - - - - - - {}"), "21 <134>1 - - - - - - {}");
  EXPECT_EQ(octet_counted("h\xC3\xA9"), "3 h\xC3\xA9");  // bytes, not characters
}

}  // namespace
}  // namespace raswarden::core
