// Tests of proa's signal_set machinery beyond the Asio behaviour tests: restored dispositions,
// the dispatcher's reader thread coming and going with registrations, handlers bound to a
// foreign executor, sets destroyed by their own handler, and concurrent use from many threads.
// Only SIGUSR1/SIGUSR2 are raised, and only while a set holds them (their default would kill
// the test binary).
#include "runtime/signal_set.hpp"

#include <dirent.h>
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include "platform/signal_ops.hpp"
#include "runtime/bind_executor.hpp"
#include "runtime/io_context.hpp"
#include "runtime/thread_pool.hpp"

namespace {

using namespace std::chrono_literals;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int stress_scale = 1;
#else
constexpr int stress_scale = 4;
#endif

// Threads of this process, as the kernel lists them.
int thread_count() {
  int count = 0;
  if (DIR* dir = ::opendir("/proc/self/task")) {
    while (dirent* entry = ::readdir(dir))
      if (entry->d_name[0] != '.') ++count;
    ::closedir(dir);
  }
  return count;
}

// The count once it settles at `expected`, or whatever it is after a bound. A joined thread can
// linger in /proc for a moment after pthread_join returns, so an exit is waited for.
int thread_count_settling_at(int expected) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  int count = thread_count();
  while (count != expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
    count = thread_count();
  }
  return count;
}

// The count without threads that earlier tests joined but that /proc still lists: the lowest
// seen over a short while.
int settled_thread_count() {
  int lowest = thread_count();
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(1ms);
    const int count = thread_count();
    if (count < lowest) lowest = count;
  }
  return lowest;
}

bool disposition_is(int signal_number, proa::detail::signal_ops::handler_function handler) {
  return proa::detail::signal_ops::current_disposition(signal_number).sa_handler == handler;
}

void do_nothing_handler(int) {}

TEST(SignalSet, TheDispositionFromBeforeTheFirstSetComesBack) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGUSR2, &ignore, nullptr), 0);
  struct sigaction custom {};
  custom.sa_handler = &do_nothing_handler;
  ASSERT_EQ(::sigaction(SIGUSR1, &custom, nullptr), 0);
  {
    proa::io_context ctx;
    proa::signal_set first(ctx, SIGUSR1, SIGUSR2);
    proa::signal_set second(ctx, SIGUSR2);
    EXPECT_FALSE(disposition_is(SIGUSR2, SIG_IGN));
    EXPECT_FALSE(disposition_is(SIGUSR1, &do_nothing_handler));
    first.remove(SIGUSR2);
    EXPECT_FALSE(disposition_is(SIGUSR2, SIG_IGN)) << "`second` still holds SIGUSR2";
    second.clear();
    EXPECT_TRUE(disposition_is(SIGUSR2, SIG_IGN));
  }
  EXPECT_TRUE(disposition_is(SIGUSR1, &do_nothing_handler));
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  ::sigaction(SIGUSR1, &default_action, nullptr);
  ::sigaction(SIGUSR2, &default_action, nullptr);
}

TEST(SignalSet, ReaderThreadRunsOnlyWhileSomeSetHoldsASignal) {
  const int before = settled_thread_count();
  ASSERT_GT(before, 0);
  proa::io_context ctx;
  {
    proa::signal_set empty(ctx);
    EXPECT_EQ(thread_count(), before) << "a set without signals needs no reader";
    proa::signal_set first(ctx, SIGUSR1);
    EXPECT_EQ(thread_count(), before + 1);
    proa::signal_set second(ctx, SIGUSR1, SIGUSR2);
    EXPECT_EQ(thread_count(), before + 1) << "one reader for the whole process";
    first.clear();
    EXPECT_EQ(thread_count(), before + 1);
    second.remove(SIGUSR1);
    second.remove(SIGUSR2);
    EXPECT_EQ(thread_count_settling_at(before), before)
        << "the reader is joined with the last registration";
    second.add(SIGUSR2);
    EXPECT_EQ(thread_count(), before + 1);

    // A restarted reader still delivers.
    int number = 0;
    second.async_wait([&](const std::error_code&, int n) { number = n; });
    ::raise(SIGUSR2);
    EXPECT_EQ(ctx.run(), 1u);
    EXPECT_EQ(number, SIGUSR2);
  }
  EXPECT_EQ(thread_count_settling_at(before), before);
}

