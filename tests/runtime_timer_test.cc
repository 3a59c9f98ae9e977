// Waitable timers: completion order, cancellation (cancel, expires_after, destruction), the
// synchronous wait(), and the clock variants (steady, system, high_resolution).
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

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

TEST(RuntimeTimer, TimersCompleteInExpiryOrder) {
  runtime_test::hang_watchdog watchdog("TimersCompleteInExpiryOrder");
  rt::io_context ctx;
  // Created out of expiry order; one already expired, two sharing no expiry with the others.
  const std::vector<std::chrono::milliseconds> delays{40ms, 10ms, 30ms, -5ms, 20ms, 0ms, 50ms};
  const auto base = clock_type::now();
  std::vector<std::unique_ptr<rt::steady_timer>> timers;
  std::vector<std::size_t> completed;
  int failures = 0;
  for (std::size_t i = 0; i < delays.size(); ++i) {
    timers.push_back(std::make_unique<rt::steady_timer>(ctx));
    timers.back()->expires_at(base + delays[i]);
    timers.back()->async_wait([&, i](const rt_error_code& ec) {
      if (ec) ++failures;
      if (clock_type::now() < base + delays[i]) ++failures;  // never early
      completed.push_back(i);
    });
  }
  EXPECT_EQ(ctx.run(), delays.size());
  EXPECT_EQ(failures, 0);
  ASSERT_EQ(completed.size(), delays.size());
  for (std::size_t k = 1; k < completed.size(); ++k)
    EXPECT_LT(delays[completed[k - 1]], delays[completed[k]]) << "position " << k;
}

TEST(RuntimeTimer, CancelAbortsEveryPendingWaitAndCountsThem) {
  runtime_test::hang_watchdog watchdog("CancelAbortsEveryPendingWaitAndCountsThem");
  rt::io_context ctx;
  rt::steady_timer timer(ctx, std::chrono::hours(1));
  std::vector<rt_error_code> results;
  timer.async_wait([&](const rt_error_code& ec) { results.push_back(ec); });
  timer.async_wait([&](const rt_error_code& ec) { results.push_back(ec); });
  EXPECT_EQ(ctx.poll(), 0u);
  EXPECT_EQ(timer.cancel(), 2u);
  EXPECT_EQ(timer.cancel(), 0u) << "nothing left to cancel";
  EXPECT_TRUE(results.empty()) << "cancel() queues the handlers; it does not run them";
  EXPECT_EQ(ctx.run(), 2u);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& ec : results) {
    EXPECT_EQ(ec, rt::error::operation_aborted);
    EXPECT_EQ(ec, make_error_code(rt::error::operation_aborted));
  }
}

TEST(RuntimeTimer, CancelOnAnIdleOrExpiredTimerReturnsZero) {
  runtime_test::hang_watchdog watchdog("CancelOnAnIdleOrExpiredTimerReturnsZero");
  rt::io_context ctx;
  rt::steady_timer timer(ctx);
  EXPECT_EQ(timer.cancel(), 0u);
  timer.expires_after(1ms);
  rt_error_code result = make_error_code(std::errc::interrupted);
  timer.async_wait([&](const rt_error_code& ec) { result = ec; });
  EXPECT_EQ(ctx.run(), 1u);
  EXPECT_FALSE(result) << "an expired timer completes with success";
  EXPECT_EQ(timer.cancel(), 0u) << "the wait already completed";
}

TEST(RuntimeTimer, ExpiresAfterOnAPendingTimerCancelsItsWait) {
  runtime_test::hang_watchdog watchdog("ExpiresAfterOnAPendingTimerCancelsItsWait");
  rt::io_context ctx;
  rt::steady_timer timer(ctx, std::chrono::hours(1));
  std::vector<rt_error_code> results;
  timer.async_wait([&](const rt_error_code& ec) { results.push_back(ec); });
  EXPECT_EQ(timer.expires_after(5ms), 1u) << "returns the number of waits cancelled";
  timer.async_wait([&](const rt_error_code& ec) { results.push_back(ec); });
  EXPECT_EQ(timer.expires_at(clock_type::now() + 5ms), 1u);
  timer.async_wait([&](const rt_error_code& ec) { results.push_back(ec); });
  EXPECT_EQ(ctx.run(), 3u);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0], rt::error::operation_aborted);
  EXPECT_EQ(results[1], rt::error::operation_aborted);
  EXPECT_FALSE(results[2]) << "the wait on the new expiry succeeds";
}

TEST(RuntimeTimer, SynchronousWaitBlocksUntilExpiry) {
  runtime_test::hang_watchdog watchdog("SynchronousWaitBlocksUntilExpiry");
  rt::io_context ctx;
  rt::steady_timer timer(ctx, 30ms);
  const auto expiry = timer.expiry();
  timer.wait();
  EXPECT_GE(clock_type::now(), expiry);

  rt::steady_timer past(ctx, clock_type::now() - 1s);
  const auto before = clock_type::now();
  past.wait();
  EXPECT_LT(clock_type::now() - before, runtime_test::hang_limit) << "expired: no blocking";
}

