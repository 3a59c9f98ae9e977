// Tests for detail::timer_queue on a clock the test moves by hand: expiry order (one pop at a
// time and in bulk), cancellation (all, oldest, one operation), lazy deletion and compaction,
// the generation check across a wrap, and shutdown. Then the queue under real timers used from
// several threads at once.
#include "runtime/detail/timer_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "platform/error.hpp"
#include "runtime/basic_waitable_timer.hpp"
#include "runtime/bind_cancellation_slot.hpp"
#include "runtime/cancellation_signal.hpp"
#include "runtime/executor_work_guard.hpp"
#include "runtime/io_context.hpp"

namespace {

using proa::detail::operation_queue;
using proa::detail::per_timer_data;
using proa::detail::scheduler_operation;
using proa::detail::timer_operation;

// A clock that only moves when told to.
struct manual_clock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<manual_clock>;
  static constexpr bool is_steady = false;
  static inline time_point current{};
  static time_point now() noexcept { return current; }
  static void set(std::int64_t ns) { current = time_point(duration(ns)); }
};

using queue_type = proa::detail::timer_queue<manual_clock>;

manual_clock::time_point at_ns(std::int64_t ns) {
  return manual_clock::time_point(manual_clock::duration(ns));
}

struct test_wait final : timer_operation {
  test_wait() : timer_operation(&finish) {}
  int id = 0;
  int completions = 0;

 private:
  static void finish(scheduler_operation* base, bool) {
    ++static_cast<test_wait*>(base)->completions;
  }
};

int id_of(scheduler_operation* op) { return static_cast<test_wait*>(op)->id; }

std::vector<int> ids(const std::vector<scheduler_operation*>& ops) {
  std::vector<int> out;
  for (auto* op : ops) out.push_back(id_of(op));
  return out;
}

std::vector<int> ids(operation_queue& ops) {
  std::vector<int> out;
  while (scheduler_operation* op = ops.pop()) out.push_back(id_of(op));
  return out;
}

class TimerQueue : public ::testing::Test {
 protected:
  void SetUp() override { manual_clock::set(0); }

  // `n` timers with one wait each; wait i has id i.
  void make(int n) {
    waits_.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      waits_[static_cast<std::size_t>(i)].id = i;
      timers_.push_back(&queue_.create_timer());
    }
  }

  // A wait completes once in real use; the tests reuse theirs, so they start afresh.
  bool arm(int i, std::int64_t expiry_ns, bool cancellable = false) {
    waits_[static_cast<std::size_t>(i)].ec_.clear();
    return queue_.enqueue(*timers_[static_cast<std::size_t>(i)], at_ns(expiry_ns),
                          &waits_[static_cast<std::size_t>(i)], cancellable);
  }

  std::vector<int> expire_at(std::int64_t now_ns) {
    manual_clock::set(now_ns);
    std::vector<scheduler_operation*> ready;
    queue_.take_expired(ready);
    for (auto* op : ready) EXPECT_EQ(op->next_, nullptr);
    for (auto* op : ready) EXPECT_FALSE(static_cast<test_wait*>(op)->ec_);
    return ids(ready);
  }

  std::size_t cancel(int i, operation_queue& out) {
    bool front_changed = false;
    return queue_.cancel(*timers_[static_cast<std::size_t>(i)], out, front_changed);
  }

  // Before the queue: it destroys the waits still pending when it goes.
  std::vector<test_wait> waits_;
  queue_type queue_;
  std::vector<per_timer_data*> timers_;
};

TEST_F(TimerQueue, EmptyQueueHasNoExpiryAndNothingExpires) {
  std::int64_t steady_now = -1;
  EXPECT_EQ(queue_.next_expiry_steady_ns(steady_now), INT64_MAX);
  EXPECT_TRUE(expire_at(1'000'000).empty());
}

TEST_F(TimerQueue, ReportsWhenATimerBecomesTheEarliest) {
  make(3);
  EXPECT_TRUE(arm(0, 500));
  EXPECT_FALSE(arm(1, 700));
  EXPECT_TRUE(arm(2, 100));
}

