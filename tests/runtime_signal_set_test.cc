// signal_set semantics: delivery to pending waits (io_context, several run() threads,
// thread_pool), queued notifications, several sets per signal, cancel, add/remove/clear and
// their errors, dispositions, run() accounting, and destruction with waits pending.
// Only SIGUSR1/SIGUSR2 are raised, and only while some set holds them: gtest runs every test in
// one process, and the default disposition of either signal would end it.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime_under_test.hpp"

namespace {

using namespace std::chrono_literals;

struct wait_result {
  int calls = 0;
  rt_error_code ec;
  int signal_number = -1;
};

// A handler that records its completion into `result`.
auto recorder(wait_result& result) {
  return [&result](const rt_error_code& ec, int signal_number) {
    ++result.calls;
    result.ec = ec;
    result.signal_number = signal_number;
  };
}

bool has_default_disposition(int signal_number) {
  struct sigaction current {};
  ::sigaction(signal_number, nullptr, &current);
  return current.sa_handler == SIG_DFL;
}

// Raises `marker` (which `ctx` must not have other waits for) and runs `ctx` until a set
// holding it sees it. The self-pipe is read in order, so every signal raised before has then
// been handed to every set too.
void wait_until_signals_are_seen(rt::io_context& ctx, int marker) {
  rt::signal_set marker_set(ctx, marker);
  bool seen = false;
  marker_set.async_wait([&](const rt_error_code& ec, int) { seen = !ec; });
  ::raise(marker);
  while (!seen) ASSERT_EQ(ctx.run_one(), 1u);
  ctx.restart();
}

TEST(RuntimeSignalSet, RaisedSignalCompletesAPendingWaitWithItsNumber) {
  runtime_test::hang_watchdog watchdog("RaisedSignalCompletesAPendingWaitWithItsNumber");
  rt::io_context ctx;
  rt::signal_set signals(ctx, SIGUSR1, SIGUSR2);
  wait_result result;
  signals.async_wait(recorder(result));
  EXPECT_EQ(ctx.poll(), 0u) << "nothing completes before the signal";
  ::raise(SIGUSR2);
  EXPECT_EQ(result.calls, 0) << "the handler never runs inside the signal handler";
  ctx.run();  // Asio's count also includes its reactor reading the signal pipe
  EXPECT_EQ(result.calls, 1);
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.signal_number, SIGUSR2);
}

TEST(RuntimeSignalSet, RunReturnsOnlyAfterThePendingWaitCompletes) {
  runtime_test::hang_watchdog watchdog("RunReturnsOnlyAfterThePendingWaitCompletes");
  rt::io_context ctx;
  rt::signal_set signals(ctx.get_executor(), SIGUSR1);
  std::atomic<int> delivered{0};
  signals.async_wait([&](const rt_error_code& ec, int signal_number) {
    if (!ec && signal_number == SIGUSR1) delivered.fetch_add(1);
  });
  runtime_test::notification run_returned;
  std::thread runner([&] {
    ctx.run();
    run_returned.notify();
  });
  EXPECT_FALSE(run_returned.wait_for(100ms)) << "a pending signal wait is outstanding work";
  ::raise(SIGUSR1);
  EXPECT_TRUE(run_returned.wait_for());
  runner.join();
  EXPECT_EQ(delivered.load(), 1);
}

TEST(RuntimeSignalSet, DeliveredOnceWithSeveralThreadsInRun) {
  runtime_test::hang_watchdog watchdog("DeliveredOnceWithSeveralThreadsInRun");
  rt::io_context ctx;
  rt::signal_set signals(ctx, SIGUSR1);
  std::atomic<int> calls{0};
  std::atomic<int> number{0};
  std::atomic<bool> raised{false};
  std::atomic<int> early_returns{0};
  signals.async_wait([&](const rt_error_code& ec, int signal_number) {
    if (!ec) number.store(signal_number);
    calls.fetch_add(1);
  });
  std::vector<std::thread> runners;
  for (int i = 0; i < 3; ++i)
    runners.emplace_back([&] {
      ctx.run();
      if (!raised.load()) early_returns.fetch_add(1);
    });
  std::this_thread::sleep_for(50ms);
  raised.store(true);
  ::raise(SIGUSR1);
  for (auto& t : runners) t.join();
  EXPECT_EQ(early_returns.load(), 0);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(number.load(), SIGUSR1);
}

