// Unit tests of async_compose: a two-step timer operation written as Asio documents it, used
// with a callback and with use_future; work tracking of the I/O objects' executors; and
// cancellation reaching the inner operation through self's slot.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <future>
#include <system_error>

#include "platform/error.hpp"
#include "runtime/basic_waitable_timer.hpp"
#include "runtime/bind_cancellation_slot.hpp"
#include "runtime/cancellation_signal.hpp"
#include "runtime/compose.hpp"
#include "runtime/io_context.hpp"
#include "runtime/post.hpp"
#include "runtime/use_future.hpp"

namespace {

using namespace std::chrono_literals;

// Waits on the timer `count` times, then completes with how many waits succeeded.
struct repeated_wait {
  proa::steady_timer& timer;
  int count;
  int done = 0;
  enum { starting, waiting } state = starting;

  template <typename Self>
  void operator()(Self& self, std::error_code ec = {}) {
    if (state == waiting) {
      if (ec) {
        self.complete(ec, done);
        return;
      }
      ++done;
    }
    state = waiting;
    if (done == count) {
      self.complete(std::error_code(), done);
      return;
    }
    timer.expires_after(1ms);
    timer.async_wait(std::move(self));
  }
};

template <typename CompletionToken>
auto async_repeated_wait(proa::steady_timer& timer, int count, CompletionToken&& token) {
  return proa::async_compose<CompletionToken, void(std::error_code, int)>(
      repeated_wait{timer, count}, token, timer);
}

TEST(AsyncCompose, WithACallback) {
  proa::io_context ctx;
  proa::steady_timer timer(ctx);
  std::error_code got_ec = proa::error::operation_aborted;
  int got = -1;
  async_repeated_wait(timer, 3, [&](std::error_code ec, int n) {
    got_ec = ec;
    got = n;
  });
  ctx.run();
  EXPECT_FALSE(got_ec);
  EXPECT_EQ(got, 3);
}

TEST(AsyncCompose, WithUseFuture) {
  proa::io_context ctx;
  proa::steady_timer timer(ctx);
  std::future<int> f = async_repeated_wait(timer, 2, proa::use_future);
  ctx.run();
  EXPECT_EQ(f.get(), 2);
}

// The operation hops to another context and back: while it is pending, the work it holds on
// the I/O object's executor keeps that context's run() going.
struct hop_through {
  proa::io_context* other;
  bool started = false;

  template <typename Self>
  void operator()(Self& self) {
    if (!started) {
      started = true;
      proa::post(other->get_executor(), std::move(self));
      return;
    }
    self.complete(5);
  }
};

TEST(AsyncCompose, HoldsWorkOnTheIoExecutorsWhilePending) {
  proa::io_context ctx;
  proa::io_context other;
  std::atomic<int> got{0};
  std::atomic<bool> run_returned{false};
  proa::steady_timer io_object(ctx);
  std::function<void(int)> handler = [&](int n) { got = n; };
  proa::async_compose<std::function<void(int)>&, void(int)>(hop_through{&other}, handler,
                                                             io_object);
  std::thread runner([&] {
    ctx.run();
    run_returned = true;
  });
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(run_returned.load());
  other.run();  // the hop reaches `other`, which sends the step back to ctx's executor
  runner.join();
  EXPECT_EQ(got.load(), 5);
}

// Records what self.cancelled() said when the inner wait came back.
struct cancellable_wait {
  proa::steady_timer& timer;
  proa::cancellation_type_t* seen;
  bool waiting = false;

  template <typename Self>
  void operator()(Self& self, std::error_code ec = {}) {
    if (!waiting) {
      waiting = true;
      timer.expires_after(10s);
      timer.async_wait(std::move(self));
      return;
    }
    *seen = self.cancelled();
    self.complete(ec);
  }
};

TEST(AsyncCompose, CancellationReachesTheInnerOperation) {
  proa::io_context ctx;
  proa::steady_timer timer(ctx);
  proa::cancellation_signal signal;
  proa::cancellation_type_t seen = proa::cancellation_type::none;
  std::error_code result;
  auto token = proa::bind_cancellation_slot(signal.slot(),
                                            [&](std::error_code ec) { result = ec; });
  proa::async_compose<decltype(token), void(std::error_code)>(cancellable_wait{timer, &seen},
                                                              token, timer);
  proa::post(ctx, [&] { signal.emit(proa::cancellation_type::terminal); });
  auto start = std::chrono::steady_clock::now();
  ctx.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(result, proa::error::operation_aborted);
  EXPECT_EQ(seen, proa::cancellation_type::terminal);
}

}  // namespace
