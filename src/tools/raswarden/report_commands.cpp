#include "tools/raswarden/report_commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include "raswarden/platform.hpp"
#include "raswarden/policy.hpp"
#include "raswarden/report.hpp"
#include "raswarden/settings.hpp"
#include "raswarden/text.hpp"

namespace raswarden::tools {

namespace {

namespace report = core::report;

std::string utf8_of(const std::filesystem::path& path) {
  const std::u8string text = path.u8string();
  return {text.begin(), text.end()};
}

report::utc_offset_function local_offset() {
  return [](std::int64_t unix_ms) { return core::system_clock{}.utc_offset_minutes(unix_ms); };
}

// The options report and tail share; each command reads the rest itself.
struct common_arguments {
  report::filter only;
  bool utc = false;
  std::vector<std::filesystem::path> inputs;
  std::optional<std::string> since_text;
  std::optional<std::string> until_text;
};

// Takes the value of an option at arguments[index + 1].
const std::string& value_of(const std::vector<std::string>& arguments, std::size_t& index) {
  if (index + 1 >= arguments.size()) throw usage_problem(fmt::format("{} needs a value", arguments[index]));
  return arguments[++index];
}

// True when arguments[index] is one of the shared options (consumed).
bool take_common(const std::vector<std::string>& arguments, std::size_t& index, common_arguments& into) {
  const std::string& argument = arguments[index];
  if (argument == "--utc") {
    into.utc = true;
  } else if (argument == "--user") {
    into.only.user_globs.push_back(core::ascii_lower(value_of(arguments, index)));
  } else if (argument == "--server") {
    into.only.servers.push_back(value_of(arguments, index));
  } else if (argument == "--event") {
    into.only.event_globs.push_back(core::ascii_lower(value_of(arguments, index)));
  } else if (argument == "--since") {
    into.since_text = value_of(arguments, index);
  } else if (argument == "--until") {
    into.until_text = value_of(arguments, index);
  } else if (!argument.empty() && argument[0] != '-') {
    into.inputs.push_back(path_from_utf8(argument));
  } else {
    return false;
  }
  return true;
}

// Times are read after every argument, so --utc applies wherever it stands.
void resolve_times(common_arguments& arguments) {
  const auto resolve = [&](const std::optional<std::string>& text, const char* option) -> std::optional<std::int64_t> {
    if (!text) return std::nullopt;
    const auto moment = report::parse_time_argument(*text, arguments.utc, local_offset());
    if (!moment) {
      throw usage_problem(fmt::format("{} \"{}\": expected RFC 3339 or \"YYYY-MM-DD[ HH:MM[:SS]]\"", option, *text));
    }
    return moment;
  };
  arguments.only.since_ms = resolve(arguments.since_text, "--since");
  arguments.only.until_ms = resolve(arguments.until_text, "--until");
}

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

// ---- tail -----------------------------------------------------------------------------------------

std::int32_t offset_at(bool utc, std::int64_t unix_ms) {
  return utc ? 0 : core::system_clock{}.utc_offset_minutes(unix_ms);
}

// Renders whole lines of one file from `position` on; a last line without '\n' is left for the
// next poll (the writer is still in the middle of it).
class file_follower {
 public:
  explicit file_follower(const common_arguments& arguments) : arguments_(arguments) {}

