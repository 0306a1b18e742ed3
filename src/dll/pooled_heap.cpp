// The DLL's operator new and delete, served from size-class free lists instead of straight from
// the process heap. A connection's lifecycle allocates a few dozen small blocks (strings, hash
// nodes); pooling keeps those on RRAS's threads off the heap's global lock and free-list search,
// which under load was the largest cost of a callback after the records.
//
// Only this DLL's allocations come here (mingw links the C++ runtime statically), and none of
// them ever crosses to RRAS, so RRAS's heap is untouched. Each block carries its size in a
// 16-byte header, because operator delete(void*) does not have it; blocks aligned beyond 16 bytes
// go to _aligned_malloc.
//
// Why free lists and not std::pmr::unsynchronized_pool_resource (used before): libstdc++'s pool
// finds a free block by scanning its chunks' bitmaps and finds a freed block's chunk by a binary
// search over every chunk's address; with a thousand live sessions that was about 7 % of the
// callback thread's samples under rrashost's load (docs/performance.md, "Callback path
// profile"). A free list is one pointer pop or push per block.
#include <malloc.h>
#include <windows.h>

#include <array>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace {

constexpr std::size_t header_size = 16;  // keeps the block 16-byte aligned, as malloc's are
constexpr std::size_t granule = 16;      // size classes are 16 bytes apart
// Blocks of up to this many bytes (header included) are pooled; larger ones, rare on the
// callback path (hash-table bucket arrays as a table grows), come from the C runtime heap.
constexpr std::size_t largest_pooled = 4096;
constexpr std::size_t class_count = largest_pooled / granule;
// A class's first slab holds a few blocks; each next one is twice as large, up to this size, so a
// class used once costs little and a busy class takes a trip upstream every few hundred blocks.
constexpr std::size_t largest_slab = 64 * 1024;

struct free_block {
  free_block* next;
};

// The free lists behind one critical section that spins briefly before it sleeps: a block is
// handed out in a few nanoseconds, so a second RRAS thread arriving meanwhile is better off
// spinning than paying for a trip through the kernel. Memory is never handed back: the lists
// keep what the busiest moment needed, as the pool did.
class block_pool {
 public:
  block_pool() { ::InitializeCriticalSectionAndSpinCount(&lock_, spin_count); }

  // `bytes` includes the header; at most largest_pooled.
  void* allocate(std::size_t bytes) {
    const std::size_t index = (bytes - 1) / granule;
    const guard lock(lock_);
    free_block* block = heads_[index];
    if (block == nullptr) block = refill(index);
    heads_[index] = block->next;
    return block;
  }
  void deallocate(void* pointer, std::size_t bytes) noexcept {
    const std::size_t index = (bytes - 1) / granule;
    auto* block = static_cast<free_block*>(pointer);
    const guard lock(lock_);
    block->next = heads_[index];
    heads_[index] = block;
  }

 private:
  static constexpr DWORD spin_count = 4000;
  struct guard {
    explicit guard(CRITICAL_SECTION& lock) : lock_(lock) { ::EnterCriticalSection(&lock_); }
    ~guard() { ::LeaveCriticalSection(&lock_); }
    guard(const guard&) = delete;
    guard& operator=(const guard&) = delete;
    CRITICAL_SECTION& lock_;
  };

  // Under the lock, with the list empty: carves a new slab into blocks of the class and returns
  // the list's new head.
  free_block* refill(std::size_t index) {
    const std::size_t block_bytes = (index + 1) * granule;
    std::size_t& slab_bytes = next_slab_bytes_[index];
    if (slab_bytes == 0) slab_bytes = 4 * block_bytes;
    const std::size_t count = slab_bytes / block_bytes;
    auto* slab = static_cast<unsigned char*>(_aligned_malloc(count * block_bytes, header_size));
    if (slab == nullptr) throw std::bad_alloc();
    if (slab_bytes < largest_slab) slab_bytes = slab_bytes * 2 > largest_slab ? largest_slab : slab_bytes * 2;
    free_block* head = nullptr;
    for (std::size_t i = count; i-- > 0;) {
      auto* block = reinterpret_cast<free_block*>(slab + i * block_bytes);
      block->next = head;
      head = block;
    }
    heads_[index] = head;
    return head;
  }

  CRITICAL_SECTION lock_{};  // never deleted: the pool lives as long as the process
  std::array<free_block*, class_count> heads_{};
  std::array<std::size_t, class_count> next_slab_bytes_{};
};

block_pool& pool() {
  // Built on first use and never destroyed: blocks may still be freed while the DLL's static
  // objects are being destroyed at unload.
  alignas(block_pool) static unsigned char storage[sizeof(block_pool)];
  static block_pool* const instance = new (storage) block_pool();
  return *instance;
}

void* allocate(std::size_t bytes) {
  if (bytes > static_cast<std::size_t>(-1) - header_size) throw std::bad_alloc();
  const std::size_t total = bytes + header_size;
  unsigned char* block = nullptr;
  if (total <= largest_pooled) {
    block = static_cast<unsigned char*>(pool().allocate(total));
  } else {
    block = static_cast<unsigned char*>(_aligned_malloc(total, header_size));
    if (block == nullptr) throw std::bad_alloc();
  }
  *reinterpret_cast<std::size_t*>(block) = bytes;
  return block + header_size;
}

void release(void* pointer) noexcept {
  if (pointer == nullptr) return;
  auto* block = static_cast<unsigned char*>(pointer) - header_size;
  const std::size_t total = *reinterpret_cast<std::size_t*>(block) + header_size;
  if (total <= largest_pooled) {
    pool().deallocate(block, total);
  } else {
    _aligned_free(block);
  }
}

}  // namespace

void* operator new(std::size_t bytes) {
  return allocate(bytes);
}
void* operator new[](std::size_t bytes) {
  return allocate(bytes);
}
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  try {
    return allocate(bytes);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t bytes, const std::nothrow_t& tag) noexcept {
  return operator new(bytes, tag);
}
void operator delete(void* pointer) noexcept {
  release(pointer);
}
void operator delete[](void* pointer) noexcept {
  release(pointer);
}
void operator delete(void* pointer, std::size_t) noexcept {
  release(pointer);
}
void operator delete[](void* pointer, std::size_t) noexcept {
  release(pointer);
}
void operator delete(void* pointer, const std::nothrow_t&) noexcept {
  release(pointer);
}
void operator delete[](void* pointer, const std::nothrow_t&) noexcept {
  release(pointer);
}

void* operator new(std::size_t bytes, std::align_val_t alignment) {
  void* block = _aligned_malloc(bytes == 0 ? 1 : bytes, static_cast<std::size_t>(alignment));
  if (block == nullptr) throw std::bad_alloc();
  return block;
}
void* operator new[](std::size_t bytes, std::align_val_t alignment) {
  return operator new(bytes, alignment);
}
void operator delete(void* pointer, std::align_val_t) noexcept {
  _aligned_free(pointer);
}
void operator delete[](void* pointer, std::align_val_t) noexcept {
  _aligned_free(pointer);
}
void operator delete(void* pointer, std::size_t, std::align_val_t) noexcept {
  _aligned_free(pointer);
}
void operator delete[](void* pointer, std::size_t, std::align_val_t) noexcept {
  _aligned_free(pointer);
}
