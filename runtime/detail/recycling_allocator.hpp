// Per-thread recycling of operation memory, so that steady-state posts and completions never
// reach malloc. Blocks freed on another thread travel back to the thread that allocated them.
#pragma once

#include <cstddef>
#include <new>

namespace proa::detail {

// Largest block the recycler serves; bigger requests go straight to operator new.
inline constexpr std::size_t recycling_max_block = 1024;

// Returns memory for an operation of `bytes` bytes (aligned for any fundamental type).
// Never returns null: throws std::bad_alloc like operator new.
void* recycling_allocate(std::size_t bytes);

// Returns a block from recycling_allocate. `bytes` must be the size it was allocated with.
// May be called on any thread.
void recycling_deallocate(void* block, std::size_t bytes) noexcept;

// Counters for tests and benchmarks: how many blocks this thread took from the global heap.
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