TEST(RuntimeSignalSet, DeliveredOnAThreadPool) {
  runtime_test::hang_watchdog watchdog("DeliveredOnAThreadPool");
  rt::thread_pool pool(4);
  {
    rt::signal_set signals(pool, SIGUSR1);
    runtime_test::notification done;
    std::atomic<int> number{0};
    std::thread::id handler_thread;
    signals.async_wait([&](const rt_error_code& ec, int signal_number) {
      handler_thread = std::this_thread::get_id();
      number.store(ec ? -1 : signal_number);
      done.notify();
    });
    ::raise(SIGUSR1);
    ASSERT_TRUE(done.wait_for());
    EXPECT_EQ(number.load(), SIGUSR1);
    EXPECT_NE(handler_thread, std::this_thread::get_id()) << "runs on a pool thread";
  }
  pool.join();
}

TEST(RuntimeSignalSet, SignalRaisedBeforeTheWaitIsDeliveredToTheNextWait) {
  runtime_test::hang_watchdog watchdog("SignalRaisedBeforeTheWaitIsDeliveredToTheNextWait");
  rt::io_context ctx;
  rt::signal_set signals(ctx, SIGUSR1);
  ::raise(SIGUSR1);
  wait_until_signals_are_seen(ctx, SIGUSR2);
  wait_result result;
  signals.async_wait(recorder(result));
  EXPECT_EQ(result.calls, 0) << "a queued notification still completes through the context";
  EXPECT_EQ(ctx.run(), 1u);
  EXPECT_EQ(result.calls, 1);
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.signal_number, SIGUSR1);
}

TEST(RuntimeSignalSet, QueuedNotificationsAreCountedAndHandedOutLowestNumberFirst) {
  runtime_test::hang_watchdog watchdog("QueuedNotificationsAreCountedAndHandedOutLowestNumberFirst");
  rt::io_context ctx;
  rt::signal_set signals(ctx, SIGUSR1, SIGUSR2);
  ::raise(SIGUSR2);
  ::raise(SIGUSR2);
  ::raise(SIGUSR1);
  wait_until_signals_are_seen(ctx, SIGUSR1);  // a second SIGUSR1 for `signals` too
  std::vector<int> numbers;
  auto record = [&](const rt_error_code& ec, int signal_number) {
    numbers.push_back(ec ? -1 : signal_number);
  };
  for (int i = 0; i < 5; ++i) signals.async_wait(record);
  EXPECT_EQ(ctx.poll(), 4u) << "four notifications were queued; the fifth wait stays pending";
  EXPECT_EQ(numbers, (std::vector<int>{SIGUSR1, SIGUSR1, SIGUSR2, SIGUSR2}));
  signals.cancel();
  EXPECT_EQ(ctx.run(), 1u);
  ASSERT_EQ(numbers.size(), 5u);
  EXPECT_EQ(numbers.back(), -1);
}

TEST(RuntimeSignalSet, EverySetHoldingTheSignalGetsIt) {
  runtime_test::hang_watchdog watchdog("EverySetHoldingTheSignalGetsIt");
  rt::io_context ctx;
  rt::io_context other_ctx;
  rt::signal_set first(ctx, SIGUSR1);
  rt::signal_set second(ctx, SIGUSR2, SIGUSR1);
  rt::signal_set elsewhere(other_ctx, SIGUSR1);
  rt::signal_set not_holding_it(ctx, SIGUSR2);
  wait_result a, b, c, d;
  first.async_wait(recorder(a));
  second.async_wait(recorder(b));
  elsewhere.async_wait(recorder(c));
  not_holding_it.async_wait(recorder(d));
  ::raise(SIGUSR1);
  while (a.calls + b.calls < 2) ASSERT_EQ(ctx.run_one(), 1u);
  EXPECT_EQ(other_ctx.run_one(), 1u);
  for (const wait_result* r : {&a, &b, &c}) {
    EXPECT_EQ(r->calls, 1);
    EXPECT_FALSE(r->ec);
    EXPECT_EQ(r->signal_number, SIGUSR1);
  }
  EXPECT_EQ(ctx.poll(), 0u);
  EXPECT_EQ(d.calls, 0) << "a set without SIGUSR1 does not see it";
  not_holding_it.cancel();
  ctx.restart();
  EXPECT_EQ(ctx.run(), 1u);
  EXPECT_EQ(d.ec, rt::error::operation_aborted);
}

