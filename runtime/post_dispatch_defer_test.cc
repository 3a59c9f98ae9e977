// Tests for post, dispatch and defer: the properties each asks of the executor, inline versus
// queued execution, and handlers that carry their own executor (they run there, and keep work
// on it until they do).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "runtime/any_io_executor.hpp"
#include "runtime/bind_executor.hpp"
#include "runtime/defer.hpp"
#include "runtime/dispatch.hpp"
#include "runtime/manual_context_test_support.hpp"
#include "runtime/post.hpp"

namespace {

using proa::testing::legacy_executor;
using proa::testing::manual_context;
using proa::testing::minimal_executor;

TEST(Post, QueuesWithBlockingNeverAndForkEvenFromInsideTheContext) {
  manual_context context;
  std::vector<int> order;
  proa::post(context.get_executor(), [&] {
    order.push_back(1);
    proa::post(context.get_executor(), [&] { order.push_back(3); });
    order.push_back(2);
  });
  EXPECT_TRUE(order.empty());
  EXPECT_EQ(context.run(), 2u);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  for (const auto& s : context.submissions()) {
    EXPECT_TRUE(s.blocking_never);
    EXPECT_FALSE(s.continuation);
    EXPECT_FALSE(s.ran_inline);
  }
}

TEST(Post, AcceptsAContext) {
  manual_context context;
  int calls = 0;
  proa::post(context, [&] { ++calls; });
  EXPECT_EQ(context.queued(), 1u);
  context.run();
  EXPECT_EQ(calls, 1);
}

TEST(Post, HandlerOnlyFormUsesTheAssociatedExecutor) {
  manual_context context;
  int calls = 0;
  proa::post(proa::bind_executor(context, [&] { ++calls; }));
  EXPECT_EQ(context.queued(), 1u);
  context.run();
  EXPECT_EQ(calls, 1);
}

TEST(Post, MoveOnlyHandlers) {
  manual_context context;
  int seen = 0;
  proa::post(context.get_executor(), [p = std::make_unique<int>(8), &seen] { seen = *p; });
  context.run();
  EXPECT_EQ(seen, 8);
}

TEST(Post, HandlerWithItsOwnExecutorRunsThereAndKeepsWorkUntilThen) {
  manual_context a;
  manual_context b;
  bool ran_on_b = false;
  proa::post(a.get_executor(),
             proa::bind_executor(b.get_executor(), [&] { ran_on_b = b.running_in_this_thread(); }));
  EXPECT_EQ(a.queued(), 1u);
  EXPECT_EQ(b.queued(), 0u);
  EXPECT_EQ(b.outstanding_work(), 1);  // b must not run dry while the handler is on its way

  EXPECT_EQ(a.run(), 1u);
  EXPECT_FALSE(ran_on_b);
  EXPECT_EQ(b.queued(), 1u);  // forwarded to b, not run on a
  EXPECT_EQ(b.outstanding_work(), 0);

  EXPECT_EQ(b.run(), 1u);
  EXPECT_TRUE(ran_on_b);
  EXPECT_EQ(a.outstanding_work(), 0);
}

TEST(Post, HandlerBoundToTheSameExecutorStillRuns) {
  manual_context context;
  int calls = 0;
  proa::post(context.get_executor(), proa::bind_executor(context.get_executor(), [&] { ++calls; }));
  context.run();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(context.outstanding_work(), 0);
}

TEST(Defer, QueuesAsAContinuation) {
  manual_context context;
  int calls = 0;
  proa::defer(context.get_executor(), [&] { ++calls; });
  proa::defer(context, [&] { ++calls; });
  proa::defer(proa::bind_executor(context, [&] { ++calls; }));
  EXPECT_EQ(calls, 0);
  ASSERT_EQ(context.submissions().size(), 3u);
  for (const auto& s : context.submissions()) {
    EXPECT_TRUE(s.blocking_never);
    EXPECT_TRUE(s.continuation);
  }
  context.run();
  EXPECT_EQ(calls, 3);
}

TEST(Dispatch, RunsInlineInsideTheContextAndQueuesOutside) {
  manual_context context;
  std::vector<int> order;
  proa::dispatch(context.get_executor(), [&] {
    order.push_back(1);
    proa::dispatch(context.get_executor(), [&] { order.push_back(2); });
    order.push_back(3);
  });
  EXPECT_TRUE(order.empty());
  EXPECT_EQ(context.run(), 1u);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  auto submissions = context.submissions();
  ASSERT_EQ(submissions.size(), 2u);
  EXPECT_FALSE(submissions[0].blocking_never);
  EXPECT_FALSE(submissions[0].ran_inline);
  EXPECT_TRUE(submissions[1].ran_inline);
}

TEST(Dispatch, ContextAndHandlerOnlyForms) {
  manual_context context;
  int calls = 0;
  proa::dispatch(context, [&] { ++calls; });
  proa::dispatch(proa::bind_executor(context, [&] { ++calls; }));
  EXPECT_EQ(context.queued(), 2u);
  context.run();
  EXPECT_EQ(calls, 2);
}

TEST(Dispatch, HandlerWithItsOwnExecutorIsForwarded) {
  manual_context a;
  manual_context b;
  int calls = 0;
  bool ran_on_b = false;
  // Dispatch from inside a: the hop runs inline on a, then queues on b (not inside b).
  proa::post(a, [&] {
    proa::dispatch(a.get_executor(), proa::bind_executor(b.get_executor(), [&] {
                     ++calls;
                     ran_on_b = b.running_in_this_thread();
                   }));
  });
  a.run();
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(b.outstanding_work(), 0);
  EXPECT_EQ(b.run(), 1u);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(ran_on_b);
}

TEST(Dispatch, ExecutorsWithoutBlockingPossiblyStillWork) {
  manual_context context;
  int calls = 0;
  proa::dispatch(minimal_executor(context), [&] { ++calls; });
  context.run();
  EXPECT_EQ(calls, 1);
}

TEST(LegacyExecutors, PostDispatchDeferUseTheirMembers) {
  manual_context context;
  legacy_executor::calls calls;
  legacy_executor ex(context, calls);
  int runs = 0;
  proa::post(ex, [&] { ++runs; });
  proa::defer(ex, [&] { ++runs; });
  proa::dispatch(ex, [&] { ++runs; });
  proa::post(proa::bind_executor(ex, [&] { ++runs; }));
  EXPECT_EQ(calls.post, 2);
  EXPECT_EQ(calls.defer, 1);
  EXPECT_EQ(calls.dispatch, 1);
  context.run();
  EXPECT_EQ(runs, 4);
}

TEST(LegacyExecutors, HandlerBoundToALegacyExecutorKeepsWorkUntilDispatched) {
  manual_context a;
  manual_context b;
  legacy_executor::calls calls;
  legacy_executor legacy(b, calls);
  bool ran_on_b = false;
  proa::post(a.get_executor(),
             proa::bind_executor(legacy, [&] { ran_on_b = b.running_in_this_thread(); }));
  EXPECT_EQ(calls.work, 1);
  a.run();
  EXPECT_EQ(calls.dispatch, 1);
  EXPECT_EQ(calls.work, 0);
  b.run();
  EXPECT_TRUE(ran_on_b);
}

TEST(AnyIoExecutorHandlers, HandlerBoundToAnyIoExecutorRunsOnItsTarget) {
  manual_context a;
  manual_context b;
  proa::any_io_executor target = b.get_executor();
  bool ran_on_b = false;
  proa::post(a, proa::bind_executor(target, [&] { ran_on_b = b.running_in_this_thread(); }));
  EXPECT_EQ(b.outstanding_work(), 1);
  a.run();
  EXPECT_EQ(b.outstanding_work(), 0);
  b.run();
  EXPECT_TRUE(ran_on_b);
}

}  // namespace
