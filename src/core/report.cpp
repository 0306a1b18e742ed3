#include "raswarden/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "raswarden/accounting.hpp"
#include "raswarden/log_format.hpp"
#include "raswarden/policy.hpp"
#include "raswarden/text.hpp"

namespace raswarden::core::report {

namespace {

constexpr std::int64_t ms_per_minute = 60'000;
constexpr std::int64_t ms_per_day = 86'400'000;
constexpr std::size_t bad_lines_kept = 20;

// ---- Time helpers ---------------------------------------------------------------------------------

bool read_digits(std::string_view text, std::size_t at, std::size_t count, int& value) noexcept {
  if (at + count > text.size()) return false;
  value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

std::optional<std::int64_t> days_since_epoch(int year_number, int month_number, int day_number) noexcept {
  using namespace std::chrono;
  const year_month_day date{year{year_number}, month{static_cast<unsigned>(month_number)},
                            day{static_cast<unsigned>(day_number)}};
  if (!date.ok()) return std::nullopt;
  return sys_days{date}.time_since_epoch().count();
}

// Date "YYYY-MM-DD" at the start of `text`; then optional [T ]HH:MM[:SS[.fff]]. The wall time in ms
// (as if UTC) and where parsing stopped.
struct wall_time {
  std::int64_t ms = 0;
  std::size_t end = 0;
  bool has_time = false;
};

std::optional<wall_time> parse_wall_time(std::string_view text) noexcept {
  int year_number = 0;
  int month_number = 0;
  int day_number = 0;
  if (!read_digits(text, 0, 4, year_number) || text.size() < 10 || text[4] != '-' ||
      !read_digits(text, 5, 2, month_number) || text[7] != '-' || !read_digits(text, 8, 2, day_number)) {
    return std::nullopt;
  }
  const auto days = days_since_epoch(year_number, month_number, day_number);
  if (!days) return std::nullopt;
  wall_time result;
  result.ms = *days * ms_per_day;
  result.end = 10;
  if (text.size() == 10) return result;
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return std::nullopt;
  int hours = 0;
  int minutes = 0;
  if (!read_digits(text, 11, 2, hours) || text.size() < 16 || text[13] != ':' || !read_digits(text, 14, 2, minutes) ||
      hours > 23 || minutes > 59) {
    return std::nullopt;
  }
  result.has_time = true;
  result.ms += (hours * 60LL + minutes) * ms_per_minute;
  result.end = 16;
  if (result.end < text.size() && text[result.end] == ':') {
    int seconds = 0;
    if (!read_digits(text, 17, 2, seconds) || seconds > 60) return std::nullopt;
    result.ms += seconds * 1000LL;
    result.end = 19;
    if (result.end < text.size() && text[result.end] == '.') {
      std::size_t digits_end = result.end + 1;
      std::int64_t fraction_ms = 0;
      int scale = 100;
      while (digits_end < text.size() && text[digits_end] >= '0' && text[digits_end] <= '9') {
        fraction_ms += (text[digits_end] - '0') * scale;
        scale /= 10;
        ++digits_end;
      }
      if (digits_end == result.end + 1) return std::nullopt;
      result.ms += fraction_ms;
      result.end = digits_end;
    }
  }
  return result;
}

// "Z" or "+HH:MM"/"-HH:MM" at the end of an RFC 3339 time: minutes ahead of UTC.
std::optional<std::int32_t> parse_zone(std::string_view zone) noexcept {
  if (zone == "Z" || zone == "z") return 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return std::nullopt;
  int hours = 0;
  int minutes = 0;
  if (!read_digits(zone, 1, 2, hours) || !read_digits(zone, 4, 2, minutes)) return std::nullopt;
  const std::int32_t offset = hours * 60 + minutes;
  return zone[0] == '-' ? -offset : offset;
}

// The zone of local times changes only at whole quarter hours (DST and zone changes alike), so
// one C library call per quarter hour of records is enough; it is the expensive part otherwise.
class offset_cache {
 public:
  explicit offset_cache(utc_offset_function lookup) : lookup_(std::move(lookup)) {}
  std::int32_t at(std::int64_t unix_ms) {
    if (!lookup_) return 0;
    const std::int64_t slot = floor_div(unix_ms, 15 * ms_per_minute);
    if (slot != slot_) {
      slot_ = slot;
      offset_ = lookup_(unix_ms);
    }
    return offset_;
  }

 private:
  static std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
  }
  utc_offset_function lookup_;
  std::int64_t slot_ = INT64_MIN;
  std::int32_t offset_ = 0;
};

std::int64_t floor_day(std::int64_t unix_ms, std::int32_t offset_minutes) {
  const std::int64_t local = unix_ms + offset_minutes * ms_per_minute;
  return local / ms_per_day - ((local % ms_per_day) < 0 ? 1 : 0);
}

std::string format_day_number(std::int64_t day_number) {
  using namespace std::chrono;
  const year_month_day date{sys_days{days{day_number}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                     static_cast<unsigned>(date.day()));
}

// ---- The line parser --------------------------------------------------------------------------------

enum class field : std::uint8_t {
  none,
  schema,
  ts,
  event,
  server,
  session_id,
  link_id,
  user,
  domain,
  tunnel,
  port,
  device,
  client_ip,
  remote_endpoint,
  family,
  address,
  source,
  decision,
  rule,
  reason,
  cause,
  started,
  last_seen,
  path,
  terminate_reason,
  enforced,
  start_seen,
  duration_s,
  bytes_in,
  bytes_out,
  links,
  open_sessions,
  records_lost,
  problems,
};

struct field_name {
  std::string_view name;
  field id;
};
constexpr std::array field_names{
    field_name{"schema", field::schema},
    field_name{"ts", field::ts},
    field_name{"event", field::event},
    field_name{"server", field::server},
    field_name{"session_id", field::session_id},
    field_name{"link_id", field::link_id},
    field_name{"user", field::user},
    field_name{"domain", field::domain},
    field_name{"tunnel", field::tunnel},
    field_name{"port", field::port},
    field_name{"device", field::device},
    field_name{"client_ip", field::client_ip},
    field_name{"remote_endpoint", field::remote_endpoint},
    field_name{"family", field::family},
    field_name{"address", field::address},
    field_name{"source", field::source},
    field_name{"decision", field::decision},
    field_name{"rule", field::rule},
    field_name{"reason", field::reason},
    field_name{"cause", field::cause},
    field_name{"started", field::started},
    field_name{"last_seen", field::last_seen},
    field_name{"path", field::path},
    field_name{"terminate_reason", field::terminate_reason},
    field_name{"enforced", field::enforced},
    field_name{"start_seen", field::start_seen},
    field_name{"duration_s", field::duration_s},
    field_name{"bytes_in", field::bytes_in},
    field_name{"bytes_out", field::bytes_out},
    field_name{"links", field::links},
    field_name{"open_sessions", field::open_sessions},
    field_name{"records_lost", field::records_lost},
    field_name{"problems", field::problems},
};

field lookup_field(std::string_view name) noexcept {
  for (const field_name& candidate : field_names) {
    if (candidate.name == name) return candidate.id;
  }
  return field::none;
}

std::string* string_slot(record& r, field id) noexcept {
  switch (id) {
    case field::ts: return &r.ts;
    case field::event: return &r.event;
    case field::server: return &r.server;
    case field::session_id: return &r.session_id;
    case field::link_id: return &r.link_id;
    case field::user: return &r.user;
    case field::domain: return &r.domain;
    case field::tunnel: return &r.tunnel;
    case field::port: return &r.port;
    case field::device: return &r.device;
    case field::client_ip: return &r.client_ip;
    case field::remote_endpoint: return &r.remote_endpoint;
    case field::family: return &r.family;
    case field::address: return &r.address;
    case field::source: return &r.source;
    case field::decision: return &r.decision;
    case field::rule: return &r.rule;
    case field::reason: return &r.reason;
    case field::cause: return &r.cause;
    case field::started: return &r.started;
    case field::last_seen: return &r.last_seen;
    case field::path: return &r.path;
    case field::terminate_reason: return &r.terminate_reason;
    default: return nullptr;
  }
}

std::optional<std::uint64_t>* number_slot(record& r, field id) noexcept {
  switch (id) {
    case field::duration_s: return &r.duration_s;
    case field::bytes_in: return &r.bytes_in;
    case field::bytes_out: return &r.bytes_out;
    case field::links: return &r.links;
    case field::open_sessions: return &r.open_sessions;
    case field::records_lost: return &r.records_lost;
    default: return nullptr;
  }
}

// A scanner for one record line, written for this job rather than a general JSON parser: it
// validates the whole line as JSON but keeps only the top-level fields a report uses, allocates
// nothing once `record`'s strings have grown, and tells a line cut short (the end came inside the
// object: a crash) from one that is malformed. nlohmann::json's SAX parser did the same at about
// 70 MB/s; this is several times faster, which is what lets a 1 GB log take seconds.
class record_scanner {
 public:
  record_scanner(std::string_view text, record& out) : text_(text), out_(out) {}

  line_status scan() {
    skip_space();
    if (at_end()) return line_status::truncated;
    if (text_[position_] != '{') return line_status::corrupt;
    if (!object(1)) return failure_;
    skip_space();
    return at_end() ? line_status::ok : line_status::corrupt;
  }

 private:
  static constexpr int deepest = 64;  // nesting a record never needs; deeper is not a record

  [[nodiscard]] bool at_end() const noexcept { return position_ >= text_.size(); }
  void skip_space() noexcept {
    while (position_ < text_.size() && (text_[position_] == ' ' || text_[position_] == '\t' ||
                                        text_[position_] == '\r' || text_[position_] == '\n')) {
      ++position_;
    }
  }
  bool fail_here() {
    failure_ = at_end() ? line_status::truncated : line_status::corrupt;
    return false;
  }
  bool expect(char wanted) {
    skip_space();
    if (at_end() || text_[position_] != wanted) return fail_here();
    ++position_;
    return true;
  }

  // At '{'. Depth 1 is the record itself.
  bool object(int depth) {
    if (depth > deepest) return fail_here();
    ++position_;
    skip_space();
    if (!at_end() && text_[position_] == '}') {
      ++position_;
      return true;
    }
    for (;;) {
      skip_space();
      if (at_end() || text_[position_] != '"') return fail_here();
      std::string_view name;
      if (!string_value(name)) return false;
      if (!expect(':')) return false;
      skip_space();
      const field id = depth == 1 ? lookup_field(name) : field::none;
      if (!value(depth, id)) return false;
      skip_space();
      if (at_end()) return fail_here();
      if (text_[position_] == ',') {
        ++position_;
        continue;
      }
      if (text_[position_] == '}') {
        ++position_;
        return true;
      }
      return fail_here();
    }
  }

  // At '['. `counting` counts the strings in it (config-rejected's problems).
  bool array(int depth, bool counting) {
    if (depth > deepest) return fail_here();
    ++position_;
    skip_space();
    if (!at_end() && text_[position_] == ']') {
      ++position_;
      return true;
    }
    for (;;) {
      skip_space();
      if (counting && !at_end() && text_[position_] == '"') ++out_.problems;
      if (!value(depth, field::none)) return false;
      skip_space();
      if (at_end()) return fail_here();
      if (text_[position_] == ',') {
        ++position_;
        continue;
      }
      if (text_[position_] == ']') {
        ++position_;
        return true;
      }
      return fail_here();
    }
  }

  bool value(int depth, field id) {
    if (at_end()) return fail_here();
    const char first = text_[position_];
    if (first == '"') {
      std::string_view text;
      if (!string_value(text)) return false;
      if (std::string* slot = string_slot(out_, id); slot != nullptr) slot->assign(text);
      return true;
    }
    if (first == '{') return object(depth + 1);
    if (first == '[') return array(depth + 1, id == field::problems);
    if (first == 't' || first == 'f' || first == 'n') return literal(id);
    if (first == '-' || (first >= '0' && first <= '9')) return number(id);
    return fail_here();
  }

  bool literal(field id) {
    for (const std::string_view word :
         {std::string_view{"true"}, std::string_view{"false"}, std::string_view{"null"}}) {
      const std::string_view rest = text_.substr(position_, word.size());
      if (rest == word) {
        position_ += word.size();
        if (word != "null") {
          const bool truth = word == "true";
          if (id == field::enforced) out_.enforced = truth;
          if (id == field::start_seen) out_.start_seen = truth;
        }
        return true;
      }
      if (word.starts_with(rest) && position_ + rest.size() == text_.size() && !rest.empty()) return fail_truncated();
    }
    return fail_here();
  }
  bool fail_truncated() {
    failure_ = line_status::truncated;
    return false;
  }

  // JSON number grammar; a non-negative integer is stored, anything else only validated (a
  // fraction keeps its whole part: a future writer might send fractional seconds).
  bool number(field id) {
    const std::size_t start = position_;
    if (text_[position_] == '-') ++position_;
    if (at_end()) return fail_here();
    if (text_[position_] == '0') {
      ++position_;
    } else if (text_[position_] >= '1' && text_[position_] <= '9') {
      while (!at_end() && text_[position_] >= '0' && text_[position_] <= '9') ++position_;
    } else {
      return fail_here();
    }
    const std::size_t integer_end = position_;
    if (!at_end() && text_[position_] == '.') {
      ++position_;
      if (!digits()) return false;
    }
    bool scaled = false;
    if (!at_end() && (text_[position_] == 'e' || text_[position_] == 'E')) {
      scaled = true;
      ++position_;
      if (!at_end() && (text_[position_] == '+' || text_[position_] == '-')) ++position_;
      if (!digits()) return false;
    }
    if (id == field::none || text_[start] == '-' || scaled) return true;
    std::uint64_t whole = 0;
    const auto [end, error] = std::from_chars(text_.data() + start, text_.data() + integer_end, whole);
    if (error != std::errc{} || end != text_.data() + integer_end) return true;  // beyond 64 bits: not ours
    if (id == field::schema) out_.schema = static_cast<std::int64_t>(std::min<std::uint64_t>(whole, INT64_MAX));
    if (auto* slot = number_slot(out_, id); slot != nullptr) *slot = whole;
    return true;
  }
  bool digits() {
    const std::size_t start = position_;
    while (!at_end() && text_[position_] >= '0' && text_[position_] <= '9') ++position_;
    return position_ != start || fail_here();
  }

  // At '"'. The text without escapes is a view into the line; with escapes it is decoded into
  // scratch_.
  bool string_value(std::string_view& text) {
    ++position_;
    const std::size_t start = position_;
    // One pass for the end, an escape or a raw control character (which is not JSON); most
    // strings have no escapes and end here.
    std::size_t special = start;
    while (special < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[special]);
      if (c == '"' || c == '\\' || c < 0x20) break;
      ++special;
    }
    if (special == text_.size()) {
      position_ = special;
      return fail_here();
    }
    if (static_cast<unsigned char>(text_[special]) < 0x20) {
      position_ = special;
      return fail_here();
    }
    if (text_[special] == '"') {
      text = text_.substr(start, special - start);
      position_ = special + 1;
      return true;
    }
    scratch_.assign(text_.substr(start, special - start));
    position_ = special;
    while (!at_end()) {
      const char c = text_[position_];
      if (c == '"') {
        ++position_;
        text = scratch_;
        return true;
      }
      if (c != '\\') {
        if (static_cast<unsigned char>(c) < 0x20) return fail_here();
        scratch_ += c;
        ++position_;
        continue;
      }
      if (++position_ >= text_.size()) return fail_here();
      switch (text_[position_]) {
        case '"': scratch_ += '"'; break;
        case '\\': scratch_ += '\\'; break;
        case '/': scratch_ += '/'; break;
        case 'b': scratch_ += '\b'; break;
        case 'f': scratch_ += '\f'; break;
        case 'n': scratch_ += '\n'; break;
        case 'r': scratch_ += '\r'; break;
        case 't': scratch_ += '\t'; break;
        case 'u':
          if (!unicode_escape()) return false;
          continue;
        default: return fail_here();
      }
      ++position_;
    }
    return fail_here();
  }
  // At 'u' of "\uXXXX" (and a following low surrogate); appends UTF-8.
  bool hex4(std::uint32_t& unit) {
    unit = 0;
    for (int i = 0; i < 4; ++i) {
      if (++position_ >= text_.size()) return fail_here();
      const char c = text_[position_];
      unit <<= 4;
      if (c >= '0' && c <= '9') {
        unit |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        unit |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        unit |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return fail_here();
      }
    }
    return true;
  }
  bool unicode_escape() {
    std::uint32_t code = 0;
    if (!hex4(code)) return false;
    ++position_;
    if (code >= 0xD800 && code <= 0xDBFF && text_.substr(position_, 2) == "\\u") {
      const std::size_t resume = position_;
      ++position_;
      std::uint32_t low = 0;
      if (!hex4(low)) return false;
      ++position_;
      if (low >= 0xDC00 && low <= 0xDFFF) {
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
      } else {
        position_ = resume;  // not a pair: the high half alone becomes U+FFFD below
      }
    }
    if (code >= 0xD800 && code <= 0xDFFF) code = 0xFFFD;
    const auto byte = [](std::uint32_t bits) { return static_cast<char>(static_cast<unsigned char>(bits)); };
    if (code < 0x80) {
      scratch_ += byte(code);
    } else if (code < 0x800) {
      scratch_ += byte(0xC0 | (code >> 6));
      scratch_ += byte(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      scratch_ += byte(0xE0 | (code >> 12));
      scratch_ += byte(0x80 | ((code >> 6) & 0x3F));
      scratch_ += byte(0x80 | (code & 0x3F));
    } else {
      scratch_ += byte(0xF0 | (code >> 18));
      scratch_ += byte(0x80 | ((code >> 12) & 0x3F));
      scratch_ += byte(0x80 | ((code >> 6) & 0x3F));
      scratch_ += byte(0x80 | (code & 0x3F));
    }
    return true;
  }

  std::string_view text_;
  record& out_;
  std::size_t position_ = 0;
  line_status failure_ = line_status::corrupt;
  std::string scratch_;
};

constexpr std::array known_events{
    std::string_view{"service-start"},   std::string_view{"service-stop"},      std::string_view{"config-loaded"},
    std::string_view{"config-rejected"}, std::string_view{"connection-accept"}, std::string_view{"connection-reject"},
    std::string_view{"connection-stop"}, std::string_view{"link-accept"},       std::string_view{"link-reject"},
    std::string_view{"link-stop"},       std::string_view{"reauth-accept"},     std::string_view{"reauth-reject"},
    std::string_view{"ip-assign"},       std::string_view{"ip-release"},        std::string_view{"session-recovered"},
};

// ---- Formatting helpers -------------------------------------------------------------------------------

std::string format_duration(std::uint64_t seconds) {
  return fmt::format("{}:{:02}:{:02}", seconds / 3600, (seconds / 60) % 60, seconds % 60);
}

std::string format_bytes(std::uint64_t bytes) {
  constexpr std::array units{"B", "kB", "MB", "GB", "TB", "PB"};
  if (bytes < 1000) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1000.0 && unit + 1 < units.size()) {
    value /= 1000.0;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, units[unit]);
}

std::string format_offset(std::int32_t offset_minutes) {
  const std::int32_t magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  return fmt::format("UTC{}{:02}:{:02}", offset_minutes < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
}

std::string user_label(const record& r) {
  if (r.user.empty()) return "-";
  if (r.domain.empty() || r.user.find_first_of("\\@") != std::string::npos) return r.user;
  return fmt::format("{}\\{}", r.domain, r.user);
}

}  // namespace

// ---- Time -----------------------------------------------------------------------------------------

std::optional<std::int64_t> parse_rfc3339(std::string_view text) noexcept {
  const auto wall = parse_wall_time(text);
  if (!wall || !wall->has_time || text[10] == ' ') return std::nullopt;
  const auto zone = parse_zone(text.substr(wall->end));
  if (!zone) return std::nullopt;
  return wall->ms - *zone * ms_per_minute;
}

std::optional<std::int64_t> parse_time_argument(std::string_view text, bool utc,
                                                const utc_offset_function& utc_offset) {
  const auto wall = parse_wall_time(text);
  if (!wall) return std::nullopt;
  if (wall->end < text.size()) {
    const auto zone = parse_zone(text.substr(wall->end));
    if (!zone) return std::nullopt;
    return wall->ms - *zone * ms_per_minute;
  }
  if (utc || !utc_offset) return wall->ms;
  // Local wall time to UTC: the offset at the guess, then once more at the corrected moment
  // (they differ only next to a DST change).
  std::int64_t guess = wall->ms - utc_offset(wall->ms) * ms_per_minute;
  guess = wall->ms - utc_offset(guess) * ms_per_minute;
  return guess;
}

std::string format_moment(std::int64_t unix_ms, std::int32_t offset_minutes) {
  const std::int64_t local = unix_ms + offset_minutes * ms_per_minute;
  const std::int64_t day_number = floor_day(unix_ms, offset_minutes);
  const std::int64_t seconds_of_day = (local - day_number * ms_per_day) / 1000;
  return fmt::format("{} {:02}:{:02}:{:02}", format_day_number(day_number), seconds_of_day / 3600,
                     (seconds_of_day / 60) % 60, seconds_of_day % 60);
}

std::string format_day(std::int64_t unix_ms, std::int32_t offset_minutes) {
  return format_day_number(floor_day(unix_ms, offset_minutes));
}

// ---- Files ----------------------------------------------------------------------------------------

std::optional<std::pair<std::uint32_t, std::uint32_t>> accounting_file_order(std::string_view name) {
  const auto id = log_format::parse_file_name(name);
  if (!id) return std::nullopt;
  return std::pair{log_format::day_number(id->day), id->index};
}

std::vector<std::filesystem::path> accounting_files(const std::filesystem::path& folder) {
  std::vector<std::pair<std::pair<std::uint32_t, std::uint32_t>, std::filesystem::path>> found;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    // u8string: a neighbour with a name the ANSI code page cannot spell must not stop the listing.
    const std::u8string name = entry.path().filename().u8string();
    const auto order = accounting_file_order(std::string_view(reinterpret_cast<const char*>(name.data()), name.size()));
    if (order) found.emplace_back(*order, entry.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<std::filesystem::path> files;
  files.reserve(found.size());
  for (auto& [order, path] : found) files.push_back(std::move(path));
  return files;
}

std::vector<std::filesystem::path> expand_inputs(const std::vector<std::filesystem::path>& inputs) {
  std::vector<std::filesystem::path> files;
  for (const auto& input : inputs) {
    if (std::filesystem::is_directory(input)) {
      for (auto& file : accounting_files(input)) files.push_back(std::move(file));
    } else {
      files.push_back(input);
    }
  }
  return files;
}

// ---- One record -----------------------------------------------------------------------------------

void record::clear() {
  schema = 0;
  ts_ms = 0;
  for (std::string* text :
       {&ts,   &event,  &server,    &session_id,      &link_id,   &user,    &domain,          &tunnel,
        &port, &device, &client_ip, &remote_endpoint, &family,    &address, &source,          &decision,
        &rule, &reason, &cause,     &started,         &last_seen, &path,    &terminate_reason}) {
    text->clear();
  }
  enforced.reset();
  start_seen.reset();
  duration_s.reset();
  bytes_in.reset();
  bytes_out.reset();
  links.reset();
  open_sessions.reset();
  records_lost.reset();
  problems = 0;
}

line_status parse_line(std::string_view line, record& out) {
  out.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return line_status::blank;
  const line_status status = record_scanner(line, out).scan();
  if (status != line_status::ok) return status;
  if (out.event.empty() || out.ts.empty()) return line_status::corrupt;
  const auto ts_ms = parse_rfc3339(out.ts);
  if (!ts_ms) return line_status::corrupt;
  out.ts_ms = *ts_ms;
  return line_status::ok;
}

bool is_known_event(std::string_view event) noexcept {
  return std::find(known_events.begin(), known_events.end(), event) != known_events.end();
}

std::string render_line(const record& r, std::int32_t offset_minutes) {
  std::string line = fmt::format("{}.{:03} {} {:<17}", format_moment(r.ts_ms, offset_minutes),
                                 ((r.ts_ms % 1000) + 1000) % 1000, r.server.empty() ? "-" : r.server, r.event);
  const auto add = [&line](std::string_view label, std::string_view value) {
    if (!value.empty()) line += fmt::format(" {}{}", label, value);
  };
  const auto add_decision = [&] {
    if (r.decision.empty()) return;
    line += fmt::format(" -> {}", r.decision);
    if (!r.rule.empty()) line += fmt::format(" by {}", r.rule);
    if (r.enforced == false) line += " (audit: not enforced)";
    if (!r.reason.empty()) line += fmt::format(": {}", r.reason);
  };
  const auto add_stop = [&] {
    if (r.duration_s) line += fmt::format(" {}", format_duration(*r.duration_s));
    if (r.bytes_in) line += fmt::format(" in {}", format_bytes(*r.bytes_in));
    if (r.bytes_out) line += fmt::format(" out {}", format_bytes(*r.bytes_out));
    if (r.links && *r.links != 1) line += fmt::format(" links {}", *r.links);
    if (r.start_seen == false) line += " (start not seen)";
    add("reason ", r.terminate_reason);
  };
  const std::string_view event = r.event;
  if (event.starts_with("connection-") || event.starts_with("reauth-") || event == "session-recovered") {
    line += ' ';
    line += user_label(r);
    if (!r.tunnel.empty() && r.tunnel != "unknown") add("", r.tunnel);
    add("from ", r.remote_endpoint);
    add("ip ", r.client_ip);
    if (event == "connection-stop") add_stop();
    if (event == "session-recovered") {
      add("", r.cause);
      add("started ", r.started);
      add("last seen ", r.last_seen);
      add_stop();
    }
    add_decision();
  } else if (event.starts_with("link-")) {
    add("", r.port);
    if (!r.device.empty()) line += fmt::format(" ({})", r.device);
    if (event == "link-stop") add_stop();
    add_decision();
  } else if (event.starts_with("ip-")) {
    line += ' ';
    line += user_label(r);
    add("", r.port);
    add("", r.family);
    add("", r.address);
    add("source ", r.source);
    add_decision();
  } else if (event == "service-stop") {
    if (r.open_sessions) line += fmt::format(" open sessions {}", *r.open_sessions);
    if (r.records_lost && *r.records_lost > 0) line += fmt::format(" records lost {}", *r.records_lost);
  } else if (event.starts_with("config-")) {
    add("", r.path);
    add("source ", r.source);
    if (r.problems > 0) line += fmt::format(" ({} problem{})", r.problems, r.problems == 1 ? "" : "s");
  } else if (!is_known_event(event)) {
    line += " (unknown event)";
  }
  add("session ", r.session_id);
  if (r.schema > 1) line += fmt::format(" [schema {}]", r.schema);
  while (line.back() == ' ') line.pop_back();  // the padded event column of a bare record
  // One line on a terminal whatever the names hold: control characters are shown, not obeyed.
  return printable(line);
}

// ---- Filters --------------------------------------------------------------------------------------

bool filter::matches_user(std::string_view user) const {
  if (user_globs.empty()) return true;
  const std::string lowered = ascii_lower(user);
  const std::string account = user_count_key(user);
  return std::any_of(user_globs.begin(), user_globs.end(),
                     [&](const std::string& glob) { return glob_match(glob, lowered) || glob_match(glob, account); });
}

bool filter::matches_server(std::string_view server) const {
  if (servers.empty()) return true;
  const std::string lowered = ascii_lower(server);
  return std::any_of(servers.begin(), servers.end(),
                     [&](const std::string& wanted) { return ascii_lower(wanted) == lowered; });
}

bool filter::matches_event(std::string_view event) const {
  if (event_globs.empty()) return true;
  return std::any_of(event_globs.begin(), event_globs.end(),
                     [&](const std::string& glob) { return glob_match(glob, event); });
}

// ---- The builder ------------------------------------------------------------------------------------

struct builder::state {
  struct live_session {
    std::int64_t start_ms = 0;
    std::string user;  // as written in the record
    std::string server;
  };

  explicit state(options configuration)
      : chosen(std::move(configuration)), offsets(chosen.utc ? utc_offset_function{} : chosen.utc_offset) {}

  options chosen;
  offset_cache offsets;
  record current;
  std::string file;
  std::uint64_t line_number = 0;
  summary result;
  std::unordered_map<std::string, live_session> open;
  std::unordered_map<std::string, user_summary> users;
  std::map<std::int64_t, day_summary> days;
  std::map<std::tuple<std::string, std::string, std::string>, rejection_summary> rejections;
  std::uint64_t concurrent = 0;
  std::int64_t bucket_width_ms = 1;  // grows as the timeline is thinned

  bool in_range(std::int64_t ts_ms) const {
    return (!chosen.only.since_ms || ts_ms >= *chosen.only.since_ms) &&
           (!chosen.only.until_ms || ts_ms < *chosen.only.until_ms);
  }
  bool before_range(std::int64_t ts_ms) const { return chosen.only.since_ms && ts_ms < *chosen.only.since_ms; }

  day_summary& day_of(std::int64_t ts_ms) {
    const std::int64_t day_number = floor_day(ts_ms, offsets.at(ts_ms));
    return days[day_number];
  }

  // Grouped as Windows compares accounts (without case), shown as first written.
  user_summary& user_of(const std::string& written) {
    auto [entry, inserted] = users.try_emplace(user_count_key(written));
    if (inserted) entry->second.user = written;
    return entry->second;
  }

  void note_bad(std::string what) {
    if (result.bad_lines.size() < std::min(bad_lines_kept, chosen.list_limit)) {
      result.bad_lines.push_back(bad_line{file, line_number, std::move(what)});
    }
  }

  void concurrency_changed(std::int64_t ts_ms) {
    if (!in_range(ts_ms)) return;
    if (concurrent > result.peak_sessions) {
      result.peak_sessions = concurrent;
      result.peak_ms = ts_ms;
    }
    day_summary& day = day_of(ts_ms);
    day.peak_sessions = std::max(day.peak_sessions, concurrent);
    auto& timeline = result.concurrency;
    if (!timeline.empty() && ts_ms - timeline.back().start_ms < bucket_width_ms) {
      concurrency_bucket& last = timeline.back();
      last.end_ms = std::max(last.end_ms, ts_ms);
      last.peak = std::max(last.peak, concurrent);
      last.last = concurrent;
    } else {
      timeline.push_back(concurrency_bucket{ts_ms, ts_ms, concurrent, concurrent});
    }
    // Halve the resolution when the timeline is full: the chart needs its shape, not every step.
    if (timeline.size() >= 2 * std::max<std::size_t>(chosen.timeline_buckets, 2)) {
      std::size_t kept = 0;
      for (std::size_t i = 0; i < timeline.size(); i += 2) {
        concurrency_bucket merged = timeline[i];
        if (i + 1 < timeline.size()) {
          merged.end_ms = timeline[i + 1].end_ms;
          merged.peak = std::max(merged.peak, timeline[i + 1].peak);
          merged.last = timeline[i + 1].last;
        }
        timeline[kept++] = merged;
      }
      timeline.resize(kept);
      bucket_width_ms *= 2;
    }
  }

  void count_rejection(const record& r) {
    if (!in_range(r.ts_ms)) return;
    auto& entry = rejections[{r.rule, r.reason, r.event}];
    if (entry.count == 0) {
      entry.rule = r.rule;
      entry.reason = r.reason;
      entry.event = r.event;
    }
    ++entry.count;
    if (r.enforced == false) ++entry.not_enforced;
    ++result.total_rejections;
    ++day_of(r.ts_ms).rejections;
    if (!r.user.empty()) ++user_of(r.user).rejections;
  }

  void session_admitted(const record& r) {
    if (r.session_id.empty() || (chosen.only.until_ms && r.ts_ms >= *chosen.only.until_ms)) return;
    auto [entry, inserted] = open.try_emplace(r.session_id);
    if (!inserted) return;  // the same connection delivered twice: one session
    entry->second = live_session{r.ts_ms, r.user, r.server};
    ++concurrent;
    concurrency_changed(r.ts_ms);
  }

  void session_ended(const record& r) {
    const std::uint64_t duration_s = r.duration_s.value_or(0);
    std::int64_t start_ms = r.ts_ms - static_cast<std::int64_t>(duration_s) * 1000;
    std::string user = r.user;
    if (const auto found = open.find(r.session_id); found != open.end() && !r.session_id.empty()) {
      start_ms = found->second.start_ms;
      if (user.empty()) user = std::move(found->second.user);
      open.erase(found);
      --concurrent;
      concurrency_changed(r.ts_ms);
    } else if (r.event == "session-recovered") {
      if (const auto started = parse_rfc3339(r.started)) start_ms = *started;
    }
    // A session belongs to the range (and the day) it started in, wherever it ended.
    if (!in_range(start_ms)) return;
    ++result.total_sessions;
    user_summary& person = user_of(user);
    ++person.sessions;
    person.connect_s += duration_s;
    person.longest_s = std::max(person.longest_s, duration_s);
    person.bytes_in += r.bytes_in.value_or(0);
    person.bytes_out += r.bytes_out.value_or(0);
    day_summary& day = day_of(start_ms);
    ++day.sessions;
    day.connect_s += duration_s;
    day.bytes_in += r.bytes_in.value_or(0);
    day.bytes_out += r.bytes_out.value_or(0);
    if (r.event == "session-recovered") {
      ++result.recovered_total;
      if (result.recovered.size() < chosen.list_limit) {
        result.recovered.push_back(
            recovered_session{r.session_id, user, r.server, r.cause, r.started, r.last_seen, duration_s});
      }
    }
  }

  void use(const record& r) {
    const std::string_view event = r.event;
    if (event == "connection-accept") {
      session_admitted(r);
    } else if (event == "connection-reject") {
      count_rejection(r);
      if (r.enforced == false) session_admitted(r);  // audit mode: admitted anyway
    } else if (event == "connection-stop") {
      // The hangup of a refused connection carries the refusal: it never was a session.
      if (r.decision == "reject" && r.enforced != false) return;
      session_ended(r);
    } else if (event == "session-recovered") {
      session_ended(r);
    } else if (event == "link-reject" || event == "reauth-reject" || r.decision == "reject") {
      count_rejection(r);
    }
  }

  void add(std::string_view line, bool terminated) {
    ++line_number;
    ++result.counts.lines;
    result.counts.bytes += line.size() + (terminated ? 1 : 0);
    switch (parse_line(line, current)) {
      case line_status::blank: ++result.counts.blank; return;
      case line_status::corrupt:
        ++result.counts.corrupt;
        note_bad("corrupt");
        return;
      case line_status::truncated:
        ++result.counts.truncated;
        note_bad("truncated");
        return;
      case line_status::ok: break;
    }
    // A complete record without its '\n' is a write that was still going on: it counts.
    const record& r = current;
    if (!is_known_event(r.event)) {
      ++result.counts.unknown_event;
      ++result.unknown_events[r.event];
      note_bad(fmt::format("unknown event \"{}\"", r.event));
      return;
    }
    if (r.schema > 1) ++result.counts.newer_schema;
    const filter& only = chosen.only;
    bool wanted = only.matches_server(r.server) && only.matches_event(r.event);
    if (wanted && !only.user_globs.empty()) {
      if (!r.user.empty()) {
        wanted = only.matches_user(r.user);
      } else {
        // Link and stop records without a user follow their connection.
        wanted = !r.session_id.empty() && open.contains(r.session_id);
      }
    }
    if (!wanted) {
      ++result.counts.filtered_out;
      return;
    }
    if (!before_range(r.ts_ms) && in_range(r.ts_ms)) {
      ++result.counts.records;
      if (!result.first_ms || r.ts_ms < *result.first_ms) result.first_ms = r.ts_ms;
      if (!result.last_ms || r.ts_ms > *result.last_ms) result.last_ms = r.ts_ms;
    }
    use(r);
  }
};

builder::builder(options configuration) : state_(std::make_unique<state>(std::move(configuration))) {}
builder::~builder() = default;

void builder::begin_file(std::string name) {
  state_->file = std::move(name);
  state_->line_number = 0;
  state_->result.files.push_back(state_->file);
}

void builder::add_line(std::string_view line) {
  state_->add(line, true);
}
void builder::add_unterminated_line(std::string_view line) {
  state_->add(line, false);
}

summary builder::finish() {
  state& s = *state_;
  summary result = std::move(s.result);
  result.utc = s.chosen.utc;
  result.offset_minutes = s.chosen.utc ? 0 : s.offsets.at(result.last_ms.value_or(0));
  for (auto& [key, person] : s.users) result.users.push_back(std::move(person));
  std::sort(result.users.begin(), result.users.end(),
            [](const user_summary& a, const user_summary& b) { return a.user < b.user; });
  for (auto& [day_number, day] : s.days) {
    day.day = format_day_number(day_number);
    result.days.push_back(std::move(day));
  }
  for (auto& [key, rejection] : s.rejections) result.rejections.push_back(std::move(rejection));
  std::stable_sort(result.rejections.begin(), result.rejections.end(),
                   [](const rejection_summary& a, const rejection_summary& b) { return a.count > b.count; });
  for (auto& [session_id, live] : s.open) {
    if (s.before_range(live.start_ms) || s.in_range(live.start_ms)) {
      result.still_open.push_back(
          open_session{session_id, std::move(live.user), std::move(live.server), live.start_ms});
    }
  }
  std::sort(result.still_open.begin(), result.still_open.end(), [](const open_session& a, const open_session& b) {
    return std::tie(a.start_ms, a.session_id) < std::tie(b.start_ms, b.session_id);
  });
  s.open.clear();
  s.users.clear();
  s.days.clear();
  s.rejections.clear();
  return result;
}

summary build(const std::vector<std::filesystem::path>& files, options configuration) {
  builder reader(std::move(configuration));
  constexpr std::size_t chunk_size = 1 << 20;
  std::vector<char> chunk(chunk_size);
  std::string carried;  // the start of a line that continues in the next chunk
  for (const auto& path : files) {
    const std::u8string name = path.u8string();
    reader.begin_file(std::string(name.begin(), name.end()));
    // std::ifstream takes the path as the OS spells it (UTF-16 on Windows), unlike fopen.
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(fmt::format("cannot open {}", std::string(name.begin(), name.end())));
    carried.clear();
    while (file) {
      file.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      const auto got = static_cast<std::size_t>(file.gcount());
      if (got == 0) break;
      std::string_view data(chunk.data(), got);
      std::size_t newline = data.find('\n');
      if (newline == std::string_view::npos) {
        carried.append(data);
        continue;
      }
      if (!carried.empty()) {
        carried.append(data.substr(0, newline));
        reader.add_line(carried);
        carried.clear();
      } else {
        reader.add_line(data.substr(0, newline));
      }
      data.remove_prefix(newline + 1);
      while ((newline = data.find('\n')) != std::string_view::npos) {
        reader.add_line(data.substr(0, newline));
        data.remove_prefix(newline + 1);
      }
      carried.append(data);
    }
    if (file.bad()) throw std::runtime_error(fmt::format("cannot read {}", std::string(name.begin(), name.end())));
    // Records end at the first NUL (log_format::records_end): a file left open by RasWarden 0.1's
    // mapped writer ends in zero padding. (A record never holds a NUL: JSON escapes it.)
    if (const std::size_t padding = carried.find('\0'); padding != std::string::npos) carried.resize(padding);
    if (!carried.empty()) reader.add_unterminated_line(carried);
  }
  return reader.finish();
}

// ---- Outputs --------------------------------------------------------------------------------------

namespace {

struct table {
  std::string title;
  std::vector<std::string> columns;
  std::vector<bool> numeric;  // right-aligned in text
  std::vector<std::vector<std::string>> rows;
};

// The tables every format shows; `human` picks "1:02:03" and "18.4 MB" over raw seconds and bytes.
std::vector<table> tables_of(const summary& s, bool human) {
  const auto duration = [human](std::uint64_t seconds) {
    return human ? format_duration(seconds) : std::to_string(seconds);
  };
  const auto bytes = [human](std::uint64_t count) { return human ? format_bytes(count) : std::to_string(count); };
  const auto moment = [&s](std::int64_t unix_ms) { return format_moment(unix_ms, s.utc ? 0 : s.offset_minutes); };
  std::vector<table> tables;

  table users{"Per user",
              {"user", "sessions", "connect time", "longest", "bytes in", "bytes out", "rejections"},
              {false, true, true, true, true, true, true},
              {}};
  for (const auto& person : s.users) {
    users.rows.push_back({person.user.empty() ? "(none)" : person.user, std::to_string(person.sessions),
                          duration(person.connect_s), duration(person.longest_s), bytes(person.bytes_in),
                          bytes(person.bytes_out), std::to_string(person.rejections)});
  }
  tables.push_back(std::move(users));

  table days{"Per day",
             {"day", "sessions", "connect time", "bytes in", "bytes out", "rejections", "peak concurrent"},
             {false, true, true, true, true, true, true},
             {}};
  for (const auto& day : s.days) {
    days.rows.push_back({day.day, std::to_string(day.sessions), duration(day.connect_s), bytes(day.bytes_in),
                         bytes(day.bytes_out), std::to_string(day.rejections), std::to_string(day.peak_sessions)});
  }
  tables.push_back(std::move(days));

  table rejections{"Rejections by rule and reason",
                   {"rule", "reason", "event", "count", "not enforced"},
                   {false, false, false, true, true},
                   {}};
  for (const auto& rejection : s.rejections) {
    rejections.rows.push_back({rejection.rule, rejection.reason, rejection.event, std::to_string(rejection.count),
                               std::to_string(rejection.not_enforced)});
  }
  tables.push_back(std::move(rejections));

  table still_open{"Sessions still open", {"session", "user", "server", "since"}, {false, false, false, false}, {}};
  for (const auto& session : s.still_open) {
    still_open.rows.push_back({session.session_id, session.user, session.server, moment(session.start_ms)});
  }
  tables.push_back(std::move(still_open));

  table recovered{"Recovered sessions",
                  {"session", "user", "server", "cause", "started", "last seen", "duration"},
                  {false, false, false, false, false, false, true},
                  {}};
  for (const auto& session : s.recovered) {
    recovered.rows.push_back({session.session_id, session.user, session.server, session.cause, session.started,
                              session.last_seen, duration(session.duration_s)});
  }
  tables.push_back(std::move(recovered));
  return tables;
}

std::string zone_label(const summary& s) {
  return s.utc ? "UTC" : "local time, " + format_offset(s.offset_minutes);
}

std::string moment_of(const summary& s, std::int64_t unix_ms) {
  return s.utc ? format_moment(unix_ms, 0) : format_moment(unix_ms, s.offset_minutes);
}

std::string counts_line(const summary& s) {
  const line_counts& c = s.counts;
  return fmt::format(
      "{} lines: {} records used, {} filtered out, {} corrupt, {} truncated, {} unknown event, {} newer schema",
      c.lines, c.records, c.filtered_out, c.corrupt, c.truncated, c.unknown_event, c.newer_schema);
}

std::vector<std::string> headline(const summary& s) {
  std::vector<std::string> lines;
  lines.push_back(fmt::format("Files: {}", s.files.size()));
  lines.push_back(counts_line(s));
  if (s.first_ms && s.last_ms) {
    lines.push_back(
        fmt::format("Period: {} to {} ({})", moment_of(s, *s.first_ms), moment_of(s, *s.last_ms), zone_label(s)));
  }
  std::string peak = s.peak_sessions == 0 ? "none" : fmt::format("{} at {}", s.peak_sessions, moment_of(s, s.peak_ms));
  lines.push_back(
      fmt::format("Sessions: {}; rejections: {}; peak concurrent sessions: {}; still open: {}; recovered: {}",
                  s.total_sessions, s.total_rejections, peak, s.still_open.size(), s.recovered_total));
  return lines;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// The stroke colour of the concurrency line; tests/tools/html_screenshot_test.py looks for it.
constexpr std::string_view concurrency_colour = "#d6336c";

std::string concurrency_chart(const summary& s) {
  if (s.concurrency.empty() || !s.first_ms || !s.last_ms) return "<p class=\"empty\">No sessions in this period.</p>\n";
  constexpr double width = 1000;
  constexpr double height = 260;
  constexpr double left = 50;
  constexpr double right = 20;
  constexpr double top = 15;
  constexpr double bottom = 35;
  const std::int64_t start = std::min(*s.first_ms, s.concurrency.front().start_ms);
  const std::int64_t end = std::max({*s.last_ms, s.concurrency.back().end_ms, start + 1});
  const double peak = static_cast<double>(std::max<std::uint64_t>(s.peak_sessions, 1));
  const auto x = [&](std::int64_t unix_ms) {
    return left + (width - left - right) * static_cast<double>(unix_ms - start) / static_cast<double>(end - start);
  };
  const auto y = [&](std::uint64_t count) {
    return top + (height - top - bottom) * (1.0 - static_cast<double>(count) / peak);
  };
  std::string path = fmt::format("M{:.1f},{:.1f}", x(start), y(0));
  for (const auto& bucket : s.concurrency) {
    path += fmt::format(" H{:.1f} V{:.1f} H{:.1f} V{:.1f}", x(bucket.start_ms), y(bucket.peak), x(bucket.end_ms),
                        y(bucket.last));
  }
  path += fmt::format(" H{:.1f}", x(end));
  std::string svg = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" "
      "aria-label=\"Concurrent sessions over time\">\n",
      width, height);
  // Horizontal grid lines with their counts.
  const std::uint64_t steps = std::min<std::uint64_t>(s.peak_sessions, 5);
  for (std::uint64_t i = 0; i <= steps; ++i) {
    const std::uint64_t count = steps == 0 ? 0 : (s.peak_sessions * i + steps / 2) / steps;
    svg += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" class=\"grid\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" class=\"axis\" text-anchor=\"end\">{5}</text>\n",
        left, width - right, y(count), left - 6, y(count) + 4, count);
  }
  for (int i = 0; i <= 4; ++i) {
    const std::int64_t at = start + (end - start) * i / 4;
    // A short period (a demo, a test) needs the milliseconds to tell the labels apart.
    std::string label = moment_of(s, at);
    if (end - start < 60'000) label += fmt::format(".{:03}", ((at % 1000) + 1000) % 1000);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"axis\" text-anchor=\"{}\">{}</text>\n", x(at), height - 12,
                       i == 0 ? "start" : (i == 4 ? "end" : "middle"), html_escape(label));
  }
  svg += fmt::format("<path d=\"{} V{:.1f} H{:.1f} Z\" class=\"area\"/>\n", path, y(0), x(start));
  svg += fmt::format(
      "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"3\" shape-rendering=\"crispEdges\" "
      "class=\"concurrency\"/>\n",
      path, concurrency_colour);
  svg +=
      fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" class=\"peak\"><title>peak {} at {}</title></circle>\n",
                  x(s.peak_ms), y(s.peak_sessions), s.peak_sessions, html_escape(moment_of(s, s.peak_ms)));
  svg += "</svg>\n";
  return svg;
}

// Horizontal bars, largest first; `segments` per row are drawn end to end (traffic in and out).
struct bar_row {
  std::string label;
  std::vector<std::uint64_t> segments;
  std::string value_text;
};

std::string bar_chart(std::string_view label, const std::vector<bar_row>& rows,
                      const std::vector<std::string>& classes) {
  if (rows.empty()) return "<p class=\"empty\">Nothing to show.</p>\n";
  constexpr double width = 480;
  constexpr double label_width = 170;
  constexpr double value_width = 90;
  constexpr double row_height = 22;
  std::uint64_t largest = 1;
  for (const auto& row : rows) {
    std::uint64_t total = 0;
    for (const auto segment : row.segments) total += segment;
    largest = std::max(largest, total);
  }
  const double height = row_height * static_cast<double>(rows.size()) + 6;
  std::string svg = fmt::format(
      "<svg class=\"bars\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" aria-label=\"{2}\">\n",
      width, height, html_escape(label));
  double row_top = 3;
  for (const auto& row : rows) {
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"label\" text-anchor=\"end\">{}</text>", label_width - 6,
                       row_top + 15, html_escape(row.label));
    double bar_left = label_width;
    for (std::size_t i = 0; i < row.segments.size(); ++i) {
      const double bar_width =
          (width - label_width - value_width) * static_cast<double>(row.segments[i]) / static_cast<double>(largest);
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" class=\"{}\"/>", bar_left,
                         row_top + 3, bar_width, row_height - 6, classes[i % classes.size()]);
      bar_left += bar_width;
    }
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"label\">{}</text>\n", bar_left + 6, row_top + 15,
                       html_escape(row.value_text));
    row_top += row_height;
  }
  svg += "</svg>\n";
  return svg;
}

