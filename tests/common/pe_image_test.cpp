// read_pe against small PE images built in memory: well-formed PE32 and PE32+ DLLs, then
// truncated and hostile variants that must fail cleanly (and, under ASan, without a stray read).
#include "common/pe_image.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace raswarden::common {
namespace {

// Layout of the synthetic image (file offsets):
//   0x000 DOS header, e_lfanew = 0x80
//   0x080 "PE\0\0", COFF header, optional header (16 data directories), one section header
//   0x200 section ".rdata" (RVA 0x1000, 0x200 bytes): export directory at +0x000, export name
//         pointers at +0x040, import descriptors at +0x060, strings from +0x100
constexpr std::uint32_t pe_offset = 0x80;
constexpr std::uint32_t coff_offset = pe_offset + 4;
constexpr std::uint32_t optional_offset = coff_offset + 20;
constexpr std::uint32_t section_file = 0x200;
constexpr std::uint32_t section_rva = 0x1000;
constexpr std::uint32_t section_size = 0x200;
constexpr std::uint32_t export_dir = 0x000;
constexpr std::uint32_t export_names = 0x040;
constexpr std::uint32_t import_dir = 0x060;
constexpr std::uint32_t strings = 0x100;

const std::vector<std::string> export_list{"MprAdminAcceptNewConnection", "MprAdminInitializeDll",
                                           "MprAdminTerminateDll"};
const std::vector<std::string> import_list{"KERNEL32.dll", "MPRAPI.dll"};

struct image_options {
  bool pe32_plus = false;
  bool dll = true;
  std::uint16_t machine = 0x14c;
  bool with_exports = true;
  bool with_imports = true;
};

class pe_builder {
 public:
  explicit pe_builder(image_options options) : options_(options), bytes_(section_file + section_size, 0) {
    put16(0, 0x5A4D);  // "MZ"
    put32(0x3C, pe_offset);
    put32(pe_offset, 0x00004550);  // "PE\0\0"

    const std::uint16_t optional_size = options.pe32_plus ? 240 : 224;
    put16(coff_offset + 0, options.machine);
    put16(coff_offset + 2, 1);  // one section
    put16(coff_offset + 16, optional_size);
    std::uint16_t characteristics = 0x0002;  // executable image
    if (options.dll) characteristics |= 0x2000;
    if (!options.pe32_plus) characteristics |= 0x0100;
    put16(coff_offset + 18, characteristics);

    put16(optional_offset, options.pe32_plus ? 0x20b : 0x10b);
    put32(directory_count_offset(), 16);

    const std::uint32_t section_header = optional_offset + optional_size;
    std::memcpy(bytes_.data() + section_header, ".rdata", 6);
    put32(section_header + 8, section_size);   // VirtualSize
    put32(section_header + 12, section_rva);   // VirtualAddress
    put32(section_header + 16, section_size);  // SizeOfRawData
    put32(section_header + 20, section_file);  // PointerToRawData

    std::uint32_t next_string = strings;
    const auto add_string = [&](const std::string& text) {
      std::memcpy(bytes_.data() + section_file + next_string, text.data(), text.size());
      const std::uint32_t rva = section_rva + next_string;
      next_string += static_cast<std::uint32_t>(text.size()) + 1;
      return rva;
    };

    if (options.with_exports) {
      put32(directory_offset(0), section_rva + export_dir);
      put32(directory_offset(0) + 4, 40);
      const std::uint32_t dir = section_file + export_dir;
      put32(dir + 12, add_string("raswarden.dll"));
      put32(dir + 16, 1);  // ordinal base
      put32(dir + 20, static_cast<std::uint32_t>(export_list.size()));
      put32(dir + 24, static_cast<std::uint32_t>(export_list.size()));
      put32(dir + 32, section_rva + export_names);
      for (std::size_t i = 0; i < export_list.size(); ++i) {
        put32(section_file + export_names + static_cast<std::uint32_t>(i) * 4, add_string(export_list[i]));
      }
    }
    if (options.with_imports) {
      put32(directory_offset(1), section_rva + import_dir);
      put32(directory_offset(1) + 4, static_cast<std::uint32_t>((import_list.size() + 1) * 20));
      for (std::size_t i = 0; i < import_list.size(); ++i) {
        const std::uint32_t descriptor = section_file + import_dir + static_cast<std::uint32_t>(i) * 20;
        put32(descriptor + 0, section_rva + 0x1F0);  // OriginalFirstThunk (contents not read)
        put32(descriptor + 12, add_string(import_list[i]));
        put32(descriptor + 16, section_rva + 0x1F8);  // FirstThunk
      }
      // The terminating all-zero descriptor is already zero.
    }
  }

