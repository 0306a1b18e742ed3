#include "raswarden/report.hpp"
#include "raswarden/policy.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace raswarden::core::report {
namespace {

// tests/data/report/README.md explains where every expected number comes from.
const std::filesystem::path data_folder = std::filesystem::path(RASWARDEN_SOURCE_DIR) / "tests" / "data" / "report";

constexpr std::int64_t at(int day, int hour, int minute) {
  // 2026-11-20T00:00:00Z
  constexpr std::int64_t november_20 = 1'795'132'800'000;
  return november_20 + (static_cast<std::int64_t>(day - 20) * 24 + hour) * 3'600'000 + minute * 60'000;
}

options utc_options() {
  options chosen;
  chosen.utc = true;
  return chosen;
}

summary crafted(options chosen = utc_options()) {
  return build(expand_inputs({data_folder / "logs"}), std::move(chosen));
}

// By account, as the report groups them (case and the UPN suffix aside); the name shown is the
// first one written.
const user_summary* find_user(const summary& s, std::string_view name) {
  const auto found = std::find_if(s.users.begin(), s.users.end(), [&](const user_summary& u) {
    return user_count_key(u.user) == user_count_key(name);
  });
  return found == s.users.end() ? nullptr : &*found;
}

const day_summary* find_day(const summary& s, std::string_view name) {
  const auto found = std::find_if(s.days.begin(), s.days.end(), [&](const day_summary& d) { return d.day == name; });
  return found == s.days.end() ? nullptr : &*found;
}

void expect_user(const summary& s, std::string_view name, std::uint64_t sessions, std::uint64_t connect_s,
                 std::uint64_t longest_s, std::uint64_t bytes_in, std::uint64_t bytes_out, std::uint64_t rejections) {
  const user_summary* person = find_user(s, name);
  ASSERT_NE(person, nullptr) << name;
  EXPECT_EQ(person->sessions, sessions) << name;
  EXPECT_EQ(person->connect_s, connect_s) << name;
  EXPECT_EQ(person->longest_s, longest_s) << name;
  EXPECT_EQ(person->bytes_in, bytes_in) << name;
  EXPECT_EQ(person->bytes_out, bytes_out) << name;
  EXPECT_EQ(person->rejections, rejections) << name;
}

TEST(ReportTime, ParsesRfc3339WithZones) {
  EXPECT_EQ(parse_rfc3339("2026-11-20T08:00:00.000Z"), at(20, 8, 0));
  EXPECT_EQ(parse_rfc3339("2026-11-20T08:00:00.5Z"), at(20, 8, 0) + 500);
  EXPECT_EQ(parse_rfc3339("2026-11-20T09:00:00+01:00"), at(20, 8, 0));
  EXPECT_EQ(parse_rfc3339("2026-11-20T03:30:00-04:30"), at(20, 8, 0));
  EXPECT_FALSE(parse_rfc3339("2026-11-20"));
  EXPECT_FALSE(parse_rfc3339("2026-11-20T08:00:00"));
  EXPECT_FALSE(parse_rfc3339("2026-02-30T08:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-20T08:00:00.000Zjunk"));
}

TEST(ReportTime, TimeArgumentsInLocalTimeOrUtc) {
  const utc_offset_function plus_two_hours = [](std::int64_t) { return 120; };
  EXPECT_EQ(parse_time_argument("2026-11-20", true, plus_two_hours), at(20, 0, 0));
  EXPECT_EQ(parse_time_argument("2026-11-20 12:00", true, plus_two_hours), at(20, 12, 0));
  EXPECT_EQ(parse_time_argument("2026-11-20 12:00", false, plus_two_hours), at(20, 10, 0));
  EXPECT_EQ(parse_time_argument("2026-11-20T12:00:30", false, plus_two_hours), at(20, 10, 0) + 30'000);
  EXPECT_EQ(parse_time_argument("2026-11-20T12:00:00Z", false, plus_two_hours), at(20, 12, 0));
  EXPECT_FALSE(parse_time_argument("yesterday", false, plus_two_hours));
  EXPECT_FALSE(parse_time_argument("2026-11-20 25:00", true, plus_two_hours));
  EXPECT_EQ(format_moment(at(20, 23, 30), 0), "2026-11-20 23:30:00");
  EXPECT_EQ(format_moment(at(20, 23, 30), 60), "2026-11-21 00:30:00");
  EXPECT_EQ(format_day(at(20, 1, 0), -120), "2026-11-19");
}

TEST(ReportFiles, RotatedFilesInWritingOrder) {
  EXPECT_EQ(accounting_file_order("accounting-20261120.jsonl"), (std::pair{20261120U, 0U}));
  EXPECT_EQ(accounting_file_order("accounting-20261120-12.jsonl"), (std::pair{20261120U, 12U}));
  EXPECT_FALSE(accounting_file_order("accounting-2026112.jsonl"));
  EXPECT_FALSE(accounting_file_order("accounting-20261120-.jsonl"));
  EXPECT_FALSE(accounting_file_order("raswarden.log"));

  const auto folder = std::filesystem::temp_directory_path() / "raswarden-report-order";
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  for (const char* name : {"accounting-20261121.jsonl", "accounting-20261120-10.jsonl", "accounting-20261120.jsonl",
                           "accounting-20261120-2.jsonl", "accounting-20261120-1.jsonl", "sessions.state"}) {
    std::ofstream(folder / name) << "";
  }
  std::vector<std::string> names;
  for (const auto& file : accounting_files(folder)) names.push_back(file.filename().string());
  EXPECT_EQ(names, (std::vector<std::string>{"accounting-20261120.jsonl", "accounting-20261120-1.jsonl",
                                             "accounting-20261120-2.jsonl", "accounting-20261120-10.jsonl",
                                             "accounting-20261121.jsonl"}));
  std::filesystem::remove_all(folder);
}

TEST(ReportLines, CorruptTruncatedBlankAndFutureRecords) {
  record r;
  EXPECT_EQ(parse_line("", r), line_status::blank);
  EXPECT_EQ(parse_line("not json", r), line_status::corrupt);
  EXPECT_EQ(parse_line("[1,2]", r), line_status::corrupt);
  EXPECT_EQ(parse_line("42", r), line_status::corrupt);
  EXPECT_EQ(parse_line(R"({"ts":"2026-11-20T08:00:00Z","event":"x"} {"a":1})", r), line_status::corrupt);
  EXPECT_EQ(parse_line(R"({"schema":1,"event":"service-start"})", r), line_status::corrupt);  // no ts
  EXPECT_EQ(parse_line(R"({"schema":1,"ts":"yesterday","event":"service-start"})", r), line_status::corrupt);
  EXPECT_EQ(parse_line(R"({"schema":1,"ts":"2026-11-20T08:00:00.000Z","event":"connection-st)", r),
            line_status::truncated);
  EXPECT_EQ(parse_line(R"({"schema":1,"ts":"2026-11-20T08:00:00.000Z","event":"service-start",)", r),
            line_status::truncated);
  ASSERT_EQ(parse_line("{\"schema\":3,\"ts\":\"2026-11-20T08:00:00.000Z\",\"event\":\"connection-stop\",\"extra\":"
                       "{\"user\":\"not-this\",\"list\":[{\"duration_s\":1}]},\"user\":\"alice\",\"duration_s\":42,"
                       "\"bytes_in\":7,\"start_seen\":false}\r",
                       r),
            line_status::ok);
  EXPECT_EQ(r.schema, 3);
  EXPECT_EQ(r.ts_ms, at(20, 8, 0));
  EXPECT_EQ(r.user, "alice");
  EXPECT_EQ(r.duration_s, 42U);
  EXPECT_EQ(r.bytes_in, 7U);
  EXPECT_EQ(r.start_seen, false);
  EXPECT_FALSE(r.bytes_out);
  ASSERT_EQ(parse_line(R"({"ts":"2026-11-20T08:00:00Z","event":"config-rejected","path":"C:\\x\"y\"","user":)"
                       R"("J\u00e9r\u00f4me \ud83d\ude00","problems":["a","b\n",{"c":["d"]}],"n":-1.5e3,"z":null})",
                       r),
            line_status::ok);
  EXPECT_EQ(r.path, "C:\\x\"y\"");
  EXPECT_EQ(r.user, "J\xc3\xa9r\xc3\xb4me \xf0\x9f\x98\x80");
  EXPECT_EQ(r.problems, 2U);
  EXPECT_EQ(parse_line("{\"ts\":\"2026-11-20T08:00:00Z\",\"event\":\"x\",\"user\":\"a\tb\"}", r), line_status::corrupt);
  EXPECT_EQ(parse_line(R"({"ts":"2026-11-20T08:00:00Z","event":"x","enforced":tr)", r), line_status::truncated);
  EXPECT_EQ(parse_line(R"({"ts":"2026-11-20T08:00:00Z","event":"x","enforced":tru,"a":1})", r), line_status::corrupt);
  EXPECT_EQ(parse_line(R"({"ts":"2026-11-20T08:00:00Z","event":"x","n":01})", r), line_status::corrupt);
  EXPECT_EQ(parse_line(R"({"ts":"2026-11-20T08:00:00Z","event":"x","n":1.})", r), line_status::corrupt);
  EXPECT_EQ(parse_line(R"({"ts":"2026-11-20T08:00:00Z","event":"x","n":12)", r), line_status::truncated);
  EXPECT_EQ(parse_line(R"({"ts":"2026-11-20T08:00:00Z","event":"x","s":"\u12)", r), line_status::truncated);
  EXPECT_EQ(parse_line(R"({"ts":"2026-11-20T08:00:00Z","event":"x","s":"\q"})", r), line_status::corrupt);
  EXPECT_EQ(parse_line(R"({"ts":"2026-11-20T08:00:00Z","event":"x",})", r), line_status::corrupt);
  EXPECT_EQ(parse_line(R"({"ts":"2026-11-20T08:00:00Z","event":"x"})" + std::string(200, '['), r),
            line_status::corrupt);
  EXPECT_EQ(parse_line("{\"a\":" + std::string(100, '['), r), line_status::corrupt);  // deeper than a record goes
  EXPECT_TRUE(is_known_event("session-recovered"));
  EXPECT_FALSE(is_known_event("future-event"));
}

TEST(ReportTotals, CraftedLogSet) {
  const summary s = crafted();
  ASSERT_EQ(s.files.size(), 3U);
  EXPECT_NE(s.files[0].find("accounting-20261120.jsonl"), std::string::npos);
  EXPECT_NE(s.files[1].find("accounting-20261120-1.jsonl"), std::string::npos);
  EXPECT_NE(s.files[2].find("accounting-20261121.jsonl"), std::string::npos);

  EXPECT_EQ(s.counts.lines, 28U);
  EXPECT_EQ(s.counts.records, 24U);
  EXPECT_EQ(s.counts.corrupt, 1U);
  EXPECT_EQ(s.counts.truncated, 1U);
  EXPECT_EQ(s.counts.unknown_event, 1U);
  EXPECT_EQ(s.counts.blank, 1U);
  EXPECT_EQ(s.counts.newer_schema, 1U);
  EXPECT_EQ(s.counts.filtered_out, 0U);
  EXPECT_EQ(s.unknown_events.at("future-event"), 1U);
  ASSERT_EQ(s.bad_lines.size(), 3U);
  EXPECT_EQ(s.bad_lines[0].line, 9U);
  EXPECT_EQ(s.bad_lines[0].what, "corrupt");
  EXPECT_EQ(s.bad_lines[1].line, 7U);
  EXPECT_EQ(s.bad_lines[2].line, 3U);
  EXPECT_EQ(s.bad_lines[2].what, "truncated");

  EXPECT_EQ(s.total_sessions, 7U);
  EXPECT_EQ(s.total_rejections, 3U);
  EXPECT_EQ(s.first_ms, at(20, 8, 0));
  EXPECT_EQ(s.last_ms, at(21, 9, 0));

  ASSERT_EQ(s.users.size(), 7U);  // erin's only session is still open
  expect_user(s, "alice", 2, 55800 + 10740, 55800, 5000, 6000, 0);
  expect_user(s, "bob", 1, 62940, 62940, 0, 0, 1);
  expect_user(s, "carol", 1, 3600, 3600, 2000, 4000, 0);  // two links, counted once
  expect_user(s, "dave", 1, 1800, 1800, 100, 200, 1);     // audit mode: refused, yet connected
  expect_user(s, "ext-mallory", 0, 0, 0, 0, 0, 1);
  expect_user(s, "frank", 1, 3600, 3600, 10, 20, 0);
  expect_user(s, "greg", 1, 600, 600, 1, 2, 0);

  ASSERT_EQ(s.days.size(), 2U);
  const day_summary* first = find_day(s, "2026-11-20");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->sessions, 4U);
  EXPECT_EQ(first->connect_s, 55800U + 3600 + 1800 + 62940);
  EXPECT_EQ(first->bytes_in, 7100U);
  EXPECT_EQ(first->bytes_out, 10200U);
  EXPECT_EQ(first->rejections, 2U);
  EXPECT_EQ(first->peak_sessions, 3U);
  const day_summary* second = find_day(s, "2026-11-21");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->sessions, 3U);
  EXPECT_EQ(second->connect_s, 10740U + 3600 + 600);
  EXPECT_EQ(second->bytes_in, 11U);
  EXPECT_EQ(second->bytes_out, 22U);
  EXPECT_EQ(second->rejections, 1U);
  EXPECT_EQ(second->peak_sessions, 2U);

