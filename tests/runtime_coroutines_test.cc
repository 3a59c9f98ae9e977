// C++20 coroutines (co_spawn, awaitable, use_awaitable, this_coro): completion tokens of
// co_spawn, exceptions, executors and strands, timers, and cancellation through a slot bound to
// co_spawn's handler. Built against Asio too, so every expectation is Asio 1.22's behaviour.
#include <atomic>
#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime_under_test.hpp"

namespace {

using namespace std::chrono_literals;
using rt::awaitable;
using rt::co_spawn;
using rt::use_awaitable;

static_assert(std::is_same_v<awaitable<int>::value_type, int>);
static_assert(std::is_same_v<awaitable<int>::executor_type, rt::any_io_executor>);
static_assert(!std::is_copy_constructible_v<awaitable<int>>);
static_assert(std::is_nothrow_move_constructible_v<awaitable<int>>);

awaitable<int> add_later(int a, int b) {
  co_await rt::post(co_await rt::this_coro::executor, use_awaitable);
  co_return a + b;
}

TEST(RuntimeCoroutines, DefaultConstructedAwaitableIsNotValid) {
  awaitable<void> empty;
  EXPECT_FALSE(empty.valid());
  awaitable<int> a = add_later(1, 2);
  EXPECT_TRUE(a.valid());
  awaitable<int> b = std::move(a);
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_TRUE(b.valid());
}

TEST(RuntimeCoroutines, DetachedCoroutineRunsToCompletion) {
  runtime_test::hang_watchdog watchdog("DetachedCoroutineRunsToCompletion");
  rt::io_context ctx;
  int steps = 0;
  co_spawn(
      ctx,
      [&]() -> awaitable<void> {
        ++steps;
        steps += co_await add_later(1, 2);
      },
      rt::detached);
  EXPECT_EQ(steps, 0) << "co_spawn from outside the context does not run the coroutine inline";
  ctx.run();
  EXPECT_EQ(steps, 4);
}

TEST(RuntimeCoroutines, HandlerReceivesExceptionPtrAndValue) {
  runtime_test::hang_watchdog watchdog("HandlerReceivesExceptionPtrAndValue");
  rt::io_context ctx;
  int calls = 0;
  co_spawn(ctx.get_executor(), add_later(20, 22), [&](std::exception_ptr e, int value) {
    ++calls;
    EXPECT_FALSE(e);
    EXPECT_EQ(value, 42);
  });
  ctx.run();
  EXPECT_EQ(calls, 1);
}

awaitable<std::string> fails_after_a_hop() {
  co_await rt::post(co_await rt::this_coro::executor, use_awaitable);
  throw std::runtime_error("coroutine failed");
}

TEST(RuntimeCoroutines, ThrowingCoroutineReportsThroughTheHandler) {
  runtime_test::hang_watchdog watchdog("ThrowingCoroutineReportsThroughTheHandler");
  rt::io_context ctx;
  int calls = 0;
  std::string what;
  std::string value = "untouched";
  co_spawn(ctx, fails_after_a_hop(), [&](std::exception_ptr e, std::string v) {
    ++calls;
    value = v;
    try {
      if (e) std::rethrow_exception(e);
    } catch (const std::runtime_error& error) {
      what = error.what();
    }
  });
  ctx.run();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(what, "coroutine failed");
  EXPECT_EQ(value, "") << "a default-constructed value accompanies the exception";
}

TEST(RuntimeCoroutines, NestedAwaitablePropagatesExceptionsToItsCaller) {
  runtime_test::hang_watchdog watchdog("NestedAwaitablePropagatesExceptionsToItsCaller");
  rt::io_context ctx;
  std::string seen;
  co_spawn(
      ctx,
      [&]() -> awaitable<void> {
        try {
          co_await fails_after_a_hop();
          seen = "no exception";
        } catch (const std::runtime_error& e) {
          seen = e.what();
        }
      },
      rt::detached);
  ctx.run();
  EXPECT_EQ(seen, "coroutine failed");
}

TEST(RuntimeCoroutines, ThisCoroExecutorIsTheSpawnExecutor) {
  runtime_test::hang_watchdog watchdog("ThisCoroExecutorIsTheSpawnExecutor");
  rt::io_context ctx;
  rt::any_io_executor seen;
  co_spawn(
      ctx, [&]() -> awaitable<void> { seen = co_await rt::this_coro::executor; }, rt::detached);
  ctx.run();
  EXPECT_TRUE(seen == rt::any_io_executor(ctx.get_executor()));
}

TEST(RuntimeCoroutines, CoAwaitTimerWaitsForItsExpiry) {
  runtime_test::hang_watchdog watchdog("CoAwaitTimerWaitsForItsExpiry");
  rt::io_context ctx;
  std::chrono::steady_clock::duration waited{};
  co_spawn(
      ctx,
      [&]() -> awaitable<void> {
        rt::steady_timer timer(co_await rt::this_coro::executor, 30ms);
        const auto start = std::chrono::steady_clock::now();
        co_await timer.async_wait(use_awaitable);
        waited = std::chrono::steady_clock::now() - start;
      },
      rt::detached);
  ctx.run();
  EXPECT_GE(waited, 25ms);
  EXPECT_LT(waited, runtime_test::hang_limit);
}

TEST(RuntimeCoroutines, OperationErrorIsThrownAsSystemError) {
  runtime_test::hang_watchdog watchdog("OperationErrorIsThrownAsSystemError");
  rt::io_context ctx;
  rt_error_code caught;
  co_spawn(
      ctx,
      [&]() -> awaitable<void> {
        rt::steady_timer timer(co_await rt::this_coro::executor, std::chrono::hours(1));
        rt::post(ctx, [&] { timer.cancel(); });
        try {
          co_await timer.async_wait(use_awaitable);
        } catch (const std::system_error& e) {
          caught = e.code();
        }
      },
      rt::detached);
  ctx.run();
  EXPECT_EQ(caught, rt::error::operation_aborted);
}

TEST(RuntimeCoroutines, RedirectErrorLeavesTheErrorInAVariable) {
  runtime_test::hang_watchdog watchdog("RedirectErrorLeavesTheErrorInAVariable");
  rt::io_context ctx;
  rt_error_code ec;
  bool finished = false;
  co_spawn(
      ctx,
      [&]() -> awaitable<void> {
        rt::steady_timer timer(co_await rt::this_coro::executor, std::chrono::hours(1));
        rt::post(ctx, [&] { timer.cancel(); });
        co_await timer.async_wait(rt::redirect_error(use_awaitable, ec));
        finished = true;
      },
      rt::detached);
  ctx.run();
  EXPECT_TRUE(finished);
  EXPECT_EQ(ec, rt::error::operation_aborted);
}

TEST(RuntimeCoroutines, CoSpawnFromInsideTheContextRunsTheBodyUntilItsFirstSuspension) {
  runtime_test::hang_watchdog watchdog("CoSpawnFromInsideTheContextRunsTheBody...");
  rt::io_context ctx;
  std::vector<std::string> log;
  rt::post(ctx, [&] {
    co_spawn(
        ctx,
        [&]() -> awaitable<void> {
          log.push_back("body started");
          co_await rt::post(co_await rt::this_coro::executor, use_awaitable);
          log.push_back("body resumed");
        },
        [&](std::exception_ptr) { log.push_back("handler"); });
    log.push_back("co_spawn returned");
  });
  ctx.run();
  EXPECT_EQ(log, (std::vector<std::string>{"body started", "co_spawn returned", "body resumed",
                                           "handler"}));
}

TEST(RuntimeCoroutines, HandlerOfACoroutineThatNeverSuspendsIsNotCalledInsideCoSpawn) {
  runtime_test::hang_watchdog watchdog("HandlerOfACoroutineThatNeverSuspends...");
  rt::io_context ctx;
  std::vector<std::string> log;
  rt::post(ctx, [&] {
    co_spawn(
        ctx,
        [&]() -> awaitable<int> {
          log.push_back("body");
          co_return 5;
        },
        [&](std::exception_ptr, int v) { log.push_back("handler " + std::to_string(v)); });
    log.push_back("co_spawn returned");
  });
  ctx.run();
  EXPECT_EQ(log, (std::vector<std::string>{"body", "co_spawn returned", "handler 5"}));
}

TEST(RuntimeCoroutines, CoroutineSpawnedOnAStrandStaysOnIt) {
  runtime_test::hang_watchdog watchdog("CoroutineSpawnedOnAStrandStaysOnIt");
  rt::thread_pool pool(4);
  auto strand = rt::make_strand(pool.get_executor());
  constexpr int coroutines = 6;
  const int rounds = runtime_test::scaled(300, 60);
  std::atomic<int> off_strand{0};
  std::atomic<int> finished{0};
  int guarded = 0;  // touched only on the strand: a race here is a TSan report
  for (int c = 0; c < coroutines; ++c) {
    co_spawn(
        strand,
        [&]() -> awaitable<void> {
          rt::steady_timer timer(co_await rt::this_coro::executor);
          for (int i = 0; i < rounds; ++i) {
            // Completes on a pool thread; the coroutine resumes on its strand anyway.
            co_await rt::post(pool.get_executor(), use_awaitable);
            if (!strand.running_in_this_thread()) ++off_strand;
            ++guarded;
            timer.expires_after(0ms);
            co_await timer.async_wait(use_awaitable);
            if (!strand.running_in_this_thread()) ++off_strand;
            ++guarded;
          }
          ++finished;
        },
        rt::detached);
  }
  pool.join();
  EXPECT_EQ(finished.load(), coroutines);
  EXPECT_EQ(off_strand.load(), 0);
  EXPECT_EQ(guarded, 2 * coroutines * rounds);
}

TEST(RuntimeCoroutines, CompletionHandlerRunsOnItsAssociatedExecutor) {
  runtime_test::hang_watchdog watchdog("CompletionHandlerRunsOnItsAssociatedExecutor");
  rt::thread_pool pool(2);
  auto handler_strand = rt::make_strand(pool.get_executor());
  runtime_test::notification done;
  bool on_strand = false;
  co_spawn(pool, add_later(1, 1),
           rt::bind_executor(handler_strand, [&](std::exception_ptr, int) {
             on_strand = handler_strand.running_in_this_thread();
             done.notify();
           }));
  ASSERT_TRUE(done.wait_for());
  pool.join();
  EXPECT_TRUE(on_strand);
}

TEST(RuntimeCoroutines, UseFutureCarriesTheValueOrTheException) {
  runtime_test::hang_watchdog watchdog("UseFutureCarriesTheValueOrTheException");
  rt::thread_pool pool(2);
  std::future<int> value = co_spawn(pool, add_later(40, 2), rt::use_future);
  std::future<std::string> failure = co_spawn(pool, fails_after_a_hop(), rt::use_future);
  ASSERT_EQ(value.wait_for(runtime_test::hang_limit), std::future_status::ready);
  EXPECT_EQ(value.get(), 42);
  ASSERT_EQ(failure.wait_for(runtime_test::hang_limit), std::future_status::ready);
  EXPECT_THROW(failure.get(), std::runtime_error);
  pool.join();
}

TEST(RuntimeCoroutines, CoSpawnWithUseAwaitableJoinsTheChild) {
  runtime_test::hang_watchdog watchdog("CoSpawnWithUseAwaitableJoinsTheChild");
  rt::io_context ctx;
  int result = 0;
  std::string child_error;
  co_spawn(
      ctx,
      [&]() -> awaitable<void> {
        auto ex = co_await rt::this_coro::executor;
        result = co_await co_spawn(ex, add_later(2, 3), use_awaitable);
        try {
          co_await co_spawn(ex, fails_after_a_hop(), use_awaitable);
        } catch (const std::runtime_error& e) {
          child_error = e.what();
        }
      },
      rt::detached);
  ctx.run();
  EXPECT_EQ(result, 5);
  EXPECT_EQ(child_error, "coroutine failed");
}

// ---- cancellation ----

TEST(RuntimeCoroutines, SignallingTheHandlersSlotCancelsTheAwaitedTimer) {
  runtime_test::hang_watchdog watchdog("SignallingTheHandlersSlotCancelsTheAwaitedTimer");
  rt::io_context ctx;
  rt::cancellation_signal signal;
  rt_error_code caught;
  rt::cancellation_type_t seen_state = rt::cancellation_type::none;
  std::chrono::steady_clock::duration waited{};
  int handler_calls = 0;
  co_spawn(
      ctx,
      [&]() -> awaitable<void> {
        rt::steady_timer timer(co_await rt::this_coro::executor, std::chrono::hours(1));
        // Runs once this coroutine is suspended in the wait below.
        rt::post(ctx, [&] { signal.emit(rt::cancellation_type::terminal); });
        const auto start = std::chrono::steady_clock::now();
        try {
          co_await timer.async_wait(use_awaitable);
        } catch (const std::system_error& e) {
          caught = e.code();
        }
        waited = std::chrono::steady_clock::now() - start;
        seen_state = (co_await rt::this_coro::cancellation_state).cancelled();
      },
      rt::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e) {
        ++handler_calls;
        EXPECT_FALSE(e);
      }));
  ctx.run();
  EXPECT_EQ(caught, rt::error::operation_aborted);
  EXPECT_LT(waited, runtime_test::hang_limit);
  EXPECT_EQ(seen_state, rt::cancellation_type::terminal);
  EXPECT_EQ(handler_calls, 1);
}