TEST(RuntimeSignalSet, AllPendingWaitsOfASetCompleteWithOneSignal) {
  runtime_test::hang_watchdog watchdog("AllPendingWaitsOfASetCompleteWithOneSignal");
  rt::io_context ctx;
  rt::signal_set signals(ctx, SIGUSR1);
  wait_result a, b;
  signals.async_wait(recorder(a));
  signals.async_wait(recorder(b));
  ::raise(SIGUSR1);
  ctx.run();  // Asio's count also includes its reactor reading the signal pipe
  EXPECT_EQ(a.calls, 1);
  EXPECT_EQ(b.calls, 1);
  EXPECT_EQ(a.signal_number, SIGUSR1);
  EXPECT_EQ(b.signal_number, SIGUSR1);
}

TEST(RuntimeSignalSet, CancelCompletesPendingWaitsWithOperationAborted) {
  runtime_test::hang_watchdog watchdog("CancelCompletesPendingWaitsWithOperationAborted");
  rt::io_context ctx;
  rt::signal_set signals(ctx, SIGUSR1);
  wait_result a, b;
  signals.async_wait(recorder(a));
  signals.async_wait(recorder(b));
  EXPECT_EQ(ctx.poll(), 0u);
  rt_error_code ec = make_error_code(std::errc::interrupted);
  signals.cancel(ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(a.calls, 0) << "cancel() queues the handlers; it does not run them";
  EXPECT_EQ(ctx.run(), 2u);
  for (const wait_result* r : {&a, &b}) {
    EXPECT_EQ(r->calls, 1);
    EXPECT_EQ(r->ec, rt::error::operation_aborted);
    EXPECT_EQ(r->signal_number, 0);
  }
  // The set keeps its signals after a cancel.
  signals.cancel();
  wait_result c;
  signals.async_wait(recorder(c));
  ::raise(SIGUSR1);
  ctx.restart();
  ctx.run();  // Asio's count also includes its reactor reading the signal pipe
  EXPECT_EQ(c.calls, 1);
  EXPECT_FALSE(c.ec);
  EXPECT_EQ(c.signal_number, SIGUSR1);
}

// A handler's cancellation slot cancels that wait only; the set's other waits stay pending,
// and an emit after the wait completed does nothing.
TEST(RuntimeSignalSet, CancellationSlotCancelsOnlyItsOwnWait) {
  runtime_test::hang_watchdog watchdog("CancellationSlotCancelsOnlyItsOwnWait");
  rt::io_context ctx;
  rt::signal_set signals(ctx, SIGUSR1);
  rt::cancellation_signal cancel_first, cancel_second;
  wait_result first, second, plain;
  signals.async_wait(rt::bind_cancellation_slot(cancel_first.slot(), recorder(first)));
  signals.async_wait(rt::bind_cancellation_slot(cancel_second.slot(), recorder(second)));
  signals.async_wait(recorder(plain));
  EXPECT_EQ(ctx.poll(), 0u);

  cancel_first.emit(rt::cancellation_type::terminal);
  EXPECT_EQ(first.calls, 0) << "the cancelled wait completes through the context, not inline";
  ctx.poll();
  EXPECT_EQ(first.calls, 1);
  EXPECT_EQ(first.ec, rt::error::operation_aborted);
  EXPECT_EQ(first.signal_number, 0);
  EXPECT_EQ(second.calls, 0);
  EXPECT_EQ(plain.calls, 0);

  ::raise(SIGUSR1);
  ctx.restart();
  ctx.run();
  for (const wait_result* r : {&second, &plain}) {
    EXPECT_EQ(r->calls, 1);
    EXPECT_FALSE(r->ec);
    EXPECT_EQ(r->signal_number, SIGUSR1);
  }
  // The slot was cleared when the wait completed: emitting now reaches nothing.
  cancel_second.emit(rt::cancellation_type::terminal);
  ctx.restart();
  EXPECT_EQ(ctx.poll(), 0u);
  EXPECT_EQ(second.calls, 1);
}

TEST(RuntimeSignalSet, CancelKeepsQueuedNotifications) {
  runtime_test::hang_watchdog watchdog("CancelKeepsQueuedNotifications");
  rt::io_context ctx;
  rt::signal_set signals(ctx, SIGUSR1);
  ::raise(SIGUSR1);
  wait_until_signals_are_seen(ctx, SIGUSR2);
  signals.cancel();
  wait_result result;
  signals.async_wait(recorder(result));
  EXPECT_EQ(ctx.run(), 1u);
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.signal_number, SIGUSR1);
}