  [[nodiscard]] std::uint32_t directory_count_offset() const {
    return optional_offset + (options_.pe32_plus ? 108 : 92);
  }
  [[nodiscard]] std::uint32_t directory_offset(std::uint32_t index) const {
    return optional_offset + (options_.pe32_plus ? 112 : 96) + index * 8;
  }
  [[nodiscard]] std::uint32_t section_header_offset() const {
    return optional_offset + (options_.pe32_plus ? 240 : 224);
  }

  void put16(std::size_t at, std::uint16_t value) {
    bytes_.at(at) = static_cast<std::uint8_t>(value);
    bytes_.at(at + 1) = static_cast<std::uint8_t>(value >> 8);
  }
  void put32(std::size_t at, std::uint32_t value) {
    for (std::size_t i = 0; i < 4; ++i) bytes_.at(at + i) = static_cast<std::uint8_t>(value >> (8 * i));
  }

  std::vector<std::uint8_t>& bytes() { return bytes_; }

 private:
  image_options options_;
  std::vector<std::uint8_t> bytes_;
};

std::optional<pe_info> read(const std::vector<std::uint8_t>& bytes, std::string& error) {
  error.clear();
  return read_pe(std::span<const std::uint8_t>(bytes), error);
}

TEST(PeImage, ReadsPe32Dll) {
  pe_builder image({.pe32_plus = false, .dll = true, .machine = 0x14c});
  std::string error;
  const auto info = read(image.bytes(), error);
  ASSERT_TRUE(info.has_value()) << error;
  EXPECT_EQ(info->machine, pe_machine::i386);
  EXPECT_TRUE(info->is_dll);
  EXPECT_FALSE(info->is_pe32_plus);
  EXPECT_EQ(info->exports, export_list);
  EXPECT_EQ(info->imports, import_list);
  EXPECT_STREQ(to_string(info->machine), "x86");
}

TEST(PeImage, ReadsPe32PlusDll) {
  pe_builder image({.pe32_plus = true, .dll = true, .machine = 0x8664});
  std::string error;
  const auto info = read(image.bytes(), error);
  ASSERT_TRUE(info.has_value()) << error;
  EXPECT_EQ(info->machine, pe_machine::amd64);
  EXPECT_TRUE(info->is_dll);
  EXPECT_TRUE(info->is_pe32_plus);
  EXPECT_EQ(info->exports, export_list);
  EXPECT_EQ(info->imports, import_list);
  EXPECT_STREQ(to_string(info->machine), "x64");
}

TEST(PeImage, ExeIsNotDllAndOtherMachines) {
  std::string error;
  pe_builder exe({.pe32_plus = true, .dll = false, .machine = 0xaa64});
  const auto arm = read(exe.bytes(), error);
  ASSERT_TRUE(arm.has_value()) << error;
  EXPECT_FALSE(arm->is_dll);
  EXPECT_EQ(arm->machine, pe_machine::arm64);
  EXPECT_STREQ(to_string(arm->machine), "arm64");

  pe_builder odd({.pe32_plus = false, .dll = true, .machine = 0x01c0});  // ARM (32-bit)
  const auto unknown = read(odd.bytes(), error);
  ASSERT_TRUE(unknown.has_value()) << error;
  EXPECT_EQ(unknown->machine, pe_machine::unknown);
  EXPECT_STREQ(to_string(unknown->machine), "unknown");
}

TEST(PeImage, NoDirectoriesMeansNoExportsOrImports) {
  pe_builder image({.with_exports = false, .with_imports = false});
  std::string error;
  const auto info = read(image.bytes(), error);
  ASSERT_TRUE(info.has_value()) << error;
  EXPECT_TRUE(info->exports.empty());
  EXPECT_TRUE(info->imports.empty());

  // Directories beyond NumberOfRvaAndSizes are ignored even when present.
  pe_builder few({});
  few.put32(few.directory_count_offset(), 1);
  const auto exports_only = read(few.bytes(), error);
  ASSERT_TRUE(exports_only.has_value()) << error;
  EXPECT_EQ(exports_only->exports, export_list);
  EXPECT_TRUE(exports_only->imports.empty());
}

TEST(PeImage, NotAPeImage) {
  std::string error;
  EXPECT_FALSE(read({}, error).has_value());
  EXPECT_FALSE(error.empty());

  std::vector<std::uint8_t> zeros(1024, 0);
  EXPECT_FALSE(read(zeros, error).has_value());
  EXPECT_NE(error.find("MZ"), std::string::npos) << error;

  pe_builder image({});
  image.put32(pe_offset, 0x00004551);
  EXPECT_FALSE(read(image.bytes(), error).has_value());
  EXPECT_NE(error.find("signature"), std::string::npos) << error;

  pe_builder bad_magic({});
  bad_magic.put16(optional_offset, 0x107);
  EXPECT_FALSE(read(bad_magic.bytes(), error).has_value());
  EXPECT_NE(error.find("optional header"), std::string::npos) << error;
}

TEST(PeImage, EveryTruncationFailsCleanlyOrReadsEverything) {
  for (const bool plus : {false, true}) {
    pe_builder image({.pe32_plus = plus, .machine = static_cast<std::uint16_t>(plus ? 0x8664 : 0x14c)});
    const std::vector<std::uint8_t>& full = image.bytes();
    std::size_t successes = 0;
    for (std::size_t length = 0; length <= full.size(); ++length) {
      // A copy of exactly `length` bytes, so ASan catches any read past the end.
      const std::vector<std::uint8_t> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(length));
      std::string error;
      const auto info = read(prefix, error);
      if (info) {
        ++successes;
        EXPECT_EQ(info->exports, export_list) << "length " << length;
        EXPECT_EQ(info->imports, import_list) << "length " << length;
      } else {
        EXPECT_FALSE(error.empty()) << "length " << length;
      }
    }
    // Only the zero padding after the last string may be cut without losing anything.
    EXPECT_GE(successes, 1U);
    EXPECT_LT(successes, full.size() / 2);
  }
}