TEST(RuntimeCoroutines, UncaughtCancellationReachesTheHandlerAsOperationAborted) {
  runtime_test::hang_watchdog watchdog("UncaughtCancellationReachesTheHandler...");
  rt::io_context ctx;
  rt::cancellation_signal signal;
  rt_error_code reported;
  int handler_calls = 0;
  co_spawn(
      ctx,
      [&]() -> awaitable<void> {
        rt::steady_timer timer(co_await rt::this_coro::executor, std::chrono::hours(1));
        rt::post(ctx, [&] { signal.emit(rt::cancellation_type::terminal); });
        co_await timer.async_wait(use_awaitable);
      },
      rt::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e) {
        ++handler_calls;
        try {
          if (e) std::rethrow_exception(e);
        } catch (const std::system_error& error) {
          reported = error.code();
        }
      }));
  ctx.run();
  EXPECT_EQ(handler_calls, 1);
  EXPECT_EQ(reported, rt::error::operation_aborted);
}

TEST(RuntimeCoroutines, CancelledThreadThrowsAtItsNextAwaitUntilTheStateIsReset) {
  runtime_test::hang_watchdog watchdog("CancelledThreadThrowsAtItsNextAwait...");
  rt::io_context ctx;
  rt::cancellation_signal signal;
  std::vector<std::string> log;
  co_spawn(
      ctx,
      [&]() -> awaitable<void> {
        auto ex = co_await rt::this_coro::executor;
        rt::steady_timer timer(ex, std::chrono::hours(1));
        rt::post(ctx, [&] { signal.emit(rt::cancellation_type::terminal); });
        try {
          co_await timer.async_wait(use_awaitable);
        } catch (const std::system_error&) {
          log.push_back("wait aborted");
        }
        // Still cancelled: a co_await throws before starting anything.
        try {
          co_await rt::post(ex, use_awaitable);
          log.push_back("post completed");
        } catch (const std::system_error& e) {
          log.push_back(e.code() == rt::error::operation_aborted ? "post refused" : "other");
        }
        EXPECT_TRUE(co_await rt::this_coro::throw_if_cancelled());
        co_await rt::this_coro::reset_cancellation_state();
        EXPECT_EQ((co_await rt::this_coro::cancellation_state).cancelled(),
                  rt::cancellation_type::none);
        co_await rt::post(ex, use_awaitable);
        log.push_back("post after reset");
      },
      rt::bind_cancellation_slot(signal.slot(), [](std::exception_ptr) {}));
  ctx.run();
  EXPECT_EQ(log, (std::vector<std::string>{"wait aborted", "post refused", "post after reset"}));
}

