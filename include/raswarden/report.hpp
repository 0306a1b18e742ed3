// Reports over the accounting records (docs/reports.md): who was connected when and for how long,
// how much traffic, the peak of concurrent sessions, who was refused by which rule. The reader
// streams the files line by line and keeps only aggregates (per user, per day, per rule, the
// sessions open right now), so memory does not grow with the size of the logs. A line that cannot
// be used is counted, never fatal: logs are evidence, and a report must still come out of a log
// that a crash cut short or a newer RasWarden wrote.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace raswarden::core::report {

// Minutes local time is ahead of UTC at a moment (core::clock::utc_offset_minutes); tests pass a
// fixed one so results do not depend on the machine's zone.
using utc_offset_function = std::function<std::int32_t(std::int64_t unix_ms)>;

// ---- Time ---------------------------------------------------------------------------------------

// "2026-11-22T03:16:39.583Z" or with an offset ("+01:00"); nullopt when it is not RFC 3339.
[[nodiscard]] std::optional<std::int64_t> parse_rfc3339(std::string_view text) noexcept;

// What --since/--until accept: RFC 3339 (its own zone), or "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]"
// (also with "T") in local time, or in UTC when `utc` is set.
[[nodiscard]] std::optional<std::int64_t> parse_time_argument(std::string_view text, bool utc,
                                                              const utc_offset_function& utc_offset);

// "2026-11-22 03:16:39" in the zone given by `offset_minutes` (0 for UTC); "YYYY-MM-DD" for days.
[[nodiscard]] std::string format_moment(std::int64_t unix_ms, std::int32_t offset_minutes);
[[nodiscard]] std::string format_day(std::int64_t unix_ms, std::int32_t offset_minutes);

// ---- Files --------------------------------------------------------------------------------------

// The accounting files of a folder in the order they were written: accounting-YYYYMMDD.jsonl,
// then -1, -2, ... of the same day, then the next day. Other files are ignored.
[[nodiscard]] std::vector<std::filesystem::path> accounting_files(const std::filesystem::path& folder);
// Folders expanded as above; files named directly are kept in the order given.
[[nodiscard]] std::vector<std::filesystem::path> expand_inputs(const std::vector<std::filesystem::path>& inputs);
// Sort key of an accounting file name (date, index); nullopt when the name is not one.
[[nodiscard]] std::optional<std::pair<std::uint32_t, std::uint32_t>> accounting_file_order(std::string_view name);

// ---- One record ---------------------------------------------------------------------------------

// The fields a report or a tail line uses; everything else in the record is skipped.
struct record {
  std::int64_t schema = 0;
  std::int64_t ts_ms = 0;
  std::string ts;
  std::string event;
  std::string server;
  std::string session_id;
  std::string link_id;
  std::string user;
  std::string domain;
  std::string tunnel;
  std::string port;
  std::string device;
  std::string client_ip;
  std::string remote_endpoint;
  std::string family;
  std::string address;
  std::string source;
  std::string decision;
  std::string rule;
  std::string reason;
  std::string cause;
  std::string started;
  std::string last_seen;
  std::string path;
  std::string terminate_reason;
  std::optional<bool> enforced;
  std::optional<bool> start_seen;
  std::optional<std::uint64_t> duration_s;
  std::optional<std::uint64_t> bytes_in;
  std::optional<std::uint64_t> bytes_out;
  std::optional<std::uint64_t> links;
  std::optional<std::uint64_t> open_sessions;
  std::optional<std::uint64_t> records_lost;
  std::size_t problems = 0;  // config-rejected: how many
  void clear();
};

enum class line_status : std::uint8_t {
  ok,
  blank,
  corrupt,    // not JSON, or JSON that is not a record (no ts or event)
  truncated,  // JSON cut short: the end of the line came before the end of the object
};
// Parses one line (without its '\n') into `out`, reusing its strings' storage.
[[nodiscard]] line_status parse_line(std::string_view line, record& out);

// Every event schema 1 defines; anything else is counted as unknown (and otherwise skipped).
[[nodiscard]] bool is_known_event(std::string_view event) noexcept;

// "2026-11-22 03:16:39  connection-accept  alice@CONTOSO ..." for `raswarden tail`.
[[nodiscard]] std::string render_line(const record& r, std::int32_t offset_minutes);

// ---- Filters ------------------------------------------------------------------------------------

