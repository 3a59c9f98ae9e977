// Outstanding work: executor_work_guard keeps run()/join() from returning, and thread_pool's
// join/wait/stop/attach lifecycle; system_executor runs posted work on its own threads.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime_under_test.hpp"

namespace {

TEST(RuntimeWork, WorkGuardKeepsRunAliveUntilReset) {
  runtime_test::hang_watchdog watchdog("WorkGuardKeepsRunAliveUntilReset");
  rt::io_context ctx;
  auto guard = rt::make_work_guard(ctx);
  static_assert(
      std::is_same_v<decltype(guard), rt::executor_work_guard<rt::io_context::executor_type>>);
  EXPECT_TRUE(guard.owns_work());
  EXPECT_TRUE(guard.get_executor() == ctx.get_executor());

  std::atomic<bool> run_returned{false};
  std::size_t handlers = 0;
  std::thread runner([&] {
    handlers = ctx.run();
    run_returned = true;
  });
  runtime_test::notification first;
  rt::post(ctx, [&] { first.notify(); });
  ASSERT_TRUE(first.wait_for());
  // The queue has drained; only the guard keeps run() in place to take this one.
  runtime_test::notification second;
  bool run_was_alive = false;
  rt::post(ctx, [&] {
    run_was_alive = !run_returned;
    second.notify();
  });
  EXPECT_TRUE(second.wait_for()) << "run() returned although a work guard existed";
  EXPECT_TRUE(run_was_alive);

  guard.reset();
  EXPECT_FALSE(guard.owns_work());
  runner.join();  // bounded by the watchdog: reset() must release run()
  EXPECT_EQ(handlers, 2u);
}

TEST(RuntimeWork, ResettingTheLastGuardStopsTheContext) {
  rt::io_context ctx;
  auto guard = rt::make_work_guard(ctx);
  auto copy = guard;
  auto moved = std::move(copy);
  EXPECT_FALSE(copy.owns_work()) << "a moved-from guard gives its work to the new one";
  EXPECT_TRUE(moved.owns_work());
  int ran = 0;
  rt::post(ctx, [&] { ++ran; });
  EXPECT_EQ(ctx.poll(), 1u);
  EXPECT_FALSE(ctx.stopped()) << "two guards hold the context";
  guard.reset();
  guard.reset();  // idempotent: must not release the other guard's work
  EXPECT_FALSE(ctx.stopped());
  EXPECT_EQ(ctx.poll(), 0u);
  EXPECT_FALSE(ctx.stopped());
  moved.reset();
  EXPECT_TRUE(ctx.stopped()) << "the outstanding work count reached zero";
  EXPECT_EQ(ctx.run(), 0u);
}

// The last guard goes on one thread while a handler on another starts new work (a timer) and
// returns: run() must wait for that timer. proa read its two counters (outstanding work,
// active workers) one after the other, and a worker that started work and went idle between
// the two reads made the context stop early. The window is narrow: many rounds, and a test
// that can only catch it some of the time.
TEST(RuntimeWork, WorkStartedAsTheLastGuardGoesKeepsRunGoing) {
  runtime_test::hang_watchdog watchdog("WorkStartedAsTheLastGuardGoesKeepsRunGoing");
  const int rounds = runtime_test::scaled(3000, 300);
  int stopped_early = 0;
  for (int round = 0; round < rounds; ++round) {
    rt::io_context ctx;
    rt::steady_timer timer(ctx);
    auto guard = rt::make_work_guard(ctx);
    std::atomic<bool> go{false};
    std::atomic<bool> fired{false};
    rt::post(ctx, [&] {
      while (!go.load(std::memory_order_acquire)) {
      }
      timer.expires_after(std::chrono::microseconds(50));
      timer.async_wait([&](const std::error_code&) { fired.store(true); });
    });
    std::thread runner([&] { ctx.run(); });
    go.store(true, std::memory_order_release);
    guard.reset();
    runner.join();
    if (!fired.load()) ++stopped_early;
  }
  EXPECT_EQ(stopped_early, 0) << "run() returned with a timer pending";
}

TEST(RuntimeWork, MakeWorkGuardFromAnExecutor) {
  rt::io_context ctx;
  auto guard = rt::make_work_guard(ctx.get_executor());
  static_assert(
      std::is_same_v<decltype(guard), rt::executor_work_guard<rt::io_context::executor_type>>);
  rt::executor_work_guard<rt::io_context::executor_type> explicit_guard(ctx.get_executor());
  EXPECT_TRUE(explicit_guard.owns_work());
  EXPECT_EQ(ctx.poll(), 0u);
  EXPECT_FALSE(ctx.stopped());
}

TEST(RuntimeWork, WorkGuardKeepsAThreadPoolJoinWaiting) {
  runtime_test::hang_watchdog watchdog("WorkGuardKeepsAThreadPoolJoinWaiting");
  rt::thread_pool pool(2);
  auto guard = rt::make_work_guard(pool);
  static_assert(std::is_same_v<decltype(guard),
                               rt::executor_work_guard<rt::thread_pool::executor_type>>);
  std::atomic<bool> join_returned{false};
  std::thread joiner([&] {
    pool.join();
    join_returned = true;
  });
  runtime_test::notification first;
  rt::post(pool, [&] { first.notify(); });
  ASSERT_TRUE(first.wait_for());
  runtime_test::notification second;
  bool pool_was_alive = false;
  rt::post(pool, [&] {
    pool_was_alive = !join_returned;
    second.notify();
  });
  EXPECT_TRUE(second.wait_for()) << "the pool's threads ended although a work guard existed";
  EXPECT_TRUE(pool_was_alive);
  guard.reset();
  joiner.join();  // bounded by the watchdog
  EXPECT_TRUE(join_returned);
}

TEST(RuntimeWork, ThreadPoolJoinWaitsForAllWorkIncludingNestedPosts) {
  runtime_test::hang_watchdog watchdog("ThreadPoolJoinWaitsForAllWorkIncludingNestedPosts");
  constexpr int kHandlers = runtime_test::scaled(10'000, 2'000);
  rt::static_thread_pool pool(3);
  std::atomic<int> ran{0};
  for (int i = 0; i < kHandlers; ++i) {
    rt::post(pool, [&] {
      ++ran;
      rt::post(pool, [&] { ++ran; });
    });
  }
  pool.join();
  EXPECT_EQ(ran.load(), 2 * kHandlers);
}

TEST(RuntimeWork, ThreadPoolWaitWaitsForAllWork) {
  runtime_test::hang_watchdog watchdog("ThreadPoolWaitWaitsForAllWork");
  constexpr int kHandlers = runtime_test::scaled(10'000, 2'000);
  rt::thread_pool pool(2);
  std::atomic<int> ran{0};
  for (int i = 0; i < kHandlers; ++i) rt::post(pool.get_executor(), [&] { ++ran; });
  pool.wait();
  EXPECT_EQ(ran.load(), kHandlers);
}

TEST(RuntimeWork, ThreadPoolStopEndsJoinDespiteOutstandingWork) {
  runtime_test::hang_watchdog watchdog("ThreadPoolStopEndsJoinDespiteOutstandingWork");
  rt::thread_pool pool(2);
  auto guard = rt::make_work_guard(pool);
  std::atomic<int> ran{0};
  rt::post(pool, [&] { ++ran; });
  pool.stop();
  pool.join();  // the guard still exists: only stop() can end this
  const int ran_before_late_post = ran.load();
  EXPECT_LE(ran_before_late_post, 1);
  rt::post(pool, [&] { ++ran; });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(ran.load(), ran_before_late_post) << "a stopped, joined pool runs nothing";
}

TEST(RuntimeWork, AttachLendsTheCallingThreadToThePool) {
  runtime_test::hang_watchdog watchdog("AttachLendsTheCallingThreadToThePool");
  rt::thread_pool pool(1);
  // Occupy the pool's only thread, so the next handler can only run on the attached one.
  runtime_test::notification pool_thread_busy;
  runtime_test::notification release;
  rt::post(pool, [&] {
    pool_thread_busy.notify();
    release.wait_for();
  });
  ASSERT_TRUE(pool_thread_busy.wait_for());

  std::atomic<bool> attach_returned{false};
  std::thread attached([&] {
    pool.attach();
    attach_returned = true;
  });
  runtime_test::notification ran;
  std::thread::id ran_on;
  rt::post(pool, [&] {
    ran_on = std::this_thread::get_id();
    ran.notify();
  });
  EXPECT_TRUE(ran.wait_for());
  EXPECT_EQ(ran_on, attached.get_id());
  EXPECT_FALSE(attach_returned) << "attach() blocks until the pool is joined or stopped";
  release.notify();
  pool.join();
  attached.join();  // join() ended the attached thread's stint too
  EXPECT_TRUE(attach_returned);
}

TEST(RuntimeWork, SystemExecutorPostRunsOnAnotherThreadDispatchInline) {
  runtime_test::hang_watchdog watchdog("SystemExecutorPostRunsOnAnotherThreadDispatchInline");
  rt::system_executor ex;
  runtime_test::notification posted_ran;
  std::thread::id posted_on;
  rt::post(ex, [&] {
    posted_on = std::this_thread::get_id();
    posted_ran.notify();
  });
  ASSERT_TRUE(posted_ran.wait_for());
  EXPECT_NE(posted_on, std::this_thread::get_id());

  runtime_test::notification deferred_ran;
  std::thread::id deferred_on;
  rt::defer(ex, [&] {
    deferred_on = std::this_thread::get_id();
    deferred_ran.notify();
  });
  ASSERT_TRUE(deferred_ran.wait_for());
  EXPECT_NE(deferred_on, std::this_thread::get_id());

  std::thread::id dispatched_on;
  rt::dispatch(ex, [&] { dispatched_on = std::this_thread::get_id(); });
  EXPECT_EQ(dispatched_on, std::this_thread::get_id()) << "system_executor dispatch is inline";
  EXPECT_TRUE(ex == rt::system_executor());
}

}  // namespace