  void open(std::filesystem::path path, std::uint64_t position) {
    path_ = std::move(path);
    position_ = position;
    pending_.clear();
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  // Reads what was appended since the last call and prints it.
  void poll() {
    std::error_code error;
    const std::uint64_t size = std::filesystem::file_size(path_, error);
    if (error) return;
    if (size < position_) {  // cut back (a torn record trimmed at restart): go on from its end
      position_ = size;
      pending_.clear();
    }
    if (size == position_) return;
    std::ifstream file(path_, std::ios::binary);
    if (!file) return;
    file.seekg(static_cast<std::streamoff>(position_));
    // Reading stops at the first NUL (log_format::records_end): a file left open by RasWarden
    // 0.1's mapped writer ends in zero padding, and records arrived over it. The publisher only
    // appends whole lines, so its files never hold one.
    constexpr std::uint64_t most_per_poll = 1 << 20;
    std::string appended(static_cast<std::size_t>(std::min(size - position_, most_per_poll)), '\0');
    file.read(appended.data(), static_cast<std::streamsize>(appended.size()));
    appended.resize(static_cast<std::size_t>(file.gcount()));
    if (const std::size_t padding = appended.find('\0'); padding != std::string::npos) appended.resize(padding);
    position_ += appended.size();
    pending_ += appended;
    std::size_t start = 0;
    std::size_t newline = 0;
    while ((newline = pending_.find('\n', start)) != std::string::npos) {
      print(std::string_view(pending_).substr(start, newline - start));
      start = newline + 1;
    }
    pending_.erase(0, start);
    std::fflush(stdout);
  }

  // Prints `line` as tail shows it, when it passes the filters.
  void print(std::string_view line) {
    const report::line_status status = report::parse_line(line, record_);
    if (status == report::line_status::blank) return;
    if (status != report::line_status::ok) {
      fmt::print("{} line: {}\n", status == report::line_status::truncated ? "truncated" : "corrupt",
                 line.substr(0, 200));
      return;
    }
    const report::filter& only = arguments_.only;
    if (!only.matches_server(record_.server) || !only.matches_event(record_.event)) return;
    if (!only.user_globs.empty() && !only.matches_user(record_.user)) return;
    fmt::print("{}\n", report::render_line(record_, offset_at(arguments_.utc, record_.ts_ms)));
  }

 private:
  const common_arguments& arguments_;
  std::filesystem::path path_;
  std::uint64_t position_ = 0;
  std::string pending_;
  report::record record_;
};

std::optional<std::filesystem::path> newest_file(const std::filesystem::path& input) {
  if (!std::filesystem::is_directory(input)) return input;
  const auto files = report::accounting_files(input);
  if (files.empty()) return std::nullopt;
  return files.back();
}

}  // namespace

std::filesystem::path path_from_utf8(std::string_view text) {
  return std::filesystem::path(std::u8string(text.begin(), text.end()));
}

int report_command(const std::vector<std::string>& arguments) {
  common_arguments common;
  enum class format : std::uint8_t { text, csv, json, html } output = format::text;
  std::filesystem::path html_file;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    if (take_common(arguments, i, common)) continue;
    const std::string& argument = arguments[i];
    if (argument == "--csv") {
      output = format::csv;
    } else if (argument == "--json") {
      output = format::json;
    } else if (argument == "--html") {
      output = format::html;
      html_file = path_from_utf8(value_of(arguments, i));
    } else {
      throw usage_problem(fmt::format("report: unknown option \"{}\"", argument));
    }
  }
  if (common.inputs.empty()) throw usage_problem("report needs at least one accounting file or folder");
  resolve_times(common);

