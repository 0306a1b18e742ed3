// What the next start makes of what a killed run left: records journaled and not published (or
// published and not released), a public file torn in the middle of a record, a journal this
// version cannot read (damaged header, newer format) and damaged records inside a journal. The
// killed run is the journal opened directly with journal_file (records copied into its ring, the
// file then closed without publishing) and public files written by the test.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "raswarden/accounting.hpp"
#include "raswarden/journal.hpp"
#include "win32/pipeline_fixture.hpp"
#include "win32/system.hpp"
#include "win32/unique_handle.hpp"

namespace raswarden::win32::testing {
namespace {

class win32_journal_recovery : public pipeline_test {
 protected:
  // Records r<first>..r<last> of the day, stamped a second apart from 12:00.
  static std::vector<std::string> records(std::uint64_t first, std::uint64_t last, std::size_t size = 160) {
    std::vector<std::string> lines;
    for (std::uint64_t seq = first; seq <= last; ++seq) lines.push_back(record(seq, stamp(seq), size));
    return lines;
  }
  static std::int64_t stamp(std::uint64_t seq) {
    return at(last_day, 12, 0, 0, 0) + static_cast<std::int64_t>(seq) * 1000;
  }

  // A run killed after journaling `lines`: the journal holds them, nothing published them.
  void journal_and_kill(const std::vector<std::string>& lines, std::optional<core::log_format::file_id> named = {},
                        std::vector<std::uint64_t>* positions = nullptr) {
    {
      auto journal = open_journal();
      ASSERT_TRUE(journal);
      for (std::size_t i = 0; i < lines.size(); ++i) {
        if (positions != nullptr) positions->push_back(journal->ring().head());
        ASSERT_TRUE(journal->ring().append(lines[i], stamp(i + 1)));
      }
      if (named) journal->ring().set_public_file(*named);
    }
    // A kill never closes the journal: its header keeps no "closed cleanly" mark (offset 72).
    write_at(journal_path(), 72, std::string(4, '\0'));
  }

  // A run that published `lines` and stopped.
  void publish_and_stop(const std::vector<std::string>& lines) {
    auto pipeline = start(options());
    for (const std::string& line : lines) {
      // A full journal is published on this thread rather than waiting for the woken one.
      if (!pipeline->append(line)) {
        pipeline->publish_now();
        ASSERT_TRUE(pipeline->append(line));
      }
    }
  }

