// The journal ring over plain memory: records in and out in order, the ring reused lap after
// lap, a full journal refused, and what recovery makes of a journal left by a killed process: a
// torn record, damaged bytes, another journal's bytes, a newer version.
#include "raswarden/journal.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <string>
#include <vector>

#include "raswarden/crc32c.hpp"

namespace raswarden::core {
namespace {

constexpr std::size_t capacity = journal_min_capacity;

class journal_test : public ::testing::Test {
 protected:
  std::vector<std::byte> memory = std::vector<std::byte>(journal_header_bytes + capacity, std::byte{0x5A});

  journal_ring fresh() { return journal_ring::create(memory, 0x1234, 1000); }

  static std::string line(std::size_t n, std::size_t size = 100) {
    std::string text = "{\"n\":" + std::to_string(n) + ",\"pad\":\"";
    text.append(size > text.size() + 3 ? size - text.size() - 3 : 0, 'x');
    return text + "\"}\n";
  }

  static std::vector<std::string> drain(journal_ring& ring, bool release = true) {
    std::vector<std::string> lines;
    std::uint64_t at = ring.tail();
    while (auto entry = ring.read(at)) {
      lines.emplace_back(entry->line);
      at = entry->next;
    }
    if (release) ring.release(at);
    return lines;
  }

  journal_ring reattach(journal_scan& scan) {
    std::string problem;
    EXPECT_EQ(journal_ring::inspect(memory, problem), journal_state::usable) << problem;
    return journal_ring::attach(memory, scan);
  }
};

TEST(crc32c, matches_the_published_check_value) {
  const std::string text = "123456789";
  EXPECT_EQ(crc32c(std::as_bytes(std::span<const char>(text.data(), text.size()))), 0xE3069283u);
  const std::string long_text(1000, 'a');
  const auto bytes = std::as_bytes(std::span<const char>(long_text.data(), long_text.size()));
  EXPECT_EQ(crc32c(bytes), crc32c(bytes.subspan(7), crc32c(bytes.first(7))));
}

TEST_F(journal_test, records_come_out_in_order_with_their_stamps) {
  journal_ring ring = fresh();
  for (std::size_t i = 0; i < 10; ++i) ASSERT_TRUE(ring.append(line(i), static_cast<std::int64_t>(i) * 1000));
  std::uint64_t at = ring.tail();
  for (std::size_t i = 0; i < 10; ++i) {
    const auto entry = ring.read(at);
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->line, line(i));
    EXPECT_EQ(entry->unix_ms, static_cast<std::int64_t>(i) * 1000);
    at = entry->next;
  }
  EXPECT_FALSE(ring.read(at));
  EXPECT_EQ(at, ring.head());
}

TEST_F(journal_test, the_ring_is_reused_lap_after_lap_and_a_full_journal_refuses) {
  journal_ring ring = fresh();
  std::size_t written = 0;
  for (int lap = 0; lap < 20; ++lap) {
    std::size_t accepted = 0;
    while (ring.append(line(written, 100 + written % 300), 0)) {
      ++written;
      ++accepted;
    }
    ASSERT_GT(accepted, 100u);
    EXPECT_GT(ring.used(), capacity - 500) << "refused only when really full";
    const auto lines = drain(ring);
    ASSERT_EQ(lines.size(), accepted);
    EXPECT_EQ(lines.back(), line(written - 1, 100 + (written - 1) % 300));
  }
  EXPECT_GT(ring.head(), 10 * capacity);
}

TEST_F(journal_test, a_line_longer_than_a_quarter_or_empty_is_refused) {
  journal_ring ring = fresh();
  EXPECT_FALSE(ring.append(std::string(capacity / 4 + 1, 'x'), 0));
  EXPECT_FALSE(ring.append("", 0));
  EXPECT_TRUE(ring.append(std::string(capacity / 4, 'x'), 0));
}

TEST_F(journal_test, recovery_finds_every_record_not_yet_released_across_the_wrap) {
  journal_ring ring = fresh();
  for (std::size_t i = 0; i < 200; ++i) ASSERT_TRUE(ring.append(line(i, 200), 0));
  drain(ring);  // published
  for (std::size_t i = 500; i < 700; ++i) ASSERT_TRUE(ring.append(line(i, 200), 0));
  ASSERT_GT(ring.head() % capacity, 0u);
  ASSERT_LT(ring.head() % capacity, ring.tail() % capacity) << "the unpublished records cross the end";
  journal_scan scan;
  journal_ring again = reattach(scan);
  EXPECT_EQ(scan.records, 200u);
  EXPECT_EQ(scan.damaged_ranges, 0u);
  const auto lines = drain(again);
  ASSERT_EQ(lines.size(), 200u);
  EXPECT_EQ(lines.front(), line(500, 200));
  EXPECT_EQ(lines.back(), line(699, 200));
  EXPECT_TRUE(again.append(line(700), 0)) << "appends go on after the recovered head";
}

TEST_F(journal_test, a_record_torn_by_a_kill_is_not_taken_and_nothing_after_it_is_invented) {
  journal_ring ring = fresh();
  for (std::size_t i = 0; i < 5; ++i) ASSERT_TRUE(ring.append(line(i), 0));
  const std::uint64_t torn_at = ring.head();
  ASSERT_TRUE(ring.append(line(5), 0));
  // The kill came after half of the payload and before its header.
  std::memset(memory.data() + journal_header_bytes + torn_at, 0, journal_record_header_bytes);
  journal_scan scan;
  journal_ring again = reattach(scan);
  EXPECT_EQ(scan.records, 5u);
  EXPECT_EQ(again.head(), torn_at);
  EXPECT_EQ(scan.damaged_ranges, 0u) << "the end of the records is no damage";
}

TEST_F(journal_test, damaged_bytes_between_records_are_stepped_over_and_counted) {
  journal_ring ring = fresh();
  std::vector<std::uint64_t> positions;
  for (std::size_t i = 0; i < 10; ++i) {
    positions.push_back(ring.head());
    ASSERT_TRUE(ring.append(line(i), 0));
  }
  // A bit flipped in the payload of record 3 (a bad sector, a stray write).
  memory[journal_header_bytes + positions[3] + journal_record_header_bytes + 10] ^= std::byte{1};
  journal_scan scan;
  journal_ring again = reattach(scan);
  EXPECT_EQ(scan.records, 9u);
  EXPECT_EQ(scan.damaged_ranges, 1u);
  EXPECT_EQ(scan.damaged_bytes, positions[4] - positions[3]);
  const auto lines = drain(again);
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[2], line(2));
  EXPECT_EQ(lines[3], line(4));
}