TEST(PeImage, HugeExportNameCount) {
  pe_builder image({});
  image.put32(section_file + export_dir + 24, 1000000000);
  std::string error;
  EXPECT_FALSE(read(image.bytes(), error).has_value());
  EXPECT_NE(error.find("export"), std::string::npos) << error;

  // Within the entry limit but running off the end of the name table.
  pe_builder longer({});
  longer.put32(section_file + export_dir + 24, 60000);
  EXPECT_FALSE(read(longer.bytes(), error).has_value());
  EXPECT_NE(error.find("export name"), std::string::npos) << error;
}

TEST(PeImage, RvasOutsideTheFile) {
  std::string error;
  const auto expect_error = [&](pe_builder& image, const char* what) {
    error.clear();
    EXPECT_FALSE(read(image.bytes(), error).has_value()) << what;
    EXPECT_FALSE(error.empty()) << what;
  };
  {
    pe_builder image({});
    image.put32(image.directory_offset(0), 0x7FFF0000);  // export directory
    expect_error(image, "export directory RVA");
  }
  {
    pe_builder image({});
    image.put32(section_file + export_dir + 32, 0xFFFFFFF0);  // name pointer table
    expect_error(image, "export name table RVA");
  }
  {
    pe_builder image({});
    image.put32(section_file + export_names + 4, 0x00900000);  // second export name
    expect_error(image, "export name RVA");
    EXPECT_NE(error.find("#1"), std::string::npos) << error;
  }
  {
    pe_builder image({});
    image.put32(image.directory_offset(1), 0xFFFFFFFF);  // import directory
    expect_error(image, "import directory RVA");
  }
  {
    pe_builder image({});
    image.put32(section_file + import_dir + 20 + 12, 0x12345678);  // second import name
    expect_error(image, "import name RVA");
    EXPECT_NE(error.find("import name #1"), std::string::npos) << error;
  }
  {
    pe_builder image({});
    image.put32(image.section_header_offset() + 20, 0xFFFFFF00);  // PointerToRawData past the end
    expect_error(image, "section raw offset");
  }
  {
    pe_builder image({});
    image.put32(image.section_header_offset() + 16, 0x10);  // SizeOfRawData smaller than the data
    expect_error(image, "section raw size");
  }
  {
    pe_builder image({});
    image.put32(0x3C, 0xFFFFFFFE);  // e_lfanew
    expect_error(image, "e_lfanew");
  }
  {
    pe_builder image({});
    image.put16(coff_offset + 2, 0xFFFF);  // section count
    expect_error(image, "section count");
  }
  {
    pe_builder image({});
    image.put16(coff_offset + 16, 0xFFFF);  // SizeOfOptionalHeader
    expect_error(image, "optional header size");
  }
}

