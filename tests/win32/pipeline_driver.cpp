// pipeline_driver.exe: drives win32::accounting_pipeline the way the DLL does (a record_sink fed
// one record at a time, its own thread publishing) with a clock that starts a few seconds before
// a UTC midnight and moves on with every record, so that a run crosses from one day's files to
// the next while real followers watch the folder (tests/followers, scenario date-rotation).
//
//   pipeline_driver.exe --dir FOLDER --count N [--start-day YYYYMMDD] [--seconds-before-midnight S]
//                       [--rotate-bytes B] [--journal-bytes B] [--rate R] [--publish-interval-ms MS]
//                       [--flush-interval-ms MS]
//
// Record i (0-based) is stamped start + i * span / N, where start is S seconds (default 5) before
// the midnight that ends --start-day and span is 2 S: half the records fall on each day. Every
// record is one JSON object with schema, ts, event, server, callback, seq (1, 2, ...) and the
// fields of its event; four records make one session (connection-accept, link-accept, link-stop,
// connection-stop). --rate paces the records (per second of real time) so that followers read
// files while they grow; without it they go as fast as the pipeline takes them. When the journal
// is full the record is retried after publishing on this thread, as the accounting writer holds
// it, so every record is written exactly once. Diagnostics go to stderr; the last line of stdout
// is a JSON summary. Exit code 0, or 1 when the pipeline reported an error, 2 on bad usage.
#include <windows.h>

#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "raswarden/accounting.hpp"
#include "raswarden/log_format.hpp"
#include "raswarden/platform.hpp"
#include "win32/accounting_pipeline.hpp"
#include "win32/log_folder.hpp"
#include "win32/system.hpp"

