#include "raswarden/crc32c.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define RASWARDEN_CRC32C_X86 1
#endif

namespace raswarden::core {

namespace {

constexpr std::uint32_t polynomial = 0x82F63B78;  // reflected Castagnoli polynomial

constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) != 0 ? (c >> 1) ^ polynomial : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto table = make_table();

std::uint32_t crc32c_table(const unsigned char* data, std::size_t size, std::uint32_t crc) noexcept {
  for (std::size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return crc;
}

#ifdef RASWARDEN_CRC32C_X86
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(const unsigned char* data, std::size_t size,
                                                              std::uint32_t crc) noexcept {
#if defined(__x86_64__)
  std::uint64_t wide = crc;
  for (; size >= 8; size -= 8, data += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, data, 8);
    wide = _mm_crc32_u64(wide, word);
  }
  crc = static_cast<std::uint32_t>(wide);
#endif
  for (; size >= 4; size -= 4, data += 4) {
    std::uint32_t word = 0;
    std::memcpy(&word, data, 4);
    crc = _mm_crc32_u32(crc, word);
  }
  for (; size > 0; --size, ++data) crc = _mm_crc32_u8(crc, *data);
  return crc;
}

bool has_sse42() noexcept {
  static const bool supported = __builtin_cpu_supports("sse4.2") != 0;
  return supported;
}
#endif

}  // namespace

std::uint32_t crc32c(std::span<const std::byte> bytes, std::uint32_t crc) noexcept {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  crc = ~crc;
#ifdef RASWARDEN_CRC32C_X86
  if (has_sse42()) return ~crc32c_sse42(data, bytes.size(), crc);
#endif
  return ~crc32c_table(data, bytes.size(), crc);
}

}  // namespace raswarden::core
