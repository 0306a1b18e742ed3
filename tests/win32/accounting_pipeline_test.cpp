// accounting_pipeline as the DLL uses it, a core::record_sink, on a real folder under Wine with a
// fake clock: records filed by their UTC day, size rotation, files of RasWarden 0.1 left alone,
// back-pressure while the public file cannot be written, and accounting.journal_mb changes.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "raswarden/accounting.hpp"
#include "win32/pipeline_fixture.hpp"
#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32::testing {
namespace {

using win32_pipeline = pipeline_test;

TEST_F(win32_pipeline, records_on_either_side_of_midnight_go_to_their_own_days_file) {
  auto pipeline = start(options());
  core::record_sink& sink = *pipeline;  // as the accounting writer sees it

  clock.set_unix_ms(at(last_day, 23, 59, 59, 900));
  const std::string before = record(1, at(last_day, 23, 59, 59, 900));
  ASSERT_TRUE(sink.append(before));
  clock.set_unix_ms(at(next_day, 0, 0, 0, 100));
  const std::string after = record(2, at(next_day, 0, 0, 0, 100));
  ASSERT_TRUE(sink.append(after));
  pipeline->publish_now();

  EXPECT_EQ(name_of(last_day), "accounting-20261231.jsonl");
  EXPECT_EQ(name_of(next_day), "accounting-20270101.jsonl");
  expect_public_files({{name_of(last_day), before}, {name_of(next_day), after}});
  EXPECT_EQ(reported_count(core::severity::error), 0u) << all_reports();
  EXPECT_EQ(reported_count(core::severity::warning), 0u) << all_reports();
}

// Once a day's file was started, records never go back to an older one: a follower (or the
// forwarder) that moved on to the newest file would never see the older one grow. A record
// stamped before midnight by a clock set back stays in the newest file, after what it holds.
TEST_F(win32_pipeline, a_record_stamped_before_the_current_day_stays_in_the_newest_file) {
  auto pipeline = start(options());
  clock.set_unix_ms(at(last_day, 23, 59, 59, 900));
  const std::string first = record(1, at(last_day, 23, 59, 59, 900));
  ASSERT_TRUE(pipeline->append(first));
  clock.set_unix_ms(at(next_day, 0, 0, 0, 100));
  const std::string second = record(2, at(next_day, 0, 0, 0, 100));
  ASSERT_TRUE(pipeline->append(second));
  pipeline->publish_now();
  const std::uint64_t identity = file_identity(public_path(last_day));

  // The clock goes back across midnight: the record's ts names the day before.
  clock.set_unix_ms(at(last_day, 23, 59, 59, 950));
  const std::string third = record(3, at(last_day, 23, 59, 59, 950));
  ASSERT_TRUE(pipeline->append(third));
  pipeline->publish_now();
  expect_public_files({{name_of(last_day), first}, {name_of(next_day), second + third}});
  EXPECT_EQ(file_identity(public_path(last_day)), identity) << "the older file was touched";

  // After a restart too, the newest day's file is continued.
  pipeline.reset();
  clock.set_unix_ms(at(next_day, 0, 0, 1, 0));
  pipeline = start(options());
  const std::string held = record(4, at(last_day, 23, 59, 59, 990));
  ASSERT_TRUE(pipeline->append_stamped(held, at(last_day, 23, 59, 59, 990)));
  const std::string fifth = record(5, at(next_day, 0, 0, 1, 0));
  ASSERT_TRUE(pipeline->append(fifth));
  pipeline.reset();
  expect_public_files({{name_of(last_day), first}, {name_of(next_day), second + third + held + fifth}});
  EXPECT_EQ(file_identity(public_path(last_day)), identity);
  EXPECT_EQ(reported_count(core::severity::error), 0u) << all_reports();
}

// Records of 100 to 300 bytes against a 1000-byte rotation size, published in rounds of seven:
// accounting-DAY.jsonl, -1, -2, ..., each of whole lines, none past the size, each started only
// when the next record would not fit the one before.
TEST_F(win32_pipeline, size_rotation_starts_the_next_index_before_a_file_would_pass_the_size) {
  constexpr std::uint64_t rotate = 1000;
  auto pipeline = start(options(rotate));
  std::vector<std::string> lines;
  for (std::uint64_t seq = 1; seq <= 60; ++seq) {
    clock.advance_ms(10);
    lines.push_back(record(seq, clock.now_unix_ms(), 100 + seq * 37 % 201));
    ASSERT_TRUE(pipeline->append(lines.back()));
    if (seq % 7 == 0) pipeline->publish_now();
  }
  pipeline->publish_now();

  const auto files = public_files();
  ASSERT_GE(files.size(), 10u);
  std::vector<std::string> in_order;  // by rotation index, not by name
  for (std::uint32_t index = 0; index < files.size(); ++index) {
    const auto found = files.find(name_of(last_day, index));
    ASSERT_NE(found, files.end()) << "no " << name_of(last_day, index) << " among " << files.size() << " files";
    in_order.push_back(found->second);
  }
  std::string all;
  std::size_t line = 0;
  for (std::size_t i = 0; i < in_order.size(); ++i) {
    const std::string& bytes = in_order[i];
    SCOPED_TRACE(name_of(last_day, static_cast<std::uint32_t>(i)));
    EXPECT_LE(bytes.size(), rotate);
    EXPECT_EQ(bytes.find('\0'), std::string::npos);
    ASSERT_FALSE(bytes.empty());
    EXPECT_EQ(bytes.back(), '\n');
    // Whole records only: the file is a run of the records, in order.
    std::string expected;
    while (line < lines.size() && expected.size() < bytes.size()) expected += lines[line++];
    EXPECT_EQ(bytes, expected);
    if (line < lines.size() && i + 1 < in_order.size()) {
      EXPECT_GT(bytes.size() + lines[line].size(), rotate) << "rotated although the next record fitted";
    }
    all += bytes;
  }
  EXPECT_EQ(all, join(lines));

  // A restart continues the last file while records fit it.
  const auto last_index = static_cast<std::uint32_t>(files.size() - 1);
  const std::string last_bytes = in_order.back();
  pipeline.reset();
  pipeline = start(options(rotate));
  const std::size_t room = rotate - last_bytes.size();
  if (room >= 100) {
    const std::string fitting = record(61, clock.now_unix_ms(), std::min<std::size_t>(room, 150));
    ASSERT_TRUE(pipeline->append(fitting));
    pipeline->publish_now();
    EXPECT_EQ(read_bytes(public_path(last_day, last_index)), last_bytes + fitting);
    EXPECT_FALSE(exists(public_path(last_day, last_index + 1)));
  }
  const std::string larger = record(62, clock.now_unix_ms(), 300);
  ASSERT_TRUE(pipeline->append(larger));
  pipeline->publish_now();
  if (read_bytes(public_path(last_day, last_index)).size() + larger.size() > rotate) {
    EXPECT_EQ(read_bytes(public_path(last_day, last_index + 1)), larger);
  }
  EXPECT_LE(size_of(public_path(last_day, last_index)), rotate);
  EXPECT_EQ(reported_count(core::severity::error), 0u) << all_reports();
  EXPECT_EQ(reported_count(core::severity::warning), 0u) << all_reports();
}

// When the clock goes back (or a new journal starts), the day's last file is continued; the
// publisher's contract is that a file is closed before it would pass the rotation size, so a
// record that does not fit the room left must start the next index.
TEST_F(win32_pipeline, a_record_after_the_clock_went_back_leaves_the_older_days_file_alone) {
  constexpr std::uint64_t rotate = 1000;
  auto pipeline = start(options(rotate));
  clock.set_unix_ms(at(last_day, 23, 59, 59, 0));
  const std::string a = record(1, clock.now_unix_ms(), 450);
  const std::string b = record(2, clock.now_unix_ms(), 450);  // 900 of 1000 bytes
  ASSERT_TRUE(pipeline->append(a));
  ASSERT_TRUE(pipeline->append(b));
  clock.set_unix_ms(at(next_day, 0, 0, 0, 500));
  const std::string c = record(3, clock.now_unix_ms(), 200);
  ASSERT_TRUE(pipeline->append(c));
  pipeline->publish_now();
  clock.set_unix_ms(at(last_day, 23, 59, 59, 600));  // back by a second
  const std::string d = record(4, clock.now_unix_ms(), 300);
  ASSERT_TRUE(pipeline->append(d));
  pipeline->publish_now();
  pipeline.reset();

  // d's ts names the day before, but the newest file is the next day's: d goes there, and the
  // older file neither grows nor passes the rotation size.
  EXPECT_LE(size_of(public_path(last_day)), rotate) << name_of(last_day) << " passed rotate_bytes";
  expect_public_files({{name_of(last_day), a + b}, {name_of(next_day), c + d}});
}

// RasWarden 0.1's mapped writer left zero padding at the end of a file it had open. Such a file
// is never written again: records continue in the next index, and its bytes stay as they were.
TEST_F(win32_pipeline, a_file_ending_in_legacy_zero_padding_is_never_appended_to) {
  const std::string legacy =
      record(1, at(last_day, 8, 0, 0, 0)) + record(2, at(last_day, 8, 0, 1, 0)) + std::string(5000, '\0');
  write_bytes(public_path(last_day), legacy);

  auto pipeline = start(options());
  const std::string r3 = record(3, clock.now_unix_ms());
  const std::string r4 = record(4, clock.now_unix_ms());
  ASSERT_TRUE(pipeline->append(r3));
  ASSERT_TRUE(pipeline->append(r4));
  pipeline->publish_now();
  EXPECT_EQ(read_bytes(public_path(last_day)), legacy);
  EXPECT_EQ(read_bytes(public_path(last_day, 1)), r3 + r4);
  EXPECT_EQ(reported({to_utf8(public_path(last_day)), "zero padding"}).size(), 1u) << all_reports();

  // A restart continues in the next index, not in the padded file.
  pipeline.reset();
  pipeline = start(options());
  const std::string r5 = record(5, clock.now_unix_ms());
  ASSERT_TRUE(pipeline->append(r5));
  pipeline.reset();
  EXPECT_EQ(read_bytes(public_path(last_day)), legacy);
  EXPECT_EQ(read_bytes(public_path(last_day, 1)), r3 + r4 + r5);
  EXPECT_FALSE(exists(public_path(last_day, 2)));

  // The clock coming back to that day from the next leaves both of that day's files alone.
  pipeline = start(options());
  clock.set_unix_ms(at(next_day, 0, 0, 1, 0));
  const std::string r6 = record(6, clock.now_unix_ms());
  ASSERT_TRUE(pipeline->append(r6));
  pipeline->publish_now();
  clock.set_unix_ms(at(last_day, 23, 0, 0, 0));
  const std::string r7 = record(7, clock.now_unix_ms());
  ASSERT_TRUE(pipeline->append(r7));
  pipeline.reset();
  const auto files = public_files();
  EXPECT_EQ(files.size(), 3u);
  EXPECT_EQ(read_bytes(public_path(last_day)), legacy);
  EXPECT_EQ(read_bytes(public_path(last_day, 1)), r3 + r4 + r5);
  EXPECT_EQ(read_bytes(public_path(next_day)), r6 + r7);
  EXPECT_EQ(reported_count(core::severity::error), 0u) << all_reports();
}

// A 64 KiB journal and a public file that cannot be written: append takes records until the
// journal is full, then refuses; once the obstacle is gone, everything journaled is published
// (in order, once) and append takes records again.
class win32_back_pressure : public pipeline_test {
 protected:
  void run(const std::function<void()>& block, const std::function<void()>& unblock, std::string_view obstacle) {
    auto pipeline = start(options(64ull << 20, 64ull << 10));
    block();
    std::vector<std::string> accepted;
    std::uint64_t seq = 1;
    for (; seq < 10'000; ++seq) {
      clock.advance_ms(1);
      const std::string line = record(seq, clock.now_unix_ms(), 200);
      if (!pipeline->append(line)) break;
      accepted.push_back(line);
    }
    ASSERT_LT(seq, 10'000u) << "a 64 KiB journal took 10,000 records of 200 bytes";
    pipeline->publish_now();
    // Still full: nothing reached the file.
    for (int i = 0; i < 20; ++i) EXPECT_FALSE(pipeline->append(record(seq, clock.now_unix_ms(), 200)));
    EXPECT_GT(accepted.size(), 200u);
    EXPECT_GT(pipeline->journal_backlog_bytes(), (64u << 10) - 512u);
    const auto errors = reported({to_utf8(public_path(last_day)), "the records wait in the journal"});
    EXPECT_EQ(errors.size(), 1u) << "one report per failing period\n" << all_reports();
    for (const auto& e : errors) {
      EXPECT_EQ(e.level, core::severity::error);
      EXPECT_EQ(e.about, core::topic::accounting_failure);
      EXPECT_NE(e.message.find(obstacle), std::string::npos) << e.message;
    }

    unblock();
    pipeline->publish_now();
    EXPECT_EQ(pipeline->journal_backlog_bytes(), 0u);
    EXPECT_EQ(read_bytes(public_path(last_day)), join(accepted));
    const auto recovered = reported({"published to", to_utf8(public_path(last_day)), "again"});
    ASSERT_EQ(recovered.size(), 1u) << all_reports();
    EXPECT_EQ(recovered[0].about, core::topic::accounting_recovered);

    // Room again.
    const std::string more = record(seq, clock.now_unix_ms(), 200);
    ASSERT_TRUE(pipeline->append(more));
    pipeline.reset();
    accepted.push_back(more);
    expect_public_files({{name_of(last_day), join(accepted)}});
    EXPECT_EQ(reported_count(core::severity::error), 1u) << all_reports();
  }
};

// A folder planted under the day's file name is no obstacle: it is passed over (and said so
// once), and no record waits or is refused.
TEST_F(win32_pipeline, a_folder_where_the_days_file_should_be_does_not_stop_accounting) {
  ASSERT_TRUE(::CreateDirectoryW(public_path(last_day).c_str(), nullptr));
  auto pipeline = start(options());
  std::vector<std::string> lines;
  for (std::uint64_t seq = 1; seq <= 500; ++seq) {
    lines.push_back(record(seq, clock.now_unix_ms(), 200));
    ASSERT_TRUE(pipeline->append(lines.back())) << "record " << seq;
    if (seq % 100 == 0) pipeline->publish_now();
  }
  pipeline.reset();
  EXPECT_TRUE(is_directory(public_path(last_day)));
  EXPECT_EQ(read_bytes(public_path(last_day, 1)), join(lines));
  EXPECT_EQ(reported({to_utf8(public_path(last_day)), "folder where a file belongs"}).size(), 1u) << all_reports();
  EXPECT_EQ(reported_count(core::severity::error), 0u) << all_reports();
}

// Another program holds the day's file open without sharing write access (a backup agent, a
// shipper that opens files that way): reading works, appending does not.
TEST_F(win32_back_pressure, the_days_file_held_open_without_write_sharing) {
  unique_hfile holder;
  run(
      [&] {
        write_bytes(public_path(last_day), "");
        holder.reset(::CreateFileW(public_path(last_day).c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                                   0, nullptr));
        ASSERT_TRUE(holder);
      },
      [&] { holder.reset(); }, "cannot open the accounting file");
}

TEST_F(win32_pipeline, an_empty_journal_is_made_again_at_a_new_journal_size) {
  constexpr std::uint64_t small = 64ull << 10;
  constexpr std::uint64_t large = 128ull << 10;
  auto pipeline = start(options(64ull << 20, small));
  const std::string r1 = record(1, clock.now_unix_ms());
  const std::string r2 = record(2, clock.now_unix_ms());
  ASSERT_TRUE(pipeline->append(r1));
  ASSERT_TRUE(pipeline->append(r2));
  pipeline.reset();
  EXPECT_EQ(size_of(journal_path()), core::journal_header_bytes + small);

  pipeline = start(options(64ull << 20, large));
  EXPECT_EQ(size_of(journal_path()), core::journal_header_bytes + large);
  const std::string r3 = record(3, clock.now_unix_ms());
  ASSERT_TRUE(pipeline->append(r3));
  pipeline.reset();
  EXPECT_EQ(size_of(journal_path()), core::journal_header_bytes + large);
  expect_public_files({{name_of(last_day), r1 + r2 + r3}});
  // No journal.dat.new or set-aside journal is left behind.
  EXPECT_EQ(names_in(journal_folder(), L"*"), std::vector<std::string>{"journal.dat"});
  EXPECT_EQ(reported_count(core::severity::error), 0u) << all_reports();
  EXPECT_EQ(reported_count(core::severity::warning), 0u) << all_reports();
}

TEST_F(win32_pipeline, a_journal_holding_records_keeps_its_size_until_they_are_published) {
  constexpr std::uint64_t small = 64ull << 10;
  constexpr std::uint64_t large = 128ull << 10;
  std::vector<std::string> lines;
  {
    auto journal = open_journal(large);  // a run with journal_mb = large, killed before publishing
    ASSERT_TRUE(journal);
    for (std::uint64_t seq = 1; seq <= 3; ++seq) {
      lines.push_back(record(seq, clock.now_unix_ms()));
      ASSERT_TRUE(journal->ring().append(lines.back(), clock.now_unix_ms()));
    }
  }
  EXPECT_EQ(size_of(journal_path()), core::journal_header_bytes + large);

  auto pipeline = start(options(64ull << 20, small));
  EXPECT_EQ(size_of(journal_path()), core::journal_header_bytes + large) << "resized while it held records";
  EXPECT_EQ(read_bytes(public_path(last_day)), join(lines)) << "the records were not published at the start";
  lines.push_back(record(4, clock.now_unix_ms()));
  ASSERT_TRUE(pipeline->append(lines.back()));
  pipeline.reset();
  EXPECT_EQ(size_of(journal_path()), core::journal_header_bytes + large);

  // Published and empty: the next start makes it at the size asked for.
  pipeline = start(options(64ull << 20, small));
  EXPECT_EQ(size_of(journal_path()), core::journal_header_bytes + small);
  lines.push_back(record(5, clock.now_unix_ms()));
  ASSERT_TRUE(pipeline->append(lines.back()));
  pipeline.reset();
  expect_public_files({{name_of(last_day), join(lines)}});
  EXPECT_EQ(reported_count(core::severity::error), 0u) << all_reports();
}

}  // namespace
}  // namespace raswarden::win32::testing
