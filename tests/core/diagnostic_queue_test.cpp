#include "raswarden/diagnostic_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/fakes.hpp"

namespace raswarden::core {
namespace {

TEST(DiagnosticQueue, PassesEverythingInOrderThatIsNotAFlood) {
  testing::fake_clock clock;
  diagnostic_queue queue(clock);
  queue.push(severity::info, topic::started, "started");
  queue.push(severity::warning, topic::configuration, "one");
  queue.push(severity::warning, topic::configuration, "two");
  const auto drained = queue.drain();
  ASSERT_EQ(drained.size(), 3u);
  EXPECT_EQ(drained[0].message, "started");
  EXPECT_EQ(drained[2].message, "two");
  EXPECT_EQ(drained[1].level, severity::warning);
  EXPECT_TRUE(queue.drain().empty());
  EXPECT_EQ(queue.counts().written, 3u);
}

TEST(DiagnosticQueue, AFloodOfOneKindIsOneReportAndACountPerPeriod) {
  testing::fake_clock clock;
  diagnostic_queue queue(clock, 1024, 60'000);
  for (int i = 0; i < 1000; ++i)
    queue.push(severity::info, topic::connection_rejected, "rejected " + std::to_string(i));
  queue.push(severity::error, topic::accounting_failure, "disk full");  // another kind: its own period
  auto drained = queue.drain();
  ASSERT_EQ(drained.size(), 2u);
  EXPECT_EQ(drained[0].message, "rejected 0");
  EXPECT_EQ(drained[1].message, "disk full");
  EXPECT_EQ(queue.counts().suppressed, 999u);
  EXPECT_EQ(queue.counts().rejections_suppressed, 999u);

  clock.advance_ms(61000);  // the period is over: the count is told
  drained = queue.drain();
  ASSERT_EQ(drained.size(), 1u);
  EXPECT_EQ(drained[0].about, topic::connection_rejected);
  EXPECT_NE(drained[0].message.find("999 more rejected connection(s) in the last 61 s"), std::string::npos)
      << drained[0].message;
  queue.push(severity::info, topic::connection_rejected, "rejected again");
  drained = queue.drain();
  ASSERT_EQ(drained.size(), 1u);
  EXPECT_EQ(drained[0].message, "rejected again");
}

TEST(DiagnosticQueue, AReportAfterThePeriodFollowsTheSummaryOfTheOneBefore) {
  testing::fake_clock clock;
  diagnostic_queue queue(clock, 1024, 1'000);
  queue.push(severity::error, topic::internal_error, "fault 1");
  queue.push(severity::error, topic::internal_error, "fault 2");
  clock.advance_ms(2000);
  queue.push(severity::error, topic::internal_error, "fault 3");
  const auto drained = queue.drain();
  ASSERT_EQ(drained.size(), 3u);
  EXPECT_EQ(drained[0].message, "fault 1");
  EXPECT_NE(drained[1].message.find("1 more internal error(s)"), std::string::npos) << drained[1].message;
  EXPECT_EQ(drained[2].message, "fault 3");
}

TEST(DiagnosticQueue, DrainAllTellsEveryCountAtStop) {
  testing::fake_clock clock;
  diagnostic_queue queue(clock);
  queue.push(severity::error, topic::accounting_failure, "lost 1");
  queue.push(severity::error, topic::accounting_failure, "lost 2");
  queue.push(severity::error, topic::accounting_failure, "lost 3");
  const auto drained = queue.drain_all();
  ASSERT_EQ(drained.size(), 2u);
  EXPECT_NE(drained[1].message.find("2 more accounting failure report(s)"), std::string::npos) << drained[1].message;
}

TEST(DiagnosticQueue, AFullQueueDropsAndCounts) {
  testing::fake_clock clock;
  diagnostic_queue queue(clock, 4);
  for (int i = 0; i < 10; ++i) queue.push(severity::warning, topic::configuration, "w");
  EXPECT_EQ(queue.drain().size(), 4u);
  EXPECT_EQ(queue.counts().dropped, 6u);
  EXPECT_EQ(queue.counts().written, 4u);
}

// Many reporters, one drainer (TSan runs this): every report is written, held back or dropped,
// and counted exactly once.
TEST(DiagnosticQueue, ConcurrentReportersAreEachCountedOnce) {
  testing::fake_clock clock;
  diagnostic_queue queue(clock, 64);
  constexpr int threads = 4;
  constexpr int per_thread = 5000;
  std::atomic<bool> done{false};
  std::size_t drained = 0;
  std::thread drainer([&] {
    while (!done.load()) drained += queue.drain().size();
  });
  std::vector<std::thread> reporters;
  for (int t = 0; t < threads; ++t) {
    reporters.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        queue.push(severity::warning, i % 2 == 0 ? topic::configuration : topic::connection_rejected,
                   "thread " + std::to_string(t));
      }
    });
  }
  for (std::thread& r : reporters) r.join();
  done.store(true);
  drainer.join();
  drained += queue.drain_all().size();
  const diagnostic_counts counts = queue.counts();
  EXPECT_EQ(counts.written + counts.suppressed + counts.dropped, std::uint64_t{threads} * per_thread);
  EXPECT_EQ(counts.suppressed, std::uint64_t{threads} * per_thread / 2 - 1);
  EXPECT_GE(drained, counts.written);  // plus the summary
}

}  // namespace
}  // namespace raswarden::core

namespace raswarden::core {
namespace {

TEST(DiagnosticQueue, InternalErrorsOfDifferentExportsAreDifferentKinds) {
  testing::fake_clock clock;
  diagnostic_queue queue(clock);
  queue.push(severity::error, topic::internal_error, "MprAdminAcceptNewConnection called with unusable arguments");
  queue.push(severity::error, topic::internal_error, "MprAdminAcceptNewConnectionEx called with unusable arguments");
  queue.push(severity::error, topic::internal_error, "MprAdminAcceptNewConnectionEx called with unusable arguments");
  const auto drained = queue.drain_all();
  ASSERT_EQ(drained.size(), 3u);
  EXPECT_NE(drained[1].message.find("NewConnectionEx"), std::string::npos);
  EXPECT_NE(drained[2].message.find("1 more internal error(s)"), std::string::npos) << drained[2].message;
}

}  // namespace
}  // namespace raswarden::core