TEST_F(TimerQueue, FewExpiredTimersFireOneByOneInExpiryOrder) {
  const int n = 1000;
  make(n);
  // Expiry of timer i: a permutation of 1..n microseconds.
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(42));
  for (int i = 0; i < n; ++i) arm(i, (order[static_cast<std::size_t>(i)] + 1) * 1000);

  // The first five (fewer than the bulk threshold): in expiry order, nothing else.
  std::vector<int> fired = expire_at(5 * 1000);
  ASSERT_EQ(fired.size(), 5u);
  for (std::size_t k = 0; k < fired.size(); ++k)
    EXPECT_EQ(order[static_cast<std::size_t>(fired[k])], static_cast<int>(k));
  EXPECT_EQ(queue_.live_timers(), static_cast<std::size_t>(n - 5));
}

TEST_F(TimerQueue, ManyExpiredTimersFireInExpiryOrderAndTheRestStayOrdered) {
  const int n = 20000;
  make(n);
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  for (int i = 0; i < n; ++i) arm(i, (order[static_cast<std::size_t>(i)] + 1) * 1000);

  std::vector<int> fired;
  // A bulk (most of them), a few, then the rest in another bulk.
  for (std::int64_t now : {12000 * 1000, 12003 * 1000, 20000 * 1000}) {
    std::vector<int> step = expire_at(now);
    fired.insert(fired.end(), step.begin(), step.end());
    EXPECT_EQ(fired.size(), static_cast<std::size_t>(now / 1000));
  }
  ASSERT_EQ(fired.size(), static_cast<std::size_t>(n));
  for (std::size_t k = 0; k < fired.size(); ++k)
    EXPECT_EQ(order[static_cast<std::size_t>(fired[k])], static_cast<int>(k)) << "position " << k;
  EXPECT_EQ(queue_.entries(), 0u);
  EXPECT_EQ(queue_.live_timers(), 0u);
}

TEST_F(TimerQueue, ABurstOverAWideRangeOfTimesFiresInOrder) {
  // Negative and huge expiries, far apart and close together, some equal.
  const int n = 10000;
  make(n);
  std::mt19937_64 random(3);
  std::vector<std::int64_t> expiry;
  for (int i = 0; i < n; ++i) {
    const std::int64_t wide = static_cast<std::int64_t>(random() >> 2) - (std::int64_t{1} << 61);
    expiry.push_back(i % 3 == 0 ? wide : static_cast<std::int64_t>(random() % 100));
    arm(i, expiry.back());
  }
  std::vector<int> fired = expire_at(std::numeric_limits<std::int64_t>::max());
  ASSERT_EQ(fired.size(), static_cast<std::size_t>(n));
  for (std::size_t k = 1; k < fired.size(); ++k) {
    const auto previous = static_cast<std::size_t>(fired[k - 1]);
    const auto next = static_cast<std::size_t>(fired[k]);
    EXPECT_LE(expiry[previous], expiry[next]) << "position " << k;
  }
  std::sort(fired.begin(), fired.end());
  EXPECT_EQ(std::unique(fired.begin(), fired.end()), fired.end());
}

TEST_F(TimerQueue, EqualExpiriesAllFireAtOnce) {
  make(300);
  for (int i = 0; i < 300; ++i) arm(i, 10);
  EXPECT_TRUE(expire_at(9).empty());
  std::vector<int> fired = expire_at(10);
  std::sort(fired.begin(), fired.end());
  std::vector<int> all(300);
  for (int i = 0; i < 300; ++i) all[static_cast<std::size_t>(i)] = i;
  EXPECT_EQ(fired, all);
}