TEST(PeImage, UnterminatedNames) {
  std::string error;
  pe_builder image({});
  // The last name runs to the very end of the file without a NUL.
  auto& bytes = image.bytes();
  const std::size_t tail = bytes.size() - 8;
  std::memset(bytes.data() + tail, 'A', 8);
  image.put32(section_file + export_names + 8, section_rva + static_cast<std::uint32_t>(tail - section_file));
  EXPECT_FALSE(read(bytes, error).has_value());
  EXPECT_FALSE(error.empty());

  // An import directory with no terminating descriptor before the end of the file: every
  // descriptor names a string (whatever the descriptors written over it make of it).
  pe_builder imports({.with_exports = false});
  auto& ib = imports.bytes();
  for (std::uint32_t at = section_file + import_dir + 40; at + 20 <= ib.size(); at += 20) {
    imports.put32(at + 12, section_rva + strings);
  }
  EXPECT_FALSE(read(ib, error).has_value());
  EXPECT_NE(error.find("truncated import directory"), std::string::npos) << error;
}

TEST(PeImage, RandomCorruptionNeverCrashes) {
  std::mt19937 random(12345);
  std::uniform_int_distribution<std::size_t> position(0, 0x3FF);
  std::uniform_int_distribution<int> byte(0, 255);
  std::size_t failures = 0;
  for (int round = 0; round < 3000; ++round) {
    pe_builder image({.pe32_plus = round % 2 == 0});
    auto& bytes = image.bytes();
    const int flips = 1 + round % 8;
    for (int i = 0; i < flips; ++i) bytes[position(random)] = static_cast<std::uint8_t>(byte(random));
    std::string error;
    const auto info = read(bytes, error);
    if (!info) {
      ++failures;
      EXPECT_FALSE(error.empty());
    } else {
      EXPECT_LE(info->exports.size(), 65536U);
      EXPECT_LE(info->imports.size(), 65536U);
    }
  }
  EXPECT_GT(failures, 0U);
}

TEST(PeImage, ReadsFromFile) {
  pe_builder image({.pe32_plus = true, .machine = 0x8664});
  const auto path = std::filesystem::temp_directory_path() /
                    ("raswarden_pe_image_test_" + std::to_string(std::random_device{}()) + ".dll");
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(image.bytes().data()), static_cast<std::streamsize>(image.bytes().size()));
  }
  std::string error;
  const auto info = read_pe_file(path.string(), error);
  std::filesystem::remove(path);
  ASSERT_TRUE(info.has_value()) << error;
  EXPECT_EQ(info->exports, export_list);
  EXPECT_EQ(info->imports, import_list);

  error.clear();
  EXPECT_FALSE(read_pe_file((path.string() + ".missing"), error).has_value());
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;

  // A file that is not a PE names itself in the error.
  const auto text_path = path.string() + ".txt";
  { std::ofstream(text_path) << "hello"; }
  error.clear();
  EXPECT_FALSE(read_pe_file(text_path, error).has_value());
  std::filesystem::remove(text_path);
  EXPECT_NE(error.find(text_path), std::string::npos) << error;
}

}  // namespace
}  // namespace raswarden::common