constexpr std::size_t top_count = 10;

}  // namespace

std::string render_text(const summary& s) {
  std::string out = "RasWarden accounting report\n";
  for (const auto& line : headline(s)) out += line + "\n";
  if (!s.unknown_events.empty()) {
    out += "Unknown events:";
    for (const auto& [event, count] : s.unknown_events) out += fmt::format(" {} ({})", printable(event), count);
    out += "\n";
  }
  for (const auto& bad : s.bad_lines) {
    out += fmt::format("  {}:{}: {}\n", printable(bad.file), bad.line, printable(bad.what));
  }
  for (auto t : tables_of(s, true)) {
    // Names come from remote clients: no control character reaches the terminal.
    for (auto& row : t.rows) {
      for (auto& cell : row) cell = printable(cell);
    }
    out += fmt::format("\n{}\n", t.title);
    if (t.rows.empty()) {
      out += "  (none)\n";
      continue;
    }
    std::vector<std::size_t> widths(t.columns.size());
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      widths[c] = t.columns[c].size();
      for (const auto& row : t.rows) widths[c] = std::max(widths[c], row[c].size());
    }
    const auto emit = [&](const std::vector<std::string>& cells) {
      std::string line = " ";
      for (std::size_t c = 0; c < cells.size(); ++c) {
        line += ' ';
        line += t.numeric[c] ? fmt::format("{:>{}}", cells[c], widths[c]) : fmt::format("{:<{}}", cells[c], widths[c]);
        line += ' ';
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    };
    emit(t.columns);
    std::vector<std::string> rule;
    for (const auto width : widths) rule.emplace_back(width, '-');
    emit(rule);
    for (const auto& row : t.rows) emit(row);
  }
  return out;
}