  EXPECT_EQ(s.peak_sessions, 3U);
  EXPECT_EQ(s.peak_ms, at(20, 11, 0));

  ASSERT_EQ(s.rejections.size(), 3U);
  std::vector<std::string> rules;
  for (const auto& r : s.rejections) {
    rules.push_back(r.rule);
    EXPECT_EQ(r.count, 1U);
    EXPECT_EQ(r.not_enforced, r.rule == "no-pptp" ? 1U : 0U);
  }
  std::sort(rules.begin(), rules.end());
  EXPECT_EQ(rules, (std::vector<std::string>{"no-pptp", "partners", "policy.reauthentication"}));

  ASSERT_EQ(s.still_open.size(), 1U);
  EXPECT_EQ(s.still_open[0].session_id, "s7");
  EXPECT_EQ(s.still_open[0].user, "erin");
  EXPECT_EQ(s.still_open[0].start_ms, at(21, 6, 0));

  ASSERT_EQ(s.recovered.size(), 2U);
  EXPECT_EQ(s.recovered_total, 2U);
  EXPECT_EQ(s.recovered[0].user, "bob@contoso.example");  // as written
  EXPECT_EQ(s.recovered[0].cause, "unclean-shutdown");
  EXPECT_EQ(s.recovered[0].duration_s, 62940U);
  EXPECT_EQ(s.recovered[1].user, "alice");