  for (const auto& input : common.inputs) {
    if (!std::filesystem::exists(input)) {
      fmt::print(stderr, "raswarden: {}: no such file or folder\n", utf8_of(input));
      return 1;
    }
  }
  report::options configuration;
  configuration.only = common.only;
  configuration.utc = common.utc;
  configuration.utc_offset = local_offset();
  const auto files = report::expand_inputs(common.inputs);
  if (files.empty()) fmt::print(stderr, "raswarden: no accounting-*.jsonl files found\n");
  const report::summary result = report::build(files, std::move(configuration));
  switch (output) {
    case format::text: fmt::print("{}", report::render_text(result)); break;
    case format::csv: fmt::print("{}", report::render_csv(result)); break;
    case format::json: fmt::print("{}", report::render_json(result)); break;
    case format::html:
      if (!write_file(html_file, report::render_html(result))) {
        fmt::print(stderr, "raswarden: cannot write {}\n", utf8_of(html_file));
        return 1;
      }
      fmt::print("{}: written ({} sessions, {} rejections, peak {} concurrent sessions)\n", utf8_of(html_file),
                 result.total_sessions, result.total_rejections, result.peak_sessions);
      break;
  }
  return 0;
}

int tail_command(const std::vector<std::string>& arguments) {
  common_arguments common;
  bool follow = false;
  std::size_t count = 10;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    if (take_common(arguments, i, common)) continue;
    const std::string& argument = arguments[i];
    if (argument == "-f" || argument == "--follow") {
      follow = true;
    } else if (argument == "-n") {
      const std::string& value = value_of(arguments, i);
      try {
        count = static_cast<std::size_t>(std::stoul(value));
      } catch (const std::exception&) {
        throw usage_problem(fmt::format("-n \"{}\": expected a number", value));
      }
    } else {
      throw usage_problem(fmt::format("tail: unknown option \"{}\"", argument));
    }
  }
  if (common.inputs.size() != 1) throw usage_problem("tail needs one accounting folder or file");
  if (common.since_text || common.until_text) throw usage_problem("tail does not take --since or --until");
  const std::filesystem::path input = common.inputs[0];
  if (!std::filesystem::exists(input)) {
    fmt::print(stderr, "raswarden: {}: no such file or folder\n", utf8_of(input));
    return 1;
  }

  file_follower follower(common);
  std::optional<std::filesystem::path> current = newest_file(input);
  if (current) {
    // The last `count` lines: only they are kept while reading, however long the file.
    std::ifstream file(*current, std::ios::binary);
    std::deque<std::string> last_lines;
    std::string line;
    std::uint64_t complete_bytes = 0;
    while (std::getline(file, line)) {
      if (file.eof()) break;  // no '\n': still being written, -f prints it when it is whole
      complete_bytes += line.size() + 1;
      if (count == 0) continue;
      if (last_lines.size() == count) last_lines.pop_front();
      last_lines.push_back(line);
    }
    follower.open(*current, complete_bytes);
    for (const auto& kept : last_lines) follower.print(kept);
    std::fflush(stdout);
  }
  if (!follow) return 0;

  const bool folder = std::filesystem::is_directory(input);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    if (current) follower.poll();
    if (!folder) continue;
    // A rotation or a new day starts a new file: finish the old one, then follow the new one
    // from its beginning.
    const auto newest = newest_file(input);
    if (newest && (!current || *newest != *current)) {
      if (current) follower.poll();
      current = newest;
      follower.open(*current, 0);
      follower.poll();
    }
  }
}

int check_config_file(const std::filesystem::path& file) {
  const std::string name = utf8_of(file);
  std::error_code size_error;
  if (const std::uintmax_t size = std::filesystem::file_size(file, size_error);
      !size_error && size > core::max_configuration_bytes) {
    fmt::print(stderr, "{}\n{}: RasWarden would not use this file\n", core::configuration_too_large(name, size), name);
    return 1;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "{}: cannot be read\n", name);
    return 1;
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const core::settings_result parsed = core::parse_settings(text, name);
  if (!parsed.usable()) {
    for (const std::string& problem : parsed.problems) fmt::print(stderr, "{}\n", problem);
    for (const std::string& warning : parsed.warnings) fmt::print(stderr, "{}\n", warning);
    fmt::print(stderr, "{}: {} problem(s); RasWarden would not use this file\n", name,
               std::max<std::size_t>(parsed.problems.size(), 1));
    return 1;
  }
  fmt::print("{}: OK{}\n", name,
             parsed.warnings.empty() ? std::string() : fmt::format(", {} warning(s)", parsed.warnings.size()));
  for (const std::string& warning : parsed.warnings) fmt::print("{}\n", warning);
  fmt::print("{}", core::describe(parsed.value));
  return 0;
}

}  // namespace raswarden::tools
