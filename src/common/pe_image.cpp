#include "common/pe_image.hpp"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace raswarden::common {

namespace {

class reader {
 public:
  explicit reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  template <typename T>
  bool read(std::uint64_t offset, T& out) const {
    if (offset > bytes_.size() || bytes_.size() - offset < sizeof(T)) return false;
    std::memcpy(&out, bytes_.data() + static_cast<std::size_t>(offset), sizeof(T));
    return true;
  }

  // A NUL-terminated string at `offset`, at most `limit` bytes.
  bool read_string(std::uint64_t offset, std::string& out, std::size_t limit = 512) const {
    out.clear();
    for (std::size_t i = 0; i < limit; ++i) {
      if (offset + i >= bytes_.size()) return false;
      const auto c = static_cast<char>(bytes_[static_cast<std::size_t>(offset + i)]);
      if (c == '\0') return true;
      out.push_back(c);
    }
    return false;
  }

 private:
  std::span<const std::uint8_t> bytes_;
};

struct section {
  std::uint32_t virtual_address = 0;
  std::uint32_t virtual_size = 0;
  std::uint32_t raw_offset = 0;
  std::uint32_t raw_size = 0;
};

std::optional<std::uint64_t> file_offset(const std::vector<section>& sections, std::uint32_t rva) {
  for (const section& s : sections) {
    const std::uint32_t size = s.virtual_size != 0 ? s.virtual_size : s.raw_size;
    if (rva >= s.virtual_address && rva - s.virtual_address < size) {
      const std::uint32_t delta = rva - s.virtual_address;
      if (delta >= s.raw_size) return std::nullopt;
      return std::uint64_t{s.raw_offset} + delta;
    }
  }
  return std::nullopt;
}

constexpr std::uint32_t max_entries = 65536;

}  // namespace

const char* to_string(pe_machine machine) noexcept {
  switch (machine) {
    case pe_machine::i386: return "x86";
    case pe_machine::amd64: return "x64";
    case pe_machine::arm64: return "arm64";
    case pe_machine::unknown: break;
  }
  return "unknown";
}

std::optional<pe_info> read_pe(std::span<const std::uint8_t> image, std::string& error) {
  const reader in(image);
  std::uint16_t mz = 0;
  std::uint32_t pe_offset = 0;
  if (!in.read(0, mz) || mz != 0x5A4D || !in.read(0x3C, pe_offset)) {
    error = "not a PE image (no MZ header)";
    return std::nullopt;
  }
  std::uint32_t signature = 0;
  if (!in.read(pe_offset, signature) || signature != 0x00004550) {
    error = "not a PE image (no PE signature)";
    return std::nullopt;
  }
  const std::uint64_t coff = std::uint64_t{pe_offset} + 4;
  std::uint16_t machine = 0;
  std::uint16_t section_count = 0;
  std::uint16_t optional_size = 0;
  std::uint16_t characteristics = 0;
  if (!in.read(coff, machine) || !in.read(coff + 2, section_count) || !in.read(coff + 16, optional_size) ||
      !in.read(coff + 18, characteristics)) {
    error = "truncated COFF header";
    return std::nullopt;
  }
  pe_info info;
  info.machine = static_cast<pe_machine>(machine);
  if (info.machine != pe_machine::i386 && info.machine != pe_machine::amd64 && info.machine != pe_machine::arm64) {
    info.machine = pe_machine::unknown;
  }
  info.is_dll = (characteristics & 0x2000) != 0;

  const std::uint64_t optional_header = coff + 20;
  std::uint16_t magic = 0;
  if (!in.read(optional_header, magic) || (magic != 0x10b && magic != 0x20b)) {
    error = "unknown optional header";
    return std::nullopt;
  }
  info.is_pe32_plus = magic == 0x20b;
  const std::uint64_t directories = optional_header + (info.is_pe32_plus ? 112 : 96);
  std::uint32_t directory_count = 0;
  if (!in.read(directories - 4, directory_count)) {
    error = "truncated optional header";
    return std::nullopt;
  }

  std::vector<section> sections;
  const std::uint64_t section_table = optional_header + optional_size;
  for (std::uint16_t i = 0; i < section_count; ++i) {
    const std::uint64_t at = section_table + std::uint64_t{i} * 40;
    section s;
    if (!in.read(at + 8, s.virtual_size) || !in.read(at + 12, s.virtual_address) || !in.read(at + 16, s.raw_size) ||
        !in.read(at + 20, s.raw_offset)) {
      error = "truncated section table";
      return std::nullopt;
    }
    sections.push_back(s);
  }

  const auto directory = [&](std::uint32_t index, std::uint32_t& rva, std::uint32_t& size) {
    rva = size = 0;
    return index < directory_count && in.read(directories + index * 8, rva) &&
           in.read(directories + index * 8 + 4, size);
  };

  std::uint32_t export_rva = 0;
  std::uint32_t export_size = 0;
  if (directory(0, export_rva, export_size) && export_rva != 0) {
    const auto at = file_offset(sections, export_rva);
    std::uint32_t name_count = 0;
    std::uint32_t names_rva = 0;
    if (!at || !in.read(*at + 24, name_count) || !in.read(*at + 32, names_rva) || name_count > max_entries) {
      error = "malformed export directory";
      return std::nullopt;
    }
    const auto names = file_offset(sections, names_rva);
    for (std::uint32_t i = 0; i < name_count; ++i) {
      std::uint32_t name_rva = 0;
      std::string name;
      const auto name_at = names ? std::optional<std::uint64_t>(*names + std::uint64_t{i} * 4) : std::nullopt;
      const auto text_at = name_at && in.read(*name_at, name_rva) ? file_offset(sections, name_rva) : std::nullopt;
      if (!text_at || !in.read_string(*text_at, name)) {
        error = fmt::format("malformed export name #{}", i);
        return std::nullopt;
      }
      info.exports.push_back(std::move(name));
    }
  }

  std::uint32_t import_rva = 0;
  std::uint32_t import_size = 0;
  if (directory(1, import_rva, import_size) && import_rva != 0) {
    const auto at = file_offset(sections, import_rva);
    if (!at) {
      error = "malformed import directory";
      return std::nullopt;
    }
    for (std::uint32_t i = 0; i < max_entries; ++i) {
      const std::uint64_t descriptor = *at + std::uint64_t{i} * 20;
      std::uint32_t lookup = 0;
      std::uint32_t name_rva = 0;
      std::uint32_t thunk = 0;
      if (!in.read(descriptor, lookup) || !in.read(descriptor + 12, name_rva) || !in.read(descriptor + 16, thunk)) {
        error = "truncated import directory";
        return std::nullopt;
      }
      if (lookup == 0 && name_rva == 0 && thunk == 0) break;
      std::string name;
      const auto name_at = file_offset(sections, name_rva);
      if (!name_at || !in.read_string(*name_at, name)) {
        error = fmt::format("malformed import name #{}", i);
        return std::nullopt;
      }
      info.imports.push_back(std::move(name));
    }
  }
  return info;
}

std::optional<pe_info> read_pe_file(const std::string& path, std::string& error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot open " + path;
    return std::nullopt;
  }
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto info = read_pe(bytes, error);
  if (!info) error = path + ": " + error;
  return info;
}

}  // namespace raswarden::common
