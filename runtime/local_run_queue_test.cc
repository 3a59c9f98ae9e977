// Tests for detail::local_run_queue: owner FIFO through the ring and its overflow (single
// pushes and batches), stealing half from the oldest end, exactly-once execution with
// concurrent thieves, drain(), and the switch from unshared (CAS-free) owner pops to shared
// ones.
#include "runtime/detail/local_run_queue.hpp"
#include "platform/process_wide_barrier.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace {

using proa::detail::local_run_queue;
using proa::detail::operation_queue;
using proa::detail::scheduler_operation;

constexpr int capacity = static_cast<int>(local_run_queue::capacity);

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int concurrent_ops = 300'000;
#else
constexpr int concurrent_ops = 2'000'000;
#endif

// An operation that counts how often it ran (completed) or was destroyed.
struct test_op final : scheduler_operation {
  test_op() : scheduler_operation(&finish) {}
  int sequence = 0;
  std::atomic<int> runs{0};
  std::atomic<int> destructions{0};

 private:
  static void finish(scheduler_operation* base, bool invoke) {
    auto* self = static_cast<test_op*>(base);
    if (invoke)
      self->runs.fetch_add(1, std::memory_order_relaxed);
    else
      self->destructions.fetch_add(1, std::memory_order_relaxed);
  }
};

std::vector<test_op> numbered_ops(int n) {
  std::vector<test_op> ops(n);
  for (int i = 0; i < n; ++i) ops[i].sequence = i;
  return ops;
}

int sequence_of(scheduler_operation* op) { return static_cast<test_op*>(op)->sequence; }

// Pops until empty; returns the sequences in pop order.
std::vector<int> pop_all(local_run_queue& queue) {
  std::vector<int> out;
  while (scheduler_operation* op = queue.pop()) out.push_back(sequence_of(op));
  return out;
}

std::vector<int> range(int first, int last) {
  std::vector<int> out;
  for (int i = first; i < last; ++i) out.push_back(i);
  return out;
}

TEST(LocalRunQueue, EmptyQueuePopsNull) {
  local_run_queue queue;
  EXPECT_EQ(queue.pop(), nullptr);
  EXPECT_TRUE(queue.empty_for_owner());
  EXPECT_TRUE(queue.looks_empty());
}

TEST(LocalRunQueue, OwnerFifoWithinCapacity) {
  local_run_queue queue;
  auto ops = numbered_ops(10);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(queue.push(&ops[i]), static_cast<std::uint32_t>(i + 1));
  EXPECT_FALSE(queue.empty_for_owner());
  EXPECT_FALSE(queue.looks_empty());
  EXPECT_EQ(pop_all(queue), range(0, 10));
  EXPECT_TRUE(queue.empty_for_owner());
}

TEST(LocalRunQueue, OwnerFifoBeyondCapacityThroughOverflowAndRefill) {
  local_run_queue queue;
  const int n = capacity * 4 + 37;
  auto ops = numbered_ops(n);
  for (int i = 0; i < n; ++i) {
    std::uint32_t depth = queue.push(&ops[i]);
    if (i >= capacity) {
      EXPECT_EQ(depth, local_run_queue::capacity) << "push " << i;
    }
  }
  EXPECT_EQ(pop_all(queue), range(0, n));
  EXPECT_TRUE(queue.empty_for_owner());
  for (auto& op : ops) EXPECT_EQ(op.destructions.load(), 0);
}

TEST(LocalRunQueue, PushesWhileOverflowIsNonEmptyDoNotOvertakeIt) {
  local_run_queue queue;
  const int n = capacity * 3;
  auto ops = numbered_ops(n);
  std::vector<int> popped;
  int next = 0;
  // Overflow the ring, then pop a little so the ring has room while the overflow still holds
  // older operations: new pushes must still queue behind them.
  while (next < capacity + 50) queue.push(&ops[next++]);
  for (int i = 0; i < 20; ++i) popped.push_back(sequence_of(queue.pop()));
  while (next < capacity * 2) queue.push(&ops[next++]);
  // Drain past the refill, push again, then finish.
  for (int i = 0; i < capacity + 10; ++i) popped.push_back(sequence_of(queue.pop()));
  while (next < n) queue.push(&ops[next++]);
  std::vector<int> rest = pop_all(queue);
  popped.insert(popped.end(), rest.begin(), rest.end());
  EXPECT_EQ(popped, range(0, n));
}

