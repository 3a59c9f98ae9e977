// Stress: many threads run() one io_context while several producers post to it; every handler
// must run exactly once and run() must account for every one of them.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime_under_test.hpp"

namespace {

constexpr int kRunnerThreads = 8;
constexpr int kProducers = 4;
constexpr int kTotalHandlers = runtime_test::scaled(1'000'000, 100'000);
constexpr int kPerProducer = kTotalHandlers / kProducers;
static_assert(kPerProducer % 2 == 0, "the in-handler producer splits its share in two");

TEST(RuntimeManyThreads, EveryHandlerRunsExactlyOnceAndRunCountsThemAll) {
  runtime_test::hang_watchdog watchdog("EveryHandlerRunsExactlyOnceAndRunCountsThemAll",
                                       runtime_test::hang_limit * 4);
  rt::io_context ctx;
  auto runs = std::make_unique<std::atomic<int>[]>(kTotalHandlers);
  for (int i = 0; i < kTotalHandlers; ++i) runs[i].store(0, std::memory_order_relaxed);
  std::atomic<long> handlers_run{0};

  auto mark = [&](int id) {
    runs[id].fetch_add(1, std::memory_order_relaxed);
    handlers_run.fetch_add(1, std::memory_order_relaxed);
  };

  // Producer 0 posts everything before any thread calls run().
  std::thread early_producer([&] {
    for (int i = 0; i < kPerProducer; ++i) rt::post(ctx, [&mark, i] { mark(i); });
  });
  early_producer.join();

  auto guard = rt::make_work_guard(ctx);
  std::vector<std::size_t> run_results(kRunnerThreads, 0);
  std::vector<std::thread> runners;
  for (int t = 0; t < kRunnerThreads; ++t)
    runners.emplace_back([&ctx, &run_results, t] { run_results[t] = ctx.run(); });

  // Producers 1 and 2 post while the runners are running.
  std::vector<std::thread> producers;
  for (int p = 1; p <= 2; ++p) {
    producers.emplace_back([&, p] {
      const int base = p * kPerProducer;
      for (int i = 0; i < kPerProducer; ++i) rt::post(ctx, [&mark, id = base + i] { mark(id); });
    });
  }
  // Producer 3 posts half its share; each of those handlers posts one more from inside run().
  producers.emplace_back([&] {
    const int base = 3 * kPerProducer;
    const int half = kPerProducer / 2;
    for (int i = 0; i < half; ++i) {
      rt::post(ctx, [&ctx, &mark, id = base + i, child = base + half + i] {
        rt::post(ctx, [&mark, child] { mark(child); });
        mark(id);
      });
    }
  });
  for (auto& producer : producers) producer.join();

  // All posting is done (the in-handler posts happen while their parent still counts as work),
  // so dropping the guard lets run() return once the queue drains.
  guard.reset();
  for (auto& runner : runners) runner.join();

  EXPECT_EQ(handlers_run.load(), kTotalHandlers);
  int never_ran = 0;
  int ran_more_than_once = 0;
  for (int i = 0; i < kTotalHandlers; ++i) {
    const int count = runs[i].load(std::memory_order_relaxed);
    if (count == 0) ++never_ran;
    if (count > 1) ++ran_more_than_once;
  }
  EXPECT_EQ(never_ran, 0);
  EXPECT_EQ(ran_more_than_once, 0);

  std::size_t run_total = 0;
  for (std::size_t result : run_results) run_total += result;
  EXPECT_EQ(run_total, static_cast<std::size_t>(kTotalHandlers))
      << "the values returned by run() must add up to the handlers executed";
  EXPECT_TRUE(ctx.stopped());
}

// One thread runs a self-feeding chain of handlers alone; a second thread joins run() in the
// middle of it. Every handler still runs exactly once (proa switches its run queues from
// single-owner claims to shared ones at that moment).
TEST(RuntimeManyThreads, ASecondThreadJoiningABusyContextLosesAndRepeatsNothing) {
  runtime_test::hang_watchdog watchdog("ASecondThreadJoiningABusyContextLosesAndRepeatsNothing");
  constexpr int kRounds = runtime_test::scaled(40, 10);
  constexpr int kChains = 64;
  constexpr int kLinks = runtime_test::scaled(2000, 400);
  for (int round = 0; round < kRounds; ++round) {
    rt::io_context ctx;
    auto runs = std::make_unique<std::atomic<int>[]>(kChains * kLinks);
    for (int i = 0; i < kChains * kLinks; ++i) runs[i].store(0, std::memory_order_relaxed);
    std::atomic<int> handlers{0};
    std::atomic<bool> second_may_join{false};
    // Each link posts the next one of its chain, so the first thread's queue stays full.
    std::function<void(int, int)> link = [&](int chain, int index) {
      runs[chain * kLinks + index].fetch_add(1, std::memory_order_relaxed);
      if (handlers.fetch_add(1, std::memory_order_relaxed) == round * 37)
        second_may_join.store(true, std::memory_order_release);
      if (index + 1 < kLinks) rt::post(ctx, [&link, chain, index] { link(chain, index + 1); });
    };
    for (int chain = 0; chain < kChains; ++chain)
      rt::post(ctx, [&link, chain] { link(chain, 0); });
    std::size_t first_ran = 0, second_ran = 0;
    std::thread first([&] { first_ran = ctx.run(); });
    while (!second_may_join.load(std::memory_order_acquire) && !ctx.stopped())
      std::this_thread::yield();
    std::thread second([&] { second_ran = ctx.run(); });
    first.join();
    second.join();
    ASSERT_EQ(handlers.load(), kChains * kLinks) << "round " << round;
    for (int i = 0; i < kChains * kLinks; ++i)
      ASSERT_EQ(runs[i].load(std::memory_order_relaxed), 1) << "handler " << i << ", round " << round;
    EXPECT_EQ(first_ran + second_ran, static_cast<std::size_t>(kChains * kLinks));
  }
}

// A handler that blocks until a handler queued behind it has run: a thread that joins run()
// later must run that one, even though the blocked thread's queue holds it.
TEST(RuntimeManyThreads, AThreadJoiningLaterRunsWhatABlockedHandlerWaitsFor) {
  runtime_test::hang_watchdog watchdog("AThreadJoiningLaterRunsWhatABlockedHandlerWaitsFor");
  for (int round = 0; round < runtime_test::scaled(50, 10); ++round) {
    rt::io_context ctx;
    std::atomic<bool> blocked{false};
    std::atomic<bool> released{false};
    rt::post(ctx, [&] {
      rt::post(ctx, [&] { released.store(true, std::memory_order_release); });
      blocked.store(true, std::memory_order_release);
      while (!released.load(std::memory_order_acquire)) std::this_thread::yield();
    });
    std::thread first([&] { ctx.run(); });
    while (!blocked.load(std::memory_order_acquire)) std::this_thread::yield();
    std::thread second([&] { ctx.run(); });
    first.join();
    second.join();
    EXPECT_TRUE(released.load());
  }
}

// On a pool whose threads are all asleep, a handler posts work and then waits for it to run.
// Another thread of the pool must run it (Asio's queue is shared; proa's worker queue is
// stolen from), however few handlers the waiting one queued.
TEST(RuntimeManyThreads, AHandlerWaitingForWorkItPostedIsServedByAnotherThread) {
  runtime_test::hang_watchdog watchdog("AHandlerWaitingForWorkItPostedIsServedByAnotherThread");
  for (int queued : {1, 2, 6, 1}) {
    rt::thread_pool pool(2);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // both threads asleep
    std::atomic<int> done{0};
    rt::post(pool, [&] {
      for (int i = 0; i < queued; ++i) rt::post(pool, [&] { done.fetch_add(1); });
      while (done.load() < queued) std::this_thread::yield();
    });
    pool.join();
    EXPECT_EQ(done.load(), queued);
  }
}

}  // namespace
