// The DLL's own memcpy, memmove and memset (src/dll/memory_primitives.cpp), linked into this test
// program so they replace the C runtime's here too. Each is checked against the byte-for-byte
// result it must give, computed from a position pattern rather than with another copy: every size
// from 0 to 300 and some past the `rep movsb` threshold, at every alignment of source and
// destination, with guard bytes on both sides, and for memmove every overlap in both directions.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <vector>

namespace raswarden::testing {
namespace {

// Calls through pointers the optimizer cannot see through, so the calls are really made rather
// than turned into inline code.
void* (*volatile copy_fn)(void*, const void*, std::size_t) = &std::memcpy;
void* (*volatile move_fn)(void*, const void*, std::size_t) = &std::memmove;
void* (*volatile set_fn)(void*, int, std::size_t) = &std::memset;

unsigned char pattern(std::size_t i) {
  return static_cast<unsigned char>((i * 131 + 7) & 0xFF);
}

std::vector<std::size_t> sizes() {
  std::vector<std::size_t> result;
  for (std::size_t n = 0; n <= 300; ++n) result.push_back(n);
  for (const std::size_t n : {511, 512, 4095, 4096, 4097, 10000, 65537}) result.push_back(n);
  return result;
}

constexpr std::size_t guard = 64;

TEST(memory_primitives_test, memcpy_copies_exactly_the_bytes_asked_for_at_every_size_and_alignment) {
  for (const std::size_t n : sizes()) {
    const std::size_t alignments = n > 300 ? 4 : 16;
    for (std::size_t source_offset = 0; source_offset < alignments; ++source_offset) {
      for (std::size_t destination_offset = 0; destination_offset < alignments; ++destination_offset) {
        std::vector<unsigned char> source(n + 2 * guard);
        for (std::size_t i = 0; i < source.size(); ++i) source[i] = pattern(i);
        std::vector<unsigned char> destination(n + 2 * guard, 0xEE);
        void* returned = copy_fn(destination.data() + destination_offset, source.data() + source_offset, n);
        ASSERT_EQ(returned, destination.data() + destination_offset);
        for (std::size_t i = 0; i < destination.size(); ++i) {
          const bool inside = i >= destination_offset && i < destination_offset + n;
          const unsigned char expected = inside ? pattern(i - destination_offset + source_offset) : 0xEE;
          ASSERT_EQ(destination[i], expected)
              << "n=" << n << " source+" << source_offset << " destination+" << destination_offset << " at " << i;
        }
      }
    }
  }
}

TEST(memory_primitives_test, memmove_is_right_for_every_overlap_in_both_directions) {
  for (const std::size_t n : sizes()) {
    if (n > 4097) continue;  // the large sizes are covered without overlap above
    const std::size_t step = n > 300 ? 97 : 1;
    for (std::size_t distance = 0; distance <= n + 1; distance += step) {
      for (const bool forward : {true, false}) {
        std::vector<unsigned char> buffer(n + distance + 2 * guard);
        for (std::size_t i = 0; i < buffer.size(); ++i) buffer[i] = pattern(i);
        const std::size_t from = forward ? guard + distance : guard;
        const std::size_t to = forward ? guard : guard + distance;
        void* returned = move_fn(buffer.data() + to, buffer.data() + from, n);
        ASSERT_EQ(returned, buffer.data() + to);
        for (std::size_t i = 0; i < buffer.size(); ++i) {
          const bool inside = i >= to && i < to + n;
          const unsigned char expected = inside ? pattern(i - to + from) : pattern(i);
          ASSERT_EQ(buffer[i], expected) << "n=" << n << " distance=" << distance << (forward ? " (down)" : " (up)")
                                         << " at " << i;
        }
      }
    }
  }
}

TEST(memory_primitives_test, memset_fills_exactly_the_bytes_asked_for) {
  for (const std::size_t n : sizes()) {
    for (std::size_t offset = 0; offset < 16; ++offset) {
      std::vector<unsigned char> buffer(n + 2 * guard, 0x11);
      void* returned = set_fn(buffer.data() + offset, 0x1A5, n);  // only the low byte counts
      ASSERT_EQ(returned, buffer.data() + offset);
      for (std::size_t i = 0; i < buffer.size(); ++i) {
        const bool inside = i >= offset && i < offset + n;
        ASSERT_EQ(buffer[i], inside ? 0xA5 : 0x11) << "n=" << n << " offset=" << offset << " at " << i;
      }
    }
  }
}

}  // namespace
}  // namespace raswarden::testing
