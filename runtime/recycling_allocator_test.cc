// Tests for the recycling allocator: no heap traffic once warm, blocks freed on another thread
// going home to the allocating thread, oversized requests, and blocks that outlive their thread.
#include "runtime/detail/recycling_allocator.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace {

using proa::detail::recycling_allocate;
using proa::detail::recycling_deallocate;
using proa::detail::recycling_heap_allocations_on_this_thread;
using proa::detail::recycling_max_block;

// Runs `f` on a new thread and waits for it, so each test starts from a thread of its own.
template <typename F>
void on_new_thread(F f) {
  std::thread t(std::move(f));
  t.join();
}

bool suitably_aligned(void* p) {
  return reinterpret_cast<std::uintptr_t>(p) % alignof(std::max_align_t) == 0;
}

TEST(RecyclingAllocator, SameSizeReuseOnOneThreadNeedsNoHeapAfterWarmUp) {
  on_new_thread([] {
    constexpr std::size_t bytes = 48;
    // Warm-up: one block, then a working set of 100.
    recycling_deallocate(recycling_allocate(bytes), bytes);
    std::vector<void*> blocks(100);
    for (auto& b : blocks) b = recycling_allocate(bytes);
    for (auto* b : blocks) recycling_deallocate(b, bytes);

    const std::size_t before = recycling_heap_allocations_on_this_thread();
    EXPECT_GT(before, 0u);  // the warm-up did come from the heap
    for (int round = 0; round < 1000; ++round) {
      void* b = recycling_allocate(bytes);
      std::memset(b, 0xab, bytes);
      recycling_deallocate(b, bytes);
    }
    for (int round = 0; round < 10; ++round) {
      for (auto& b : blocks) b = recycling_allocate(bytes);
      for (auto* b : blocks) recycling_deallocate(b, bytes);
    }
    EXPECT_EQ(recycling_heap_allocations_on_this_thread() - before, 0u);
  });
}

TEST(RecyclingAllocator, BlocksAreAlignedAndUsableForEveryServedSize) {
  on_new_thread([] {
    std::vector<std::pair<void*, std::size_t>> blocks;
    for (std::size_t bytes : {std::size_t{0}, std::size_t{1}, std::size_t{47}, std::size_t{48},
                              std::size_t{49}, std::size_t{112}, std::size_t{500},
                              std::size_t{1000}, recycling_max_block}) {
      void* b = recycling_allocate(bytes);
      ASSERT_NE(b, nullptr);
      EXPECT_TRUE(suitably_aligned(b)) << bytes;
      std::memset(b, 0x5a, bytes);  // ASan reports it if the block is smaller than asked
      blocks.emplace_back(b, bytes);
    }
    for (auto [b, bytes] : blocks) recycling_deallocate(b, bytes);
  });
}

TEST(RecyclingAllocator, SizesAboveTheMaximumBlockWork) {
  constexpr std::size_t sizes[] = {recycling_max_block + 1, 4096, 64 * 1024};
  std::vector<std::pair<void*, std::size_t>> for_other_thread;
  for (std::size_t bytes : sizes) {
    void* b = recycling_allocate(bytes);
    ASSERT_NE(b, nullptr);
    EXPECT_TRUE(suitably_aligned(b));
    std::memset(b, 0x11, bytes);
    recycling_deallocate(b, bytes);

    void* c = recycling_allocate(bytes);
    std::memset(c, 0x22, bytes);
    for_other_thread.emplace_back(c, bytes);
  }
  // Oversized blocks may also be freed on another thread.
  on_new_thread([&] {
    for (auto [b, bytes] : for_other_thread) recycling_deallocate(b, bytes);
  });
}

TEST(RecyclingAllocator, NullDeallocateIsHarmless) { recycling_deallocate(nullptr, 32); }