TEST(RuntimeSignalSet, InvalidSignalNumbersAreRejected) {
  rt::io_context ctx;
  rt::signal_set signals(ctx);
  for (int bad : {-1, 0, NSIG, NSIG + 100, SIGKILL, SIGSTOP}) {
    rt_error_code ec;
    signals.add(bad, ec);
    EXPECT_EQ(ec, rt::error::invalid_argument) << "add(" << bad << ")";
  }
  for (int bad : {-1, NSIG}) {
    rt_error_code ec;
    signals.remove(bad, ec);
    EXPECT_EQ(ec, rt::error::invalid_argument) << "remove(" << bad << ")";
  }
  try {
    signals.add(-1);
    ADD_FAILURE() << "add(-1) did not throw";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), rt::error::invalid_argument);
  }
  EXPECT_THROW(signals.remove(NSIG), std::system_error);
  EXPECT_THROW({ rt::signal_set failing(ctx, SIGUSR1, SIGKILL); }, std::system_error);
  EXPECT_TRUE(has_default_disposition(SIGUSR1)) << "the failed constructor released SIGUSR1";
}

TEST(RuntimeSignalSet, AddingTwiceAndRemovingAbsentSignalsSucceed) {
  rt::io_context ctx;
  rt::signal_set signals(ctx);
  rt_error_code ec = make_error_code(std::errc::interrupted);
  signals.remove(SIGUSR1, ec);
  EXPECT_FALSE(ec) << "removing a signal the set does not hold is not an error";
  signals.add(SIGUSR1, ec);
  EXPECT_FALSE(ec);
  signals.add(SIGUSR1, ec);
  EXPECT_FALSE(ec);
  signals.remove(SIGUSR1, ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(has_default_disposition(SIGUSR1)) << "one remove undoes a repeated add";
}

TEST(RuntimeSignalSet, DispositionsChangeOnlyWhileSomeSetHoldsTheSignal) {
  EXPECT_TRUE(has_default_disposition(SIGUSR1));
  EXPECT_TRUE(has_default_disposition(SIGUSR2));
  rt::io_context ctx;
  {
    rt::signal_set first(ctx, SIGUSR1);
    EXPECT_FALSE(has_default_disposition(SIGUSR1));
    EXPECT_TRUE(has_default_disposition(SIGUSR2)) << "signals in no set keep their disposition";
    {
      rt::signal_set second(ctx, SIGUSR1);
    }
    EXPECT_FALSE(has_default_disposition(SIGUSR1)) << "`first` still holds SIGUSR1";
    first.remove(SIGUSR1);
    EXPECT_TRUE(has_default_disposition(SIGUSR1));
    first.add(SIGUSR2);
    EXPECT_FALSE(has_default_disposition(SIGUSR2));
  }
  EXPECT_TRUE(has_default_disposition(SIGUSR2)) << "destroying the set released its signals";
}

TEST(RuntimeSignalSet, RemoveStopsDeliveryAndDiscardsQueuedNotifications) {
  runtime_test::hang_watchdog watchdog("RemoveStopsDeliveryAndDiscardsQueuedNotifications");
  rt::io_context ctx;
  rt::signal_set keeper(ctx, SIGUSR1);  // keeps SIGUSR1 caught after `signals` removes it
  rt::signal_set signals(ctx, SIGUSR1, SIGUSR2);
  ::raise(SIGUSR1);
  wait_until_signals_are_seen(ctx, SIGUSR2);  // queues SIGUSR1 and SIGUSR2 on `signals`
  signals.remove(SIGUSR1);
  signals.remove(SIGUSR2);
  signals.add(SIGUSR2);  // re-adding starts with nothing queued
  wait_result result;
  signals.async_wait(recorder(result));
  EXPECT_EQ(ctx.poll(), 0u) << "the removed signals' notifications were discarded";

  wait_result kept;
  keeper.async_wait(recorder(kept));
  ::raise(SIGUSR1);
  // keeper has a SIGUSR1 queued from the first raise, so its wait completes at once; run until
  // this raise has been handed out too.
  wait_until_signals_are_seen(ctx, SIGUSR2);
  ctx.poll();  // handlers posted in the same pass as the marker's
  EXPECT_EQ(kept.signal_number, SIGUSR1);
  EXPECT_EQ(result.calls, 1);
  EXPECT_EQ(result.signal_number, SIGUSR2) << "SIGUSR1 no longer reaches `signals`";
}

TEST(RuntimeSignalSet, ClearRemovesEverySignal) {
  runtime_test::hang_watchdog watchdog("ClearRemovesEverySignal");
  rt::io_context ctx;
  rt::signal_set signals(ctx, SIGUSR1, SIGUSR2);
  rt_error_code ec = make_error_code(std::errc::interrupted);
  signals.clear(ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(has_default_disposition(SIGUSR1));
  EXPECT_TRUE(has_default_disposition(SIGUSR2));
  signals.clear();  // clearing an empty set is fine
  signals.add(SIGUSR2);
  wait_result result;
  signals.async_wait(recorder(result));
  ::raise(SIGUSR2);
  ctx.run();  // Asio's count also includes its reactor reading the signal pipe
  EXPECT_EQ(result.calls, 1);
  EXPECT_EQ(result.signal_number, SIGUSR2);
}

TEST(RuntimeSignalSet, DestroyingASetAbortsItsPendingWaits) {
  runtime_test::hang_watchdog watchdog("DestroyingASetAbortsItsPendingWaits");
  rt::io_context ctx;
  auto signals = std::make_unique<rt::signal_set>(ctx, SIGUSR1);
  wait_result result;
  signals->async_wait(recorder(result));
  signals.reset();
  EXPECT_TRUE(has_default_disposition(SIGUSR1));
  EXPECT_EQ(result.calls, 0);
  EXPECT_EQ(ctx.run(), 1u);
  EXPECT_EQ(result.calls, 1);
  EXPECT_EQ(result.ec, rt::error::operation_aborted);
}

TEST(RuntimeSignalSet, ContextDestructionDestroysPendingHandlersThatOwnTheirSet) {
  std::weak_ptr<rt::signal_set> watcher;
  bool invoked = false;
  {
    rt::io_context ctx;
    auto signals = std::make_shared<rt::signal_set>(ctx, SIGUSR1);
    watcher = signals;
    signals->async_wait(
        [signals, &invoked](const rt_error_code&, int) { invoked = true; });
  }
  EXPECT_TRUE(watcher.expired()) << "the pending handler, and the set it held, were destroyed";
  EXPECT_FALSE(invoked);
  EXPECT_TRUE(has_default_disposition(SIGUSR1));
}

TEST(RuntimeSignalSet, HandlerRunsThroughItsAssociatedExecutor) {
  runtime_test::hang_watchdog watchdog("HandlerRunsThroughItsAssociatedExecutor");
  rt::io_context ctx;
  auto strand = rt::make_strand(ctx);
  rt::signal_set signals(ctx, SIGUSR1);
  bool in_strand = false;
  int number = 0;
  signals.async_wait(rt::bind_executor(strand, [&](const rt_error_code&, int signal_number) {
    in_strand = strand.running_in_this_thread();
    number = signal_number;
  }));
  ::raise(SIGUSR1);
  ctx.run();
  EXPECT_TRUE(in_strand);
  EXPECT_EQ(number, SIGUSR1);
}

TEST(RuntimeSignalSet, ExecutorAndRebind) {
  rt::io_context ctx;
  rt::signal_set signals(ctx);
  EXPECT_TRUE(signals.get_executor() == rt::any_io_executor(ctx.get_executor()));
  using io_set = rt::signal_set::rebind_executor<rt::io_context::executor_type>::other;
  static_assert(std::is_same_v<io_set::executor_type, rt::io_context::executor_type>);
  io_set typed(ctx.get_executor(), SIGUSR1, SIGUSR2);
  EXPECT_TRUE(typed.get_executor() == ctx.get_executor());
}

}  // namespace