TEST_F(TimerQueue, SeveralWaitsOnOneTimerFireTogetherInStartOrder) {
  make(1);
  std::vector<test_wait> extra(3);
  for (int k = 0; k < 3; ++k) extra[static_cast<std::size_t>(k)].id = 10 + k;
  EXPECT_TRUE(arm(0, 100));
  for (auto& w : extra) EXPECT_FALSE(queue_.enqueue(*timers_[0], at_ns(100), &w, false));
  EXPECT_EQ(queue_.entries(), 1u);
  EXPECT_EQ(expire_at(100), (std::vector<int>{0, 10, 11, 12}));
}

TEST_F(TimerQueue, CancelCompletesEveryWaitWithOperationAbortedAndTheTimerNeverFires) {
  make(2);
  std::vector<test_wait> extra(2);
  extra[0].id = 10;
  extra[1].id = 11;
  arm(0, 100);
  arm(1, 200);
  for (auto& w : extra) queue_.enqueue(*timers_[0], at_ns(100), &w, false);

  operation_queue cancelled;
  EXPECT_EQ(cancel(0, cancelled), 3u);
  EXPECT_EQ(waits_[0].ec_, proa::error::make_error_code(proa::error::operation_aborted));
  EXPECT_EQ(extra[1].ec_, proa::error::make_error_code(proa::error::operation_aborted));
  EXPECT_EQ(ids(cancelled), (std::vector<int>{0, 10, 11}));
  EXPECT_EQ(cancel(0, cancelled), 0u);  // nothing left

  EXPECT_EQ(expire_at(1000), std::vector<int>{1});
  EXPECT_EQ(queue_.entries(), 0u);
}

TEST_F(TimerQueue, CancelOneTakesTheOldestWaitAndTheTimerStaysUntilItsLastWait) {
  make(1);
  test_wait second;
  second.id = 7;
  arm(0, 100);
  queue_.enqueue(*timers_[0], at_ns(100), &second, false);

  operation_queue cancelled;
  bool front_changed = false;
  EXPECT_EQ(queue_.cancel_one(*timers_[0], cancelled, front_changed), 1u);
  EXPECT_EQ(ids(cancelled), std::vector<int>{0});
  EXPECT_EQ(queue_.live_timers(), 1u);
  EXPECT_EQ(expire_at(100), std::vector<int>{7});
  EXPECT_EQ(queue_.cancel_one(*timers_[0], cancelled, front_changed), 0u);
}

TEST_F(TimerQueue, CancellingOneOperationLeavesTheOthers) {
  make(1);
  std::vector<test_wait> extra(2);
  extra[0].id = 10;
  extra[1].id = 11;
  arm(0, 100, /*cancellable=*/true);
  queue_.enqueue(*timers_[0], at_ns(100), &extra[0], true);
  queue_.enqueue(*timers_[0], at_ns(100), &extra[1], false);
  EXPECT_EQ(waits_[0].timer_, timers_[0]);
  EXPECT_EQ(extra[1].timer_, nullptr);  // not cancellable on its own: no back-pointer

  operation_queue cancelled;
  bool front_changed = false;
  EXPECT_TRUE(queue_.cancel_operation(&extra[0], cancelled, front_changed));
  EXPECT_EQ(ids(cancelled), std::vector<int>{10});
  EXPECT_EQ(extra[0].ec_, proa::error::make_error_code(proa::error::operation_aborted));
  EXPECT_FALSE(queue_.cancel_operation(&extra[0], cancelled, front_changed));  // already gone

  EXPECT_EQ(expire_at(100), (std::vector<int>{0, 11}));
  // After expiry the back-pointer is cleared, so a late cancellation finds nothing.
  EXPECT_EQ(waits_[0].timer_, nullptr);
  EXPECT_FALSE(queue_.cancel_operation(&waits_[0], cancelled, front_changed));
  EXPECT_TRUE(cancelled.empty());
}

TEST_F(TimerQueue, CancellingTheOnlyOperationTakesTheTimerOut) {
  make(2);
  arm(0, 100, /*cancellable=*/true);
  arm(1, 200);
  operation_queue cancelled;
  bool front_changed = false;
  EXPECT_TRUE(queue_.cancel_operation(&waits_[0], cancelled, front_changed));
  EXPECT_EQ(queue_.live_timers(), 1u);
  EXPECT_TRUE(expire_at(150).empty());
  EXPECT_EQ(expire_at(200), std::vector<int>{1});
}