// A producer thread allocates, a consumer thread frees: the blocks travel back, so the
// producer's next round needs nothing from the heap.
TEST(RecyclingAllocator, BlocksFreedOnAnotherThreadReturnToTheAllocatingThread) {
  constexpr std::size_t bytes = 40;
  constexpr int per_round = 1000;
  constexpr int rounds = 5;

  std::vector<void*> handoff(per_round);
  std::atomic<int> stage{0};  // 2r+1: round r allocated; 2r+2: round r freed
  std::vector<std::size_t> heap_per_round(rounds, 0);

  std::thread consumer([&] {
    for (int r = 0; r < rounds; ++r) {
      while (stage.load(std::memory_order_acquire) != 2 * r + 1) std::this_thread::yield();
      for (void* b : handoff) recycling_deallocate(b, bytes);
      stage.store(2 * r + 2, std::memory_order_release);
    }
  });
  std::thread producer([&] {
    for (int r = 0; r < rounds; ++r) {
      while (stage.load(std::memory_order_acquire) != 2 * r) std::this_thread::yield();
      const std::size_t before = recycling_heap_allocations_on_this_thread();
      for (int i = 0; i < per_round; ++i) {
        handoff[i] = recycling_allocate(bytes);
        std::memset(handoff[i], r, bytes);
      }
      heap_per_round[r] = recycling_heap_allocations_on_this_thread() - before;
      stage.store(2 * r + 1, std::memory_order_release);
    }
  });
  producer.join();
  consumer.join();

  for (int r = 1; r < rounds; ++r)
    EXPECT_EQ(heap_per_round[r], 0u) << "round " << r << " (round 0 took " << heap_per_round[0]
                                     << " from the heap)";
}

// The thread that allocated the blocks exits before they are freed; later threads reuse what
// it left behind. Nothing may touch freed memory (ASan) and nothing may leak (LSan).
TEST(RecyclingAllocator, BlocksOutlivingTheirThreadCanBeFreedElsewhere) {
  std::vector<std::pair<void*, std::size_t>> orphans;
  on_new_thread([&] {
    for (int i = 0; i < 300; ++i) {
      std::size_t bytes = 16 + static_cast<std::size_t>(i % 7) * 150;  // several size classes
      void* b = recycling_allocate(bytes);
      std::memset(b, 0x77, bytes);
      orphans.emplace_back(b, bytes);
    }
    // Also leave some blocks in the exiting thread's own free lists.
    for (int i = 0; i < 50; ++i) recycling_deallocate(recycling_allocate(200), 200);
  });

  // Free half here and half on yet another thread.
  const std::size_t half = orphans.size() / 2;
  for (std::size_t i = 0; i < half; ++i) recycling_deallocate(orphans[i].first, orphans[i].second);
  on_new_thread([&] {
    for (std::size_t i = half; i < orphans.size(); ++i)
      recycling_deallocate(orphans[i].first, orphans[i].second);
  });

  // New threads may inherit the dead thread's cache; they must be able to use every block.
  for (int t = 0; t < 3; ++t) {
    on_new_thread([] {
      std::vector<std::pair<void*, std::size_t>> blocks;
      for (int i = 0; i < 400; ++i) {
        std::size_t bytes = 16 + static_cast<std::size_t>(i % 7) * 150;
        void* b = recycling_allocate(bytes);
        std::memset(b, 0x33, bytes);
        blocks.emplace_back(b, bytes);
      }
      for (auto [b, bytes] : blocks) recycling_deallocate(b, bytes);
    });
  }
}

// The counter promises "how many blocks this thread took from the global heap".
TEST(RecyclingAllocator, HeapCounterCountsOnlyTheCallingThreadsAllocations) {
  // A thread that allocated from the heap and exited...
  on_new_thread([] {
    std::vector<void*> blocks;
    for (int i = 0; i < 20; ++i) blocks.push_back(recycling_allocate(64));
    for (void* b : blocks) recycling_deallocate(b, 64);
  });
  // ...must not show up in the count of a thread started afterwards.
  std::size_t fresh_before = 1, fresh_after = 0;
  on_new_thread([&] {
    fresh_before = recycling_heap_allocations_on_this_thread();
    void* b = recycling_allocate(64);
    fresh_after = recycling_heap_allocations_on_this_thread();
    recycling_deallocate(b, 64);
  });
  EXPECT_EQ(fresh_before, 0u);
  EXPECT_LE(fresh_after, 1u);
}

TEST(RecyclingAllocator, AllocatorAdaptorWorksWithAllocateShared) {
  auto p = std::allocate_shared<std::vector<int>>(proa::detail::recycling_allocator<int>(), 3, 7);
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[2], 7);
  // The last reference dies on another thread, which frees the control block there.
  on_new_thread([q = std::move(p)]() mutable { q.reset(); });
  EXPECT_EQ(p, nullptr);
}

}  // namespace