std::vector<scheduler_operation*> pointers(std::vector<test_op>& ops, int first, int last) {
  std::vector<scheduler_operation*> out;
  for (int i = first; i < last; ++i) out.push_back(&ops[i]);
  return out;
}

TEST(LocalRunQueue, PushManyFitsInTheRing) {
  local_run_queue queue;
  auto ops = numbered_ops(30);
  queue.push(&ops[0]);
  auto batch = pointers(ops, 1, 30);
  queue.push_many(batch);
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(pop_all(queue), range(0, 30));
  EXPECT_TRUE(queue.empty_for_owner());
}

TEST(LocalRunQueue, PushManyBeyondTheRingBecomesTheOverflowAndKeepsOrder) {
  local_run_queue queue;
  const int n = capacity * 5 + 3;
  auto ops = numbered_ops(n + 20);
  for (int i = 0; i < 10; ++i) queue.push(&ops[i]);
  auto batch = pointers(ops, 10, n);
  queue.push_many(batch);
  EXPECT_TRUE(batch.empty());
  // Later single pushes queue behind the batch, not in the ring's free slots.
  EXPECT_EQ(sequence_of(queue.pop()), 0);
  for (int i = n; i < n + 20; ++i) queue.push(&ops[i]);
  std::vector<int> expected = range(1, n + 20);
  EXPECT_EQ(pop_all(queue), expected);
  EXPECT_TRUE(queue.empty_for_owner());
}

TEST(LocalRunQueue, PushManyAppendsToANonEmptyOverflow) {
  local_run_queue queue;
  const int n = capacity * 2;
  auto ops = numbered_ops(n + capacity);
  for (int i = 0; i < n; ++i) queue.push(&ops[i]);  // ring full, overflow holds the rest
  auto batch = pointers(ops, n, n + capacity);
  queue.push_many(batch);
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(pop_all(queue), range(0, n + capacity));
}

TEST(LocalRunQueue, PushManyThenStealTakesFromTheRingOnly) {
  local_run_queue victim, thief;
  const int n = capacity * 3;
  auto ops = numbered_ops(n);
  auto batch = pointers(ops, 0, n);
  victim.push_many(batch);
  scheduler_operation* stolen = thief.steal_from(victim);
  ASSERT_NE(stolen, nullptr);
  EXPECT_EQ(sequence_of(stolen), 0);
  EXPECT_EQ(pop_all(thief), range(1, capacity / 2));
  EXPECT_EQ(pop_all(victim), range(capacity / 2, n));
}

TEST(LocalRunQueue, DrainAfterPushManyReturnsEverythingInOrder) {
  local_run_queue queue;
  const int n = capacity + 77;
  auto ops = numbered_ops(n);
  auto batch = pointers(ops, 0, n);
  queue.push_many(batch);
  operation_queue drained = queue.drain();
  std::vector<int> seen;
  while (scheduler_operation* op = drained.pop()) seen.push_back(sequence_of(op));
  EXPECT_EQ(seen, range(0, n));
  EXPECT_TRUE(queue.empty_for_owner());
}

TEST(LocalRunQueue, StealTakesAboutHalfAndReturnsTheOldest) {
  local_run_queue victim, thief;
  auto ops = numbered_ops(10);
  for (auto& op : ops) victim.push(&op);

  scheduler_operation* stolen = thief.steal_from(victim);
  ASSERT_NE(stolen, nullptr);
  EXPECT_EQ(sequence_of(stolen), 0);
  // Half of 10 is 5: the one returned plus four now queued at the thief, in order.
  EXPECT_EQ(pop_all(thief), range(1, 5));
  EXPECT_EQ(pop_all(victim), range(5, 10));
}

TEST(LocalRunQueue, StealRoundsUpAndTakesASingleOperation) {
  local_run_queue victim, thief;
  auto ops = numbered_ops(3);
  victim.push(&ops[0]);
  scheduler_operation* stolen = thief.steal_from(victim);
  ASSERT_NE(stolen, nullptr);
  EXPECT_EQ(sequence_of(stolen), 0);
  EXPECT_TRUE(thief.empty_for_owner());  // only one taken: nothing left queued at the thief
  EXPECT_TRUE(victim.looks_empty());
  EXPECT_EQ(thief.steal_from(victim), nullptr);

  victim.push(&ops[1]);
  victim.push(&ops[2]);
  local_run_queue second_thief;
  stolen = second_thief.steal_from(victim);  // 2 available -> takes 1
  ASSERT_NE(stolen, nullptr);
  EXPECT_EQ(sequence_of(stolen), 1);
  EXPECT_EQ(pop_all(victim), std::vector<int>{2});
}

