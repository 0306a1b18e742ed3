#include "raswarden/accounting.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/fakes.hpp"

namespace raswarden::core {
namespace {

using testing::failing_sink;
using testing::fake_clock;
using testing::recording_diagnostics;

TEST(FormatTimestamp, Epoch) {
  EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00.000Z");
}

TEST(FormatTimestamp, KnownInstantsWithMilliseconds) {
  EXPECT_EQ(format_timestamp(1795305137123), "2026-11-21T23:52:17.123Z");
  EXPECT_EQ(format_timestamp(946684799999), "1999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_timestamp(946684800000), "2000-01-01T00:00:00.000Z");
  EXPECT_EQ(format_timestamp(1), "1970-01-01T00:00:00.001Z");
}

TEST(FormatTimestamp, LeapDays) {
  EXPECT_EQ(format_timestamp(1709210096789), "2024-02-29T12:34:56.789Z");
  EXPECT_EQ(format_timestamp(951782400001), "2000-02-29T00:00:00.001Z");
  // The day after a leap day.
  EXPECT_EQ(format_timestamp(1709251200000), "2024-03-01T00:00:00.000Z");
}

TEST(FormatTimestamp, BeforeEpoch) {
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59.999Z");
}

TEST(FormatTimestamp, AlwaysSameLength) {
  for (const std::int64_t ms : {std::int64_t{0}, std::int64_t{1709210096789}, std::int64_t{253402300799999}}) {
    EXPECT_EQ(format_timestamp(ms).size(), 24U) << ms;
  }
  EXPECT_EQ(format_timestamp(253402300799999), "9999-12-31T23:59:59.999Z");
}

TEST(MemorySink, KeepsLinesInOrder) {
  memory_sink sink;
  EXPECT_TRUE(sink.lines().empty());
  EXPECT_TRUE(sink.append("a\n"));
  EXPECT_TRUE(sink.append("b\n"));
  EXPECT_EQ(sink.lines(), (std::vector<std::string>{"a\n", "b\n"}));
}

struct writer_fixture {
  explicit writer_fixture(std::int64_t tick_ms = 1) : time(1709210096789, tick_ms) {
    auto owned = std::make_unique<memory_sink>();
    sink = owned.get();
    writer = std::make_unique<accounting_writer>("vpn-gw1", std::move(owned), time, diag);
  }
  std::vector<nlohmann::json> records() const {
    std::vector<nlohmann::json> out;
    for (const auto& line : sink->lines()) {
      EXPECT_EQ(line.back(), '\n');
      EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
      out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }
  fake_clock time;
  recording_diagnostics diag;
  memory_sink* sink = nullptr;
  std::unique_ptr<accounting_writer> writer;
};

TEST(AccountingWriter, WritesCommonFields) {
  writer_fixture f(0);
  json_line& line = f.writer->begin("connection-accept", "MprAdminAcceptNewConnection3");
  line.field("user", "alice");
  EXPECT_TRUE(f.writer->commit(line));

  const auto records = f.records();
  ASSERT_EQ(records.size(), 1U);
  const auto& r = records[0];
  EXPECT_EQ(r["schema"], accounting_schema_version);
  EXPECT_EQ(r["ts"], "2024-02-29T12:34:56.789Z");
  EXPECT_EQ(r["event"], "connection-accept");
  EXPECT_EQ(r["server"], "vpn-gw1");
  EXPECT_EQ(r["callback"], "MprAdminAcceptNewConnection3");
  EXPECT_EQ(r["seq"], 1);
  EXPECT_EQ(r["user"], "alice");
  EXPECT_EQ(f.writer->records_written(), 1U);
  EXPECT_EQ(f.writer->records_failed(), 0U);
  // The first fields come in a fixed order.
  EXPECT_EQ(f.sink->lines()[0].rfind("{\"schema\":1,\"ts\":\"2024-02-29T12:34:56.789Z\",\"event\":", 0), 0U)
      << f.sink->lines()[0];
}

TEST(AccountingWriter, SeqStrictlyIncreasesFromOneAndTimeFollowsFileOrder) {
  writer_fixture f(3);
  for (int i = 0; i < 10; ++i) {
    json_line& line = f.writer->begin("ip-assign", "MprAdminGetIpAddressForUser");
    line.field("i", std::uint64_t(i));
    ASSERT_TRUE(f.writer->commit(line));
  }
  const auto records = f.records();
  ASSERT_EQ(records.size(), 10U);
  std::string last_ts;
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["seq"].get<std::uint64_t>(), i + 1);
    EXPECT_EQ(records[i]["i"].get<std::uint64_t>(), i);
    const auto ts = records[i]["ts"].get<std::string>();
    EXPECT_GE(ts, last_ts);  // fixed-width RFC 3339 compares as text
    last_ts = ts;
  }
  EXPECT_EQ(records.front()["ts"], "2024-02-29T12:34:56.789Z");
  EXPECT_EQ(records.back()["ts"], "2024-02-29T12:34:56.816Z");
  EXPECT_EQ(f.writer->records_written(), 10U);
}

TEST(AccountingWriter, ConcurrentWritersKeepSeqAndTimeInFileOrder) {
  writer_fixture f(1);
  constexpr int threads = 4;
  constexpr int per_thread = 200;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&f, t] {
      for (int i = 0; i < per_thread; ++i) {
        json_line& line = f.writer->begin("link-accept", "thread");
        line.field("thread", std::uint64_t(t));
        f.writer->commit(line);
      }
    });
  }
  for (auto& w : workers) w.join();
  const auto records = f.records();
  ASSERT_EQ(records.size(), std::size_t{threads * per_thread});
  std::string last_ts;
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["seq"].get<std::uint64_t>(), i + 1);
    const auto ts = records[i]["ts"].get<std::string>();
    EXPECT_GT(ts, last_ts);  // the clock ticks 1 ms per read, and it is read under the lock
    last_ts = ts;
  }
}

