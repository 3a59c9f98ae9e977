// When io_context::run() and its relatives (run_one, poll, poll_one, run_for, run_until,
// run_one_for) return, and what they return, with stopped()/restart() around them.
#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime_under_test.hpp"

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

TEST(RuntimeRun, RunOnEmptyContextReturnsZeroAndStops) {
  runtime_test::hang_watchdog watchdog("RunOnEmptyContextReturnsZeroAndStops");
  rt::io_context ctx;
  EXPECT_FALSE(ctx.stopped());
  EXPECT_EQ(ctx.run(), 0u);
  EXPECT_TRUE(ctx.stopped()) << "running out of work stops the context";
}

TEST(RuntimeRun, RunReturnsTheNumberOfHandlersExecuted) {
  runtime_test::hang_watchdog watchdog("RunReturnsTheNumberOfHandlersExecuted");
  rt::io_context ctx;
  int ran = 0;
  for (int i = 0; i < 5; ++i) rt::post(ctx, [&] { ++ran; });
  EXPECT_EQ(ran, 0) << "post never runs the handler before run()";
  EXPECT_EQ(ctx.run(), 5u);
  EXPECT_EQ(ran, 5);
  EXPECT_TRUE(ctx.stopped());
}

TEST(RuntimeRun, HandlersPostingMoreKeepRunGoing) {
  runtime_test::hang_watchdog watchdog("HandlersPostingMoreKeepRunGoing");
  rt::io_context ctx;
  int depth = 0;
  std::function<void()> step = [&] {
    if (++depth < 10) rt::post(ctx, step);
  };
  rt::post(ctx, step);
  EXPECT_EQ(ctx.run(), 10u);
  EXPECT_EQ(depth, 10);
}

TEST(RuntimeRun, PostAfterRunningOutOfWorkNeedsRestart) {
  runtime_test::hang_watchdog watchdog("PostAfterRunningOutOfWorkNeedsRestart");
  rt::io_context ctx;
  int ran = 0;
  rt::post(ctx, [&] { ++ran; });
  EXPECT_EQ(ctx.run(), 1u);
  ASSERT_TRUE(ctx.stopped());

  rt::post(ctx, [&] { ++ran; });
  EXPECT_EQ(ctx.run(), 0u) << "a stopped context runs nothing";
  EXPECT_EQ(ctx.run_one(), 0u);
  EXPECT_EQ(ctx.poll(), 0u);
  EXPECT_EQ(ctx.poll_one(), 0u);
  EXPECT_EQ(ran, 1);

  ctx.restart();
  EXPECT_FALSE(ctx.stopped());
  EXPECT_EQ(ctx.run(), 1u) << "the handler queued while stopped survives and runs";
  EXPECT_EQ(ran, 2);
}

TEST(RuntimeRun, StopInsideAHandlerLeavesTheRestQueued) {
  runtime_test::hang_watchdog watchdog("StopInsideAHandlerLeavesTheRestQueued");
  rt::io_context ctx;
  std::vector<int> order;
  rt::post(ctx, [&] { order.push_back(1); ctx.stop(); });
  rt::post(ctx, [&] { order.push_back(2); });
  rt::post(ctx, [&] { order.push_back(3); });
  EXPECT_EQ(ctx.run(), 1u);
  EXPECT_TRUE(ctx.stopped());
  EXPECT_EQ(order, (std::vector<int>{1}));
  ctx.restart();
  EXPECT_EQ(ctx.run(), 2u);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(RuntimeRun, StopBeforeRunMakesRunReturnAtOnceEvenWithWork) {
  runtime_test::hang_watchdog watchdog("StopBeforeRunMakesRunReturnAtOnceEvenWithWork");
  rt::io_context ctx;
  auto guard = rt::make_work_guard(ctx);
  int ran = 0;
  rt::post(ctx, [&] { ++ran; });
  ctx.stop();
  EXPECT_TRUE(ctx.stopped());
  EXPECT_EQ(ctx.run(), 0u);
  EXPECT_EQ(ran, 0);
  ctx.restart();
  EXPECT_EQ(ctx.poll(), 1u);
  EXPECT_EQ(ran, 1);
}

TEST(RuntimeRun, RunOneRunsOneHandlerAtATime) {
  runtime_test::hang_watchdog watchdog("RunOneRunsOneHandlerAtATime");
  rt::io_context ctx;
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) rt::post(ctx, [&order, i] { order.push_back(i); });
  EXPECT_EQ(ctx.run_one(), 1u);
  EXPECT_EQ(order, (std::vector<int>{0}));
  EXPECT_FALSE(ctx.stopped());
  EXPECT_EQ(ctx.run_one(), 1u);
  EXPECT_EQ(ctx.run_one(), 1u);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(ctx.run_one(), 0u) << "out of work: returns instead of blocking";
  EXPECT_TRUE(ctx.stopped());
}

TEST(RuntimeRun, PollRunsEveryReadyHandlerIncludingOnesPostedDuringThePoll) {
  runtime_test::hang_watchdog watchdog("PollRunsEveryReadyHandlerIncludingOnesPostedDuringThePoll");
  rt::io_context ctx;
  int ran = 0;
  rt::post(ctx, [&] {
    ++ran;
    rt::post(ctx, [&] { ++ran; });
  });
  rt::post(ctx, [&] { ++ran; });
  EXPECT_EQ(ctx.poll(), 3u);
  EXPECT_EQ(ran, 3);
  EXPECT_TRUE(ctx.stopped()) << "poll() that drains all work stops the context too";
}