TEST(LocalRunQueue, StealTakesFromTheRingOnlyAndLeavesOverflowToTheOwner) {
  local_run_queue victim, thief;
  const int n = capacity + 40;
  auto ops = numbered_ops(n);
  for (auto& op : ops) victim.push(&op);

  scheduler_operation* stolen = thief.steal_from(victim);
  ASSERT_NE(stolen, nullptr);
  EXPECT_EQ(sequence_of(stolen), 0);
  EXPECT_EQ(pop_all(thief), range(1, capacity / 2));
  EXPECT_EQ(pop_all(victim), range(capacity / 2, n));
}

TEST(LocalRunQueue, StolenOperationsCanBeStolenAgain) {
  local_run_queue victim, thief, second_thief;
  auto ops = numbered_ops(20);
  for (auto& op : ops) victim.push(&op);
  ASSERT_NE(thief.steal_from(victim), nullptr);  // takes 0..9, keeps 1..9 queued
  scheduler_operation* again = second_thief.steal_from(thief);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(sequence_of(again), 1);  // 9 queued at thief -> 5 taken: 1..5
  EXPECT_EQ(pop_all(second_thief), range(2, 6));
  EXPECT_EQ(pop_all(thief), range(6, 10));
  EXPECT_EQ(pop_all(victim), range(10, 20));
}

TEST(LocalRunQueue, DrainReturnsEverythingInOrder) {
  local_run_queue queue;
  const int n = capacity + 100;
  auto ops = numbered_ops(n);
  for (auto& op : ops) queue.push(&op);
  EXPECT_EQ(sequence_of(queue.pop()), 0);

  operation_queue drained = queue.drain();
  EXPECT_TRUE(queue.empty_for_owner());
  EXPECT_EQ(queue.pop(), nullptr);
  std::vector<int> seen;
  while (scheduler_operation* op = drained.pop()) seen.push_back(sequence_of(op));
  EXPECT_EQ(seen, range(1, n));
  for (auto& op : ops) EXPECT_EQ(op.destructions.load(), 0);
}

// The owner pushes in bursts (some beyond capacity) and pops; two thieves steal from the
// owner and from each other, always emptying their own queue before stealing again, as
// scheduler workers do. Every operation must run exactly once.
TEST(LocalRunQueue, ConcurrentOwnerAndTwoThievesRunEachOperationOnce) {
  std::vector<test_op> ops(concurrent_ops);
  local_run_queue owner_queue;
  local_run_queue thief_queues[2];
  std::atomic<int> executed{0};
  std::atomic<bool> go{false};
  std::atomic<int> stolen_by_thieves{0};

  // A lost operation would keep everyone waiting forever: give up after a deadline instead.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto unfinished = [&] {
    return executed.load(std::memory_order_relaxed) < concurrent_ops &&
           std::chrono::steady_clock::now() < deadline;
  };
  auto run = [&](scheduler_operation* op) {
    op->complete();
    executed.fetch_add(1, std::memory_order_relaxed);
  };

  std::vector<std::thread> thieves;
  for (int t = 0; t < 2; ++t) {
    thieves.emplace_back([&, t] {
      local_run_queue& mine = thief_queues[t];
      local_run_queue& other = thief_queues[1 - t];
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      unsigned round = 0;
      while (unfinished()) {
        local_run_queue& victim = (++round % 4 == 0) ? other : owner_queue;
        scheduler_operation* op = mine.steal_from(victim);
        if (!op) {
          std::this_thread::yield();
          continue;
        }
        int count = 1;
        run(op);
        while (scheduler_operation* more = mine.pop()) {
          run(more);
          ++count;
        }
        stolen_by_thieves.fetch_add(count, std::memory_order_relaxed);
      }
    });
  }

  go.store(true, std::memory_order_release);
  int pushed = 0;
  unsigned burst = 1;
  while (pushed < concurrent_ops) {
    // Bursts of 1..400 pushes, then pop about a third of them.
    burst = burst * 1103515245u + 12345u;
    int n = static_cast<int>(burst % 400) + 1;
    for (int i = 0; i < n && pushed < concurrent_ops; ++i) owner_queue.push(&ops[pushed++]);
    for (int i = 0; i < n / 3; ++i)
      if (scheduler_operation* op = owner_queue.pop()) run(op);
  }
  while (unfinished()) {
    if (scheduler_operation* op = owner_queue.pop())
      run(op);
    else
      std::this_thread::yield();
  }
  for (auto& t : thieves) t.join();

  EXPECT_EQ(executed.load(), concurrent_ops);
  EXPECT_TRUE(owner_queue.empty_for_owner());
  EXPECT_TRUE(thief_queues[0].empty_for_owner());
  EXPECT_TRUE(thief_queues[1].empty_for_owner());
  int wrong = 0;
  for (auto& op : ops)
    if (op.runs.load() != 1 || op.destructions.load() != 0) ++wrong;
  EXPECT_EQ(wrong, 0) << "operations not run exactly once";
  // Not a correctness requirement, but if thieves never got anything the test proved little.
  EXPECT_GT(stolen_by_thieves.load(), 0);
}

}  // namespace