  // The timeline ends where the data ends: erin alone.
  ASSERT_FALSE(s.concurrency.empty());
  EXPECT_EQ(s.concurrency.back().last, 1U);
  std::uint64_t highest = 0;
  for (const auto& bucket : s.concurrency) highest = std::max(highest, bucket.peak);
  EXPECT_EQ(highest, 3U);
}

TEST(ReportTotals, DaysFollowTheLocalZone) {
  options chosen;
  chosen.utc_offset = [](std::int64_t) { return -600; };  // UTC-10: alice's 01:00Z start is the 20th
  const summary s = crafted(chosen);
  const day_summary* first = find_day(s, "2026-11-20");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->sessions, 5U);
  EXPECT_EQ(s.offset_minutes, -600);
}

TEST(ReportTotals, TheTimelineStaysBoundedAndKeepsThePeak) {
  options chosen = utc_options();
  chosen.timeline_buckets = 2;
  const summary s = crafted(chosen);
  EXPECT_LT(s.concurrency.size(), 4U);
  std::uint64_t highest = 0;
  for (const auto& bucket : s.concurrency) highest = std::max(highest, bucket.peak);
  EXPECT_EQ(highest, 3U);
  EXPECT_EQ(s.peak_ms, at(20, 11, 0));
}

TEST(ReportFilters, UserGlob) {
  options chosen = utc_options();
  chosen.only.user_globs = {"a*"};
  const summary s = crafted(chosen);
  ASSERT_EQ(s.users.size(), 1U);
  expect_user(s, "alice", 2, 55800 + 10740, 55800, 5000, 6000, 0);
  EXPECT_EQ(s.peak_sessions, 1U);
  EXPECT_EQ(s.peak_ms, at(20, 8, 0));
  EXPECT_EQ(s.total_rejections, 0U);
  EXPECT_GT(s.counts.filtered_out, 0U);
}

