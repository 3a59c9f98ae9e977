// Tests for executor_work_guard/make_work_guard: outstanding work is held from construction
// until reset or destruction, through tracked executors or on_work_started/on_work_finished.
#include "runtime/executor_work_guard.hpp"

#include <gtest/gtest.h>

#include <type_traits>
#include <utility>

#include "runtime/bind_executor.hpp"
#include "runtime/manual_context_test_support.hpp"

namespace {

using proa::testing::legacy_executor;
using proa::testing::manual_context;
using manual_executor = manual_context::executor_type;

TEST(ExecutorWorkGuard, HoldsTrackedWorkUntilReset) {
  manual_context context;
  {
    proa::executor_work_guard<manual_executor> guard(context.get_executor());
    EXPECT_TRUE(guard.owns_work());
    EXPECT_EQ(context.outstanding_work(), 1);
    EXPECT_EQ(guard.get_executor(), context.get_executor());

    auto copy = guard;
    EXPECT_EQ(context.outstanding_work(), 2);
    copy.reset();
    EXPECT_FALSE(copy.owns_work());
    EXPECT_EQ(context.outstanding_work(), 1);
    copy.reset();
    EXPECT_EQ(context.outstanding_work(), 1);

    auto moved = std::move(guard);
    EXPECT_FALSE(guard.owns_work());
    EXPECT_TRUE(moved.owns_work());
    EXPECT_EQ(context.outstanding_work(), 1);
  }
  EXPECT_EQ(context.outstanding_work(), 0);
}

TEST(ExecutorWorkGuard, CountsThroughOnWorkStartedWhenAvailable) {
  manual_context context;
  legacy_executor::calls calls;
  legacy_executor ex(context, calls);
  {
    auto guard = proa::make_work_guard(ex);
    static_assert(std::is_same_v<decltype(guard), proa::executor_work_guard<legacy_executor>>);
    EXPECT_EQ(calls.work, 1);
    auto copy = guard;
    EXPECT_EQ(calls.work, 2);
    auto moved = std::move(copy);
    EXPECT_FALSE(copy.owns_work());
    EXPECT_EQ(calls.work, 2);
    moved.reset();
    EXPECT_EQ(calls.work, 1);
  }
  EXPECT_EQ(calls.work, 0);
}

TEST(ExecutorWorkGuard, MakeWorkGuardFromContext) {
  manual_context context;
  {
    auto guard = proa::make_work_guard(context);
    static_assert(std::is_same_v<decltype(guard), proa::executor_work_guard<manual_executor>>);
    EXPECT_EQ(context.outstanding_work(), 1);
  }
  EXPECT_EQ(context.outstanding_work(), 0);
}

TEST(ExecutorWorkGuard, MakeWorkGuardFromHandlerUsesItsAssociatedExecutor) {
  manual_context a;
  manual_context b;
  auto handler = proa::bind_executor(b.get_executor(), [] {});
  {
    auto only_handler = proa::make_work_guard(handler);
    auto with_executor = proa::make_work_guard(handler, a.get_executor());
    auto with_context = proa::make_work_guard(handler, a);
    EXPECT_EQ(a.outstanding_work(), 0);
    EXPECT_EQ(b.outstanding_work(), 3);
  }
  EXPECT_EQ(b.outstanding_work(), 0);

  auto plain = [] {};
  {
    auto guard = proa::make_work_guard(plain, a);
    EXPECT_EQ(guard.get_executor(), a.get_executor());
    EXPECT_EQ(a.outstanding_work(), 1);
  }
  EXPECT_EQ(a.outstanding_work(), 0);
}

}  // namespace
