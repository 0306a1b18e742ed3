// A counting global allocator for the benchmarks (docs/performance.md). alloc_counter.cpp replaces
// every form of the global operator new and delete (plain, array, sized, aligned, nothrow) with
// malloc-backed versions that count; linking that file into an executable is all it takes.
//
// Two views of the heap:
//   allocations / bytes   every operator new since start (bytes as requested), for allocs/op;
//   live_bytes / blocks   what is allocated now, in malloc's usable size (what the block really
//                         holds: malloc rounds requests up), for memory per live session.
// malloc's per-block header (8 bytes with glibc) is not in live_bytes; RSS shows all of it.
#pragma once

#include <cstdint>

namespace raswarden::bench {

struct alloc_totals {
  std::uint64_t allocations = 0;  // operator new calls
  std::uint64_t bytes = 0;        // bytes requested by those calls
  std::int64_t live_bytes = 0;    // usable bytes of the blocks not yet deleted
  std::int64_t live_blocks = 0;

  friend alloc_totals operator-(const alloc_totals& a, const alloc_totals& b) noexcept {
    return alloc_totals{a.allocations - b.allocations, a.bytes - b.bytes, a.live_bytes - b.live_bytes,
                        a.live_blocks - b.live_blocks};
  }
};

// The totals so far (relaxed reads: exact when the counted code runs on this thread).
[[nodiscard]] alloc_totals alloc_snapshot() noexcept;

}  // namespace raswarden::bench
