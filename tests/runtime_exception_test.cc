// A handler's exception leaves run() in the thread that ran the handler; calling run() again
// (no restart() needed) continues with the remaining handlers.
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime_under_test.hpp"

namespace {

struct handler_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

TEST(RuntimeException, RunPropagatesAndALaterRunContinues) {
  runtime_test::hang_watchdog watchdog("RunPropagatesAndALaterRunContinues");
  rt::io_context ctx;
  std::vector<int> order;
  rt::post(ctx, [&] { order.push_back(1); });
  rt::post(ctx, [&] {
    order.push_back(2);
    throw handler_failure("second handler failed");
  });
  rt::post(ctx, [&] { order.push_back(3); });
  rt::post(ctx, [&] { order.push_back(4); });

  try {
    ctx.run();
    ADD_FAILURE() << "run() must rethrow the handler's exception";
  } catch (const handler_failure& failure) {
    EXPECT_EQ(std::string(failure.what()), "second handler failed");
  }
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_FALSE(ctx.stopped()) << "an exception is not a stop";

  EXPECT_EQ(ctx.run(), 2u) << "the next run() executes only the remaining handlers";
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_TRUE(ctx.stopped());
}

TEST(RuntimeException, RunOneAndPollPropagateToo) {
  runtime_test::hang_watchdog watchdog("RunOneAndPollPropagateToo");
  rt::io_context ctx;
  int ran = 0;
  rt::post(ctx, [] { throw handler_failure("first"); });
  rt::post(ctx, [] { throw handler_failure("second"); });
  rt::post(ctx, [&] { ++ran; });
  EXPECT_THROW(ctx.run_one(), handler_failure);
  EXPECT_THROW(ctx.poll(), handler_failure);
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(ctx.poll_one(), 1u);
  EXPECT_EQ(ran, 1);
}

TEST(RuntimeException, OnlyTheThrowingThreadSeesTheException) {
  runtime_test::hang_watchdog watchdog("OnlyTheThrowingThreadSeesTheException");
  constexpr int kThreads = 4;
  constexpr int kHandlers = 2000;
  constexpr int kThrowEvery = 100;
  rt::io_context ctx;
  std::atomic<int> ran{0};
  std::atomic<int> caught{0};
  for (int i = 0; i < kHandlers; ++i) {
    rt::post(ctx, [&ran, i] {
      ++ran;
      if (i % kThrowEvery == 0) throw handler_failure("planned");
    });
  }
  // The documented pattern: catch, then call run() again until it returns normally.
  std::vector<std::thread> runners;
  for (int t = 0; t < kThreads; ++t) {
    runners.emplace_back([&] {
      for (;;) {
        try {
          ctx.run();
          return;
        } catch (const handler_failure&) {
          ++caught;
        }
      }
    });
  }
  for (auto& runner : runners) runner.join();
  EXPECT_EQ(ran.load(), kHandlers);
  EXPECT_EQ(caught.load(), kHandlers / kThrowEvery);
}

TEST(RuntimeException, StrandKeepsGoingAfterAHandlerThrows) {
  runtime_test::hang_watchdog watchdog("StrandKeepsGoingAfterAHandlerThrows");
  rt::io_context ctx;
  auto strand = rt::make_strand(ctx);
  std::vector<int> order;
  rt::post(strand, [&] { order.push_back(1); });
  rt::post(strand, [&] {
    order.push_back(2);
    throw handler_failure("strand handler failed");
  });
  rt::post(strand, [&] { order.push_back(3); });
  rt::post(strand, [&] { order.push_back(4); });
  EXPECT_THROW(ctx.run(), handler_failure);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  ctx.run();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4})) << "the strand must not stay locked";
}

TEST(RuntimeException, ThrowingHandlerIsDestroyedAndWorkIsAccounted) {
  runtime_test::hang_watchdog watchdog("ThrowingHandlerIsDestroyedAndWorkIsAccounted");
  rt::io_context ctx;
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> watch = token;
  rt::post(ctx, [token = std::move(token)] { throw handler_failure("owned state"); });
  EXPECT_THROW(ctx.run(), handler_failure);
  EXPECT_TRUE(watch.expired()) << "the handler that threw is gone";
  EXPECT_EQ(ctx.run(), 0u) << "no work remains";
  EXPECT_TRUE(ctx.stopped());
}

}  // namespace