TEST_F(TimerQueue, StaleEntriesAreCompactedAwayAndNeverFire) {
  const int n = 2000;
  make(n);
  for (int i = 0; i < n; ++i) arm(i, 1'000'000 + i);
  operation_queue cancelled;
  // Cancel all but every tenth: stale entries must stay within the compaction bound.
  for (int i = 0; i < n; ++i) {
    if (i % 10 == 0) continue;
    EXPECT_EQ(cancel(i, cancelled), 1u);
    EXPECT_LE(queue_.entries(), 3 * queue_.live_timers() + queue_type::compaction_slack);
  }
  EXPECT_EQ(queue_.live_timers(), static_cast<std::size_t>(n / 10));
  EXPECT_LT(queue_.entries(), static_cast<std::size_t>(n));
  std::vector<int> fired = expire_at(2'000'000);
  ASSERT_EQ(fired.size(), static_cast<std::size_t>(n / 10));
  for (std::size_t k = 0; k < fired.size(); ++k) EXPECT_EQ(fired[k], static_cast<int>(k * 10));
}

TEST_F(TimerQueue, CancellingTheLastLiveTimerEmptiesTheHeap) {
  make(100);
  for (int i = 0; i < 100; ++i) arm(i, 1000 + i);
  operation_queue cancelled;
  bool front_changed = false;
  for (int i = 0; i < 100; ++i) {
    front_changed = false;
    queue_.cancel(*timers_[static_cast<std::size_t>(i)], cancelled, front_changed);
  }
  EXPECT_TRUE(front_changed);
  EXPECT_EQ(queue_.entries(), 0u);
  std::int64_t steady_now = -1;
  EXPECT_EQ(queue_.next_expiry_steady_ns(steady_now), INT64_MAX);
}

