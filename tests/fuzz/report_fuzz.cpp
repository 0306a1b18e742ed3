// The report reader (raswarden report and tail): arbitrary bytes as accounting files, read line
// by line as report::build reads them (a last line without '\n' is a write the process never
// finished), each line also parsed and rendered as `tail` does, then the report rendered in every
// output format. A report must come out of any log; its JSON output must be JSON.
//
// Input: [flags] [UTC offset] [options line: since \t until \t user glob \t server \t event glob \n]
//        [log bytes; '\f' starts the next file]
// flags: bit 0 --utc; bits 1-5 use the option line's since, until, user, server, event; bit 6 a
// zone whose offset changes every 30 days (daylight saving time); bit 7 the smallest timeline and
// listing (2 buckets, 1 entry).
#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "raswarden/report.hpp"
#include "raswarden/text.hpp"

namespace {

using namespace raswarden;
namespace report = core::report;

enum flag : std::uint8_t {
  utc = 1,
  use_since = 2,
  use_until = 4,
  use_user = 8,
  use_server = 16,
  use_event = 32,
  daylight_saving = 64,
  small_lists = 128,
};

// Splits `text` at `separator`; the last piece may be empty.
std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  for (std::size_t at = text.find(separator); at != std::string_view::npos; at = text.find(separator)) {
    pieces.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  pieces.push_back(text);
  return pieces;
}

report::options options_from(std::uint8_t flags, std::uint8_t zone, std::string_view option_line) {
  report::options o;
  o.utc = (flags & utc) != 0;
  const std::int32_t base = (zone % 53 - 24) * 30;
  const bool dst = (flags & daylight_saving) != 0;
  o.utc_offset = [base, dst](std::int64_t unix_ms) {
    const std::int64_t month = unix_ms / (30LL * 86400000);
    return base + (dst && month % 2 != 0 ? 60 : 0);
  };
  if ((flags & small_lists) != 0) {
    o.timeline_buckets = 2;
    o.list_limit = 1;
  }
  std::array<std::string_view, 5> fields{};
  const auto pieces = split(option_line, '\t');
  std::copy_n(pieces.begin(), std::min(pieces.size(), fields.size()), fields.begin());
  // As the command line reads them: times in the report's zone, globs lower-cased.
  if ((flags & use_since) != 0) o.only.since_ms = report::parse_time_argument(fields[0], o.utc, o.utc_offset);
  if ((flags & use_until) != 0) o.only.until_ms = report::parse_time_argument(fields[1], o.utc, o.utc_offset);
  if ((flags & use_user) != 0) o.only.user_globs.push_back(core::ascii_lower(fields[2]));
  if ((flags & use_server) != 0) o.only.servers.emplace_back(fields[3]);
  if ((flags & use_event) != 0) o.only.event_globs.push_back(core::ascii_lower(fields[4]));
  return o;
}

// What `raswarden tail` prints for a line.
void tail(std::string_view line, const report::options& o, report::record& scratch) {
  if (report::parse_line(line, scratch) != report::line_status::ok) return;
  (void)o.only.matches_user(scratch.user);
  (void)o.only.matches_server(scratch.server);
  (void)o.only.matches_event(scratch.event);
  (void)report::is_known_event(scratch.event);
  (void)report::render_line(scratch, o.utc ? 0 : o.utc_offset(scratch.ts_ms));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::byte_source in(data, size);
  const std::uint8_t flags = in.byte();
  const std::uint8_t zone = in.byte();
  std::string_view rest = in.rest();
  const std::size_t end_of_options = rest.find('\n');
  const std::string_view option_line = rest.substr(0, end_of_options);
  rest.remove_prefix(end_of_options == std::string_view::npos ? rest.size() : end_of_options + 1);

  const report::options options = options_from(flags, zone, option_line);
  report::builder reader(options);
  report::record scratch;
  int day = 20;
  for (const std::string_view file : split(rest, '\f')) {
    reader.begin_file("logs/accounting-202611" + std::to_string(day++) + ".jsonl");
    const auto lines = split(file, '\n');
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
      reader.add_line(lines[i]);
      tail(lines[i], options, scratch);
    }
    if (!lines.back().empty()) {
      reader.add_unterminated_line(lines.back());
      tail(lines.back(), options, scratch);
    }
  }
  const report::summary result = reader.finish();
  (void)report::render_text(result);
  (void)report::render_csv(result);
  (void)report::render_html(result);
  const std::string json = report::render_json(result);
  if (!nlohmann::json::accept(json)) fuzz::fail("render_json wrote something that is not JSON");
  return 0;
}
