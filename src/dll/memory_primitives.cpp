// The DLL's own memcpy, memmove and memset. Everything in the callback path copies short runs of
// bytes: std::string copies and appends (names, ids, addresses), the JSON record's keys and
// values, the record into the journal. The compiler turns each of those into a call to memcpy or
// memmove, which mingw resolves to msvcrt.dll, and Wine's msvcrt copies the last 1 to 15 bytes of
// every call with `movs` string instructions (microcoded, several cycles each, after a prologue
// that aligns the destination). Under rrashost's load that was about 8 % of the callback
// thread's samples (docs/performance.md, "Callback path profile").
//
// Defining the three functions here makes the static linker bind every call in this DLL (our
// code and the statically linked C++ runtime) to these instead of msvcrt's import; nothing
// outside the DLL is affected. Copies of up to 32 bytes are two overlapping loads and two stores
// of a fixed width; longer ones move 16 bytes at a time; very long ones use `rep movsb`, which
// current x86 cores run at full speed for large blocks.
#include <cstddef>
#include <cstdint>

extern "C" {
void* memcpy(void* __restrict destination, const void* __restrict source, std::size_t size);
void* memmove(void* destination, const void* source, std::size_t size);
void* memset(void* destination, int value, std::size_t size);
}

namespace {

using byte = unsigned char;
// Fixed-width values at any alignment that may alias anything, like the bytes they are read from.
// Accessed through pointers of these types, each is one load or store, never a call (a fixed-size
// __builtin_memcpy could become a call to memcpy, that is to us, at -O0).
using word64 = std::uint64_t __attribute__((aligned(1), may_alias));
using word32 = std::uint32_t __attribute__((aligned(1), may_alias));
using word16 = std::uint16_t __attribute__((aligned(1), may_alias));

#if defined(__SSE2__)
using block16 = byte __attribute__((vector_size(16), aligned(1), may_alias));
// (Functions per width rather than a template: attributes of a template argument are dropped.)
inline void load16(block16& v, const byte* p) noexcept {
  v = *reinterpret_cast<const block16*>(p);
}
inline void store16(byte* p, const block16& v) noexcept {
  *reinterpret_cast<block16*>(p) = v;
}
inline block16 filled16(byte b) noexcept {
  return block16{b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b};
}
#else
// Without SSE (the 32-bit DLL is built for plain i686) a 16-byte vector has no hardware mode and
// the compiler could lower its copies to a call to memcpy, that is to us: two 8-byte words in
// integer registers instead.
struct block16 {
  std::uint64_t low;
  std::uint64_t high;
};
inline void load16(block16& v, const byte* p) noexcept {
  v.low = *reinterpret_cast<const word64*>(p);
  v.high = *reinterpret_cast<const word64*>(p + 8);
}
inline void store16(byte* p, const block16& v) noexcept {
  *reinterpret_cast<word64*>(p) = v.low;
  *reinterpret_cast<word64*>(p + 8) = v.high;
}
inline block16 filled16(byte b) noexcept {
  const std::uint64_t word = 0x0101010101010101ULL * b;
  return block16{word, word};
}
#endif

inline std::uint64_t load8(const byte* p) noexcept {
  return *reinterpret_cast<const word64*>(p);
}
inline void store8(byte* p, std::uint64_t v) noexcept {
  *reinterpret_cast<word64*>(p) = v;
}
inline std::uint32_t load4(const byte* p) noexcept {
  return *reinterpret_cast<const word32*>(p);
}
inline void store4(byte* p, std::uint32_t v) noexcept {
  *reinterpret_cast<word32*>(p) = v;
}
inline std::uint16_t load2(const byte* p) noexcept {
  return *reinterpret_cast<const word16*>(p);
}
inline void store2(byte* p, std::uint16_t v) noexcept {
  *reinterpret_cast<word16*>(p) = v;
}

// Up to 32 bytes. Every load happens before any store, so source and destination may overlap.
inline void copy_short(byte* d, const byte* s, std::size_t n) noexcept {
  if (n >= 16) {
    block16 head;
    block16 tail;
    load16(head, s);
    load16(tail, s + n - 16);
    store16(d, head);
    store16(d + n - 16, tail);
  } else if (n >= 8) {
    const std::uint64_t head = load8(s);
    const std::uint64_t tail = load8(s + n - 8);
    store8(d, head);
    store8(d + n - 8, tail);
  } else if (n >= 4) {
    const std::uint32_t head = load4(s);
    const std::uint32_t tail = load4(s + n - 4);
    store4(d, head);
    store4(d + n - 4, tail);
  } else if (n >= 2) {
    const std::uint16_t head = load2(s);
    const std::uint16_t tail = load2(s + n - 2);
    store2(d, head);
    store2(d + n - 2, tail);
  } else if (n == 1) {
    *d = *s;
  }
}

// Large blocks: the CPU's fast string copy (forward, so also right for overlap with d < s).
inline void copy_rep_movsb(byte* d, const byte* s, std::size_t n) noexcept {
  __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

constexpr std::size_t rep_threshold = 4096;

// More than 32 bytes, front to back. Right when the ranges do not overlap or d < s: each block is
// loaded before the store that could reach it, and the last 16 bytes are loaded first.
// The empty asm keeps the compiler from recognising the loop as a copy and calling memcpy (us).
inline void copy_forward(byte* d, const byte* s, std::size_t n) noexcept {
  if (n >= rep_threshold) {
    copy_rep_movsb(d, s, n);
    return;
  }
  block16 tail;
  load16(tail, s + n - 16);
  for (std::size_t i = 0; i + 16 < n; i += 16) {
    block16 block;
    load16(block, s + i);
    store16(d + i, block);
    __asm__("" : "+r"(i));
  }
  store16(d + n - 16, tail);
}

// More than 32 bytes with d > s and overlap: back to front, the first 16 bytes loaded first.
inline void copy_backward(byte* d, const byte* s, std::size_t n) noexcept {
  block16 head;
  load16(head, s);
  block16 block;
  std::size_t i = n;
  while (i > 32) {
    i -= 16;
    load16(block, s + i);
    store16(d + i, block);
    __asm__("" : "+r"(i));
  }
  load16(block, s + i - 16);
  store16(d + i - 16, block);
  store16(d, head);
}

}  // namespace

extern "C" {

void* memcpy(void* __restrict destination, const void* __restrict source, std::size_t size) {
  auto* d = static_cast<byte*>(destination);
  const auto* s = static_cast<const byte*>(source);
  if (size <= 32) {
    copy_short(d, s, size);
  } else {
    copy_forward(d, s, size);
  }
  return destination;
}

void* memmove(void* destination, const void* source, std::size_t size) {
  auto* d = static_cast<byte*>(destination);
  const auto* s = static_cast<const byte*>(source);
  if (size <= 32) {
    copy_short(d, s, size);
  } else if (reinterpret_cast<std::uintptr_t>(d) - reinterpret_cast<std::uintptr_t>(s) >= size) {
    copy_forward(d, s, size);  // no overlap, or the destination starts below the source
  } else {
    copy_backward(d, s, size);
  }
  return destination;
}

void* memset(void* destination, int value, std::size_t size) {
  auto* d = static_cast<byte*>(destination);
  const auto b = static_cast<byte>(value);
  const std::uint64_t word = 0x0101010101010101ULL * b;
  if (size >= 16) {
    const block16 block = filled16(b);
    for (std::size_t i = 0; i + 16 < size; i += 16) {
      store16(d + i, block);
      __asm__("" : "+r"(i));
    }
    store16(d + size - 16, block);
  } else if (size >= 8) {
    store8(d, word);
    store8(d + size - 8, word);
  } else if (size >= 4) {
    store4(d, static_cast<std::uint32_t>(word));
    store4(d + size - 4, static_cast<std::uint32_t>(word));
  } else if (size >= 2) {
    store2(d, static_cast<std::uint16_t>(word));
    store2(d + size - 2, static_cast<std::uint16_t>(word));
  } else if (size == 1) {
    *d = b;
  }
  return destination;
}

}  // extern "C"