TEST(ReportFilters, DomainFormsMatchTheAccount) {
  options chosen = utc_options();
  chosen.only.user_globs = {"bob"};
  const summary s = crafted(chosen);
  expect_user(s, "bob", 1, 62940, 62940, 0, 0, 1);
}

TEST(ReportFilters, Server) {
  options chosen = utc_options();
  chosen.only.servers = {"VPN2"};
  const summary s = crafted(chosen);
  ASSERT_EQ(s.users.size(), 1U);
  expect_user(s, "frank", 1, 3600, 3600, 10, 20, 0);
  EXPECT_EQ(s.peak_ms, at(21, 7, 0));
}

TEST(ReportFilters, SinceCountsSessionsStartedInRangeAndConcurrencyCarriedIn) {
  options chosen = utc_options();
  chosen.only.since_ms = at(21, 0, 0);
  const summary s = crafted(chosen);
  EXPECT_EQ(s.total_sessions, 3U);  // alice again, frank, greg; bob started the day before
  EXPECT_EQ(s.total_rejections, 1U);
  EXPECT_EQ(s.peak_sessions, 2U);  // bob, still connected from the 20th, and alice
  EXPECT_EQ(s.peak_ms, at(21, 1, 0));
  EXPECT_EQ(s.recovered_total, 1U);
}

