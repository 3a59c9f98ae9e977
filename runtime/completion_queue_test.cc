// Tests for detail::completion_queue: FIFO hand-off across take_all batches, order-keeping
// push_queue, exactly-once delivery under concurrent producers and consumers, and destruction
// (not completion) of whatever is left when the queue dies; and operation_queue::remove.
#include "runtime/detail/completion_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>
#include <vector>

namespace {

using proa::detail::completion_queue;
using proa::detail::operation_queue;
using proa::detail::scheduler_operation;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int ops_per_producer = 50'000;
#else
constexpr int ops_per_producer = 300'000;
#endif

// An operation that remembers who made it and how it ended (completed or destroyed).
struct test_op final : scheduler_operation {
  test_op() : scheduler_operation(&finish) {}
  test_op(int p, int s) : scheduler_operation(&finish), producer(p), sequence(s) {}

  int producer = 0;
  int sequence = 0;
  std::atomic<int> completions{0};
  std::atomic<int> destructions{0};

 private:
  static void finish(scheduler_operation* base, bool invoke) {
    auto* self = static_cast<test_op*>(base);
    if (invoke)
      self->completions.fetch_add(1, std::memory_order_relaxed);
    else
      self->destructions.fetch_add(1, std::memory_order_relaxed);
  }
};

// Pops everything in `queue` (so its destructor destroys nothing) and returns the sequences.
std::vector<int> sequences_of(operation_queue queue) {
  std::vector<int> out;
  while (scheduler_operation* op = queue.pop()) out.push_back(static_cast<test_op*>(op)->sequence);
  return out;
}

TEST(CompletionQueue, EmptyQueueTakesNothing) {
  completion_queue queue;
  EXPECT_TRUE(queue.empty());
  EXPECT_TRUE(queue.take_all().empty());
}

TEST(CompletionQueue, PushReportsWhetherTheQueueWasEmpty) {
  completion_queue queue;
  test_op a(0, 0), b(0, 1), c(0, 2);
  EXPECT_TRUE(queue.push(&a));
  EXPECT_FALSE(queue.empty());
  EXPECT_FALSE(queue.push(&b));
  EXPECT_EQ(sequences_of(queue.take_all()), (std::vector<int>{0, 1}));
  EXPECT_TRUE(queue.empty());
  EXPECT_TRUE(queue.push(&c));
  EXPECT_EQ(sequences_of(queue.take_all()), (std::vector<int>{2}));
}

TEST(CompletionQueue, SingleProducerFifoAcrossSeveralBatches) {
  completion_queue queue;
  std::vector<test_op> ops(100);
  for (int i = 0; i < 100; ++i) ops[i].sequence = i;

  std::vector<int> seen;
  int next = 0;
  // Batches of varying size, each taken whole; the concatenation must be 0..99.
  for (int batch : {1, 7, 2, 30, 60}) {
    for (int i = 0; i < batch; ++i) queue.push(&ops[next++]);
    std::vector<int> taken = sequences_of(queue.take_all());
    EXPECT_EQ(taken.size(), static_cast<std::size_t>(batch));
    seen.insert(seen.end(), taken.begin(), taken.end());
  }
  ASSERT_EQ(next, 100);
  std::vector<int> expected(100);
  for (int i = 0; i < 100; ++i) expected[i] = i;
  EXPECT_EQ(seen, expected);
  for (auto& op : ops) {
    EXPECT_EQ(op.completions.load(), 0);
    EXPECT_EQ(op.destructions.load(), 0);
  }
}

TEST(CompletionQueue, PushQueueKeepsOrderBehindEarlierPushes) {
  completion_queue queue;
  std::vector<test_op> ops(10);
  for (int i = 0; i < 10; ++i) ops[i].sequence = i;

  queue.push(&ops[0]);
  queue.push(&ops[1]);
  operation_queue chain;
  for (int i = 2; i < 8; ++i) chain.push(&ops[i]);
  queue.push_queue(chain);
  EXPECT_TRUE(chain.empty());
  queue.push(&ops[8]);
  operation_queue single;
  single.push(&ops[9]);
  queue.push_queue(single);
  operation_queue nothing;
  queue.push_queue(nothing);  // an empty queue pushes nothing

  EXPECT_EQ(sequences_of(queue.take_all()), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_TRUE(queue.empty());
}

TEST(CompletionQueue, PushQueueIntoEmptyQueueKeepsOrder) {
  completion_queue queue;
  std::vector<test_op> ops(5);
  operation_queue chain;
  for (int i = 0; i < 5; ++i) {
    ops[i].sequence = i;
    chain.push(&ops[i]);
  }
  queue.push_queue(chain);
  EXPECT_EQ(sequences_of(queue.take_all()), (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(CompletionQueue, DestructorDestroysLeftoversWithoutCompletingThem) {
  std::vector<test_op> ops(3);
  {
    completion_queue queue;
    for (auto& op : ops) queue.push(&op);
  }
  for (auto& op : ops) {
    EXPECT_EQ(op.completions.load(), 0);
    EXPECT_EQ(op.destructions.load(), 1);
  }
}

TEST(CompletionQueue, ConcurrentProducersAndConsumersDeliverEachOpOnceInProducerOrder) {
  constexpr int producers = 4;
  constexpr int consumers = 2;
  constexpr int total = producers * ops_per_producer;

  std::vector<std::vector<test_op>> ops(producers);
  for (int p = 0; p < producers; ++p) {
    ops[p] = std::vector<test_op>(ops_per_producer);
    for (int s = 0; s < ops_per_producer; ++s) {
      ops[p][s].producer = p;
      ops[p][s].sequence = s;
    }
  }

  completion_queue queue;
  std::atomic<int> consumed{0};
  std::atomic<bool> go{false};
  // Per consumer: ops seen out of their producer's order.
  std::vector<int> order_violations(consumers, 0);

  // A lost operation would keep the consumers waiting forever: give up after a deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);

  std::vector<std::thread> threads;
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&, c] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      std::vector<int> last_seen(producers, -1);
      while (consumed.load(std::memory_order_relaxed) < total &&
             std::chrono::steady_clock::now() < deadline) {
        operation_queue batch = queue.take_all();
        int in_batch = 0;
        while (scheduler_operation* op = batch.pop()) {
          auto* t = static_cast<test_op*>(op);
          if (t->sequence <= last_seen[t->producer]) ++order_violations[c];
          last_seen[t->producer] = t->sequence;
          t->complete();
          ++in_batch;
        }
        if (in_batch == 0) std::this_thread::yield();
        consumed.fetch_add(in_batch, std::memory_order_relaxed);
      }
    });
  }
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      for (auto& op : ops[p]) queue.push(&op);
    });
  }
  go.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();

  EXPECT_EQ(consumed.load(), total);
  EXPECT_TRUE(queue.empty());
  for (int c = 0; c < consumers; ++c) EXPECT_EQ(order_violations[c], 0) << "consumer " << c;
  int wrong = 0;
  for (auto& per_producer : ops)
    for (auto& op : per_producer)
      if (op.completions.load() != 1 || op.destructions.load() != 0) ++wrong;
  EXPECT_EQ(wrong, 0) << "operations not completed exactly once";
}

}  // namespace

// operation_queue::remove, which per-operation cancellation uses: front, middle and back, the
// queue stays usable (its back is right for the next push), and an absent op is refused.
TEST(OperationQueue, RemoveUnlinksFromAnyPositionAndRefusesAbsentOnes) {
  std::vector<test_op> ops(6);
  for (int i = 0; i < 6; ++i) ops[i].sequence = i;
  operation_queue queue;
  for (int i = 0; i < 5; ++i) queue.push(&ops[i]);
  EXPECT_TRUE(queue.remove(&ops[0]));
  EXPECT_TRUE(queue.remove(&ops[2]));
  EXPECT_TRUE(queue.remove(&ops[4]));
  EXPECT_FALSE(queue.remove(&ops[4]));
  EXPECT_FALSE(queue.remove(&ops[5]));
  queue.push(&ops[5]);
  EXPECT_EQ(sequences_of(std::move(queue)), (std::vector<int>{1, 3, 5}));
  operation_queue single;
  single.push(&ops[0]);
  EXPECT_TRUE(single.remove(&ops[0]));
  EXPECT_TRUE(single.empty());
  single.push(&ops[1]);
  EXPECT_EQ(sequences_of(std::move(single)), (std::vector<int>{1}));
}
