// CRC-32C (Castagnoli), the checksum of every journal record: the SSE 4.2 instruction where the
// processor has it (every x64 server CPU since 2008), a table otherwise.
#pragma once

#include <cstdint>
#include <span>

namespace raswarden::core {

[[nodiscard]] std::uint32_t crc32c(std::span<const std::byte> bytes, std::uint32_t crc = 0) noexcept;

}  // namespace raswarden::core
