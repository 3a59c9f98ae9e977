// Tests for detail::executor_function: one-shot invocation, destruction without invocation,
// move-only targets, and memory that is recycled before the target runs.
#include "runtime/detail/executor_function.hpp"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "runtime/detail/recycling_allocator.hpp"

namespace {

using proa::detail::executor_function;

struct lifetime_counts {
  int calls = 0;
  int destroyed = 0;
};

// Counts its calls and the destructions of its last (moved-to) instance.
struct counting_function {
  lifetime_counts* counts;
  bool live = true;

  explicit counting_function(lifetime_counts& c) : counts(&c) {}
  counting_function(counting_function&& other) noexcept
      : counts(other.counts), live(std::exchange(other.live, false)) {}
  ~counting_function() {
    if (live) ++counts->destroyed;
  }
  void operator()() { ++counts->calls; }
};

TEST(ExecutorFunction, DefaultConstructedIsEmpty) {
  executor_function f;
  EXPECT_FALSE(f);
}

TEST(ExecutorFunction, CallRunsTheTargetOnceAndEmpties) {
  lifetime_counts counts;
  executor_function f(counting_function{counts});
  EXPECT_TRUE(f);
  f();
  EXPECT_FALSE(f);
  EXPECT_EQ(counts.calls, 1);
  EXPECT_EQ(counts.destroyed, 1);
}

TEST(ExecutorFunction, DestroyingWithoutCallingDestroysTheTargetOnly) {
  lifetime_counts counts;
  {
    executor_function f(counting_function{counts});
    executor_function moved(std::move(f));
    EXPECT_FALSE(f);
    EXPECT_TRUE(moved);
  }
  EXPECT_EQ(counts.calls, 0);
  EXPECT_EQ(counts.destroyed, 1);
}

TEST(ExecutorFunction, MoveAssignmentDiscardsThePreviousTarget) {
  lifetime_counts first;
  lifetime_counts second;
  executor_function a(counting_function{first});
  executor_function b(counting_function{second});
  a = std::move(b);
  EXPECT_EQ(first.destroyed, 1);
  EXPECT_EQ(first.calls, 0);
  a();
  EXPECT_EQ(second.calls, 1);
  EXPECT_EQ(second.destroyed, 1);
}

TEST(ExecutorFunction, HoldsMoveOnlyTargets) {
  auto value = std::make_unique<int>(5);
  int seen = 0;
  executor_function f([v = std::move(value), &seen] { seen = *v; });
  f();
  EXPECT_EQ(seen, 5);
}

// Records where each instance lives, to see which block executor_function placed it in.
struct address_recorder {
  std::vector<const void*>* addresses;
  int* depth;

  address_recorder(std::vector<const void*>& a, int& d) : addresses(&a), depth(&d) {}
  address_recorder(address_recorder&& other) noexcept
      : addresses(other.addresses), depth(other.depth) {
    addresses->push_back(this);
  }

  void operator()() {
    if (++*depth == 3) return;
    // The block holding this function was freed before the call, so the next function of the
    // same size gets that very block from the thread's recycler.
    executor_function next{address_recorder(*addresses, *depth)};
    next();
  }
};

TEST(ExecutorFunction, MemoryIsRecycledBeforeTheTargetRuns) {
  std::vector<const void*> addresses;
  int depth = 0;
  executor_function f{address_recorder(addresses, depth)};
  f();
  EXPECT_EQ(depth, 3);
  // Moves alternate: into a block (even index), then out onto the stack to run (odd index).
  ASSERT_GE(addresses.size(), 6u);
  EXPECT_EQ(addresses[0], addresses[2]);
  EXPECT_EQ(addresses[2], addresses[4]);
}

TEST(ExecutorFunction, SteadyStateSubmissionsDoNotReachTheHeap) {
  int total = 0;
  auto round = [&] {
    executor_function f([&total, padding = std::array<char, 40>{}] { total += 1 + padding[0]; });
    f();
  };
  round();  // warms this thread's cache
  std::size_t before = proa::detail::recycling_heap_allocations_on_this_thread();
  for (int i = 0; i < 1000; ++i) round();
  EXPECT_EQ(proa::detail::recycling_heap_allocations_on_this_thread(), before);
  EXPECT_EQ(total, 1001);
}

TEST(ExecutorFunction, ExceptionFromTheTargetPropagatesAfterTheMemoryIsFreed) {
  executor_function f([] { throw std::runtime_error("handler failed"); });
  EXPECT_THROW(f(), std::runtime_error);
  EXPECT_FALSE(f);
  // ASan's leak check covers the block itself.
}

struct alignas(64) over_aligned_function {
  int* calls;
  void operator()() const { ++*calls; }
};

TEST(ExecutorFunction, OverAlignedTargetsWork) {
  int calls = 0;
  executor_function f(over_aligned_function{&calls});
  f();
  EXPECT_EQ(calls, 1);
}

}  // namespace