TEST_F(journal_test, bytes_of_another_journal_over_the_same_memory_are_never_records) {
  {
    journal_ring ring = fresh();
    for (std::size_t i = 0; i < 50; ++i) ASSERT_TRUE(ring.append(line(i), 0));
  }
  journal_ring::create(memory, 0x9999, 2000);  // a new epoch over the old bytes
  journal_scan scan;
  journal_ring again = reattach(scan);
  EXPECT_EQ(scan.records, 0u);
  EXPECT_EQ(again.head(), 0u);
}

TEST_F(journal_test, the_header_says_what_is_wrong_with_it) {
  std::string problem;
  std::vector<std::byte> blank(journal_header_bytes + capacity, std::byte{0});
  EXPECT_EQ(journal_ring::inspect(blank, problem), journal_state::not_a_journal);
  fresh();
  EXPECT_EQ(journal_ring::inspect(memory, problem), journal_state::usable);
  memory[20] ^= std::byte{1};  // capacity
  EXPECT_EQ(journal_ring::inspect(memory, problem), journal_state::damaged_header);
  EXPECT_NE(problem.find("damaged"), std::string::npos);
  fresh();
  memory[8] = std::byte{2};  // version 2
  EXPECT_EQ(journal_ring::inspect(memory, problem), journal_state::newer_version);
  EXPECT_NE(problem.find("newer version"), std::string::npos) << problem;
  memory[0] = std::byte{'X'};
  EXPECT_EQ(journal_ring::inspect(memory, problem), journal_state::damaged_header);
  EXPECT_EQ(journal_ring::inspect(std::span<const std::byte>(memory).first(100), problem), journal_state::not_a_journal);
}

TEST_F(journal_test, the_public_file_is_kept_in_the_header) {
  journal_ring ring = fresh();
  EXPECT_FALSE(ring.public_file());
  ring.set_public_file({20000, 3});
  journal_scan scan;
  const journal_ring again = reattach(scan);
  ASSERT_TRUE(again.public_file());
  EXPECT_EQ(*again.public_file(), (log_format::file_id{20000, 3}));
  EXPECT_EQ(again.created_unix_ms(), 1000);
}

// ---- Where publishing resumes ----

class resume_test : public journal_test {
 protected:
  void SetUp() override {
    journal_ring ring = fresh();
    for (std::size_t i = 0; i < 3; ++i) ASSERT_TRUE(ring.append(line(i), 0));
    drain(ring);  // 0..2 published and released
    for (std::size_t i = 3; i < 8; ++i) ASSERT_TRUE(ring.append(line(i), 0));
  }
  journal_ring ring() {
    journal_scan scan;
    return reattach(scan);
  }
  std::uint64_t position_of(const journal_ring& r, std::size_t n) {
    std::uint64_t at = r.tail();
    for (std::size_t i = 3; i < n; ++i) at = r.read(at)->next;
    return at;
  }
};

