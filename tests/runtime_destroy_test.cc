// Destroying an execution context destroys the handlers still queued on it without invoking
// them, whichever way they were queued (post, strand, cancelled timer wait, thread_pool).
#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "tests/runtime_under_test.hpp"

namespace {

// Counts invocations and destructions of the handlers that own a ticket.
struct handler_ledger {
  int invoked = 0;
  int destroyed = 0;
};

// Owned (through a shared_ptr) by exactly one handler, however often the runtime moves it.
struct ticket {
  explicit ticket(handler_ledger& ledger) : ledger(ledger) {}
  ticket(const ticket&) = delete;
  ticket& operator=(const ticket&) = delete;
  ~ticket() { ++ledger.destroyed; }
  handler_ledger& ledger;
};

auto counted_handler(handler_ledger& ledger) {
  return [owned = std::make_shared<ticket>(ledger)] { ++owned->ledger.invoked; };
}

TEST(RuntimeDestroy, QueuedHandlersAreDestroyedNotInvoked) {
  runtime_test::hang_watchdog watchdog("QueuedHandlersAreDestroyedNotInvoked");
  handler_ledger ledger;
  {
    rt::io_context ctx;
    for (int i = 0; i < 10; ++i) rt::post(ctx, counted_handler(ledger));
    EXPECT_EQ(ledger.destroyed, 0) << "queued handlers stay alive until the context dies";
  }
  EXPECT_EQ(ledger.invoked, 0);
  EXPECT_EQ(ledger.destroyed, 10);
}

TEST(RuntimeDestroy, HandlersLeftBehindByStopAreDestroyed) {
  runtime_test::hang_watchdog watchdog("HandlersLeftBehindByStopAreDestroyed");
  handler_ledger ledger;
  {
    rt::io_context ctx;
    rt::post(ctx, [&ctx] { ctx.stop(); });
    for (int i = 0; i < 5; ++i) rt::post(ctx, counted_handler(ledger));
    EXPECT_EQ(ctx.run(), 1u);
  }
  EXPECT_EQ(ledger.invoked, 0);
  EXPECT_EQ(ledger.destroyed, 5);
}

TEST(RuntimeDestroy, StrandHandlersAreDestroyedNotInvoked) {
  runtime_test::hang_watchdog watchdog("StrandHandlersAreDestroyedNotInvoked");
  handler_ledger ledger;
  {
    rt::io_context ctx;
    auto strand = rt::make_strand(ctx);
    for (int i = 0; i < 10; ++i) rt::post(strand, counted_handler(ledger));
  }
  EXPECT_EQ(ledger.invoked, 0);
  EXPECT_EQ(ledger.destroyed, 10);
}

TEST(RuntimeDestroy, DestroyedTimerQueuesAnAbortedWaitThatTheContextDestroys) {
  runtime_test::hang_watchdog watchdog("DestroyedTimerQueuesAnAbortedWaitThatTheContextDestroys");
  handler_ledger ledger;
  {
    rt::io_context ctx;
    {
      rt::steady_timer timer(ctx, std::chrono::hours(1));
      timer.async_wait([owned = std::make_shared<ticket>(ledger)](const rt_error_code&) {
        ++owned->ledger.invoked;
      });
    }
    EXPECT_EQ(ledger.destroyed, 0) << "the timer's destructor cancels the wait, keeping it";
  }
  EXPECT_EQ(ledger.invoked, 0);
  EXPECT_EQ(ledger.destroyed, 1);
}

TEST(RuntimeDestroy, HandlersLeftInAStoppedThreadPoolAreDestroyed) {
  runtime_test::hang_watchdog watchdog("HandlersLeftInAStoppedThreadPoolAreDestroyed");
  handler_ledger ledger;
  {
    rt::thread_pool pool(1);
    runtime_test::notification blocker_started;
    runtime_test::notification release;
    rt::post(pool, [&] {
      blocker_started.notify();
      release.wait_for();
    });
    ASSERT_TRUE(blocker_started.wait_for());
    for (int i = 0; i < 5; ++i) rt::post(pool, counted_handler(ledger));
    pool.stop();
    release.notify();
    pool.join();
  }
  EXPECT_EQ(ledger.invoked, 0) << "a stopped pool's only thread takes no further handler";
  EXPECT_EQ(ledger.destroyed, 5);
}

}  // namespace
