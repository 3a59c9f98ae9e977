// io_context::stop() must wake every thread blocked in run() (even with outstanding work) and
// leave the context reusable after restart().
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime_under_test.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
constexpr int kRunners = 4;

// Starts kRunners threads in ctx.run(); each arrives at `returned` when its run() returns.
std::vector<std::thread> start_runners(rt::io_context& ctx, runtime_test::countdown& returned) {
  std::vector<std::thread> runners;
  for (int t = 0; t < kRunners; ++t) {
    runners.emplace_back([&ctx, &returned] {
      ctx.run();
      returned.arrive();
    });
  }
  return runners;
}

// Waits until every runner is inside run(): each runs one blocking handler at the same time.
void wait_until_all_runners_are_inside_run(rt::io_context& ctx) {
  // Shared with the handlers, which may still be leaving wait_for() when this function returns.
  auto inside = std::make_shared<runtime_test::countdown>(kRunners);
  auto release = std::make_shared<runtime_test::notification>();
  for (int t = 0; t < kRunners; ++t) {
    rt::post(ctx, [inside, release] {
      inside->arrive();
      release->wait_for();
    });
  }
  const bool all_inside = inside->wait_for();
  release->notify();
  ASSERT_TRUE(all_inside) << "all runner threads must pick up a handler";
}

TEST(RuntimeStop, StopFromAnotherThreadWakesEveryRunner) {
  runtime_test::hang_watchdog watchdog("StopFromAnotherThreadWakesEveryRunner");
  rt::io_context ctx;
  auto guard = rt::make_work_guard(ctx);
  runtime_test::countdown returned(kRunners);
  auto runners = start_runners(ctx, returned);
  wait_until_all_runners_are_inside_run(ctx);
  // Give the runners time to go back to sleep, so stop() has to wake blocked threads.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));

  clock_type::time_point stop_called;
  std::thread stopper([&] {
    stop_called = clock_type::now();
    ctx.stop();
  });
  stopper.join();
  const bool all_returned =
      returned.wait_for(std::chrono::seconds(runtime_test::sanitized ? 10 : 2));
  const auto wake_latency = clock_type::now() - stop_called;
  EXPECT_TRUE(all_returned) << "stop() must wake every thread blocked in run()";
  std::printf("stop() -> all %d runners returned in %lld us\n", kRunners,
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::microseconds>(wake_latency).count()));
  for (auto& runner : runners) runner.join();
  EXPECT_TRUE(ctx.stopped());
}

TEST(RuntimeStop, StopFromInsideAHandlerWakesTheOtherRunners) {
  runtime_test::hang_watchdog watchdog("StopFromInsideAHandlerWakesTheOtherRunners");
  rt::io_context ctx;
  auto guard = rt::make_work_guard(ctx);
  runtime_test::countdown returned(kRunners);
  auto runners = start_runners(ctx, returned);
  wait_until_all_runners_are_inside_run(ctx);
  rt::post(ctx, [&] { ctx.stop(); });
  EXPECT_TRUE(returned.wait_for());
  for (auto& runner : runners) runner.join();
}

TEST(RuntimeStop, RestartAfterStopRunsTheWorkLeftBehind) {
  runtime_test::hang_watchdog watchdog("RestartAfterStopRunsTheWorkLeftBehind");
  rt::io_context ctx;
  std::atomic<int> ran{0};
  ctx.stop();
  for (int i = 0; i < 10; ++i) rt::post(ctx, [&] { ++ran; });
  std::thread runner([&] { EXPECT_EQ(ctx.run(), 0u); });
  runner.join();
  EXPECT_EQ(ran.load(), 0);

  ctx.restart();
  std::size_t result = 0;
  std::thread second_runner([&] { result = ctx.run(); });
  second_runner.join();
  EXPECT_EQ(result, 10u);
  EXPECT_EQ(ran.load(), 10);
}

TEST(RuntimeStop, StopIsIdempotentAndStoppedIsVisibleFromOtherThreads) {
  runtime_test::hang_watchdog watchdog("StopIsIdempotentAndStoppedIsVisibleFromOtherThreads");
  rt::io_context ctx;
  EXPECT_FALSE(ctx.stopped());
  std::thread stopper([&] {
    ctx.stop();
    ctx.stop();
  });
  stopper.join();
  EXPECT_TRUE(ctx.stopped());
  ctx.restart();
  EXPECT_FALSE(ctx.stopped());
}

}  // namespace