struct filter {
  std::optional<std::int64_t> since_ms;  // inclusive
  std::optional<std::int64_t> until_ms;  // exclusive
  std::vector<std::string> user_globs;   // lower-cased; a record matches if any matches
  std::vector<std::string> servers;      // exact, case-insensitive
  std::vector<std::string> event_globs;  // e.g. "connection-*"; empty = every event
  // Records of other users or servers are not looked at at all; records without a user
  // (service-*, link-*) pass the user filter only when no user glob is given, except link
  // records, which follow their connection.
  [[nodiscard]] bool matches_user(std::string_view user) const;
  [[nodiscard]] bool matches_server(std::string_view server) const;
  [[nodiscard]] bool matches_event(std::string_view event) const;
};

// ---- The report ---------------------------------------------------------------------------------

struct line_counts {
  std::uint64_t lines = 0;
  std::uint64_t records = 0;  // parsed and used (after filters)
  std::uint64_t filtered_out = 0;
  std::uint64_t blank = 0;
  std::uint64_t corrupt = 0;
  std::uint64_t truncated = 0;
  std::uint64_t unknown_event = 0;
  std::uint64_t newer_schema = 0;  // schema > 1: read as far as the fields are understood
  std::uint64_t bytes = 0;
};

struct bad_line {
  std::string file;
  std::uint64_t line = 0;
  std::string what;  // "corrupt", "truncated", "unknown event \"x\""
};

struct user_summary {
  std::string user;  // the account, lower-cased (CONTOSO\alice and alice@contoso are one user)
  std::uint64_t sessions = 0;
  std::uint64_t connect_s = 0;
  std::uint64_t longest_s = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t rejections = 0;
};

struct day_summary {
  std::string day;  // YYYY-MM-DD, local or UTC as the report
  std::uint64_t sessions = 0;
  std::uint64_t connect_s = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t rejections = 0;
  std::uint64_t peak_sessions = 0;
};

struct rejection_summary {
  std::string rule;
  std::string reason;
  std::string event;
  std::uint64_t count = 0;
  std::uint64_t not_enforced = 0;  // audit mode: recorded, admitted anyway
};

struct open_session {
  std::string session_id;
  std::string user;
  std::string server;
  std::int64_t start_ms = 0;
};

struct recovered_session {
  std::string session_id;
  std::string user;
  std::string server;
  std::string cause;
  std::string started;
  std::string last_seen;
  std::uint64_t duration_s = 0;
};

// A bucket of the concurrency timeline: the highest count seen in [start_ms, end_ms].
struct concurrency_bucket {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::uint64_t peak = 0;
  std::uint64_t last = 0;  // the count at end_ms
};

struct summary {
  std::vector<std::string> files;
  line_counts counts;
  std::vector<bad_line> bad_lines;  // the first few, to find them
  std::map<std::string, std::uint64_t> unknown_events;
  std::optional<std::int64_t> first_ms;
  std::optional<std::int64_t> last_ms;
  std::vector<user_summary> users;            // by user name
  std::vector<day_summary> days;              // by day
  std::vector<rejection_summary> rejections;  // most frequent first
  std::uint64_t total_sessions = 0;
  std::uint64_t total_rejections = 0;
  std::uint64_t peak_sessions = 0;
  std::int64_t peak_ms = 0;              // the first moment the peak was reached
  std::vector<open_session> still_open;  // by start
  std::vector<recovered_session> recovered;
  std::uint64_t recovered_total = 0;  // recovered may be cut at list_limit
  std::vector<concurrency_bucket> concurrency;
  bool utc = false;
  std::int32_t offset_minutes = 0;  // of the report's zone at its last record (for the header)
};

struct options {
  filter only;
  bool utc = false;
  utc_offset_function utc_offset;  // required unless utc
  std::size_t timeline_buckets = 1024;
  std::size_t list_limit = 1000;  // recovered sessions and bad lines kept for the listing
};

// Feed lines in file order, then finish(). Memory: per user, per day, per rule and per open
// session, never per record.
class builder {
 public:
  explicit builder(options configuration);
  ~builder();
  builder(const builder&) = delete;
  builder& operator=(const builder&) = delete;

  void begin_file(std::string name);
  void add_line(std::string_view line);
  // The last line of a file had no '\n': a write the process never finished.
  void add_unterminated_line(std::string_view line);
  [[nodiscard]] summary finish();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

// Reads every file (streaming, 1 MiB at a time) into a builder.
[[nodiscard]] summary build(const std::vector<std::filesystem::path>& files, options configuration);

// ---- Outputs ------------------------------------------------------------------------------------

[[nodiscard]] std::string render_text(const summary& s);
[[nodiscard]] std::string render_csv(const summary& s);
[[nodiscard]] std::string render_json(const summary& s);
[[nodiscard]] std::string render_html(const summary& s);

}  // namespace raswarden::core::report