  [[nodiscard]] std::string set_aside_name(std::string_view why) const {
    std::string stamp_text = core::format_timestamp(clock.now_unix_ms());
    // journal-<why>-20261231T120000000Z.dat: the time to the millisecond.
    std::erase_if(stamp_text, [](char c) { return c == '-' || c == ':' || c == '.'; });
    return fmt::format("journal-{}-{}.dat", why, stamp_text);
  }
};

TEST_F(win32_journal_recovery, records_a_killed_run_journaled_are_published_once_before_any_new_record) {
  const auto lines = records(1, 5);
  journal_and_kill(lines);
  EXPECT_FALSE(exists(public_path(last_day)));

  auto pipeline = start(options());
  // Published by the start itself, before anything is appended.
  EXPECT_EQ(read_bytes(public_path(last_day)), join(lines));
  const auto held = reported({"5 record(s)", fmt::format("({} bytes)", join(lines).size()), "did not publish"});
  ASSERT_EQ(held.size(), 1u) << all_reports();
  EXPECT_EQ(held[0].level, core::severity::warning);

  const std::string next = record(6, clock.now_unix_ms());
  ASSERT_TRUE(pipeline->append(next));
  pipeline->publish_now();
  EXPECT_EQ(read_bytes(public_path(last_day)), join(lines) + next);

  // Stopping and starting again publishes nothing twice.
  pipeline.reset();
  pipeline = start(options());
  pipeline.reset();
  expect_public_files({{name_of(last_day), join(lines) + next}});
  EXPECT_EQ(reported({"did not publish"}).size(), 1u) << all_reports();
  EXPECT_EQ(reported_count(core::severity::error), 0u) << all_reports();
}

TEST_F(win32_journal_recovery, records_in_the_file_but_not_released_when_the_run_was_killed_are_not_published_again) {
  const auto lines = records(1, 5);
  // Killed after writing a batch of three to the file, before releasing their journal space.
  journal_and_kill(lines, core::log_format::file_id{last_day, 0});
  write_bytes(public_path(last_day), lines[0] + lines[1] + lines[2]);

  auto pipeline = start(options());
  EXPECT_EQ(read_bytes(public_path(last_day)), join(lines));
  const std::string next = record(6, clock.now_unix_ms());
  ASSERT_TRUE(pipeline->append(next));
  pipeline.reset();
  expect_public_files({{name_of(last_day), join(lines) + next}});
  EXPECT_EQ(reported_count(core::severity::error), 0u) << all_reports();
}

// The killed run's records cross the end of the ring (skip records and all): a journal that
// has gone round a few times, as a long-running service's has.
TEST_F(win32_journal_recovery, records_a_killed_run_journaled_across_the_end_of_the_ring_are_published_once) {
  auto earlier = records(1, 700, 200);  // about two laps of a 64 KiB journal
  publish_and_stop(earlier);
  std::vector<std::string> killed;
  {
    auto journal = open_journal();
    ASSERT_TRUE(journal);
    const std::uint64_t lap = journal->ring().head() / journal->ring().capacity();
    for (std::uint64_t seq = 701; journal->ring().head() / journal->ring().capacity() == lap || killed.size() < 50;
         ++seq) {
      killed.push_back(record(seq, stamp(seq), 100 + seq % 300));
      ASSERT_TRUE(journal->ring().append(killed.back(), stamp(seq)));
      ASSERT_LT(killed.size(), 400u);
    }
  }
  auto pipeline = start(options());
  pipeline.reset();
  expect_public_files({{name_of(last_day), join(earlier) + join(killed)}});
  EXPECT_EQ(reported({fmt::format("{} record(s)", killed.size()), "did not publish"}).size(), 1u) << all_reports();
  EXPECT_EQ(reported_count(core::severity::error), 0u) << all_reports();
}

// Killed in the middle of writing a record to the public file: the file ends in the first half
// of a record the journal still holds. The next start appends exactly the other half.
TEST_F(win32_journal_recovery, a_record_torn_at_the_end_of_the_public_file_is_completed_from_the_journal) {
  const auto lines = records(1, 6);
  publish_and_stop({lines[0], lines[1], lines[2]});
  journal_and_kill({lines[3], lines[4]});
  const std::size_t half = lines[3].size() / 2;
  write_bytes(public_path(last_day), lines[0] + lines[1] + lines[2] + lines[3].substr(0, half));

  auto pipeline = start(options());
  EXPECT_EQ(read_bytes(public_path(last_day)), lines[0] + lines[1] + lines[2] + lines[3] + lines[4]);
  const auto torn = reported({to_utf8(public_path(last_day)), fmt::format("cut off after {} bytes", half),
                              fmt::format("its other {} bytes were appended", lines[3].size() - half)});
  EXPECT_EQ(torn.size(), 1u) << all_reports();
  ASSERT_TRUE(pipeline->append(lines[5]));
  pipeline.reset();
  expect_public_files({{name_of(last_day), join(lines)}});
  EXPECT_EQ(reported_count(core::severity::error), 0u) << all_reports();
}

// A torn tail that is the start of no journaled record (the record was released, or the bytes
// are not RasWarden's): a newline ends it so that the next record starts on a line of its own.
TEST_F(win32_journal_recovery, a_torn_tail_that_matches_no_record_is_ended_with_a_newline_and_reported) {
  const auto lines = records(1, 4);
  publish_and_stop({lines[0], lines[1], lines[2]});
  const std::string junk = R"({"schema":1,"ts":"2026-12-31T12:00:0)";
  append_bytes(public_path(last_day), junk);