TEST_F(TimerQueue, ATimerReArmedManyTimesKeepsTheHeapSmall) {
  make(2);
  arm(1, 1'000'000'000);  // stays live throughout
  operation_queue cancelled;
  for (int round = 0; round < 200'000; ++round) {
    arm(0, 1'000 + round % 5000);
    EXPECT_EQ(cancel(0, cancelled), 1u);
    cancelled.pop();
  }
  EXPECT_LE(queue_.entries(), 3 * queue_.live_timers() + queue_type::compaction_slack + 1);
  arm(0, 50);
  EXPECT_EQ(expire_at(60), std::vector<int>{0});
  EXPECT_EQ(expire_at(1'000'000'000), std::vector<int>{1});
}

TEST_F(TimerQueue, AWrappingGenerationDoesNotRevivePreviousEntries) {
  make(2);
  arm(1, 1'000'000);  // keeps the heap from being emptied
  operation_queue cancelled;
  arm(0, 50);  // generation 1: this entry goes stale below
  EXPECT_EQ(cancel(0, cancelled), 1u);
  cancelled.pop();
  // Jump to the end of the generation range, as after four billion re-arms.
  timers_[0]->generation = std::numeric_limits<std::uint32_t>::max() - 1;
  arm(0, 500);  // generation max
  EXPECT_EQ(cancel(0, cancelled), 1u);
  cancelled.pop();
  arm(0, 600);  // wraps to 0
  EXPECT_EQ(cancel(0, cancelled), 1u);
  cancelled.pop();
  arm(0, 700);  // generation 1 again, like the stale entry at 50
  EXPECT_TRUE(expire_at(60).empty());
  EXPECT_TRUE(expire_at(699).empty());
  EXPECT_EQ(expire_at(700), std::vector<int>{0});
}

TEST_F(TimerQueue, DestroyedTimersAreReusedWithoutReviving) {
  make(2);
  arm(1, 1'000'000);
  operation_queue cancelled;
  arm(0, 50);
  EXPECT_EQ(cancel(0, cancelled), 1u);
  cancelled.pop();
  per_timer_data* old = timers_[0];
  queue_.destroy_timer(*old);
  per_timer_data& reused = queue_.create_timer();
  EXPECT_EQ(&reused, old);  // the pool hands the slot out again
  test_wait w;
  w.id = 99;
  queue_.enqueue(reused, at_ns(400), &w, false);
  EXPECT_TRUE(expire_at(100).empty());
  EXPECT_EQ(expire_at(400), std::vector<int>{99});
}

TEST_F(TimerQueue, TakeAllHandsOutEveryPendingWait) {
  make(5);
  for (int i = 0; i < 5; ++i) arm(i, 100 * (5 - i), /*cancellable=*/i % 2 == 0);
  operation_queue cancelled;
  EXPECT_EQ(cancel(2, cancelled), 1u);
  operation_queue all;
  queue_.take_all(all);
  std::vector<int> taken = ids(all);
  std::sort(taken.begin(), taken.end());
  EXPECT_EQ(taken, (std::vector<int>{0, 1, 3, 4}));
  EXPECT_EQ(waits_[0].timer_, nullptr);
  EXPECT_EQ(queue_.entries(), 0u);
  EXPECT_EQ(queue_.live_timers(), 0u);
}

TEST(SteadyTimerQueue, NextExpiryIsTheEarliestEntry) {
  using steady = std::chrono::steady_clock;
  proa::detail::timer_queue<steady> queue;
  per_timer_data& a = queue.create_timer();
  per_timer_data& b = queue.create_timer();
  test_wait wa, wb;
  const auto base = steady::now() + std::chrono::hours(1);
  queue.enqueue(a, base + std::chrono::seconds(5), &wa, false);
  queue.enqueue(b, base, &wb, false);
  std::int64_t steady_now = -1;
  EXPECT_EQ(queue.next_expiry_steady_ns(steady_now),
            std::chrono::duration_cast<std::chrono::nanoseconds>(base.time_since_epoch()).count());
  operation_queue all;
  queue.take_all(all);
  EXPECT_EQ(ids(all).size(), 2u);
}

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int actions_per_user = 4'000;
#else
constexpr int actions_per_user = 40'000;
#endif

// One thread's timers (timer objects are not thread-safe: each thread uses only its own) and
// the waits it started, counted by the handlers that run on the context's threads.
template <typename Timer>
struct user_timers {
  static constexpr int count = 24;
  std::vector<std::unique_ptr<Timer>> timers;
  proa::cancellation_signal signals[count];
  std::atomic<bool> slot_in_use[count] = {};
  user_timers(proa::io_context& ctx) {
    for (int i = 0; i < count; ++i) timers.push_back(std::make_unique<Timer>(ctx));
  }
};

struct wait_counts {
  std::atomic<long> started{0};
  std::atomic<long> completed{0};
  std::atomic<long> aborted{0};
  std::atomic<long> wrong_result{0};
  std::atomic<long> final_expiries{0};
};

// Re-arms every timer to expire at once (cancelling what is pending), waits until all of those
// waits have fired, then destroys the timers (cancelling the hour-long ones left).
template <typename Timer>
void finish(user_timers<Timer>& mine, wait_counts& counts) {
  std::atomic<int> fired{0};
  for (auto& timer : mine.timers) {
    timer->expires_after(std::chrono::seconds(0));
    counts.started.fetch_add(1, std::memory_order_relaxed);
    timer->async_wait([&counts, &fired](std::error_code ec) {
      if (ec) counts.wrong_result.fetch_add(1, std::memory_order_relaxed);
      counts.completed.fetch_add(1, std::memory_order_relaxed);
      counts.final_expiries.fetch_add(1, std::memory_order_relaxed);
      fired.fetch_add(1, std::memory_order_release);
    });
  }
  while (fired.load(std::memory_order_acquire) != user_timers<Timer>::count)
    std::this_thread::yield();
  mine.timers.clear();
  // The slot-bound waits must finish before their signals go.
  for (auto& flag : mine.slot_in_use)
    while (flag.load(std::memory_order_acquire)) std::this_thread::yield();
}

template <typename Timer>
void act(proa::io_context& ctx, user_timers<Timer>& mine, std::mt19937& random,
         wait_counts& counts) {
  const int k = static_cast<int>(random() % user_timers<Timer>::count);
  Timer& timer = *mine.timers[static_cast<std::size_t>(k)];
  auto handler = [&counts](std::error_code ec) {
    if (ec == proa::error::operation_aborted)
      counts.aborted.fetch_add(1, std::memory_order_relaxed);
    else if (ec)
      counts.wrong_result.fetch_add(1, std::memory_order_relaxed);
    counts.completed.fetch_add(1, std::memory_order_relaxed);
  };
  switch (random() % 10) {
    case 0:
    case 1:
    case 2:
    case 3:  // re-arm (cancelling what is pending) and wait, now or much later
      if (random() % 4 == 0)
        timer.expires_after(std::chrono::hours(1));
      else
        timer.expires_after(std::chrono::microseconds(random() % 300));
      counts.started.fetch_add(1, std::memory_order_relaxed);
      timer.async_wait(handler);
      break;
    case 4:  // another wait on the same expiry
      counts.started.fetch_add(1, std::memory_order_relaxed);
      timer.async_wait(handler);
      break;
    case 5:
      timer.cancel();
      break;
    case 6:
      timer.cancel_one();
      break;
    case 7:  // destroy it with whatever is pending, and start over
      mine.timers[static_cast<std::size_t>(k)] = std::make_unique<Timer>(ctx);
      break;
    case 8: {  // a wait cancellable on its own, once the slot's previous wait is done
      if (mine.slot_in_use[k].load(std::memory_order_acquire)) break;
      mine.slot_in_use[k].store(true, std::memory_order_relaxed);
      counts.started.fetch_add(1, std::memory_order_relaxed);
      timer.async_wait(proa::bind_cancellation_slot(
          mine.signals[k].slot(), [handler, &flag = mine.slot_in_use[k]](std::error_code ec) {
            handler(ec);
            flag.store(false, std::memory_order_release);
          }));
      break;
    }
    case 9:
      mine.signals[k].emit(proa::cancellation_type::terminal);
      break;
  }
}

// Several threads arm, re-arm, cancel and destroy steady and system timers of one context
// while two threads run it: every wait completes exactly once, and run() returns once the
// last one did (the timers' share of outstanding work is counted right).
TEST(TimerQueueUnderThreads, EveryWaitCompletesOnceAndRunReturnsWhenTheyAreDone) {
  proa::io_context ctx;
  wait_counts counts;
  auto guard = std::make_unique<proa::executor_work_guard<proa::io_context::executor_type>>(
      ctx.get_executor());
  std::vector<std::thread> runners;
  for (int i = 0; i < 2; ++i) runners.emplace_back([&ctx] { ctx.run(); });
  std::vector<std::thread> users;
  for (int u = 0; u < 2; ++u) {
    users.emplace_back([&ctx, &counts, u] {
      std::mt19937 random(static_cast<unsigned>(100 + u));
      user_timers<proa::steady_timer> steady(ctx);
      user_timers<proa::system_timer> system(ctx);
      for (int i = 0; i < actions_per_user; ++i) {
        if (random() % 4 == 0)
          act(ctx, system, random, counts);
        else
          act(ctx, steady, random, counts);
      }
      finish(steady, counts);
      finish(system, counts);
    });
  }
  for (auto& user : users) user.join();
  guard.reset();
  for (auto& runner : runners) runner.join();
  EXPECT_EQ(counts.completed.load(), counts.started.load());
  EXPECT_GT(counts.aborted.load(), 0);
  EXPECT_EQ(counts.final_expiries.load(), 2 * 2 * user_timers<proa::steady_timer>::count);
  EXPECT_EQ(counts.wrong_result.load(), 0);
}

}  // namespace