TEST(SignalSet, AHandlerBoundToAnotherContextKeepsThatContextRunning) {
  proa::io_context ctx;
  proa::io_context other;
  proa::signal_set signals(ctx, SIGUSR1);
  std::atomic<bool> delivered{false};
  std::thread::id handler_thread;
  signals.async_wait(proa::bind_executor(other, [&](const std::error_code& ec, int n) {
    handler_thread = std::this_thread::get_id();
    delivered = !ec && n == SIGUSR1;
  }));
  // Started after async_wait: the pending wait is already work of `other`, so run() waits.
  std::thread runner([&] { other.run(); });
  const std::thread::id runner_id = runner.get_id();
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(other.stopped()) << "the pending wait counts as work of the handler's context";
  ::raise(SIGUSR1);
  EXPECT_EQ(ctx.run(), 1u);
  runner.join();
  EXPECT_TRUE(delivered.load());
  EXPECT_EQ(handler_thread, runner_id);
}

TEST(SignalSet, AHandlerMayDestroyItsOwnSet) {
  proa::io_context ctx;
  auto signals = std::make_unique<proa::signal_set>(ctx, SIGUSR1);
  int number = 0;
  signals->async_wait([&](const std::error_code&, int n) {
    number = n;
    signals.reset();
  });
  ::raise(SIGUSR1);
  EXPECT_EQ(ctx.run(), 1u);
  EXPECT_EQ(number, SIGUSR1);
  EXPECT_EQ(signals, nullptr);
  EXPECT_TRUE(disposition_is(SIGUSR1, SIG_DFL));
}

TEST(SignalSet, ASetOnAContextThatNeverRunsStillCountsSignals) {
  // The dispatcher counts a notification for a set whether or not anyone runs its context.
  proa::io_context ctx;
  proa::signal_set signals(ctx, SIGUSR1);
  proa::io_context marker_ctx;
  proa::signal_set marker(marker_ctx, SIGUSR2);
  bool marker_seen = false;
  marker.async_wait([&](const std::error_code&, int) { marker_seen = true; });
  ::raise(SIGUSR1);
  ::raise(SIGUSR2);
  EXPECT_EQ(marker_ctx.run(), 1u);  // the pipe is read in order: SIGUSR1 was handed out first
  ASSERT_TRUE(marker_seen);
  int number = 0;
  signals.async_wait([&](const std::error_code&, int n) { number = n; });
  EXPECT_EQ(ctx.poll(), 1u);
  EXPECT_EQ(number, SIGUSR1);
}

// Raisers, a re-arming waiter and threads creating and destroying their own sets all at once.
// Every raise must reach the waiter exactly once.
TEST(SignalSet, ConcurrentRaisesWaitsAndRegistrationChurn) {
  constexpr int raisers = 3;
  const int raises_each = 200 * stress_scale;
  const int expected = raisers * raises_each;

  proa::thread_pool pool(4);
  proa::signal_set anchor(pool, SIGUSR1);
  std::atomic<int> received{0};
  std::atomic<int> errors{0};
  struct rearm {
    proa::signal_set* set;
    std::atomic<int>* received;
    std::atomic<int>* errors;
    int expected;
    void operator()(const std::error_code& ec, int n) const {
      if (ec || n != SIGUSR1) {
        errors->fetch_add(1);
        return;
      }
      if (received->fetch_add(1) + 1 < expected) set->async_wait(*this);
    }
  };
  anchor.async_wait(rearm{&anchor, &received, &errors, expected});

  std::atomic<bool> churning{true};
  std::atomic<int> churn_deliveries{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < 2; ++c) {
    threads.emplace_back([&] {
      proa::io_context own;
      while (churning.load()) {
        proa::signal_set set(own, SIGUSR2, SIGUSR1);
        int got = 0;
        set.async_wait([&](const std::error_code& ec, int n) {
          if (!ec && n == SIGUSR2) got = n;
        });
        ::raise(SIGUSR2);  // held by `set` right now
        own.run_one();
        own.restart();
        if (got == SIGUSR2) churn_deliveries.fetch_add(1);
        set.remove(SIGUSR1);
      }
    });
  }
  for (int r = 0; r < raisers; ++r) {
    threads.emplace_back([&] {
      for (int i = 0; i < raises_each; ++i) {
        ::raise(SIGUSR1);
        if (i % 16 == 0) std::this_thread::yield();
      }
    });
  }
  for (std::size_t t = 2; t < threads.size(); ++t) threads[t].join();
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (received.load() < expected && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  churning.store(false);
  threads[0].join();
  threads[1].join();
  pool.join();
  EXPECT_EQ(received.load(), expected);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(churn_deliveries.load(), 0);
}

}  // namespace
