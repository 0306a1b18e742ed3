#include "raswarden/log_format.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>

namespace raswarden::core::log_format {

namespace {
std::chrono::year_month_day date_of(std::int64_t day) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}};
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}
}  // namespace

std::uint32_t day_number(std::int64_t day) {
  const auto date = date_of(day);
  const int year = static_cast<int>(date.year());
  if (year < 0 || year > 9999) return 0;
  return static_cast<std::uint32_t>(year) * 10000 + static_cast<unsigned>(date.month()) * 100 +
         static_cast<unsigned>(date.day());
}

std::string file_name(file_id id) {
  const std::uint32_t date = day_number(id.day);
  return id.index == 0 ? fmt::format("{}{:08}{}", file_prefix, date, file_suffix)
                       : fmt::format("{}{:08}-{}{}", file_prefix, date, id.index, file_suffix);
}

std::optional<file_id> parse_file_name(std::string_view name) {
  if (name.size() < file_prefix.size() + 8 + file_suffix.size() || !name.starts_with(file_prefix) ||
      !name.ends_with(file_suffix)) {
    return std::nullopt;
  }
  const std::string_view middle = name.substr(file_prefix.size(), name.size() - file_prefix.size() - file_suffix.size());
  const std::string_view date_text = middle.substr(0, 8);
  if (!all_digits(date_text)) return std::nullopt;
  std::uint32_t date = 0;
  std::from_chars(date_text.data(), date_text.data() + date_text.size(), date);
  const std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(date / 10000)},
                                        std::chrono::month{date / 100 % 100}, std::chrono::day{date % 100}};
  if (!ymd.ok()) return std::nullopt;
  file_id id{std::chrono::sys_days{ymd}.time_since_epoch().count(), 0};
  if (middle.size() == 8) return id;
  const std::string_view index_text = middle.substr(9);
  if (middle[8] != '-' || !all_digits(index_text) || index_text.front() == '0') return std::nullopt;
  const auto [end, error] = std::from_chars(index_text.data(), index_text.data() + index_text.size(), id.index);
  if (error != std::errc{} || end != index_text.data() + index_text.size()) return std::nullopt;
  return id;
}

std::size_t records_end(std::string_view bytes) noexcept {
  const std::size_t padding = bytes.find('\0');
  const std::string_view records = bytes.substr(0, padding);
  const std::size_t newline = records.rfind('\n');
  return newline == std::string_view::npos ? 0 : newline + 1;
}

}  // namespace raswarden::core::log_format
