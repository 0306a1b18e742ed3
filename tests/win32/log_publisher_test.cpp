// log_publisher on its own, over a journal ring in plain memory: what it writes, when it says it
// cannot, and the latency it measures.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "raswarden/journal.hpp"
#include "win32/log_publisher.hpp"
#include "win32/pipeline_fixture.hpp"
#include "win32/system.hpp"

namespace raswarden::win32::testing {
namespace {

class win32_log_publisher : public pipeline_test {
 protected:
  std::vector<std::byte> memory = std::vector<std::byte>(core::journal_header_bytes + core::journal_min_capacity);
  core::journal_ring ring = core::journal_ring::create(memory, 0x5EED, clock.now_unix_ms());
};

TEST_F(win32_log_publisher, publishes_every_record_up_to_the_head_and_measures_how_long_they_waited) {
  log_publisher publisher(folder(), 64ull << 20, diag);
  publisher.resume(ring);  // a new journal names no file: nothing to resume
  EXPECT_TRUE(publisher.current_path().empty());
  const std::int64_t now = clock.now_unix_ms();
  std::vector<std::string> lines;
  for (std::uint64_t i = 0; i < 100; ++i) {
    const std::int64_t stamped = now - static_cast<std::int64_t>(99 - i);  // waited 99 ... 0 ms
    lines.push_back(record(i + 1, stamped));
    ASSERT_TRUE(ring.append(lines.back(), stamped));
  }
  EXPECT_TRUE(publisher.publish(ring, now));
  publisher.flush();
  EXPECT_EQ(publisher.current_path(), public_path(last_day));
  EXPECT_EQ(ring.used(), 0u) << "published records keep their journal space";
  EXPECT_EQ(ring.public_file(), (core::log_format::file_id{last_day, 0}));
  expect_public_files({{name_of(last_day), join(lines)}});
  const publication_latency latency = publisher.latency();
  EXPECT_EQ(latency.records, 100u);
  EXPECT_EQ(latency.p50_ms, 49u);
  EXPECT_EQ(latency.p99_ms, 98u);
  EXPECT_EQ(latency.max_ms, 99u);
  EXPECT_TRUE(publisher.publish(ring, now)) << "nothing to publish is no failure";
  EXPECT_TRUE(diag.entries().empty()) << all_reports();
}

TEST_F(win32_log_publisher, says_it_cannot_write_once_keeps_the_records_and_writes_them_when_it_can) {
  log_publisher publisher(folder(), 64ull << 20, diag);
  publisher.resume(ring);
  // A file where the accounting folder belongs: nothing can be written until it is gone.
  remove_tree(folder());
  write_bytes(folder(), "not a folder\n");
  const std::vector<std::string> lines = {record(1, clock.now_unix_ms()), record(2, clock.now_unix_ms())};
  for (const std::string& line : lines) ASSERT_TRUE(ring.append(line, clock.now_unix_ms()));
  EXPECT_FALSE(publisher.publish(ring, clock.now_unix_ms()));
  EXPECT_FALSE(publisher.publish(ring, clock.now_unix_ms()));
  EXPECT_EQ(ring.used(), ring.head()) << "a record that was not written lost its journal space";
  ASSERT_EQ(diag.entries().size(), 1u) << all_reports();
  EXPECT_EQ(diag.entries()[0].level, core::severity::error);
  EXPECT_EQ(diag.entries()[0].about, core::topic::accounting_failure);
  EXPECT_NE(diag.entries()[0].message.find(to_utf8(folder())), std::string::npos) << all_reports();

  ASSERT_TRUE(::DeleteFileW(folder().c_str()));
  EXPECT_TRUE(publisher.publish(ring, clock.now_unix_ms()));
  EXPECT_EQ(ring.used(), 0u);
  expect_public_files({{name_of(last_day), join(lines)}});
  ASSERT_EQ(diag.entries().size(), 2u) << all_reports();
  EXPECT_EQ(diag.entries()[1].level, core::severity::info);
  EXPECT_EQ(diag.entries()[1].about, core::topic::accounting_recovered);
}

// Under a day's file name someone planted a folder, or a hard link to another file: neither is
// written to (nor does it stop accounting); the records go to the next file, and it is said once.
TEST_F(win32_log_publisher, passes_over_a_planted_folder_or_hard_link_to_the_next_file) {
  const std::wstring elsewhere = folder() + L"\\..\\elsewhere.txt";
  write_bytes(elsewhere, "precious\n");
  ASSERT_TRUE(::CreateDirectoryW(public_path(last_day, 0).c_str(), nullptr));
  ASSERT_NE(::CreateHardLinkW(public_path(last_day, 1).c_str(), elsewhere.c_str(), nullptr), 0) << ::GetLastError();
  // The highest-numbered file of the day is not adopted either, whatever its number.
  ASSERT_NE(::CreateHardLinkW(public_path(last_day, 4294967295u).c_str(), elsewhere.c_str(), nullptr), 0);

  log_publisher publisher(folder(), 64ull << 20, diag);
  publisher.resume(ring);
  std::vector<std::string> lines;
  for (std::uint64_t i = 0; i < 3; ++i) {
    lines.push_back(record(i + 1, clock.now_unix_ms()));
    ASSERT_TRUE(ring.append(lines.back(), clock.now_unix_ms()));
  }
  EXPECT_TRUE(publisher.publish(ring, clock.now_unix_ms())) << all_reports();
  EXPECT_TRUE(publisher.publish(ring, clock.now_unix_ms()));
  EXPECT_EQ(publisher.current_path(), public_path(last_day, 2));
  EXPECT_EQ(read_bytes(public_path(last_day, 2)), join(lines));
  EXPECT_EQ(read_bytes(elsewhere), "precious\n");
  EXPECT_TRUE(is_directory(public_path(last_day, 0)));
  EXPECT_EQ(reported({to_utf8(public_path(last_day, 0)), "folder where a file belongs", "never adopted"}).size(), 1u)
      << all_reports();
  EXPECT_EQ(reported({to_utf8(public_path(last_day, 1)), "hard links"}).size(), 1u) << all_reports();
  EXPECT_EQ(reported({to_utf8(public_path(last_day, 4294967295u)), "hard links"}).size(), 1u) << all_reports();
  EXPECT_EQ(reported_count(core::severity::error), 0u) << all_reports();
}

}  // namespace
}  // namespace raswarden::win32::testing