TEST(ReportFilters, UntilKeepsSessionsThatStartedBefore) {
  options chosen = utc_options();
  chosen.only.until_ms = at(20, 12, 0);
  const summary s = crafted(chosen);
  EXPECT_EQ(s.total_sessions, 4U);  // alice (ended later), carol, dave, bob (recovered later)
  EXPECT_EQ(s.total_rejections, 2U);
  EXPECT_EQ(s.peak_sessions, 3U);
  EXPECT_EQ(s.last_ms, at(20, 11, 30));
  EXPECT_TRUE(s.still_open.empty());
}

TEST(ReportFilters, EventKinds) {
  options chosen = utc_options();
  chosen.only.event_globs = {"*-reject"};
  const summary s = crafted(chosen);
  EXPECT_EQ(s.total_rejections, 3U);
  EXPECT_EQ(s.counts.records, 3U);
}

TEST(ReportOutputs, Text) {
  const std::string text = render_text(crafted());
  EXPECT_NE(
      text.find("28 lines: 24 records used, 0 filtered out, 1 corrupt, 1 truncated, 1 unknown event, 1 newer schema"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("peak concurrent sessions: 3 at 2026-11-20 11:00:00"), std::string::npos) << text;
  EXPECT_NE(text.find("Unknown events: future-event (1)"), std::string::npos) << text;
  EXPECT_NE(text.find("accounting-20261120.jsonl:9: corrupt"), std::string::npos) << text;
  // Aligned columns: numbers right-aligned under their headers.
  EXPECT_NE(text.find("  user                 sessions  connect time   longest  bytes in  bytes out  rejections\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  alice                       2      18:29:00  15:30:00    5.0 kB     6.0 kB           0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  2026-11-20         4      34:29:00    7.1 kB    10.2 kB           2                3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  s7       erin  vpn1    2026-11-21 06:00:00\n"), std::string::npos) << text;
}

TEST(ReportOutputs, Csv) {
  const std::string csv = render_csv(crafted());
  EXPECT_NE(csv.find("Per user\nuser,sessions,connect time,longest,bytes in,bytes out,rejections\n"), std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\nalice,2,66540,55800,5000,6000,0\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n2026-11-21,3,14940,11,22,1,2\n"), std::string::npos) << csv;
  // A reason with a comma and quotes is quoted.
  EXPECT_NE(csv.find("\npartners,\"matched rule \"\"partners\"\", which rejects\",connection-reject,1,0\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\nRecovered sessions\n"), std::string::npos) << csv;
}

TEST(ReportOutputs, Json) {
  const auto document = nlohmann::json::parse(render_json(crafted()));
  EXPECT_EQ(document["sessions"], 7);
  EXPECT_EQ(document["rejections_total"], 3);
  EXPECT_EQ(document["peak"]["sessions"], 3);
  EXPECT_EQ(document["peak"]["at"], "2026-11-20T11:00:00.000Z");
  EXPECT_EQ(document["lines"]["corrupt"], 1);
  EXPECT_EQ(document["lines"]["truncated"], 1);
  EXPECT_EQ(document["lines"]["unknown_event"], 1);
  EXPECT_EQ(document["lines"]["newer_schema"], 1);
  EXPECT_EQ(document["unknown_events"]["future-event"], 1);
  const auto& alice = document["users"][0];
  EXPECT_EQ(alice["user"], "alice");
  EXPECT_EQ(alice["connect_s"], 66540);
  EXPECT_EQ(alice["longest_s"], 55800);
  EXPECT_EQ(alice["bytes_in"], 5000);
  EXPECT_EQ(document["days"].size(), 2U);
  EXPECT_EQ(document["days"][0]["peak_sessions"], 3);
  EXPECT_EQ(document["still_open"][0]["session_id"], "s7");
  EXPECT_EQ(document["still_open"][0]["since"], "2026-11-21T06:00:00.000Z");
  EXPECT_EQ(document["recovered"].size(), 2U);
  EXPECT_EQ(document["recovered_total"], 2);
  EXPECT_FALSE(document["concurrency"].empty());
}

TEST(ReportOutputs, HtmlIsOneSelfContainedPage) {
  const std::string html = render_html(crafted());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0U);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"Concurrent sessions over time\""), std::string::npos);
  EXPECT_NE(html.find("stroke=\"#d6336c\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"Top users by connect time\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"Top users by traffic\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"Rejections by rule\""), std::string::npos);
  EXPECT_NE(html.find("<td>alice</td><td class=\"n\">2</td><td class=\"n\">18:29:00</td>"), std::string::npos);
  // Escaped, and nothing fetched from anywhere.
  EXPECT_NE(html.find("matched rule &quot;partners&quot;, which rejects"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
}

TEST(ReportOutputs, TailLines) {
  record r;
  ASSERT_EQ(
      parse_line(R"({"schema":1,"ts":"2026-11-20T08:00:00.250Z","event":"connection-stop","server":"vpn1",)"
                 R"("session_id":"s1","user":"alice","domain":"CONTOSO","tunnel":"sstp","client_ip":"10.20.0.11",)"
                 R"("duration_s":3725,"bytes_in":18400512,"bytes_out":240118272,"links":2,"start_seen":true})",
                 r),
      line_status::ok);
  EXPECT_EQ(render_line(r, 0),
            "2026-11-20 08:00:00.250 vpn1 connection-stop   CONTOSO\\alice sstp ip 10.20.0.11 1:02:05 in 18.4 MB "
            "out 240.1 MB links 2 session s1");
  ASSERT_EQ(parse_line(R"({"schema":1,"ts":"2026-11-20T08:00:00.000Z","event":"connection-reject","server":"vpn1",)"
                       R"("user":"frank","decision":"reject","rule":"blocked","reason":"no","enforced":false})",
                       r),
            line_status::ok);
  EXPECT_EQ(render_line(r, 60),
            "2026-11-20 09:00:00.000 vpn1 connection-reject frank -> reject by blocked (audit: not enforced): no");
  ASSERT_EQ(parse_line(R"({"schema":2,"ts":"2026-11-20T08:00:00.000Z","event":"teleport","server":"vpn1"})", r),
            line_status::ok);
  EXPECT_EQ(render_line(r, 0), "2026-11-20 08:00:00.000 vpn1 teleport          (unknown event) [schema 2]");
}

// Names are chosen by remote clients: in tail lines, the text report and CSV they can neither
// drive the terminal nor become spreadsheet formulas.
TEST(ReportOutputs, HostileNamesAreShownNotObeyed) {
  record r;
  ASSERT_EQ(parse_line(R"({"schema":1,"ts":"2026-11-20T08:00:00.000Z","event":"connection-accept","server":"vpn1",)"
                       R"("user":"ev\u001b[2Jil\r\nfake","domain":"\u009bX","decision":"accept"})",
                       r),
            line_status::ok);
  const std::string line = render_line(r, 0);
  EXPECT_EQ(line.find_first_of("\x1b\r\n"), std::string::npos) << line;
  EXPECT_EQ(line.find("\xc2\x9b"), std::string::npos) << line;
  EXPECT_NE(line.find("\\u009bX\\ev\\x1b[2Jil\\x0d\\x0afake"), std::string::npos) << line;

  builder b(utc_options());
  b.begin_file("accounting-20261120.jsonl");
  for (const char* user :
       {"=HYPERLINK(\\\"http://evil.example/\\\",\\\"x\\\")", "+SUM(1,2)", "mal\\u001b]0;x\\u0007", "Alice", "ALICE"}) {
    b.add_line(
        std::string(R"({"schema":1,"ts":"2026-11-20T08:00:00.000Z","event":"connection-stop","server":"vpn1",)") +
        R"("session_id":"s-)" + user + R"(","user":")" + user + R"(","duration_s":60,"bytes_in":1,"bytes_out":2})");
  }
  const summary s = b.finish();
  const std::string csv = render_csv(s);
  // Shown as written, not lower-cased.
  EXPECT_NE(csv.find("\n\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\","), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n\"'+SUM(1,2)\","), std::string::npos) << csv;
  EXPECT_EQ(csv.find("\n=HYP"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("\n+SUM"), std::string::npos) << csv;
  EXPECT_EQ(csv.find('\x1b'), std::string::npos) << csv;
  const std::string text = render_text(s);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x07'), std::string::npos) << text;
  EXPECT_NE(text.find("mal\\x1b]0;x\\x07"), std::string::npos) << text;
  // One account however it is capitalised, shown as first written.
  EXPECT_NE(csv.find("\nAlice,2,"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("ALICE"), std::string::npos) << csv;
}

TEST(ReportStreaming, LinesSplitAcrossReadsAndAMissingFinalNewline) {
  const auto folder = std::filesystem::temp_directory_path() / "raswarden-report-stream";
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  const auto file = folder / "accounting-20261120.jsonl";
  {
    std::ofstream out(file, std::ios::binary);
    // Enough records that lines straddle the reader's 1 MiB chunks.
    for (int i = 0; i < 20000; ++i) {
      out << R"({"schema":1,"ts":"2026-11-20T08:00:00.000Z","event":"connection-accept","server":"vpn1","session_id":"a)"
          << i << R"(","user":"user)" << (i % 7) << R"(","padding":")"
          << std::string(static_cast<std::size_t>(i % 50), 'x') << "\"}\n";
      out << R"({"schema":1,"ts":"2026-11-20T09:00:00.000Z","event":"connection-stop","server":"vpn1","session_id":"a)"
          << i << R"(","user":"user)" << (i % 7) << R"(","duration_s":10,"bytes_in":1,"bytes_out":2})"
          << "\n";
    }
    out << R"({"schema":1,"ts":"2026-11-20T10:00:00.000Z","event":"connection-accept","server":"vpn1","session_id":"last"})";
  }
  const summary s = build({file}, utc_options());
  EXPECT_EQ(s.counts.lines, 40001U);
  EXPECT_EQ(s.counts.records, 40001U);
  EXPECT_EQ(s.total_sessions, 20000U);
  EXPECT_EQ(s.peak_sessions, 1U);      // each stop follows its accept
  ASSERT_EQ(s.still_open.size(), 1U);  // a whole record without its '\n' still counts
  std::uint64_t connect_s = 0;
  for (const auto& u : s.users) connect_s += u.connect_s;
  EXPECT_EQ(connect_s, 200000U);
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace raswarden::core::report