TEST(AccountingWriter, FailingSinkHoldsRecordsAndWritesThemFirstOnRecovery) {
  fake_clock time;
  recording_diagnostics diag;
  auto owned = std::make_unique<failing_sink>();
  failing_sink* sink = owned.get();
  accounting_writer writer("srv", std::move(owned), time, diag);

  json_line& line = writer.begin("service-start", "MprAdminInitializeDll");
  EXPECT_FALSE(writer.commit(line));
  EXPECT_EQ(writer.records_failed(), 1U);
  EXPECT_EQ(writer.records_written(), 0U);
  EXPECT_EQ(writer.records_held(), 1U);
  EXPECT_FALSE(writer.healthy());
  const auto entries = diag.entries();
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].level, severity::error);
  EXPECT_NE(entries[0].message.find("cannot be written"), std::string::npos) << entries[0].message;

  // A second failure is held too and not reported again (reports come on transitions only).
  json_line& second = writer.begin("connection-accept", "MprAdminAcceptNewConnectionEx");
  EXPECT_FALSE(writer.commit(second));
  EXPECT_EQ(writer.records_held(), 2U);
  EXPECT_EQ(diag.entries().size(), 1U);

  // Once the sink recovers, the held records go first, in seq order, then the new one.
  sink->fail = false;
  json_line& next = writer.begin("service-stop", "MprAdminTerminateDll");
  EXPECT_TRUE(writer.commit(next));
  EXPECT_TRUE(writer.healthy());
  EXPECT_EQ(writer.records_written(), 3U);
  EXPECT_EQ(writer.records_held(), 0U);
  EXPECT_EQ(writer.records_lost(), 0U);
  const auto lines = sink->inner.lines();
  ASSERT_EQ(lines.size(), 3U);
  for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(nlohmann::json::parse(lines[i])["seq"], i + 1);
  ASSERT_EQ(diag.entries().size(), 2U);
  EXPECT_EQ(diag.entries()[1].level, severity::info);
}

TEST(AccountingWriter, MaintainDrainsHeldRecordsWithoutNewTraffic) {
  fake_clock time;
  recording_diagnostics diag;
  auto owned = std::make_unique<failing_sink>();
  failing_sink* sink = owned.get();
  accounting_writer writer("srv", std::move(owned), time, diag);
  json_line& line = writer.begin("connection-stop", "cb");
  EXPECT_FALSE(writer.commit(line));
  writer.maintain();  // still failing: stays held
  EXPECT_EQ(writer.records_held(), 1U);
  sink->fail = false;
  writer.maintain();
  EXPECT_EQ(writer.records_held(), 0U);
  EXPECT_TRUE(writer.healthy());
  EXPECT_EQ(sink->inner.lines().size(), 1U);
}

