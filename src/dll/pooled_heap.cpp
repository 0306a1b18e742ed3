// The DLL's operator new and delete, served from a pooled memory resource of the standard library
// instead of straight from the process heap. A connection's lifecycle allocates a few dozen small
// blocks (strings, hash nodes); pooling keeps those on RRAS's threads off the heap's global lock
// and free-list search, which under load is the largest cost of a callback after the records.
//
// Only this DLL's allocations come here (mingw links the C++ runtime statically), and none of
// them ever crosses to RRAS, so RRAS's heap is untouched. Each block carries its size in a
// 16-byte header, because the pool needs the size back and operator delete(void*) does not
// have it; blocks aligned beyond 16 bytes go to _aligned_malloc.
#include <malloc.h>
#include <windows.h>

#include <cstddef>
#include <cstdlib>
#include <memory_resource>
#include <new>

namespace {

constexpr std::size_t header_size = 16;  // keeps the block 16-byte aligned, as malloc's are

// The pool's own chunks come from the C runtime heap (not from operator new: that is us).
class runtime_heap final : public std::pmr::memory_resource {
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    void* block = _aligned_malloc(bytes, alignment < header_size ? header_size : alignment);
    if (block == nullptr) throw std::bad_alloc();
    return block;
  }
  void do_deallocate(void* block, std::size_t, std::size_t) override { _aligned_free(block); }
  [[nodiscard]] bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }
};

// One pool behind a critical section that spins briefly before it sleeps: a block is handed out
// in well under a microsecond, so a second RRAS thread arriving meanwhile is better off spinning
// than paying for a trip through the kernel. (The standard synchronized_pool_resource takes a
// reader/writer lock of the threads library whose every use goes through one global spin lock;
// measured slower here.)
class locked_pool {
 public:
  locked_pool() : pool_(options(), &upstream_) { ::InitializeCriticalSectionAndSpinCount(&lock_, spin_count); }
  void* allocate(std::size_t bytes) {
    const guard lock(lock_);
    return pool_.allocate(bytes, header_size);
  }
  void deallocate(void* block, std::size_t bytes) noexcept {
    const guard lock(lock_);
    pool_.deallocate(block, bytes, header_size);
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
  static std::pmr::pool_options options() {
    std::pmr::pool_options chosen;
    chosen.largest_required_pool_block = 4096;  // larger blocks come from the heap directly
    return chosen;
  }
  CRITICAL_SECTION lock_{};  // never deleted: the pool lives as long as the process
  runtime_heap upstream_;
  std::pmr::unsynchronized_pool_resource pool_;
};

locked_pool& pool() {
  // Built on first use and never destroyed: blocks may still be freed while the DLL's static
  // objects are being destroyed at unload.
  alignas(locked_pool) static unsigned char storage[sizeof(locked_pool)];
  static locked_pool* const instance = new (storage) locked_pool();
  return *instance;
}

void* allocate(std::size_t bytes) {
  auto* block = static_cast<unsigned char*>(pool().allocate(bytes + header_size));
  *reinterpret_cast<std::size_t*>(block) = bytes;
  return block + header_size;
}

void release(void* pointer) noexcept {
  if (pointer == nullptr) return;
  auto* block = static_cast<unsigned char*>(pointer) - header_size;
  pool().deallocate(block, *reinterpret_cast<std::size_t*>(block) + header_size);
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