TEST(RuntimeRun, PollDoesNotBlockWhileWorkIsOutstanding) {
  runtime_test::hang_watchdog watchdog("PollDoesNotBlockWhileWorkIsOutstanding");
  rt::io_context ctx;
  auto guard = rt::make_work_guard(ctx);
  EXPECT_EQ(ctx.poll(), 0u);
  EXPECT_EQ(ctx.poll_one(), 0u);
  EXPECT_FALSE(ctx.stopped()) << "outstanding work: nothing ready is not the same as no work";

  rt::steady_timer far_timer(ctx, std::chrono::hours(1));
  far_timer.async_wait([](const rt_error_code&) {});
  EXPECT_EQ(ctx.poll(), 0u) << "a pending timer is not ready";
  EXPECT_FALSE(ctx.stopped());
  far_timer.cancel();
  EXPECT_EQ(ctx.poll(), 1u) << "the cancelled wait's handler is ready now";
}

TEST(RuntimeRun, PollOneRunsAtMostOne) {
  runtime_test::hang_watchdog watchdog("PollOneRunsAtMostOne");
  rt::io_context ctx;
  EXPECT_EQ(ctx.poll_one(), 0u);
  EXPECT_TRUE(ctx.stopped());
  ctx.restart();
  int ran = 0;
  rt::post(ctx, [&] { ++ran; });
  rt::post(ctx, [&] { ++ran; });
  EXPECT_EQ(ctx.poll_one(), 1u);
  EXPECT_EQ(ran, 1);
  EXPECT_FALSE(ctx.stopped());
  EXPECT_EQ(ctx.poll_one(), 1u);
  EXPECT_EQ(ran, 2);
  EXPECT_TRUE(ctx.stopped()) << "the last unit of work finished";
  EXPECT_EQ(ctx.poll_one(), 0u);
}

TEST(RuntimeRun, RunForReturnsEarlyWhenWorkRunsOut) {
  runtime_test::hang_watchdog watchdog("RunForReturnsEarlyWhenWorkRunsOut");
  rt::io_context ctx;
  for (int i = 0; i < 3; ++i) rt::post(ctx, [] {});
  const auto start = clock_type::now();
  EXPECT_EQ(ctx.run_for(std::chrono::seconds(60)), 3u);
  EXPECT_LT(clock_type::now() - start, runtime_test::hang_limit)
      << "run_for must not wait out its duration once work runs out";
  EXPECT_TRUE(ctx.stopped());
}

TEST(RuntimeRun, RunForWithOutstandingWorkReturnsAfterTheDuration) {
  runtime_test::hang_watchdog watchdog("RunForWithOutstandingWorkReturnsAfterTheDuration");
  rt::io_context ctx;
  auto guard = rt::make_work_guard(ctx);
  rt::post(ctx, [] {});
  rt::post(ctx, [] {});
  const auto start = clock_type::now();
  EXPECT_EQ(ctx.run_for(50ms), 2u);
  EXPECT_GE(clock_type::now() - start, 50ms);
  EXPECT_FALSE(ctx.stopped()) << "a time limit is not a stop";
}

TEST(RuntimeRun, RunUntilWithOutstandingWorkReturnsAtTheDeadline) {
  runtime_test::hang_watchdog watchdog("RunUntilWithOutstandingWorkReturnsAtTheDeadline");
  rt::io_context ctx;
  auto guard = rt::make_work_guard(ctx);
  int ran = 0;
  rt::post(ctx, [&] { ++ran; });
  const auto deadline = clock_type::now() + 40ms;
  EXPECT_EQ(ctx.run_until(deadline), 1u);
  EXPECT_GE(clock_type::now(), deadline);
  EXPECT_EQ(ran, 1);

  // A deadline in the past runs nothing, not even ready handlers.
  rt::post(ctx, [&] { ++ran; });
  EXPECT_EQ(ctx.run_until(clock_type::now() - 1s), 0u);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(ctx.poll(), 1u);
}

TEST(RuntimeRun, RunOneForReturnsOneHandlerOrZeroAfterTheDuration) {
  runtime_test::hang_watchdog watchdog("RunOneForReturnsOneHandlerOrZeroAfterTheDuration");
  rt::io_context ctx;
  auto guard = rt::make_work_guard(ctx);
  const auto start = clock_type::now();
  EXPECT_EQ(ctx.run_one_for(30ms), 0u);
  EXPECT_GE(clock_type::now() - start, 30ms);

  int ran = 0;
  rt::post(ctx, [&] { ++ran; });
  rt::post(ctx, [&] { ++ran; });
  EXPECT_EQ(ctx.run_one_for(std::chrono::seconds(60)), 1u);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(ctx.run_one_until(clock_type::now() + std::chrono::seconds(60)), 1u);
  EXPECT_EQ(ran, 2);
}

TEST(RuntimeRun, RunOneForWakesForATimerThatExpiresWithinTheDuration) {
  runtime_test::hang_watchdog watchdog("RunOneForWakesForATimerThatExpiresWithinTheDuration");
  rt::io_context ctx;
  auto guard = rt::make_work_guard(ctx);
  rt::steady_timer timer(ctx, 20ms);
  bool fired = false;
  timer.async_wait([&](const rt_error_code& ec) { fired = !ec; });
  const auto start = clock_type::now();
  EXPECT_EQ(ctx.run_one_for(runtime_test::hang_limit), 1u);
  EXPECT_TRUE(fired);
  EXPECT_LT(clock_type::now() - start, runtime_test::hang_limit);
}

}  // namespace
