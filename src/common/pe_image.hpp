// Reads what a loader needs to know from a PE file (a Windows DLL or EXE) without loading it:
// architecture, whether it is a DLL, exported names and imported DLL names. Portable, so the same
// checks run on Linux against a cross-built DLL and inside Windows tools (rrashost --check,
// raswarden status).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace raswarden::common {

enum class pe_machine : std::uint16_t { unknown = 0, i386 = 0x14c, amd64 = 0x8664, arm64 = 0xaa64 };

struct pe_info {
  pe_machine machine = pe_machine::unknown;
  bool is_dll = false;
  bool is_pe32_plus = false;
  std::vector<std::string> exports;  // exported names, as stored (sorted by the linker)
  std::vector<std::string> imports;  // imported DLL names, as stored
};

// Empty with `error` set when the bytes are not a well-formed PE image. Every offset is checked
// against the buffer, so a truncated or hostile file cannot make it read out of bounds.
[[nodiscard]] std::optional<pe_info> read_pe(std::span<const std::uint8_t> image, std::string& error);
[[nodiscard]] std::optional<pe_info> read_pe_file(const std::string& path, std::string& error);

[[nodiscard]] const char* to_string(pe_machine machine) noexcept;

}  // namespace raswarden::common