TEST(LocalRunQueue, UnsharedOwnerPopsInFifoOrderThroughOverflow) {
  local_run_queue queue;
  ASSERT_TRUE(queue.shared()) << "a queue must be safe to steal from unless its owner opts out";
  queue.start_unshared();
  auto ops = numbered_ops(capacity * 3);
  for (auto& op : ops) queue.push(&op);
  EXPECT_EQ(pop_all(queue), range(0, capacity * 3));
  EXPECT_FALSE(queue.in_unshared_pop());
}

// The switch a scheduler makes when a second worker arrives: the owner keeps pushing and
// popping with plain claims while a thief shares the queue (share, barrier, wait) and then
// steals. Every operation must run exactly once across the switch.
TEST(LocalRunQueue, SharingWhileTheOwnerPopsUnsharedRunsEachOperationOnce) {
  ASSERT_TRUE(proa::detail::process_wide_barrier_available()) << "membarrier refused here";
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  constexpr int rounds = 40;
#else
  constexpr int rounds = 300;
#endif
  constexpr int per_round = 3000;
  for (int round = 0; round < rounds; ++round) {
    std::vector<test_op> ops(per_round);
    local_run_queue owner_queue;
    owner_queue.start_unshared();
    local_run_queue thief_queue;
    std::atomic<int> executed{0};
    std::atomic<int> owner_pops{0};
    std::atomic<bool> thief_ready{false};
    // Some work per operation, so that owner and thief overlap for a while.
    auto run = [&](scheduler_operation* op) {
      for (int spin = 0; spin < 200; ++spin) std::atomic_signal_fence(std::memory_order_seq_cst);
      op->complete();
      executed.fetch_add(1, std::memory_order_relaxed);
    };

    std::thread thief([&] {
      thief_ready.store(true, std::memory_order_release);
      // Switch at a different moment each round, while the owner is busy popping.
      while (owner_pops.load(std::memory_order_relaxed) < round * 7 % 500) {
      }
      owner_queue.share();
      proa::detail::process_wide_barrier();
      while (owner_queue.in_unshared_pop()) std::this_thread::yield();
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (executed.load(std::memory_order_relaxed) < per_round &&
             std::chrono::steady_clock::now() < deadline) {
        scheduler_operation* op = thief_queue.steal_from(owner_queue);
        if (!op) {
          std::this_thread::yield();
          continue;
        }
        do run(op);
        while ((op = thief_queue.pop()));
      }
    });

    while (!thief_ready.load(std::memory_order_acquire)) std::this_thread::yield();
    int pushed = 0;
    while (pushed < per_round) {
      for (int i = 0; i < 50 && pushed < per_round; ++i) owner_queue.push(&ops[pushed++]);
      for (int i = 0; i < 20; ++i) {
        scheduler_operation* op = owner_queue.pop();
        if (!op) break;
        run(op);
        owner_pops.fetch_add(1, std::memory_order_relaxed);
      }
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (executed.load(std::memory_order_relaxed) < per_round &&
           std::chrono::steady_clock::now() < deadline) {
      if (scheduler_operation* op = owner_queue.pop()) {
        run(op);
        owner_pops.fetch_add(1, std::memory_order_relaxed);
      } else {
        owner_pops.fetch_add(1, std::memory_order_relaxed);  // lets a late thief start
        std::this_thread::yield();
      }
    }
    thief.join();
    ASSERT_EQ(executed.load(), per_round) << "round " << round;
    for (int i = 0; i < per_round; ++i)
      ASSERT_EQ(ops[i].runs.load(), 1) << "operation " << i << " in round " << round;
    EXPECT_TRUE(owner_queue.shared());
  }
}
