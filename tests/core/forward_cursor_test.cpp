// The forwarder's cursor (docs/forwarding.md): its text, how strictly that text is read, and the
// lag measured from a folder of public files against it (what `raswarden status` prints).
#include "raswarden/forward_cursor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

namespace raswarden::core {
namespace {

namespace fs = std::filesystem;

const log_format::file_id day_one = *log_format::parse_file_name("accounting-20261203.jsonl");

std::string record(int seq) {
  return R"({"schema":1,"ts":"2026-12-03T10:00:00.000Z","event":"connection-accept","seq":)" + std::to_string(seq) +
         "}\n";
}

class folder_test : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    folder_ = fs::temp_directory_path() /
              ("raswarden-cursor-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
               std::to_string(counter++));
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(folder_, ec);
  }
  fs::path write(std::string_view name, std::string_view bytes) const {
    const fs::path path = folder_ / std::string(name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  fs::path folder_;
};

TEST(ForwardCursor, SerializesAndParsesBack) {
  const forward_cursor cursor{{day_one.day, 2}, 48213, 0x9f2c54e01a7b3d68ULL};
  const std::string text = serialize(cursor);
  EXPECT_EQ(text, R"({"schema":1,"file":"accounting-20261203-2.jsonl","offset":48213,"first_line":"9f2c54e01a7b3d68"})"
                  "\n");
  const cursor_parse_result parsed = parse_forward_cursor(text);
  ASSERT_TRUE(parsed.cursor) << parsed.error;
  EXPECT_EQ(*parsed.cursor, cursor);
}

TEST(ForwardCursor, AHandWrittenCursorAtTheStartOfAFileNeedsNoHash) {
  const cursor_parse_result parsed =
      parse_forward_cursor(R"({"schema":1,"file":"accounting-20261203.jsonl","offset":0})");
  ASSERT_TRUE(parsed.cursor) << parsed.error;
  EXPECT_EQ(*parsed.cursor, (forward_cursor{day_one, 0, 0}));
  EXPECT_EQ(serialize(*parsed.cursor), R"({"schema":1,"file":"accounting-20261203.jsonl","offset":0})"
                                       "\n");
}

TEST(ForwardCursor, RefusesAnythingMalformedWithAClearReason) {
  const auto error = [](std::string_view text) {
    const cursor_parse_result parsed = parse_forward_cursor(text);
    EXPECT_FALSE(parsed.cursor) << text;
    return parsed.error;
  };
  EXPECT_EQ(error(""), "not JSON");
  EXPECT_EQ(error(R"({"schema":1,"file":"accounting-20261203.jsonl","offset":0)"), "not JSON");  // torn
  EXPECT_EQ(error("[1]"), "expected a JSON object, found array");
  EXPECT_EQ(error(R"({"schema":2,"file":"accounting-20261203.jsonl","offset":0})"), "\"schema\" must be 1");
  EXPECT_EQ(error(R"({"file":"accounting-20261203.jsonl","offset":0})"), "\"schema\" must be 1");
  EXPECT_EQ(error(R"({"schema":1,"offset":0})"), "\"file\" must be an accounting file name");
  EXPECT_EQ(error(R"({"schema":1,"file":"accounting-20261332.jsonl","offset":0})"),
            "\"file\" is \"accounting-20261332.jsonl\", which is not an accounting file name "
            "(accounting-YYYYMMDD[-N].jsonl)");
  EXPECT_EQ(error(R"({"schema":1,"file":"..\\x.jsonl","offset":0})"),
            "\"file\" is \"..\\x.jsonl\", which is not an accounting file name (accounting-YYYYMMDD[-N].jsonl)");
  EXPECT_EQ(error(R"({"schema":1,"file":"accounting-20261203.jsonl","offset":-1})"),
            "\"offset\" must be an integer of at least 0");
  EXPECT_EQ(error(R"({"schema":1,"file":"accounting-20261203.jsonl","offset":1.5})"),
            "\"offset\" must be an integer of at least 0");
  EXPECT_EQ(error(R"({"schema":1,"file":"accounting-20261203.jsonl","offset":"5"})"),
            "\"offset\" must be an integer of at least 0");
  EXPECT_EQ(error(R"({"schema":1,"file":"accounting-20261203.jsonl","offset":5})"),
            "\"first_line\" is required when \"offset\" is not 0");
  for (const char* hash : {"9F2C54E01A7B3D68", "9f2c54e01a7b3d6", "9f2c54e01a7b3d68a", "9f2c54e01a7b3d6g",
                           "0000000000000000", "+f2c54e01a7b3d68"}) {
    EXPECT_EQ(error(std::string(R"({"schema":1,"file":"accounting-20261203.jsonl","offset":5,"first_line":")") + hash +
                    "\"}"),
              "\"first_line\" must be 16 lower-case hex digits (FNV-1a 64 of the file's first line)")
        << hash;
  }
  EXPECT_EQ(error(R"({"schema":1,"file":"accounting-20261203.jsonl","offset":0,"size":3})"),
            "unknown key \"size\" (expected schema, file, offset, first_line)");
}

TEST(ForwardCursor, FirstLineHashCoversTheFirstCompleteLineOnly) {
  EXPECT_EQ(first_line_hash(""), 0u);
  EXPECT_EQ(first_line_hash("no newline yet"), 0u);
  EXPECT_EQ(first_line_hash(std::string("abc\0\0\n", 6)), 0u);  // padding is not a line
  EXPECT_EQ(first_line_hash("a\n"), first_line_hash("a\nb\n"));
  EXPECT_NE(first_line_hash("a\n"), first_line_hash("b\n"));
  EXPECT_EQ(first_line_hash("a\n"), 0x089bdc07b544e7b2ULL);  // FNV-1a 64 of the two bytes
}

TEST_F(folder_test, ListsPublicFilesInLogOrderAndNothingElse) {
  for (const char* name : {"accounting-20261203-10.jsonl", "accounting-20261204.jsonl", "accounting-20261203-2.jsonl",
                           "accounting-20261203.jsonl", "accounting-20261203-1.jsonl", "raswarden.log",
                           "accounting-20261203-0.jsonl", "accounting-20261203.jsonl.tmp"}) {
    write(name, "");
  }
  std::vector<std::string> names;
  for (const public_file& f : list_public_files(folder_)) names.push_back(f.path.filename().string());
  EXPECT_EQ(names, (std::vector<std::string>{"accounting-20261203.jsonl", "accounting-20261203-1.jsonl",
                                             "accounting-20261203-2.jsonl", "accounting-20261203-10.jsonl",
                                             "accounting-20261204.jsonl"}));
  EXPECT_TRUE(list_public_files(folder_ / "missing").empty());
}

TEST_F(folder_test, LagCountsRecordsAndBytesAfterTheCursorAcrossRotation) {
  const std::string first = record(1) + record(2) + record(3);
  const std::string second = record(4) + record(5);
  write("accounting-20261203.jsonl", first);
  write("accounting-20261203-1.jsonl", second + "{\"partial");  // a line still being written
  const std::uint64_t hash = first_line_hash(first);

  forward_lag lag = measure_lag(folder_, {day_one, record(1).size(), hash});
  EXPECT_EQ(lag.records, 4u);
  EXPECT_EQ(lag.bytes, first.size() - record(1).size() + second.size());

  lag = measure_lag(folder_, {day_one, first.size(), hash});
  EXPECT_EQ(lag.records, 2u);
  EXPECT_EQ(lag.bytes, second.size());

  lag = measure_lag(folder_, {{day_one.day, 1}, second.size(), first_line_hash(second)});
  EXPECT_EQ(lag.records, 0u);
  EXPECT_EQ(lag.bytes, 0u);
  EXPECT_EQ(lag.resent, 0u);
}

TEST_F(folder_test, LagStopsAtZeroPaddingOfAMappedFile) {
  const std::string records = record(1) + record(2);
  write("accounting-20261203.jsonl", records + std::string(4096, '\0'));
  const forward_lag lag = measure_lag(folder_, {day_one, 0, 0});
  EXPECT_EQ(lag.records, 2u);
  EXPECT_EQ(lag.bytes, records.size());
}

TEST_F(folder_test, AReplacedFileCountsWholeAndAGoneOneCountsNothing) {
  const std::string replaced = record(7) + record(8);
  write("accounting-20261203.jsonl", replaced);
  write("accounting-20261203-1.jsonl", record(9));
  // The cursor was 10 bytes into a file whose first line was record 1.
  forward_lag lag = measure_lag(folder_, {day_one, 10, first_line_hash(record(1))});
  EXPECT_EQ(lag.records, 3u);
  EXPECT_EQ(lag.bytes, replaced.size() + record(9).size());
  fs::remove(folder_ / "accounting-20261203.jsonl");
  lag = measure_lag(folder_, {day_one, 10, first_line_hash(record(1))});
  EXPECT_EQ(lag.records, 1u);
  EXPECT_EQ(lag.bytes, record(9).size());
}

TEST_F(folder_test, CountsAcrossReadChunksOfAFileLargerThanOneMebibyte) {
  std::string big;
  int count = 0;
  while (big.size() < (std::size_t{3} << 20)) big += record(++count);
  const fs::path path = write("accounting-20261203.jsonl", big);
  const published_span span = count_published(path, 0);
  EXPECT_TRUE(span.readable);
  EXPECT_EQ(span.records, static_cast<std::uint64_t>(count));
  EXPECT_EQ(span.end, big.size());
  const published_span tail = count_published(path, big.size() - record(count).size());
  EXPECT_EQ(tail.records, 1u);
  const published_span beyond = count_published(path, big.size() + 100);
  EXPECT_EQ(beyond.records, 0u);
  EXPECT_EQ(beyond.end, big.size() + 100);
  EXPECT_FALSE(count_published(folder_ / "missing.jsonl", 0).readable);
}

}  // namespace
}  // namespace raswarden::core
