// Per-thread recycling of operation memory, so that steady-state posts and completions never
// reach malloc. Blocks freed on another thread travel back to the thread that allocated them.
// The common case (a block of a size this thread recently freed) is inline: a thread-local
// load and a singly linked list pop or push, with the size class folded at compile time.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

namespace proa::detail {

// Largest block the recycler serves; bigger requests go straight to operator new.
inline constexpr std::size_t recycling_max_block = 1024;

namespace recycling {

inline constexpr std::size_t header_size = 16;
inline constexpr std::size_t class_count = 6;  // 64 .. 2048 bytes, payload + header
// How many bytes of free blocks a thread keeps per size class before returning them to the
// heap: enough for a burst of ~16k small handlers queued at once.
inline constexpr std::size_t cache_bytes_per_class = 1024 * 1024;

constexpr std::size_t class_size(std::size_t index) { return std::size_t{64} << index; }
constexpr std::size_t class_of(std::size_t bytes) {
  std::size_t index = 0;
  while (class_size(index) < bytes + header_size) ++index;
  return index;
}
constexpr std::size_t cache_limit(std::size_t index) {
  return cache_bytes_per_class / class_size(index);
}
static_assert(class_size(class_count - 1) >= recycling_max_block + header_size);

struct thread_cache;

struct block_header {
  thread_cache* owner;
  std::uint32_t size_class;
  std::uint32_t padding;
};
static_assert(sizeof(block_header) == header_size);

// A free block reuses its payload as the link.
struct free_block {
  free_block* next;
};

struct thread_cache {
  free_block* free_lists[class_count] = {};
  std::size_t free_counts[class_count] = {};
  std::size_t heap_allocations = 0;
  // Blocks freed by other threads; pushed with CAS, taken whole with exchange (no ABA since
  // the owner never pops a single node from it).
  alignas(64) std::atomic<block_header*> returned{nullptr};
};

// constinit: no dynamic initialisation, so reading it needs no TLS wrapper call.
extern thread_local constinit thread_cache* current_cache;

void* allocate_slow(std::size_t size_class);
void deallocate_slow(block_header* header) noexcept;

}  // namespace recycling

// Returns memory for an operation of `bytes` bytes (aligned for any fundamental type).
// Never returns null: throws std::bad_alloc like operator new.
inline void* recycling_allocate(std::size_t bytes) {
  if (bytes > recycling_max_block) return ::operator new(bytes);
  const std::size_t c = recycling::class_of(bytes);
  if (recycling::thread_cache* cache = recycling::current_cache) [[likely]] {
    if (recycling::free_block* b = cache->free_lists[c]) [[likely]] {
      cache->free_lists[c] = b->next;
      --cache->free_counts[c];
      return b;
    }
  }
  return recycling::allocate_slow(c);
}

// Returns a block from recycling_allocate. `bytes` must be the size it was allocated with.
// May be called on any thread.
inline void recycling_deallocate(void* block, std::size_t bytes) noexcept {
  if (!block) return;
  if (bytes > recycling_max_block) {
    ::operator delete(block);
    return;
  }
  auto* h = static_cast<recycling::block_header*>(block) - 1;
  recycling::thread_cache* cache = recycling::current_cache;
  const std::size_t c = h->size_class;
  if (h->owner == cache && cache->free_counts[c] < recycling::cache_limit(c)) [[likely]] {
    auto* b = static_cast<recycling::free_block*>(block);
    b->next = cache->free_lists[c];
    cache->free_lists[c] = b;
    ++cache->free_counts[c];
    return;
  }
  recycling::deallocate_slow(h);
}

// For tests and benchmarks: how many blocks this thread took from the global heap.
std::size_t recycling_heap_allocations_on_this_thread() noexcept;

// An allocator adaptor over the recycler, for std::allocate_shared and similar.
template <typename T>
struct recycling_allocator {
  using value_type = T;
  recycling_allocator() noexcept = default;
  template <typename U>
  recycling_allocator(const recycling_allocator<U>&) noexcept {}
  // Recycled blocks are 16-byte aligned; over-aligned types go to the aligned heap instead.
  static constexpr bool recyclable = alignof(T) <= 16;
  T* allocate(std::size_t n) {
    if constexpr (recyclable)
      return static_cast<T*>(recycling_allocate(sizeof(T) * n));
    else
      return static_cast<T*>(::operator new(sizeof(T) * n, std::align_val_t(alignof(T))));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if constexpr (recyclable)
      recycling_deallocate(p, sizeof(T) * n);
    else
      ::operator delete(p, std::align_val_t(alignof(T)));
  }
  template <typename U>
  bool operator==(const recycling_allocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace proa::detail
