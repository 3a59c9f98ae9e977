// The free functions post, dispatch and defer in their three forms (handler with an associated
// executor, executor + handler, context + handler): where and when the handler runs.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime_under_test.hpp"

namespace {

// Records, for one handler, whether it ran and whether it ran inside the context's run().
struct run_record {
  bool ran = false;
  bool inside_run = false;
};

auto recorder(rt::io_context& ctx, run_record& record) {
  return [&ctx, &record] {
    record.ran = true;
    record.inside_run = ctx.get_executor().running_in_this_thread();
  };
}

TEST(RuntimePost, AllFormsQueueOnTheContextFromOutsideRun) {
  runtime_test::hang_watchdog watchdog("AllFormsQueueOnTheContextFromOutsideRun");
  rt::io_context ctx;
  const auto ex = ctx.get_executor();
  std::vector<run_record> records(9);
  rt::post(ctx, recorder(ctx, records[0]));
  rt::post(ex, recorder(ctx, records[1]));
  rt::post(rt::bind_executor(ex, recorder(ctx, records[2])));
  rt::dispatch(ctx, recorder(ctx, records[3]));
  rt::dispatch(ex, recorder(ctx, records[4]));
  rt::dispatch(rt::bind_executor(ex, recorder(ctx, records[5])));
  rt::defer(ctx, recorder(ctx, records[6]));
  rt::defer(ex, recorder(ctx, records[7]));
  rt::defer(rt::bind_executor(ex, recorder(ctx, records[8])));
  for (std::size_t i = 0; i < records.size(); ++i)
    EXPECT_FALSE(records[i].ran) << "form " << i << " ran outside run()";
  EXPECT_EQ(ctx.run(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_TRUE(records[i].ran) << "form " << i;
    EXPECT_TRUE(records[i].inside_run) << "form " << i;
  }
}

TEST(RuntimePost, QueuedHandlersRunInSubmissionOrderOnOneThread) {
  runtime_test::hang_watchdog watchdog("QueuedHandlersRunInSubmissionOrderOnOneThread");
  rt::io_context ctx;
  std::vector<int> order;
  for (int i = 0; i < 6; ++i) {
    auto handler = [&order, i] { order.push_back(i); };
    if (i % 3 == 0) rt::post(ctx, handler);
    if (i % 3 == 1) rt::dispatch(ctx, handler);
    if (i % 3 == 2) rt::defer(ctx, handler);
  }
  ctx.run();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST(RuntimePost, InsideRunDispatchIsInlinePostAndDeferAreNot) {
  runtime_test::hang_watchdog watchdog("InsideRunDispatchIsInlinePostAndDeferAreNot");
  rt::io_context ctx;
  rt::io_context other_ctx;
  std::vector<std::string> events;
  rt::post(ctx, [&] {
    events.push_back("begin");
    rt::dispatch(ctx, [&] { events.push_back("dispatch(ctx)"); });
    rt::dispatch(ctx.get_executor(), [&] { events.push_back("dispatch(ex)"); });
    rt::dispatch(rt::bind_executor(ctx.get_executor(), [&] { events.push_back("dispatch(h)"); }));
    rt::post(ctx, [&] { events.push_back("post"); });
    rt::defer(ctx, [&] { events.push_back("defer"); });
    rt::dispatch(other_ctx, [&] { events.push_back("dispatch(other)"); });
    events.push_back("end");
  });
  EXPECT_EQ(ctx.run(), 3u);
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(std::vector<std::string>(events.begin(), events.begin() + 5),
            (std::vector<std::string>{"begin", "dispatch(ctx)", "dispatch(ex)", "dispatch(h)",
                                      "end"}));
  // Asio does not promise an order between a handler's post and its defer.
  std::vector<std::string> queued(events.begin() + 5, events.end());
  std::sort(queued.begin(), queued.end());
  EXPECT_EQ(queued, (std::vector<std::string>{"defer", "post"}));
  EXPECT_EQ(other_ctx.run(), 1u) << "dispatch to a context this thread is not running queues";
  EXPECT_EQ(events.back(), "dispatch(other)");
}

TEST(RuntimePost, PostNeverRunsInlineEvenOnTheSameThreadLoop) {
  runtime_test::hang_watchdog watchdog("PostNeverRunsInlineEvenOnTheSameThreadLoop");
  rt::io_context ctx;
  int depth = 0;
  int max_depth = 0;
  int remaining = 100;
  std::function<void()> step = [&] {
    max_depth = std::max(max_depth, ++depth);
    if (--remaining > 0) rt::post(ctx, step);
    --depth;
  };
  rt::post(ctx, step);
  EXPECT_EQ(ctx.run(), 100u);
  EXPECT_EQ(max_depth, 1) << "post from a handler must not nest handlers";
}

TEST(RuntimePost, HandlerWithoutAnExecutorRunsOnTheSystemExecutor) {
  runtime_test::hang_watchdog watchdog("HandlerWithoutAnExecutorRunsOnTheSystemExecutor");
  runtime_test::notification ran;
  std::thread::id ran_on;
  rt::post([&] {
    ran_on = std::this_thread::get_id();
    ran.notify();
  });
  ASSERT_TRUE(ran.wait_for());
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

TEST(RuntimePost, ThreadPoolForms) {
  runtime_test::hang_watchdog watchdog("ThreadPoolForms");
  rt::thread_pool pool(2);
  std::atomic<int> in_pool{0};
  auto check = [&] {
    if (pool.get_executor().running_in_this_thread()) ++in_pool;
  };
  rt::post(pool, check);
  rt::post(pool.get_executor(), check);
  rt::post(rt::bind_executor(pool.get_executor(), check));
  rt::dispatch(pool, check);
  rt::defer(pool, check);
  pool.join();
  EXPECT_EQ(in_pool.load(), 5);
}

TEST(RuntimePost, BoundStrandWinsOverTheExecutorPostedTo) {
  runtime_test::hang_watchdog watchdog("BoundStrandWinsOverTheExecutorPostedTo");
  rt::io_context ctx;
  auto strand = rt::make_strand(ctx);
  int in_strand = 0;
  int handlers = 0;
  auto check = [&] {
    ++handlers;
    if (strand.running_in_this_thread()) ++in_strand;
  };
  rt::post(ctx, rt::bind_executor(strand, check));
  rt::dispatch(ctx, rt::bind_executor(strand, check));
  rt::defer(ctx.get_executor(), rt::bind_executor(strand, check));
  rt::post(rt::bind_executor(strand, check));
  ctx.run();
  EXPECT_EQ(handlers, 4);
  EXPECT_EQ(in_strand, 4);
}

TEST(RuntimePost, BoundStrandHandlersPostedFromManyThreadsNeverOverlap) {
  runtime_test::hang_watchdog watchdog("BoundStrandHandlersPostedFromManyThreadsNeverOverlap");
  constexpr int kPerThread = runtime_test::scaled(20'000, 2'000);
  rt::io_context ctx;
  auto strand = rt::make_strand(ctx);
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  int count = 0;  // touched only inside the strand
  auto guard = rt::make_work_guard(ctx);
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back([&ctx] { ctx.run(); });
  std::vector<std::thread> producers;
  for (int p = 0; p < 2; ++p) {
    producers.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        rt::post(ctx, rt::bind_executor(strand, [&] {
                   if (inside.fetch_add(1) != 0) ++overlaps;
                   ++count;
                   inside.fetch_sub(1);
                 }));
      }
    });
  }
  for (auto& producer : producers) producer.join();
  guard.reset();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(count, 2 * kPerThread);
}

TEST(RuntimePost, HandlerBoundToAnotherContextRunsThereAndKeepsItBusy) {
  runtime_test::hang_watchdog watchdog("HandlerBoundToAnotherContextRunsThereAndKeepsItBusy");
  rt::io_context first;
  rt::io_context second;
  bool ran = false;
  bool ran_in_second = false;
  rt::post(first, rt::bind_executor(second.get_executor(), [&] {
             ran = true;
             ran_in_second = second.get_executor().running_in_this_thread();
           }));
  EXPECT_EQ(second.poll(), 0u);
  EXPECT_FALSE(second.stopped()) << "the handler's own executor tracks work until it runs";
  EXPECT_EQ(first.run(), 1u);
  EXPECT_FALSE(ran) << "the first context only forwards the handler";
  EXPECT_EQ(second.run(), 1u);
  EXPECT_TRUE(ran);
  EXPECT_TRUE(ran_in_second);
}

TEST(RuntimePost, MoveOnlyHandlersAreAccepted) {
  runtime_test::hang_watchdog watchdog("MoveOnlyHandlersAreAccepted");
  rt::io_context ctx;
  int sum = 0;
  auto value = std::make_unique<int>(7);
  rt::post(ctx, [&sum, v = std::move(value)] { sum += *v; });
  rt::dispatch(ctx, [&sum, v = std::make_unique<int>(5)] { sum += *v; });
  rt::defer(ctx, [&sum, v = std::make_unique<int>(3)] { sum += *v; });
  ctx.run();
  EXPECT_EQ(sum, 15);
}

}  // namespace
