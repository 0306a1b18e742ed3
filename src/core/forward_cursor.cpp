#include "raswarden/forward_cursor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>

namespace raswarden::core {

namespace {

constexpr std::size_t read_chunk = std::size_t{1} << 20;
constexpr int cursor_schema = 1;

bool parse_hash(std::string_view text, std::uint64_t& out) {
  if (text.size() != 16) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out, 16);
  return error == std::errc{} && end == text.data() + text.size() &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The first `limit` bytes of a file (fewer at its end); empty when it cannot be read.
std::string read_head(const std::filesystem::path& file, std::size_t limit) {
  std::ifstream in(file, std::ios::binary);
  std::string bytes(limit, '\0');
  if (!in) return {};
  in.read(bytes.data(), static_cast<std::streamsize>(limit));
  bytes.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return bytes;
}

}  // namespace

std::uint64_t first_line_hash(std::string_view bytes) noexcept {
  const std::size_t nul = bytes.find('\0');
  const std::size_t newline = bytes.substr(0, nul).find('\n');
  if (newline == std::string_view::npos) return 0;
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i <= newline; ++i) {
    hash ^= static_cast<unsigned char>(bytes[i]);
    hash *= 0x100000001b3ULL;
  }
  return hash == 0 ? 1 : hash;
}

std::string serialize(const forward_cursor& cursor) {
  nlohmann::ordered_json text;
  text["schema"] = cursor_schema;
  text["file"] = log_format::file_name(cursor.file);
  text["offset"] = cursor.offset;
  if (cursor.first_line != 0) text["first_line"] = fmt::format("{:016x}", cursor.first_line);
  return text.dump() + "\n";
}

cursor_parse_result parse_forward_cursor(std::string_view text) {
  cursor_parse_result result;
  const auto error = [&](std::string why) {
    result.error = std::move(why);
    return result;
  };
  const nlohmann::json document = nlohmann::json::parse(text, nullptr, false);
  if (document.is_discarded()) return error("not JSON");
  if (!document.is_object()) return error(fmt::format("expected a JSON object, found {}", document.type_name()));
  for (const auto& [key, value] : document.items()) {
    if (key != "schema" && key != "file" && key != "offset" && key != "first_line") {
      return error(fmt::format("unknown key \"{}\" (expected schema, file, offset, first_line)", key));
    }
  }
  const auto schema = document.find("schema");
  if (schema == document.end() || !schema->is_number_integer() || schema->get<std::int64_t>() != cursor_schema) {
    return error("\"schema\" must be 1");
  }
  const auto file = document.find("file");
  if (file == document.end() || !file->is_string()) return error("\"file\" must be an accounting file name");
  const std::optional<log_format::file_id> id = log_format::parse_file_name(file->get<std::string>());
  if (!id) {
    return error(fmt::format("\"file\" is \"{}\", which is not an accounting file name (accounting-YYYYMMDD[-N].jsonl)",
                             file->get<std::string>()));
  }
  const auto offset = document.find("offset");
  if (offset == document.end() || !offset->is_number_unsigned()) {
    return error("\"offset\" must be an integer of at least 0");
  }
  forward_cursor cursor{*id, offset->get<std::uint64_t>(), 0};
  const auto hash = document.find("first_line");
  if (hash != document.end()) {
    if (!hash->is_string() || !parse_hash(hash->get<std::string>(), cursor.first_line) || cursor.first_line == 0) {
      return error("\"first_line\" must be 16 lower-case hex digits (FNV-1a 64 of the file's first line)");
    }
  } else if (cursor.offset != 0) {
    return error("\"first_line\" is required when \"offset\" is not 0");
  }
  result.cursor = cursor;
  return result;
}

std::vector<public_file> list_public_files(const std::filesystem::path& folder) {
  std::vector<public_file> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    // As UTF-8 bytes: a name the system's code page cannot spell is simply not a public file's.
    const std::u8string name = it->path().filename().u8string();
    if (const auto id = log_format::parse_file_name(std::string(name.begin(), name.end()))) {
      files.push_back({*id, it->path()});
    }
  }
  std::sort(files.begin(), files.end(), [](const public_file& a, const public_file& b) { return a.id < b.id; });
  return files;
}

published_span count_published(const std::filesystem::path& file, std::uint64_t from) {
  published_span span{0, from, false};
  std::ifstream in(file, std::ios::binary);
  if (!in) return span;
  span.readable = true;
  in.seekg(static_cast<std::streamoff>(from));
  if (!in) return span;
  std::string chunk(read_chunk, '\0');
  std::uint64_t position = from;
  for (;;) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto got = static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0));
    std::string_view bytes(chunk.data(), got);
    const std::size_t nul = bytes.find('\0');
    bytes = bytes.substr(0, nul);
    span.records += static_cast<std::uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
    if (const std::size_t last = bytes.rfind('\n'); last != std::string_view::npos) span.end = position + last + 1;
    position += got;
    if (nul != std::string_view::npos || got < chunk.size()) return span;
  }
}

forward_lag measure_lag(const std::filesystem::path& folder, const forward_cursor& cursor) {
  forward_lag lag;
  for (const public_file& file : list_public_files(folder)) {
    if (file.id < cursor.file) continue;
    std::uint64_t from = 0;
    if (file.id == cursor.file && cursor.offset > 0) {
      // The same name holding other records (deleted and written again) is counted whole.
      const bool same_file = first_line_hash(read_head(file.path, read_chunk)) == cursor.first_line;
      from = same_file ? cursor.offset : 0;
    }
    const published_span span = count_published(file.path, from);
    lag.records += span.records;
    lag.bytes += span.end - from;
  }
  return lag;
}

}  // namespace raswarden::core