TEST(RuntimeTimer, CancellingAFarTimerLetsRunReturnPromptly) {
  runtime_test::hang_watchdog watchdog("CancellingAFarTimerLetsRunReturnPromptly");
  rt::io_context ctx;
  rt::steady_timer timer(ctx, std::chrono::hours(24));
  rt_error_code result;
  timer.async_wait([&](const rt_error_code& ec) { result = ec; });
  runtime_test::notification run_returned;
  std::size_t handlers = 0;
  std::thread runner([&] {
    handlers = ctx.run();
    run_returned.notify();
  });
  std::this_thread::sleep_for(20ms);  // let the runner block on the timer
  // Timers are not thread-safe objects: cancel from a handler on the context.
  const auto cancelled_at = clock_type::now();
  rt::post(ctx, [&] { timer.cancel(); });
  EXPECT_TRUE(run_returned.wait_for()) << "run() must return once the cancelled wait completes";
  EXPECT_LT(clock_type::now() - cancelled_at, runtime_test::hang_limit);
  runner.join();
  EXPECT_EQ(handlers, 2u) << "the posted cancel plus the aborted wait";
  EXPECT_EQ(result, rt::error::operation_aborted);
}

TEST(RuntimeTimer, DestroyingATimerAbortsItsPendingWait) {
  runtime_test::hang_watchdog watchdog("DestroyingATimerAbortsItsPendingWait");
  rt::io_context ctx;
  rt_error_code result;
  bool called = false;
  {
    rt::steady_timer timer(ctx, std::chrono::hours(1));
    timer.async_wait([&](const rt_error_code& ec) {
      called = true;
      result = ec;
    });
  }
  EXPECT_EQ(ctx.run(), 1u);
  EXPECT_TRUE(called);
  EXPECT_EQ(result, rt::error::operation_aborted);
}

TEST(RuntimeTimer, ExpiryAccessorsAndConstructors) {
  rt::io_context ctx;
  const auto before = clock_type::now();
  rt::steady_timer relative(ctx, 1h);
  EXPECT_GE(relative.expiry(), before + 1h);
  EXPECT_LE(relative.expiry(), clock_type::now() + 1h);

  const auto at = before + 2h;
  rt::steady_timer absolute(ctx.get_executor(), at);
  EXPECT_EQ(absolute.expiry(), at);
  absolute.expires_at(at + 1s);
  EXPECT_EQ(absolute.expiry(), at + 1s);
  EXPECT_TRUE(absolute.get_executor() == ctx.get_executor());
}

TEST(RuntimeTimer, TimerMovesKeepTheirPendingWait) {
  runtime_test::hang_watchdog watchdog("TimerMovesKeepTheirPendingWait");
  rt::io_context ctx;
  rt::steady_timer original(ctx, 5ms);
  bool fired = false;
  original.async_wait([&](const rt_error_code& ec) { fired = !ec; });
  rt::steady_timer moved(std::move(original));
  EXPECT_EQ(ctx.run(), 1u);
  EXPECT_TRUE(fired);
}

// Asio: a moved-from timer is as if newly constructed with its executor, so it can be armed
// and waited on again, by construction and by move assignment alike.
TEST(RuntimeTimer, AMovedFromTimerCanWaitAgain) {
  runtime_test::hang_watchdog watchdog("AMovedFromTimerCanWaitAgain");
  rt::io_context ctx;
  rt::steady_timer original(ctx, 1ms);
  rt::steady_timer constructed(std::move(original));
  rt::steady_timer assigned(ctx);
  assigned = std::move(constructed);
  int fired = 0;
  for (rt::steady_timer* timer : {&original, &constructed}) {
    EXPECT_EQ(timer->cancel(), 0u);
    timer->expires_after(1ms);
    timer->async_wait([&](const rt_error_code& ec) { fired += !ec; });
  }
  EXPECT_EQ(ctx.run(), 2u);
  EXPECT_EQ(fired, 2);
}

// The forms Asio 1.22 marks deprecated but still offers unless ASIO_NO_DEPRECATED is defined:
// older code uses them. The Asio twin of this file is built with ASIO_NO_DEPRECATED, so this
// one test runs against proa only.
#if !defined(ASIO_NO_DEPRECATED)
TEST(RuntimeTimer, DeprecatedFormsStillWork) {
  runtime_test::hang_watchdog watchdog("DeprecatedFormsStillWork");
  rt::io_context ctx;
  rt::steady_timer timer(ctx);
  EXPECT_EQ(timer.expires_from_now(1h), 0u);
  EXPECT_GT(timer.expires_from_now(), 59min);
  EXPECT_LE(timer.expires_from_now(), 1h);
  rt_error_code aborted;
  timer.async_wait([&](const rt_error_code& ec) { aborted = ec; });
  rt_error_code ec = make_error_code(std::errc::interrupted);
  EXPECT_EQ(timer.expires_from_now(2h, ec), 1u) << "re-arming cancels the pending wait";
  EXPECT_FALSE(ec);
  timer.async_wait([](const rt_error_code&) {});
  ec = make_error_code(std::errc::interrupted);
  EXPECT_EQ(timer.cancel_one(ec), 1u);
  EXPECT_FALSE(ec);
  timer.async_wait([](const rt_error_code&) {});
  EXPECT_EQ(timer.expires_at(std::chrono::steady_clock::now(), ec), 1u);
  timer.async_wait([](const rt_error_code&) {});
  EXPECT_EQ(timer.cancel(ec), 1u);
  EXPECT_FALSE(ec);
  EXPECT_LE(timer.expires_from_now(), 0ms) << "negative once the expiry passed";
  ctx.run();
  EXPECT_EQ(aborted, rt::error::operation_aborted);
}
#endif

