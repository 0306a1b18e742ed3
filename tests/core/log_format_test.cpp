#include "raswarden/log_format.hpp"

#include <gtest/gtest.h>

namespace raswarden::core::log_format {
namespace {

constexpr std::int64_t day_20261203 = 20790;  // days from 1970-01-01 to 2026-12-03

TEST(log_format, file_names_round_trip) {
  EXPECT_EQ(file_name({day_20261203, 0}), "accounting-20261203.jsonl");
  EXPECT_EQ(file_name({day_20261203, 12}), "accounting-20261203-12.jsonl");
  EXPECT_EQ(parse_file_name("accounting-20261203.jsonl"), (file_id{day_20261203, 0}));
  EXPECT_EQ(parse_file_name("accounting-20261203-12.jsonl"), (file_id{day_20261203, 12}));
  EXPECT_EQ(day_number(day_20261203), 20261203u);
}

TEST(log_format, other_names_are_not_accounting_files) {
  for (const char* name : {"accounting-2026120.jsonl", "accounting-20261203-.jsonl", "accounting-20261203-0.jsonl",
                           "accounting-20261203-01.jsonl", "accounting-20261232.jsonl", "accounting-20261203.json",
                           "accounting-20261203-+1.jsonl", "accounting-2026120a.jsonl", "raswarden.log",
                           "accounting-20261203-1.jsonl.tmp", "accounting-20261203-99999999999.jsonl"}) {
    EXPECT_FALSE(parse_file_name(name)) << name;
  }
}

TEST(log_format, files_order_by_day_then_index) {
  EXPECT_LT(*parse_file_name("accounting-20261203.jsonl"), *parse_file_name("accounting-20261203-1.jsonl"));
  EXPECT_LT(*parse_file_name("accounting-20261203-2.jsonl"), *parse_file_name("accounting-20261203-10.jsonl"));
  EXPECT_LT(*parse_file_name("accounting-20261203-10.jsonl"), *parse_file_name("accounting-20261204.jsonl"));
}

TEST(log_format, days_are_utc_days_also_before_1970) {
  EXPECT_EQ(day_of(0), 0);
  EXPECT_EQ(day_of(ms_per_day - 1), 0);
  EXPECT_EQ(day_of(ms_per_day), 1);
  EXPECT_EQ(day_of(-1), -1);
}

TEST(log_format, records_end_after_the_last_newline_before_any_nul) {
  EXPECT_EQ(records_end(""), 0u);
  EXPECT_EQ(records_end("{\"a\":1}"), 0u);
  EXPECT_EQ(records_end("{\"a\":1}\n{\"b\""), 8u);
  EXPECT_EQ(records_end("{\"a\":1}\n"), 8u);
  using namespace std::string_view_literals;
  EXPECT_EQ(records_end("{\"a\":1}\n{\"b\":2}\n\0\0\0"sv), 16u);
  EXPECT_EQ(records_end("{\"a\":1}\n\0\0{\"b\":2}\n"sv), 8u) << "nothing after padding counts";
}

}  // namespace
}  // namespace raswarden::core::log_format