std::string render_csv(const summary& s) {
  // One block per table, a blank line between: each opens as its own sheet region, and the first
  // cell of a block names it.
  std::string out;
  for (const auto& t : tables_of(s, false)) {
    if (!out.empty()) out += "\n";
    out += csv_cell(t.title) + "\n";
    for (std::size_t c = 0; c < t.columns.size(); ++c) out += (c == 0 ? "" : ",") + csv_cell(t.columns[c]);
    out += "\n";
    for (const auto& row : t.rows) {
      for (std::size_t c = 0; c < row.size(); ++c) out += (c == 0 ? "" : ",") + csv_cell(row[c]);
      out += "\n";
    }
  }
  return out;
}

std::string render_json(const summary& s) {
  using nlohmann::json;
  // Always RFC 3339 UTC with milliseconds, as in the records themselves.
  const auto moment = [](std::int64_t unix_ms) { return format_timestamp(unix_ms); };
  json out = json::object();
  out["files"] = s.files;
  const line_counts& c = s.counts;
  out["lines"] = {{"total", c.lines},
                  {"records", c.records},
                  {"filtered_out", c.filtered_out},
                  {"blank", c.blank},
                  {"corrupt", c.corrupt},
                  {"truncated", c.truncated},
                  {"unknown_event", c.unknown_event},
                  {"newer_schema", c.newer_schema},
                  {"bytes", c.bytes}};
  out["unknown_events"] = s.unknown_events;
  json bad = json::array();
  for (const auto& line : s.bad_lines) bad.push_back({{"file", line.file}, {"line", line.line}, {"what", line.what}});
  out["bad_lines"] = std::move(bad);
  out["first"] = s.first_ms ? json(moment(*s.first_ms)) : json(nullptr);
  out["last"] = s.last_ms ? json(moment(*s.last_ms)) : json(nullptr);
  out["sessions"] = s.total_sessions;
  out["rejections_total"] = s.total_rejections;
  out["peak"] = {{"sessions", s.peak_sessions}, {"at", s.peak_sessions > 0 ? json(moment(s.peak_ms)) : json(nullptr)}};
  json users = json::array();
  for (const auto& u : s.users) {
    users.push_back({{"user", u.user},
                     {"sessions", u.sessions},
                     {"connect_s", u.connect_s},
                     {"longest_s", u.longest_s},
                     {"bytes_in", u.bytes_in},
                     {"bytes_out", u.bytes_out},
                     {"rejections", u.rejections}});
  }
  out["users"] = std::move(users);
  json days = json::array();
  for (const auto& d : s.days) {
    days.push_back({{"day", d.day},
                    {"sessions", d.sessions},
                    {"connect_s", d.connect_s},
                    {"bytes_in", d.bytes_in},
                    {"bytes_out", d.bytes_out},
                    {"rejections", d.rejections},
                    {"peak_sessions", d.peak_sessions}});
  }
  out["days"] = std::move(days);
  out["days_zone"] = s.utc ? "UTC" : format_offset(s.offset_minutes);
  json rejections = json::array();
  for (const auto& r : s.rejections) {
    rejections.push_back({{"rule", r.rule},
                          {"reason", r.reason},
                          {"event", r.event},
                          {"count", r.count},
                          {"not_enforced", r.not_enforced}});
  }
  out["rejections"] = std::move(rejections);
  json still_open = json::array();
  for (const auto& o : s.still_open) {
    still_open.push_back(
        {{"session_id", o.session_id}, {"user", o.user}, {"server", o.server}, {"since", moment(o.start_ms)}});
  }
  out["still_open"] = std::move(still_open);
  json recovered = json::array();
  for (const auto& r : s.recovered) {
    recovered.push_back({{"session_id", r.session_id},
                         {"user", r.user},
                         {"server", r.server},
                         {"cause", r.cause},
                         {"started", r.started},
                         {"last_seen", r.last_seen},
                         {"duration_s", r.duration_s}});
  }
  out["recovered"] = std::move(recovered);
  out["recovered_total"] = s.recovered_total;
  json timeline = json::array();
  for (const auto& b : s.concurrency) {
    timeline.push_back({{"from", moment(b.start_ms)}, {"to", moment(b.end_ms)}, {"peak", b.peak}, {"last", b.last}});
  }
  out["concurrency"] = std::move(timeline);
  // A log line may carry bytes that are not UTF-8 (the reader keeps them); they become U+FFFD
  // rather than failing the whole report.
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string render_html(const summary& s) {
  std::string out = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>RasWarden accounting report</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #212529; background: #fff; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #dee2e6; padding-bottom: 4px; }
p.meta { margin: 2px 0; color: #495057; font-size: 14px; }
p.empty { color: #868e96; font-style: italic; }
.row { display: flex; flex-wrap: wrap; gap: 32px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e9ecef; text-align: left; }
th { background: #f1f3f5; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
svg text { font-size: 11px; fill: #495057; }
svg .grid { stroke: #e9ecef; stroke-width: 1; }
svg .area { fill: #fcc2d7; fill-opacity: 0.35; stroke: none; }
svg .peak { fill: #fff; stroke: #862e9c; stroke-width: 2; }
svg .time { fill: #1c7ed6; }
svg .in { fill: #37b24d; }
svg .out { fill: #1098ad; }
svg .rejected { fill: #f08c00; }
.legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
</style>
</head>
<body>
<h1>RasWarden accounting report</h1>
)";
  for (const auto& line : headline(s)) out += fmt::format("<p class=\"meta\">{}</p>\n", html_escape(line));
  if (!s.unknown_events.empty()) {
    std::string unknown;
    for (const auto& [event, count] : s.unknown_events) unknown += fmt::format(" {} ({})", event, count);
    out += fmt::format("<p class=\"meta\">Unknown events:{}</p>\n", html_escape(unknown));
  }

  out += "<h2>Concurrent sessions</h2>\n";
  out += concurrency_chart(s);

  std::vector<const user_summary*> by_time;
  for (const auto& person : s.users) by_time.push_back(&person);
  std::vector<const user_summary*> by_traffic = by_time;
  std::stable_sort(by_time.begin(), by_time.end(),
                   [](const user_summary* a, const user_summary* b) { return a->connect_s > b->connect_s; });
  std::stable_sort(by_traffic.begin(), by_traffic.end(), [](const user_summary* a, const user_summary* b) {
    return a->bytes_in + a->bytes_out > b->bytes_in + b->bytes_out;
  });
  std::vector<bar_row> time_rows;
  for (const auto* person : by_time) {
    if (time_rows.size() == top_count || person->connect_s == 0) break;
    time_rows.push_back({person->user, {person->connect_s}, format_duration(person->connect_s)});
  }
  std::vector<bar_row> traffic_rows;
  for (const auto* person : by_traffic) {
    if (traffic_rows.size() == top_count || person->bytes_in + person->bytes_out == 0) break;
    traffic_rows.push_back(
        {person->user, {person->bytes_in, person->bytes_out}, format_bytes(person->bytes_in + person->bytes_out)});
  }
  std::map<std::string, std::uint64_t> by_rule;
  for (const auto& rejection : s.rejections) by_rule[rejection.rule] += rejection.count;
  std::vector<bar_row> rule_rows;
  for (const auto& [rule, count] : by_rule) rule_rows.push_back({rule, {count}, std::to_string(count)});
  std::stable_sort(rule_rows.begin(), rule_rows.end(),
                   [](const bar_row& a, const bar_row& b) { return a.segments[0] > b.segments[0]; });

  out += "<div class=\"row\">\n<div>\n<h2>Top users by connect time</h2>\n";
  out += bar_chart("Top users by connect time", time_rows, {"time"});
  out += "</div>\n<div>\n<h2>Top users by traffic</h2>\n";
  out +=
      "<p class=\"meta legend\"><span class=\"in-key\" style=\"background:#37b24d\"></span>in"
      "<span style=\"background:#1098ad\"></span>out</p>\n";
  out += bar_chart("Top users by traffic", traffic_rows, {"in", "out"});
  out += "</div>\n<div>\n<h2>Rejections by rule</h2>\n";
  out += bar_chart("Rejections by rule", rule_rows, {"rejected"});
  out += "</div>\n</div>\n";

  for (const auto& t : tables_of(s, true)) {
    out += fmt::format("<h2>{}</h2>\n", html_escape(t.title));
    if (t.rows.empty()) {
      out += "<p class=\"empty\">None.</p>\n";
      continue;
    }
    out += "<table>\n<tr>";
    for (const auto& column : t.columns) out += fmt::format("<th>{}</th>", html_escape(column));
    out += "</tr>\n";
    for (const auto& row : t.rows) {
      out += "<tr>";
      for (std::size_t c = 0; c < row.size(); ++c) {
        out += fmt::format("<td{}>{}</td>", t.numeric[c] ? " class=\"n\"" : "", html_escape(row[c]));
      }
      out += "</tr>\n";
    }
    out += "</table>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace raswarden::core::report