TEST(RuntimeTimer, SystemTimerWaitsOnTheSystemClock) {
  runtime_test::hang_watchdog watchdog("SystemTimerWaitsOnTheSystemClock");
  rt::io_context ctx;
  rt::system_timer timer(ctx);
  const auto before = std::chrono::system_clock::now();
  timer.expires_after(10ms);
  EXPECT_GE(timer.expiry(), before + 10ms);
  bool fired = false;
  timer.async_wait([&](const rt_error_code& ec) { fired = !ec; });
  EXPECT_EQ(ctx.run(), 1u);
  EXPECT_TRUE(fired);

  timer.expires_at(std::chrono::system_clock::now() + 10ms);
  const auto expiry = timer.expiry();
  timer.wait();
  EXPECT_GE(std::chrono::system_clock::now(), expiry);
}

TEST(RuntimeTimer, HighResolutionTimerWaitsAndCancels) {
  runtime_test::hang_watchdog watchdog("HighResolutionTimerWaitsAndCancels");
  rt::io_context ctx;
  rt::high_resolution_timer timer(ctx, 5ms);
  static_assert(std::is_same_v<rt::high_resolution_timer::clock_type,
                               std::chrono::high_resolution_clock>);
  std::vector<rt_error_code> results;
  timer.async_wait([&](const rt_error_code& ec) { results.push_back(ec); });
  EXPECT_EQ(ctx.run(), 1u);
  timer.expires_after(1h);
  timer.async_wait([&](const rt_error_code& ec) { results.push_back(ec); });
  EXPECT_EQ(timer.cancel(), 1u);
  ctx.restart();
  EXPECT_EQ(ctx.run(), 1u);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_FALSE(results[0]);
  EXPECT_EQ(results[1], rt::error::operation_aborted);
}

TEST(RuntimeTimer, ManyTimersOnManyThreadsAllFireOnce) {
  runtime_test::hang_watchdog watchdog("ManyTimersOnManyThreadsAllFireOnce");
  constexpr int kTimers = runtime_test::scaled(2000, 500);
  rt::io_context ctx;
  std::vector<std::unique_ptr<rt::steady_timer>> timers;
  auto fired = std::make_unique<std::atomic<int>[]>(kTimers);
  std::atomic<int> errors{0};
  for (int i = 0; i < kTimers; ++i) {
    fired[i].store(0);
    timers.push_back(std::make_unique<rt::steady_timer>(ctx, std::chrono::microseconds(i * 10)));
    timers.back()->async_wait([&, i](const rt_error_code& ec) {
      if (ec) ++errors;
      fired[i].fetch_add(1);
    });
  }
  std::vector<std::thread> runners;
  for (int t = 0; t < 4; ++t) runners.emplace_back([&ctx] { ctx.run(); });
  for (auto& runner : runners) runner.join();
  EXPECT_EQ(errors.load(), 0);
  int wrong = 0;
  for (int i = 0; i < kTimers; ++i) wrong += fired[i].load() != 1;
  EXPECT_EQ(wrong, 0);
}

TEST(RuntimeTimer, CancelOneAbortsOnlyTheOldestWait) {
  runtime_test::hang_watchdog watchdog("CancelOneAbortsOnlyTheOldestWait");
  rt::io_context ctx;
  rt::steady_timer timer(ctx, 20ms);
  std::vector<int> order;
  rt_error_code first_ec, second_ec;
  timer.async_wait([&](const rt_error_code& ec) {
    first_ec = ec;
    order.push_back(1);
  });
  timer.async_wait([&](const rt_error_code& ec) {
    second_ec = ec;
    order.push_back(2);
  });
  EXPECT_EQ(timer.cancel_one(), 1u);
  const auto start = clock_type::now();
  ctx.run();
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0], 1) << "the cancelled wait completes first";
  EXPECT_EQ(first_ec, rt::error::operation_aborted);
  EXPECT_FALSE(second_ec) << "the other wait still expires normally";
  EXPECT_GE(clock_type::now() - start, 15ms);
  EXPECT_EQ(timer.cancel_one(), 0u);
}

}  // namespace
