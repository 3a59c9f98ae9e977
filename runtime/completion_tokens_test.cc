// Unit tests of the non-coroutine completion tokens on post/dispatch/defer and timer waits:
// use_future (and use_future(f)), redirect_error, as_tuple, deferred, detached, and
// bind_cancellation_slot wrapped around another token.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>

#include "platform/error.hpp"
#include "runtime/as_tuple.hpp"
#include "runtime/basic_waitable_timer.hpp"
#include "runtime/bind_cancellation_slot.hpp"
#include "runtime/bind_executor.hpp"
#include "runtime/cancellation_signal.hpp"
#include "runtime/defer.hpp"
#include "runtime/deferred.hpp"
#include "runtime/detached.hpp"
#include "runtime/dispatch.hpp"
#include "runtime/io_context.hpp"
#include "runtime/post.hpp"
#include "runtime/redirect_error.hpp"
#include "runtime/strand.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/use_future.hpp"

namespace {

using namespace std::chrono_literals;

// The error a use_future operation failed with (none if it succeeded). Waits first until the
// single-threaded pool has finished the completion, which a no-op posted after it proves: the
// thrown exception is shared with the promise the completion destroys, and that count lives
// inside libstdc++ where TSan cannot see it order the two threads' uses of the exception.
template <typename T>
std::error_code future_error(std::future<T>& result, proa::thread_pool& pool) {
  result.wait();
  proa::post(pool, proa::use_future).wait();
  try {
    result.get();
  } catch (const std::system_error& e) {
    return e.code();
  }
  return {};
}

TEST(UseFuture, PostDispatchDeferGiveFuturesOfVoid) {
  proa::thread_pool pool(1);
  std::future<void> posted = proa::post(pool, proa::use_future);
  std::future<void> dispatched = proa::dispatch(pool.get_executor(), proa::use_future);
  std::future<void> deferred = proa::defer(pool, proa::use_future);
  EXPECT_EQ(posted.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(dispatched.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(deferred.wait_for(5s), std::future_status::ready);
  posted.get();
  pool.join();
}

TEST(UseFuture, PackagedFunctionResultBecomesTheValue) {
  proa::thread_pool pool(1);
  std::future<int> value = proa::post(pool, proa::use_future([] { return 42; }));
  EXPECT_EQ(value.get(), 42);
  std::future<void> thrown =
      proa::post(pool, proa::use_future([]() -> void { throw std::runtime_error("boom"); }));
  thrown.wait();
  proa::post(pool, proa::use_future).wait();  // see future_error()
  EXPECT_THROW(thrown.get(), std::runtime_error);
  pool.join();
}

TEST(UseFuture, TimerWaitSucceedsOrThrowsSystemError) {
  proa::thread_pool pool(1);
  proa::steady_timer timer(pool, 1ms);
  std::future<void> ok = timer.async_wait(proa::use_future);
  EXPECT_NO_THROW(ok.get());

  timer.expires_after(10s);
  std::future<void> cancelled = timer.async_wait(proa::use_future);
  timer.cancel();
  EXPECT_EQ(future_error(cancelled, pool), proa::error::operation_aborted);
  pool.join();
}

TEST(UseFuture, ResultTypesFollowTheSignature) {
  using ec_sig = void(std::error_code);
  using ec_value_sig = void(std::error_code, std::size_t);
  using values_sig = void(int, std::string);
  static_assert(std::is_same_v<proa::async_result<proa::use_future_t<>, ec_sig>::return_type,
                               std::future<void>>);
  static_assert(
      std::is_same_v<proa::async_result<proa::use_future_t<>, ec_value_sig>::return_type,
                     std::future<std::size_t>>);
  static_assert(std::is_same_v<proa::async_result<proa::use_future_t<>, values_sig>::return_type,
                               std::future<std::tuple<int, std::string>>>);
  auto initiation = [](auto&& handler) { std::move(handler)(std::error_code(), 5, 'x'); };
  auto f = proa::async_initiate<const proa::use_future_t<>&,
                                void(std::error_code, int, char)>(initiation, proa::use_future);
  EXPECT_EQ(f.get(), std::make_tuple(5, 'x'));
  auto failing = [](auto&& handler) {
    std::move(handler)(std::make_exception_ptr(std::logic_error("x")), 1);
  };
  auto g =
      proa::async_initiate<const proa::use_future_t<>&, void(std::exception_ptr, int)>(
          failing, proa::use_future);
  EXPECT_THROW(g.get(), std::logic_error);
}

TEST(RedirectError, StoresTheErrorAndCallsTheInnerHandlerWithTheRest) {
  proa::io_context ctx;
  proa::steady_timer timer(ctx, 10s);
  std::error_code ec;
  bool called = false;
  timer.async_wait(proa::redirect_error([&] { called = true; }, ec));
  timer.cancel();
  ctx.run();
  EXPECT_TRUE(called);
  EXPECT_EQ(ec, proa::error::operation_aborted);
}

TEST(RedirectError, WithUseFutureTheFutureNeverThrows) {
  proa::thread_pool pool(1);
  proa::steady_timer timer(pool, 10s);
  std::error_code ec;
  std::future<void> f = timer.async_wait(proa::redirect_error(proa::use_future, ec));
  timer.cancel();
  EXPECT_NO_THROW(f.get());
  EXPECT_EQ(ec, proa::error::operation_aborted);
  pool.join();
}

TEST(AsTuple, PacksTheArguments) {
  proa::io_context ctx;
  proa::steady_timer timer(ctx, 1ms);
  std::error_code got = proa::error::operation_aborted;
  timer.async_wait(proa::as_tuple([&](std::tuple<std::error_code> t) { got = std::get<0>(t); }));
  ctx.run();
  EXPECT_FALSE(got);
  // The experimental:: spelling Asio 1.22 uses names the same thing.
  static_assert(std::is_same_v<decltype(proa::experimental::as_tuple(0)), proa::as_tuple_t<int>>);
}

TEST(AsTuple, KeepsTheHandlersExecutor) {
  proa::thread_pool pool(2);
  auto strand = proa::make_strand(pool);
  std::promise<bool> on_strand;
  proa::steady_timer timer(pool, 1ms);
  timer.async_wait(proa::as_tuple(proa::bind_executor(
      strand, [&](std::tuple<std::error_code>) { on_strand.set_value(strand.running_in_this_thread()); })));
  EXPECT_TRUE(on_strand.get_future().get());
  pool.join();
}

TEST(Deferred, OperationStartsOnlyWhenCalledWithAToken) {
  proa::io_context ctx;
  proa::steady_timer timer(ctx, 1ms);
  auto op = timer.async_wait(proa::deferred);
  EXPECT_EQ(ctx.run(), 0u);  // nothing was started
  std::error_code got = proa::error::operation_aborted;
  std::move(op)([&](std::error_code ec) { got = ec; });
  ctx.restart();
  EXPECT_EQ(ctx.run(), 1u);
  EXPECT_FALSE(got);

  // Deferred post, launched twice from the same (copyable) operation.
  int runs = 0;
  auto posting = proa::post(ctx, proa::deferred);
  posting([&] { ++runs; });
  posting([&] { ++runs; });
  ctx.restart();
  ctx.run();
  EXPECT_EQ(runs, 2);
}

TEST(Deferred, CanBeLaunchedWithUseFuture) {
  proa::thread_pool pool(1);
  proa::steady_timer timer(pool, 1ms);
  std::future<void> f = timer.async_wait(proa::experimental::deferred)(proa::use_future);
  EXPECT_NO_THROW(f.get());
  pool.join();
}

TEST(Detached, RunsTheOperationAndDropsTheResult) {
  proa::io_context ctx;
  proa::steady_timer timer(ctx, 1ms);
  timer.async_wait(proa::detached);
  proa::post(ctx, proa::detached);
  static_assert(std::is_void_v<decltype(proa::post(ctx, proa::detached))>);
  EXPECT_EQ(ctx.run(), 2u);
}

TEST(BindCancellationSlot, WrapsAnotherToken) {
  proa::thread_pool pool(1);
  proa::steady_timer timer(pool, 10s);
  proa::cancellation_signal signal;
  std::future<void> f =
      timer.async_wait(proa::bind_cancellation_slot(signal.slot(), proa::use_future));
  proa::post(pool, [&] { signal.emit(proa::cancellation_type::terminal); });
  EXPECT_EQ(future_error(f, pool), proa::error::operation_aborted);
  pool.join();
}

TEST(PlainHandlers, AreStillAcceptedEverywhere) {
  proa::io_context ctx;
  int n = 0;
  auto handler = [&n] { ++n; };
  proa::post(ctx, handler);
  proa::dispatch(ctx.get_executor(), handler);
  proa::defer(ctx, std::move(handler));
  static_assert(std::is_void_v<decltype(proa::post(ctx, [] {}))>);
  ctx.run();
  EXPECT_EQ(n, 3);
}

}  // namespace