TEST_F(resume_test, records_after_the_files_last_line_are_published) {
  const journal_ring r = ring();
  const publish_resume resume = resume_point(r, line(1) + line(2) + line(3) + line(4));
  EXPECT_TRUE(resume.last_line_found);
  EXPECT_EQ(resume.position, position_of(r, 5));
  EXPECT_TRUE(resume.completion.empty());
}

TEST_F(resume_test, a_file_that_ends_before_the_tail_resumes_at_the_tail) {
  const journal_ring r = ring();
  const publish_resume resume = resume_point(r, line(1) + line(2));
  EXPECT_FALSE(resume.last_line_found);
  EXPECT_EQ(resume.position, r.tail());
  EXPECT_EQ(resume_point(r, "").position, r.tail());
}

TEST_F(resume_test, a_torn_record_is_completed_from_the_journal) {
  const journal_ring r = ring();
  const std::string next = line(5);
  const publish_resume resume = resume_point(r, line(3) + line(4) + next.substr(0, 17));
  EXPECT_TRUE(resume.torn_completed);
  EXPECT_EQ(resume.torn_bytes, 17u);
  EXPECT_EQ(resume.completion, next.substr(17));
  EXPECT_EQ(resume.position, position_of(r, 6));
}

TEST_F(resume_test, a_torn_tail_that_matches_nothing_gets_a_newline) {
  const journal_ring r = ring();
  const publish_resume resume = resume_point(r, line(3) + "{\"garbage");
  EXPECT_FALSE(resume.torn_completed);
  EXPECT_EQ(resume.completion, "\n");
  EXPECT_EQ(resume.torn_bytes, 9u);
  EXPECT_EQ(resume.position, position_of(r, 4));
}

}  // namespace
}  // namespace raswarden::core

namespace raswarden::core {
namespace {

// One producer (the callbacks, serialized by the writer's lock) and the publisher thread at
// once, lap after lap: every record comes out once, whole, in order (run under TSan too).
TEST(journal_concurrency, a_producer_and_the_publisher_at_once_lose_and_repeat_nothing) {
  std::vector<std::byte> memory(journal_header_bytes + journal_min_capacity);
  journal_ring ring = journal_ring::create(memory, 77, 0);
  constexpr std::size_t total = 50000;
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (std::size_t i = 0; i < total;) {
      const std::string line = "{\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(i % 200, 'p') + "\"}\n";
      if (ring.append(line, static_cast<std::int64_t>(i))) {
        ++i;
      } else {
        std::this_thread::yield();  // full: the publisher catches up
      }
    }
    done = true;
  });
  std::size_t expected = 0;
  std::uint64_t at = ring.tail();
  while (expected < total) {
    const auto entry = ring.read(at);
    if (!entry) {
      ASSERT_FALSE(done && ring.head() == at && expected < total) << "records missing at " << expected;
      std::this_thread::yield();
      continue;
    }
    const std::string want =
        "{\"n\":" + std::to_string(expected) + ",\"pad\":\"" + std::string(expected % 200, 'p') + "\"}\n";
    ASSERT_EQ(entry->line, want);
    ASSERT_EQ(entry->unix_ms, static_cast<std::int64_t>(expected));
    ++expected;
    at = entry->next;
    if (expected % 16 == 0) ring.release(at);  // publishes in batches, as the publisher does
  }
  producer.join();
  EXPECT_GT(ring.head(), 10 * journal_min_capacity) << "the ring went round many times";
}

}  // namespace
}  // namespace raswarden::core

namespace raswarden::core {
namespace {

// A journal closed cleanly is trusted to end at its first empty slot; one that was not (a kill)
// is searched for records behind damage.
TEST(journal_close, a_cleanly_closed_journal_is_not_searched_past_its_end) {
  std::vector<std::byte> memory(journal_header_bytes + journal_min_capacity);
  std::uint64_t damaged_at = 0;
  {
    journal_ring ring = journal_ring::create(memory, 5, 0);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(ring.append("{\"a\":1}\n", 0));
    damaged_at = ring.head();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(ring.append("{\"b\":2}\n", 0));
    ring.mark_closed_cleanly();
  }
  memory[journal_header_bytes + damaged_at + 20] ^= std::byte{4};  // the 4th record's stamp
  journal_scan scan;
  const journal_ring clean = journal_ring::attach(memory, scan);
  EXPECT_EQ(scan.records, 3u) << "trusted to end at the first slot without a record";
  EXPECT_EQ(clean.head(), damaged_at);
  EXPECT_EQ(scan.damaged_ranges, 0u);
  const journal_ring again = journal_ring::attach(memory, scan);  // the flag was cleared by attach
  EXPECT_EQ(scan.records, 5u);
  EXPECT_GT(again.head(), damaged_at);
  EXPECT_EQ(scan.damaged_ranges, 1u);
}

}  // namespace
}  // namespace raswarden::core