// A record held before midnight and written after it still goes to the file of the day its ts
// names: the sink is handed the record's own stamp, not the time of the retry.
TEST(AccountingWriter, HeldRecordsAreFiledUnderTheirOwnTimeWhenTheyDrainAfterMidnight) {
  fake_clock time(1795305599000);  // 2026-11-21T23:59:59Z
  recording_diagnostics diag;
  auto owned = std::make_unique<failing_sink>();
  failing_sink* sink = owned.get();
  accounting_writer writer("srv", std::move(owned), time, diag);
  json_line& line = writer.begin("connection-stop", "cb");
  EXPECT_FALSE(writer.commit(line));
  time.set_unix_ms(1795305605000);  // 00:00:05 the next day
  sink->fail = false;
  writer.maintain();
  ASSERT_EQ(sink->stamps.size(), 1U);
  EXPECT_EQ(sink->stamps[0], 1795305599000);
  EXPECT_EQ(nlohmann::json::parse(sink->inner.lines().at(0))["ts"], "2026-11-21T23:59:59.000Z");
}

// A record longer than the sink can ever take is reported and dropped, not held: held, it would
// stand in front of every later record for good.
TEST(AccountingWriter, ARecordLongerThanTheSinkTakesIsReportedAndDoesNotBlockTheOthers) {
  class small_sink final : public record_sink {
   public:
    bool append(std::string_view line) noexcept override { return line.size() <= 400 && inner.append(line); }
    [[nodiscard]] std::size_t largest_line() const noexcept override { return 400; }
    memory_sink inner;
  };
  fake_clock time;
  recording_diagnostics diag;
  auto owned = std::make_unique<small_sink>();
  small_sink* sink = owned.get();
  accounting_writer writer("srv", std::move(owned), time, diag);
  json_line& huge = writer.begin("config-rejected", "cb");
  huge.field("problems", std::string(1000, 'p'));
  EXPECT_FALSE(writer.commit(huge));
  EXPECT_EQ(writer.records_lost(), 1U);
  EXPECT_EQ(writer.records_held(), 0U);
  EXPECT_TRUE(writer.healthy());
  ASSERT_EQ(diag.entries().size(), 1U);
  EXPECT_NE(diag.entries()[0].message.find("more than the longest record"), std::string::npos);
  json_line& next = writer.begin("service-stop", "cb");
  EXPECT_TRUE(writer.commit(next));
  EXPECT_EQ(sink->inner.lines().size(), 1U);
}

TEST(AccountingWriter, QueueLimitBoundsMemoryAndCountsLostRecords) {
  fake_clock time;
  recording_diagnostics diag;
  auto owned = std::make_unique<failing_sink>();
  failing_sink* sink = owned.get();
  accounting_writer writer("srv", std::move(owned), time, diag, 3);
  for (int i = 0; i < 5; ++i) {
    json_line& line = writer.begin("connection-accept", "cb");
    EXPECT_FALSE(writer.commit(line));
  }
  EXPECT_EQ(writer.records_held(), 3U);
  EXPECT_EQ(writer.records_lost(), 2U);
  sink->fail = false;
  writer.maintain();
  const auto lines = sink->inner.lines();
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["seq"], 1);  // the oldest are kept, the newest lost
  EXPECT_EQ(nlohmann::json::parse(lines[2])["seq"], 3);
}

TEST(AccountingWriter, MissingSinkCountsAsFailure) {
  fake_clock time;
  recording_diagnostics diag;
  accounting_writer writer("srv", nullptr, time, diag);
  json_line& line = writer.begin("service-start", "cb");
  EXPECT_FALSE(writer.commit(line));
  EXPECT_EQ(writer.records_failed(), 1U);
  EXPECT_EQ(diag.count(severity::error), 1U);
}

TEST(AccountingWriter, EscapesServerAndCallback) {
  fake_clock time;
  recording_diagnostics diag;
  auto owned = std::make_unique<memory_sink>();
  memory_sink* sink = owned.get();
  accounting_writer writer("gw\"1\\", std::move(owned), time, diag);
  json_line& line = writer.begin("service-start", "cb\n");
  ASSERT_TRUE(writer.commit(line));
  const auto r = nlohmann::json::parse(sink->lines().at(0));
  EXPECT_EQ(r["server"], "gw\"1\\");
  EXPECT_EQ(r["callback"], "cb\n");
}

}  // namespace
}  // namespace raswarden::core