TEST(RuntimeCoroutines, ThrowIfCancelledFalseLetsAwaitsProceed) {
  runtime_test::hang_watchdog watchdog("ThrowIfCancelledFalseLetsAwaitsProceed");
  rt::io_context ctx;
  rt::cancellation_signal signal;
  std::vector<std::string> log;
  co_spawn(
      ctx,
      [&]() -> awaitable<void> {
        co_await rt::this_coro::throw_if_cancelled(false);
        auto ex = co_await rt::this_coro::executor;
        rt::steady_timer timer(ex, std::chrono::hours(1));
        rt::post(ctx, [&] { signal.emit(rt::cancellation_type::terminal); });
        try {
          co_await timer.async_wait(use_awaitable);
        } catch (const std::system_error&) {
          log.push_back("wait aborted");
        }
        co_await rt::post(ex, use_awaitable);
        log.push_back("post completed");
      },
      rt::bind_cancellation_slot(signal.slot(), [](std::exception_ptr) {}));
  ctx.run();
  EXPECT_EQ(log, (std::vector<std::string>{"wait aborted", "post completed"}));
}

TEST(RuntimeCoroutines, FilteredOutCancellationDoesNotInterruptTheWait) {
  runtime_test::hang_watchdog watchdog("FilteredOutCancellationDoesNotInterruptTheWait");
  rt::io_context ctx;
  rt::cancellation_signal signal;
  rt_error_code result = rt::error::would_block;
  co_spawn(
      ctx,
      [&]() -> awaitable<void> {
        // The default state lets only terminal cancellation through: partial is dropped.
        rt::steady_timer timer(co_await rt::this_coro::executor, 30ms);
        rt::post(ctx, [&] { signal.emit(rt::cancellation_type::partial); });
        co_await timer.async_wait(rt::redirect_error(use_awaitable, result));
      },
      rt::bind_cancellation_slot(signal.slot(), [](std::exception_ptr) {}));
  ctx.run();
  EXPECT_EQ(result, rt_error_code());
}

}  // namespace