  auto pipeline = start(options());
  EXPECT_EQ(read_bytes(public_path(last_day)), lines[0] + lines[1] + lines[2] + junk + "\n");
  const auto reports = reported({to_utf8(public_path(last_day)), fmt::format("ended in {} bytes", junk.size()),
                                 "no record of the journal", "newline was appended"});
  ASSERT_EQ(reports.size(), 1u) << all_reports();
  EXPECT_EQ(reports[0].level, core::severity::warning);
  ASSERT_TRUE(pipeline->append(lines[3]));
  pipeline.reset();
  expect_public_files({{name_of(last_day), lines[0] + lines[1] + lines[2] + junk + "\n" + lines[3]}});
}

// The same in a day's file the journal does not name (a new journal): ended by a newline.
TEST_F(win32_journal_recovery, a_torn_tail_in_a_file_the_journal_does_not_name_is_ended_with_a_newline) {
  const auto lines = records(1, 3);
  publish_and_stop({lines[0], lines[1]});
  ASSERT_TRUE(::DeleteFileW(journal_path().c_str()));
  const std::string junk = R"({"schema":1,"ts":)";
  append_bytes(public_path(last_day), junk);

  auto pipeline = start(options());
  ASSERT_TRUE(pipeline->append(lines[2]));
  pipeline.reset();
  expect_public_files({{name_of(last_day), lines[0] + lines[1] + junk + "\n" + lines[2]}});
  EXPECT_EQ(reported({to_utf8(public_path(last_day)), fmt::format("ended in {} bytes", junk.size())}).size(), 1u)
      << all_reports();
}

// At the start, the file the journal names cannot be appended to for a moment (another program
// holds it open without sharing write access). Its last records are still in the journal, so
// when the file can be written again exactly the records it lacks must follow them.
TEST_F(win32_journal_recovery, records_already_in_a_file_held_open_at_the_start_are_not_published_again) {
  const auto lines = records(1, 5);
  journal_and_kill(lines, core::log_format::file_id{last_day, 0});
  write_bytes(public_path(last_day), lines[0] + lines[1] + lines[2]);
  unique_hfile holder(
      ::CreateFileW(public_path(last_day).c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr));
  ASSERT_TRUE(holder);

  auto pipeline = start(options());
  EXPECT_EQ(read_bytes(public_path(last_day)), lines[0] + lines[1] + lines[2]);
  holder.reset();
  pipeline->publish_now();
  pipeline.reset();
  expect_public_files({{name_of(last_day), join(lines)}});
}

// The same with the file not even readable at the start (held open without any sharing).
TEST_F(win32_journal_recovery, records_already_in_a_file_unreadable_at_the_start_are_not_published_again) {
  const auto lines = records(1, 5);
  journal_and_kill(lines, core::log_format::file_id{last_day, 0});
  write_bytes(public_path(last_day), lines[0] + lines[1] + lines[2]);
  unique_hfile holder(
      ::CreateFileW(public_path(last_day).c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr));
  ASSERT_TRUE(holder);

  auto pipeline = start(options());
  holder.reset();
  pipeline->publish_now();
  pipeline.reset();
  expect_public_files({{name_of(last_day), join(lines)}});
}

class win32_unreadable_journal : public win32_journal_recovery {
 protected:
  // A journal holding two unpublished records, then `damage` done to its file; the next start
  // must keep it aside under `why` byte for byte, say so, and work with a new journal.
  void run(const std::function<void()>& damage, std::string_view why, std::string_view problem) {
    journal_and_kill(records(1, 2));
    damage();
    const std::string before = read_bytes(journal_path());
    ASSERT_EQ(before.size(), core::journal_header_bytes + (64u << 10));

    auto pipeline = start(options());
    const std::wstring aside = journal_folder() + L"\\" + to_wide(set_aside_name(why));
    EXPECT_EQ(names_in(journal_folder(), L"*"), (std::vector<std::string>{set_aside_name(why), "journal.dat"}));
    ASSERT_TRUE(exists(aside)) << all_reports();
    EXPECT_TRUE(read_bytes(aside) == before) << "the set-aside journal is not byte for byte what it was";
    const auto errors = reported({to_utf8(journal_path()), to_utf8(aside), std::string(problem)});
    ASSERT_EQ(errors.size(), 1u) << all_reports();
    EXPECT_EQ(errors[0].level, core::severity::error);
    EXPECT_EQ(errors[0].about, core::topic::accounting_failure);
    EXPECT_EQ(reported_count(core::severity::error), 1u) << all_reports();

    // The new journal works, across a restart too; the set-aside records are not published.
    const auto lines = records(10, 12);
    ASSERT_TRUE(pipeline->append(lines[0]));
    ASSERT_TRUE(pipeline->append(lines[1]));
    pipeline.reset();
    pipeline = start(options());
    ASSERT_TRUE(pipeline->append(lines[2]));
    pipeline.reset();
    expect_public_files({{name_of(last_day), join(lines)}});
    EXPECT_TRUE(read_bytes(aside) == before);
    EXPECT_EQ(reported_count(core::severity::error), 1u) << all_reports();
    EXPECT_EQ(size_of(journal_path()), core::journal_header_bytes + (64u << 10));
  }
};

TEST_F(win32_unreadable_journal, a_damaged_header_is_set_aside_and_a_new_journal_started) {
  run([&] { write_at(journal_path(), 24, "\xde\xad\xbe\xef"); }, "unreadable", "header is damaged");
}

TEST_F(win32_unreadable_journal, a_header_that_is_not_a_journals_is_set_aside_and_a_new_journal_started) {
  run([&] { write_at(journal_path(), 0, "NOTAJRNL"); }, "unreadable", "does not start with a journal header");
}

TEST_F(win32_unreadable_journal, a_journal_of_a_newer_version_is_set_aside_and_a_new_journal_started) {
  std::string version(4, '\0');
  const std::uint32_t newer = core::journal_version + 1;
  std::memcpy(version.data(), &newer, sizeof newer);
  run([&] { write_at(journal_path(), 8, version); }, "newer-version",
      fmt::format("journal format {}, this version reads {}", newer, core::journal_version));
}

TEST_F(win32_journal_recovery, damaged_records_in_a_journal_are_reported_and_the_readable_ones_around_them_published) {
  const auto lines = records(1, 10);
  std::vector<std::uint64_t> positions;
  journal_and_kill(lines, {}, &positions);
  ASSERT_EQ(positions.size(), 10u);
  constexpr std::uint64_t capacity = 64u << 10;
  // r4: a payload byte; r7: its header's position field.
  write_at(journal_path(), core::journal_header_bytes + positions[3] % capacity + 32 + 20, "#");
  write_at(journal_path(), core::journal_header_bytes + positions[6] % capacity + 8, "\x7f");
  const std::uint64_t damaged = (positions[4] - positions[3]) + (positions[7] - positions[6]);

  auto pipeline = start(options());
  const auto errors = reported({to_utf8(journal_path()), "2 damaged stretch(es)",
                                fmt::format("{} bytes in all", damaged), "the 8 readable record(s)"});
  ASSERT_EQ(errors.size(), 1u) << all_reports();
  EXPECT_EQ(errors[0].level, core::severity::error);
  EXPECT_EQ(errors[0].about, core::topic::accounting_failure);
  const std::string readable = lines[0] + lines[1] + lines[2] + lines[4] + lines[5] + lines[7] + lines[8] + lines[9];
  EXPECT_EQ(read_bytes(public_path(last_day)), readable);
  const std::string next = record(11, clock.now_unix_ms());
  ASSERT_TRUE(pipeline->append(next));
  pipeline.reset();

  // Reported once: the next start finds a clean journal.
  pipeline = start(options());
  pipeline.reset();
  expect_public_files({{name_of(last_day), readable + next}});
  EXPECT_EQ(reported_count(core::severity::error), 1u) << all_reports();
}

}  // namespace
}  // namespace raswarden::win32::testing
