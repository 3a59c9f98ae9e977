// Unit tests of per-operation cancellation: signal/slot/state semantics, bind_cancellation_slot's
// associations, and cancelling a single timer wait (also racing the wait's own completion).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <system_error>
#include <thread>

#include "platform/error.hpp"
#include "runtime/associated_cancellation_slot.hpp"
#include "runtime/basic_waitable_timer.hpp"
#include "runtime/bind_cancellation_slot.hpp"
#include "runtime/cancellation_signal.hpp"
#include "runtime/cancellation_state.hpp"
#include "runtime/cancellation_type.hpp"
#include "runtime/io_context.hpp"
#include "runtime/thread_pool.hpp"

namespace {

using namespace std::chrono_literals;

struct counted_handler {
  int* calls;
  int* destroyed;
  proa::cancellation_type_t* last;
  counted_handler(int* c, int* d, proa::cancellation_type_t* l) : calls(c), destroyed(d), last(l) {}
  counted_handler(const counted_handler&) = delete;
  ~counted_handler() { ++*destroyed; }
  void operator()(proa::cancellation_type_t type) {
    ++*calls;
    *last = type;
  }
};

TEST(CancellationSignal, EmitCallsTheInstalledHandlerUntilCleared) {
  proa::cancellation_signal signal;
  proa::cancellation_slot slot = signal.slot();
  EXPECT_TRUE(slot.is_connected());
  EXPECT_FALSE(slot.has_handler());
  signal.emit(proa::cancellation_type::terminal);  // nothing installed: nothing happens

  int calls = 0, destroyed = 0;
  proa::cancellation_type_t last = proa::cancellation_type::none;
  slot.emplace<counted_handler>(&calls, &destroyed, &last);
  EXPECT_TRUE(slot.has_handler());
  signal.emit(proa::cancellation_type::partial);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(last, proa::cancellation_type::partial);

  slot.clear();
  EXPECT_EQ(destroyed, 1);
  EXPECT_FALSE(slot.has_handler());
  signal.emit(proa::cancellation_type::terminal);
  EXPECT_EQ(calls, 1);
}

TEST(CancellationSignal, InstallingReplacesAndTheSignalDestroysTheLastHandler) {
  int calls = 0, destroyed = 0;
  proa::cancellation_type_t last = proa::cancellation_type::none;
  {
    proa::cancellation_signal signal;
    signal.slot().emplace<counted_handler>(&calls, &destroyed, &last);
    int second = 0;
    signal.slot().assign([&second](proa::cancellation_type_t) { ++second; });
    EXPECT_EQ(destroyed, 1);
    signal.emit(proa::cancellation_type::total);
    EXPECT_EQ(second, 1);
    EXPECT_EQ(calls, 0);
    signal.slot().emplace<counted_handler>(&calls, &destroyed, &last);
  }
  EXPECT_EQ(destroyed, 2);
}

TEST(CancellationSlot, EqualityAndDefaults) {
  proa::cancellation_signal a, b;
  EXPECT_TRUE(a.slot() == a.slot());
  EXPECT_FALSE(a.slot() == b.slot());
  EXPECT_TRUE(proa::cancellation_slot() == proa::cancellation_slot());
  EXPECT_FALSE(proa::cancellation_slot().is_connected());
  EXPECT_FALSE(proa::cancellation_slot().has_handler());
  proa::cancellation_slot().clear();  // harmless on an unconnected slot
}

TEST(CancellationType, BitOperations) {
  using proa::cancellation_type;
  EXPECT_EQ(cancellation_type::terminal | cancellation_type::partial,
            static_cast<cancellation_type>(3));
  EXPECT_TRUE(!(cancellation_type::terminal & cancellation_type::partial));
  EXPECT_FALSE(!(cancellation_type::all & cancellation_type::total));
  auto t = cancellation_type::all;
  t &= ~cancellation_type::terminal;
  EXPECT_TRUE(!(t & cancellation_type::terminal));
}

TEST(CancellationState, FiltersRecordsAndForwardsToTheChildSlot) {
  proa::cancellation_signal parent;
  proa::cancellation_state state(parent.slot());  // terminal only
  int child_calls = 0;
  proa::cancellation_type_t child_type = proa::cancellation_type::none;
  state.slot().assign([&](proa::cancellation_type_t t) {
    ++child_calls;
    child_type = t;
  });

  parent.emit(proa::cancellation_type::partial);
  EXPECT_EQ(state.cancelled(), proa::cancellation_type::none);
  EXPECT_EQ(child_calls, 0);

  parent.emit(proa::cancellation_type::terminal | proa::cancellation_type::partial);
  EXPECT_EQ(state.cancelled(), proa::cancellation_type::terminal);
  EXPECT_EQ(child_calls, 1);
  EXPECT_EQ(child_type, proa::cancellation_type::terminal);

  state.clear();
  EXPECT_EQ(state.cancelled(), proa::cancellation_type::none);

  proa::cancellation_state total(parent.slot(), proa::enable_total_cancellation());
  parent.emit(proa::cancellation_type::total);
  EXPECT_EQ(total.cancelled(), proa::cancellation_type::total);

  proa::cancellation_state unattached;
  EXPECT_FALSE(unattached.slot().is_connected());
  EXPECT_EQ(unattached.cancelled(), proa::cancellation_type::none);
}

TEST(BindCancellationSlot, BinderCarriesTheSlotAndCallsTheTarget) {
  proa::cancellation_signal signal;
  int called = 0;
  auto bound = proa::bind_cancellation_slot(signal.slot(), [&called](int v) { called = v; });
  EXPECT_TRUE(proa::get_associated_cancellation_slot(bound) == signal.slot());
  bound(7);
  EXPECT_EQ(called, 7);
  auto plain = [](int) {};
  EXPECT_FALSE(proa::get_associated_cancellation_slot(plain).is_connected());
  static_assert(!proa::detail::has_own_cancellation_slot<decltype(plain)>);
  static_assert(proa::detail::has_own_cancellation_slot<decltype(bound)>);
}

TEST(TimerCancellation, SignalCancelsOnlyTheWaitItWasBoundTo) {
  proa::io_context ctx;
  proa::steady_timer timer(ctx, 50ms);
  proa::cancellation_signal signal;
  std::error_code bound_ec, other_ec;
  bool bound_done = false, other_done = false;
  auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration bound_elapsed{};
  timer.async_wait(proa::bind_cancellation_slot(signal.slot(), [&](std::error_code ec) {
    bound_ec = ec;
    bound_done = true;
    bound_elapsed = std::chrono::steady_clock::now() - start;
  }));
  timer.async_wait([&](std::error_code ec) {
    other_ec = ec;
    other_done = true;
  });
  EXPECT_TRUE(signal.slot().has_handler());
  signal.emit(proa::cancellation_type::terminal);
  ctx.run();
  ASSERT_TRUE(bound_done);
  ASSERT_TRUE(other_done);
  EXPECT_EQ(bound_ec, proa::error::operation_aborted);
  EXPECT_LT(bound_elapsed, 50ms);
  EXPECT_FALSE(other_ec) << other_ec.message();
  // The completed wait left nothing behind in the slot.
  EXPECT_FALSE(signal.slot().has_handler());
}

TEST(TimerCancellation, CancellingTheOnlyWaitLetsRunReturnAtOnce) {
  proa::io_context ctx;
  proa::steady_timer timer(ctx, 10s);
  proa::cancellation_signal signal;
  std::error_code result;
  timer.async_wait(
      proa::bind_cancellation_slot(signal.slot(), [&](std::error_code ec) { result = ec; }));
  proa::steady_timer trigger(ctx, 1ms);
  trigger.async_wait([&](std::error_code) { signal.emit(proa::cancellation_type::total); });
  auto start = std::chrono::steady_clock::now();
  ctx.run();
  EXPECT_EQ(result, proa::error::operation_aborted);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(TimerCancellation, EmitAfterCompletionDoesNothing) {
  proa::io_context ctx;
  proa::steady_timer timer(ctx, 0ms);
  proa::cancellation_signal signal;
  std::error_code result = proa::error::operation_aborted;
  timer.async_wait(
      proa::bind_cancellation_slot(signal.slot(), [&](std::error_code ec) { result = ec; }));
  ctx.run();
  EXPECT_FALSE(result);
  signal.emit(proa::cancellation_type::terminal);  // must not touch the finished wait
  // A later wait on the same timer without a slot is unaffected by the old slot.
  std::error_code later = proa::error::operation_aborted;
  timer.expires_after(1ms);
  timer.async_wait([&](std::error_code ec) { later = ec; });
  signal.emit(proa::cancellation_type::terminal);
  ctx.restart();
  ctx.run();
  EXPECT_FALSE(later);
}

// Emits race the waits' expiry on a two-thread pool: each wait completes exactly once, with
// success or operation_aborted, and nothing touches a finished operation (checked by TSan/ASan).
TEST(TimerCancellation, EmitRacingExpiryIsSafe) {
  proa::thread_pool pool(2);
  constexpr int rounds = 300;
  std::atomic<int> completions{0}, aborted{0};
  proa::cancellation_signal signal;
  for (int i = 0; i < rounds; ++i) {
    proa::steady_timer timer(pool, std::chrono::microseconds(i % 3 == 0 ? 0 : 20));
    std::atomic<bool> done{false};
    timer.async_wait(proa::bind_cancellation_slot(signal.slot(), [&](std::error_code ec) {
      if (ec == proa::error::operation_aborted) aborted.fetch_add(1);
      completions.fetch_add(1);
      done.store(true, std::memory_order_release);
    }));
    if (i % 2 == 0) std::this_thread::sleep_for(std::chrono::microseconds(10));
    signal.emit(proa::cancellation_type::terminal);
    while (!done.load(std::memory_order_acquire)) std::this_thread::yield();
  }
  pool.join();
  EXPECT_EQ(completions.load(), rounds);
  EXPECT_GT(aborted.load(), 0);
}

}  // namespace