namespace {

using namespace raswarden;

// The driver's time: set for each record; the steady clock is the real one.
class driver_clock final : public core::clock {
 public:
  explicit driver_clock(std::int64_t start) : now_(start) {}
  [[nodiscard]] std::int64_t now_unix_ms() const override { return now_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t steady_ns() const override {
    return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  void set(std::int64_t unix_ms) { now_.store(unix_ms, std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> now_;
};

class stderr_diagnostics final : public core::diagnostics {
 public:
  using core::diagnostics::report;
  void report(core::severity level, core::topic, std::string_view message) noexcept override {
    static constexpr const char* names[] = {"debug", "info", "warning", "error"};
    std::fprintf(stderr, "pipeline_driver: %s: %.*s\n", names[static_cast<int>(level)],
                 static_cast<int>(message.size()), message.data());
    if (level == core::severity::error) errors.fetch_add(1);
  }
  std::atomic<unsigned> errors{0};
};

struct arguments {
  std::string dir;
  std::uint64_t count = 0;
  std::uint32_t start_day = 20261231;
  std::int64_t seconds_before = 5;
  std::uint64_t rotate_bytes = 256u << 10;
  std::uint64_t journal_bytes = 1u << 20;
  double rate = 0;
  std::int64_t publish_interval_ms = 100;
  std::int64_t flush_interval_ms = 200;
};

bool parse_number(std::string_view text, std::uint64_t& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size();
}

bool parse(int argc, char** argv, arguments& a, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view name = argv[i];
    if (i + 1 >= argc) {
      error = fmt::format("{} needs a value", name);
      return false;
    }
    const std::string_view value = argv[++i];
    std::uint64_t number = 0;
    const bool numeric = parse_number(value, number);
    if (name == "--dir") {
      a.dir = value;
      continue;
    }
    if (name == "--rate") {
      a.rate = std::atof(std::string(value).c_str());
      if (a.rate < 0) error = "--rate must not be negative";
      continue;
    }
    if (!numeric) {
      error = fmt::format("{} takes a number, not '{}'", name, value);
      return false;
    }
    if (name == "--count") {
      a.count = number;
    } else if (name == "--start-day") {
      a.start_day = static_cast<std::uint32_t>(number);
    } else if (name == "--seconds-before-midnight") {
      a.seconds_before = static_cast<std::int64_t>(number);
    } else if (name == "--rotate-bytes") {
      a.rotate_bytes = number;
    } else if (name == "--journal-bytes") {
      a.journal_bytes = number;
    } else if (name == "--publish-interval-ms") {
      a.publish_interval_ms = static_cast<std::int64_t>(number);
    } else if (name == "--flush-interval-ms") {
      a.flush_interval_ms = static_cast<std::int64_t>(number);
    } else {
      error = fmt::format("unknown option {}", name);
      return false;
    }
  }
  if (a.dir.empty() || a.count == 0) error = "--dir and --count are required";
  if (a.seconds_before <= 0) error = "--seconds-before-midnight must be at least 1";
  return error.empty();
}

// Days since 1970-01-01 of YYYYMMDD; false for no such date.
bool day_of(std::uint32_t yyyymmdd, std::int64_t& day) {
  using namespace std::chrono;
  const year_month_day date{year{static_cast<int>(yyyymmdd / 10000)}, month{yyyymmdd / 100 % 100},
                            std::chrono::day{yyyymmdd % 100}};
  if (!date.ok()) return false;
  day = sys_days{date}.time_since_epoch().count();
  return true;
}

// Record `index` (0-based): one of the four of session index / 4.
std::string make_record(std::uint64_t index, std::int64_t unix_ms) {
  static constexpr std::string_view events[] = {"connection-accept", "link-accept", "link-stop", "connection-stop"};
  static constexpr std::string_view callbacks[] = {"AcceptNewConnection2", "AcceptNewLink", "LinkHangupNotification",
                                                   "ConnectionHangupNotification2"};
  const std::uint64_t session = index / 4;
  const std::size_t kind = index % 4;
  std::string line =
      fmt::format(R"({{"schema":1,"ts":"{}","event":"{}","server":"rras-driver","callback":"{}","seq":{},)"
                  R"("session_id":"drv-{:08}","guid":"{{{:08X}-0000-4000-8000-{:012X}}}","user":"CORP\\user{:05}",)"
                  R"("framed_ip":"10.{}.{}.{}","interface":"VPN{}")",
                  raswarden::core::format_timestamp(unix_ms), events[kind], callbacks[kind], index + 1, session,
                  static_cast<std::uint32_t>(session * 2654435761u), session, session % 50000, session / 64516 % 256,
                  session / 254 % 254, session % 254 + 1, session % 128);
  if (kind == 3) {
    line += fmt::format(R"(,"duration_ms":{},"bytes_in":{},"bytes_out":{},"reason":"user-request")",
                        3 * (unix_ms % 997), session * 7919 % 100000, session * 104729 % 1000000);
  }
  return line + "}\n";
}

}  // namespace

int main(int argc, char** argv) {
  ::SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
  arguments a;
  std::string error;
  std::int64_t day = 0;
  if (!parse(argc, argv, a, error) || !day_of(a.start_day, day)) {
    std::fprintf(stderr, "pipeline_driver: %s\n", error.empty() ? "--start-day is no date (YYYYMMDD)" : error.c_str());
    return 2;
  }
  const std::int64_t midnight = (day + 1) * core::log_format::ms_per_day;
  const std::int64_t start = midnight - a.seconds_before * 1000;
  const std::int64_t span_ms = 2 * a.seconds_before * 1000;

  driver_clock clock(start);
  stderr_diagnostics diag;
  win32::pipeline_options options;
  options.journal_bytes = a.journal_bytes;
  options.rotate_bytes = a.rotate_bytes;
  options.publish_interval = std::chrono::milliseconds(a.publish_interval_ms);
  options.flush_interval = std::chrono::milliseconds(a.flush_interval_ms);
  options.retention.retention_days = 0;  // the fake days are far from the real one
  options.retention.min_free_bytes = 0;
  const std::wstring folder = win32::to_wide(a.dir);

  std::uint64_t retries = 0;
  std::uint64_t before_midnight = 0;
  std::int64_t first_ms = 0;
  std::int64_t last_ms = 0;
  const auto began = std::chrono::steady_clock::now();
  {
    win32::accounting_pipeline pipeline(folder, options, clock, diag);
    core::record_sink& sink = pipeline;
    for (std::uint64_t i = 0; i < a.count; ++i) {
      if (a.rate > 0) {
        const auto due = began + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     std::chrono::duration<double>(static_cast<double>(i) / a.rate));
        const auto now = std::chrono::steady_clock::now();
        if (due > now) ::Sleep(static_cast<DWORD>(std::chrono::ceil<std::chrono::milliseconds>(due - now).count()));
      }
      const std::int64_t stamp = start + static_cast<std::int64_t>(i * static_cast<std::uint64_t>(span_ms) / a.count);
      clock.set(stamp);
      if (i == 0) first_ms = stamp;
      last_ms = stamp;
      before_midnight += stamp < midnight ? 1 : 0;
      const std::string line = make_record(i, stamp);
      while (!sink.append(line)) {
        // The journal is full: publish here and retry, as the accounting writer holds the record.
        ++retries;
        pipeline.publish_now();
        if (retries % 1000 == 0) ::Sleep(10);
        if (retries > 1'000'000) {
          std::fprintf(stderr, "pipeline_driver: record %llu refused a million times\n",
                       static_cast<unsigned long long>(i + 1));
          return 1;
        }
      }
    }
    const auto latency = pipeline.latency();
    std::fprintf(stderr, "pipeline_driver: publication latency p50 %u ms, p99 %u ms, max %u ms over %llu records\n",
                 latency.p50_ms, latency.p99_ms, latency.max_ms, static_cast<unsigned long long>(latency.records));
  }  // publishes everything left and flushes
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();

  std::string files;
  std::set<std::string> days;
  for (const win32::public_file& f : win32::list_public_files(folder)) {
    files += fmt::format("{}\"{}\"", files.empty() ? "" : ",", core::log_format::file_name(f.id));
    days.insert(fmt::format("{:08}", core::log_format::day_number(f.id.day)));
  }
  std::string day_list;
  for (const std::string& d : days) day_list += fmt::format("{}\"{}\"", day_list.empty() ? "" : ",", d);
  std::printf(
      "{\"records\":%llu,\"before_midnight\":%llu,\"first_ts\":\"%s\",\"last_ts\":\"%s\",\"retries\":%llu,"
      "\"errors\":%u,\"seconds\":%.2f,\"days\":[%s],\"files\":[%s]}\n",
      static_cast<unsigned long long>(a.count), static_cast<unsigned long long>(before_midnight),
      core::format_timestamp(first_ms).c_str(), core::format_timestamp(last_ms).c_str(),
      static_cast<unsigned long long>(retries), diag.errors.load(), seconds, day_list.c_str(), files.c_str());
  return diag.errors.load() == 0 ? 0 : 1;
}
