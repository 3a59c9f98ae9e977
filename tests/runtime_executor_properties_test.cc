// Executor properties (query/require/prefer with execution::context, blocking,
// outstanding_work, relationship) and the type-erased any_io_executor.
#include <cstddef>
#include <optional>
#include <thread>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime_under_test.hpp"

namespace {

namespace execution = rt::execution;

TEST(RuntimeExecutorProperties, ExecutorsAreExecutors) {
  static_assert(execution::is_executor<rt::io_context::executor_type>::value);
  static_assert(execution::is_executor<rt::thread_pool::executor_type>::value);
  static_assert(execution::is_executor<rt::strand<rt::io_context::executor_type>>::value);
  static_assert(execution::is_executor<rt::any_io_executor>::value);
  static_assert(execution::is_executor<rt::system_executor>::value);
  SUCCEED();
}

TEST(RuntimeExecutorProperties, QueryContextNamesTheOwningContext) {
  rt::io_context ctx;
  rt::thread_pool pool(1);
  rt::io_context& from_ex = rt::query(ctx.get_executor(), execution::context);
  EXPECT_EQ(&from_ex, &ctx);
  rt::io_context& from_strand = rt::query(rt::make_strand(ctx), execution::context);
  EXPECT_EQ(&from_strand, &ctx);
  rt::thread_pool& from_pool = rt::query(pool.get_executor(), execution::context);
  EXPECT_EQ(&from_pool, &pool);
  rt::any_io_executor any = ctx.get_executor();
  rt::execution_context& from_any = rt::query(any, execution::context);
  EXPECT_EQ(&from_any, static_cast<rt::execution_context*>(&ctx));
  EXPECT_EQ(&ctx.get_executor().context(), &ctx);
  pool.join();
}

TEST(RuntimeExecutorProperties, BlockingNeverNeverRunsInline) {
  runtime_test::hang_watchdog watchdog("BlockingNeverNeverRunsInline");
  rt::io_context ctx;
  const auto ex = ctx.get_executor();
  const auto never = rt::require(ex, execution::blocking.never);
  EXPECT_TRUE(rt::query(ex, execution::blocking) == execution::blocking.possibly);
  EXPECT_TRUE(rt::query(never, execution::blocking) == execution::blocking.never);
  const auto possibly_again = rt::require(never, execution::blocking.possibly);
  EXPECT_TRUE(rt::query(possibly_again, execution::blocking) == execution::blocking.possibly);

  std::vector<const char*> events;
  rt::post(ctx, [&] {
    events.push_back("begin");
    execution::execute(ex, [&] { events.push_back("possibly"); });
    execution::execute(never, [&] { events.push_back("never"); });
    events.push_back("end");
  });
  ctx.run();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_STREQ(events[0], "begin");
  EXPECT_STREQ(events[1], "possibly") << "a blocking.possibly executor runs inline inside run()";
  EXPECT_STREQ(events[2], "end") << "a blocking.never executor must queue";
  EXPECT_STREQ(events[3], "never");
}

TEST(RuntimeExecutorProperties, TrackedExecutorKeepsTheContextBusyWhileACopyExists) {
  rt::io_context ctx;
  auto tracked = rt::prefer(ctx.get_executor(), execution::outstanding_work.tracked);
  EXPECT_TRUE(rt::query(tracked, execution::outstanding_work) ==
              execution::outstanding_work.tracked);
  EXPECT_TRUE(rt::query(ctx.get_executor(), execution::outstanding_work) ==
              execution::outstanding_work.untracked);
  std::optional<decltype(tracked)> copy(tracked);
  std::optional<decltype(tracked)> original(std::move(tracked));
  EXPECT_EQ(ctx.poll(), 0u);
  EXPECT_FALSE(ctx.stopped());
  original.reset();
  EXPECT_EQ(ctx.poll(), 0u);
  EXPECT_FALSE(ctx.stopped()) << "the copy still counts as work";
  auto untracked = rt::prefer(*copy, execution::outstanding_work.untracked);
  copy.reset();
  EXPECT_TRUE(ctx.stopped()) << "the last tracked executor is gone: no work left";
  EXPECT_TRUE(rt::query(untracked, execution::outstanding_work) ==
              execution::outstanding_work.untracked);
}

TEST(RuntimeExecutorProperties, TrackedExecutorKeepsRunAliveAcrossThreads) {
  runtime_test::hang_watchdog watchdog("TrackedExecutorKeepsRunAliveAcrossThreads");
  rt::io_context ctx;
  std::optional tracked(rt::prefer(ctx.get_executor(), execution::outstanding_work.tracked));
  std::size_t handlers = 0;
  std::thread runner([&] { handlers = ctx.run(); });
  runtime_test::notification first;
  rt::post(*tracked, [&] { first.notify(); });
  ASSERT_TRUE(first.wait_for());
  runtime_test::notification second;
  rt::post(ctx, [&] { second.notify(); });
  EXPECT_TRUE(second.wait_for()) << "run() returned although a tracked executor existed";
  tracked.reset();
  runner.join();  // bounded by the watchdog
  EXPECT_EQ(handlers, 2u);
}

TEST(RuntimeExecutorProperties, RelationshipIsQueryableAndPreferable) {
  rt::io_context ctx;
  const auto ex = ctx.get_executor();
  EXPECT_TRUE(rt::query(ex, execution::relationship) == execution::relationship.fork);
  const auto continuation = rt::prefer(ex, execution::relationship.continuation);
  EXPECT_TRUE(rt::query(continuation, execution::relationship) ==
              execution::relationship.continuation);
  const auto forked = rt::require(continuation, execution::relationship.fork);
  EXPECT_TRUE(rt::query(forked, execution::relationship) == execution::relationship.fork);
}

TEST(RuntimeExecutorProperties, IoContextExecutorEquality) {
  rt::io_context ctx;
  rt::io_context other;
  EXPECT_TRUE(ctx.get_executor() == ctx.get_executor());
  EXPECT_FALSE(ctx.get_executor() != ctx.get_executor());
  EXPECT_TRUE(ctx.get_executor() != other.get_executor());
}

TEST(RuntimeExecutorProperties, AnyIoExecutorWrapsContextAndStrandExecutors) {
  runtime_test::hang_watchdog watchdog("AnyIoExecutorWrapsContextAndStrandExecutors");
  rt::io_context ctx;
  rt::io_context other;
  auto strand = rt::make_strand(ctx);
  auto other_strand = rt::make_strand(ctx);

  rt::any_io_executor empty;
  EXPECT_FALSE(static_cast<bool>(empty));
  EXPECT_TRUE(empty == nullptr);

  rt::any_io_executor from_ctx = ctx.get_executor();
  rt::any_io_executor from_ctx_again(ctx.get_executor());
  rt::any_io_executor from_other = other.get_executor();
  rt::any_io_executor from_strand = strand;
  rt::any_io_executor from_strand_copy = rt::strand<rt::io_context::executor_type>(strand);
  rt::any_io_executor from_other_strand = other_strand;

  EXPECT_TRUE(static_cast<bool>(from_ctx));
  EXPECT_TRUE(from_ctx == from_ctx_again);
  EXPECT_TRUE(from_ctx != from_other);
  EXPECT_TRUE(from_strand == from_strand_copy);
  EXPECT_TRUE(from_strand != from_other_strand);
  EXPECT_TRUE(from_strand != from_ctx) << "a strand is not its inner executor";
  EXPECT_TRUE(from_ctx != empty);

  ASSERT_NE(from_ctx.target<rt::io_context::executor_type>(), nullptr);
  EXPECT_TRUE(*from_ctx.target<rt::io_context::executor_type>() == ctx.get_executor());
  // Asio 1.22's target<T>() does not check T (it casts blindly), so ask target_type() instead.
  EXPECT_TRUE(from_ctx.target_type() != typeid(rt::strand<rt::io_context::executor_type>));
  ASSERT_NE(from_strand.target<rt::strand<rt::io_context::executor_type>>(), nullptr);
  EXPECT_TRUE(*from_strand.target<rt::strand<rt::io_context::executor_type>>() == strand);
  EXPECT_TRUE(from_ctx.target_type() == typeid(rt::io_context::executor_type));
  EXPECT_TRUE(from_strand.target_type() == typeid(rt::strand<rt::io_context::executor_type>));

  // Work submitted through the wrappers lands where the wrapped executor sends it.
  int in_ctx = 0;
  int in_strand = 0;
  rt::post(from_ctx, [&] { in_ctx += ctx.get_executor().running_in_this_thread(); });
  rt::post(from_strand, [&] { in_strand += strand.running_in_this_thread(); });
  execution::execute(from_strand, [&] { in_strand += strand.running_in_this_thread(); });
  ctx.run();
  EXPECT_EQ(in_ctx, 1);
  EXPECT_EQ(in_strand, 2);
}

TEST(RuntimeExecutorProperties, AnyIoExecutorPropertiesKeepTheirEffect) {
  runtime_test::hang_watchdog watchdog("AnyIoExecutorPropertiesKeepTheirEffect");
  rt::io_context ctx;
  rt::any_io_executor any = ctx.get_executor();
  rt::any_io_executor never = rt::require(any, execution::blocking.never);
  rt::any_io_executor tracked = rt::prefer(any, execution::outstanding_work.tracked);
  EXPECT_EQ(ctx.poll(), 0u);
  EXPECT_FALSE(ctx.stopped()) << "the wrapped tracked executor counts as work";

  std::vector<const char*> events;
  rt::post(ctx, [&] {
    events.push_back("begin");
    execution::execute(any, [&] { events.push_back("possibly"); });
    execution::execute(never, [&] { events.push_back("never"); });
    events.push_back("end");
  });
  EXPECT_EQ(ctx.poll(), 2u);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_STREQ(events[1], "possibly");
  EXPECT_STREQ(events[2], "end");
  EXPECT_STREQ(events[3], "never");
  tracked = rt::any_io_executor();
  EXPECT_TRUE(ctx.stopped());
}

}  // namespace
