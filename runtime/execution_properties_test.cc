// Tests for the executor properties, the executor concepts and the require/prefer/query
// customisation points, using the recording executors of manual_context_test_support.hpp.
#include "runtime/execution.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <type_traits>

#include "runtime/manual_context_test_support.hpp"

namespace {

using proa::testing::legacy_executor;
using proa::testing::manual_context;
using proa::testing::minimal_executor;
namespace execution = proa::execution;

using manual_executor = manual_context::executor_type;

static_assert(std::is_same_v<decltype(execution::blocking.never), const execution::blocking_t::never_t>);
static_assert(std::is_same_v<decltype(execution::outstanding_work.tracked),
                             const execution::outstanding_work_t::tracked_t>);
static_assert(std::is_same_v<decltype(execution::relationship.continuation),
                             const execution::relationship_t::continuation_t>);
static_assert(execution::blocking_t::never_t::is_requirable);
static_assert(execution::blocking_t::possibly_t::is_preferable);
static_assert(!execution::blocking_t::is_requirable);
static_assert(!execution::context_t::is_preferable);
static_assert(execution::allocator_t<void>::is_requirable);

static_assert(execution::executor<manual_executor>);
static_assert(execution::is_executor_v<minimal_executor>);
static_assert(!execution::is_executor<int>::value);
static_assert(!execution::executor<legacy_executor>);
static_assert(proa::is_executor<legacy_executor>::value);
static_assert(!proa::is_executor_v<manual_executor>);

static_assert(proa::can_require_v<manual_executor, execution::blocking_t::never_t>);
static_assert(proa::can_require_v<manual_executor, execution::blocking_t::never_t,
                                  execution::outstanding_work_t::tracked_t>);
static_assert(!proa::can_require_v<minimal_executor, execution::outstanding_work_t::tracked_t>);
static_assert(!proa::can_require_v<manual_executor, execution::blocking_t::always_t>);
// Group properties are not requirable, even if an executor had a member for them.
static_assert(!proa::can_require_v<manual_executor, execution::blocking_t>);
static_assert(proa::can_prefer_v<minimal_executor, execution::outstanding_work_t::tracked_t>);
static_assert(proa::can_prefer_v<minimal_executor, execution::blocking_t::possibly_t,
                                 execution::relationship_t::fork_t>);
static_assert(!proa::can_prefer_v<minimal_executor, execution::context_t>);
static_assert(proa::can_query_v<manual_executor, execution::context_t>);
static_assert(!proa::can_query_v<minimal_executor, execution::blocking_t>);
static_assert(std::is_same_v<proa::query_result_t<manual_executor, execution::context_t>,
                             manual_context&>);

TEST(ExecutionProperties, AlternativesConvertToTheirGroupAndCompare) {
  execution::blocking_t b = execution::blocking.never;
  EXPECT_EQ(b, execution::blocking.never);
  EXPECT_NE(b, execution::blocking.possibly);
  EXPECT_NE(b, execution::blocking_t{});
  EXPECT_EQ(execution::blocking_t::always_t::value(), execution::blocking.always);
  constexpr execution::outstanding_work_t w = execution::outstanding_work.tracked;
  static_assert(w == execution::outstanding_work.tracked);
  static_assert(w != execution::outstanding_work.untracked);
  EXPECT_EQ(execution::relationship_t(execution::relationship.fork), execution::relationship.fork);
}

TEST(ExecutionProperties, AllocatorPropertyCarriesItsAllocator) {
  std::allocator<int> a;
  auto property = execution::allocator(a);
  static_assert(std::is_same_v<decltype(property), execution::allocator_t<std::allocator<int>>>);
  EXPECT_EQ(property.value(), a);
}

TEST(ExecutionProperties, RequireReturnsAnExecutorWithTheProperty) {
  manual_context context;
  auto ex = context.get_executor();
  EXPECT_EQ(proa::query(ex, execution::blocking), execution::blocking.possibly);
  auto never = proa::require(ex, execution::blocking.never);
  EXPECT_EQ(proa::query(never, execution::blocking), execution::blocking.never);
  auto both = proa::require(ex, execution::blocking.never, execution::relationship.continuation);
  EXPECT_EQ(proa::query(both, execution::blocking), execution::blocking.never);
  EXPECT_EQ(proa::query(both, execution::relationship), execution::relationship.continuation);
  EXPECT_EQ(proa::query(ex, execution::relationship), execution::relationship.fork);
}

TEST(ExecutionProperties, QueryContextReturnsTheContextByReference) {
  manual_context context;
  auto ex = context.get_executor();
  EXPECT_EQ(&proa::query(ex, execution::context), &context);
}

TEST(ExecutionProperties, PreferUsesSupportAndOtherwiseReturnsTheExecutorUnchanged) {
  manual_context context;
  {
    auto tracked = proa::prefer(context.get_executor(), execution::outstanding_work.tracked);
    EXPECT_EQ(proa::query(tracked, execution::outstanding_work), execution::outstanding_work.tracked);
    EXPECT_EQ(context.outstanding_work(), 1);
  }
  EXPECT_EQ(context.outstanding_work(), 0);

  minimal_executor minimal(context);
  auto same = proa::prefer(minimal, execution::outstanding_work.tracked,
                           execution::relationship.continuation, execution::allocator(std::allocator<char>()));
  static_assert(std::is_same_v<decltype(same), minimal_executor>);
  EXPECT_EQ(same, minimal);

  auto partly = proa::prefer(context.get_executor(), execution::blocking.never,
                             execution::allocator(std::allocator<char>()));
  static_assert(std::is_same_v<decltype(partly), manual_executor>);
  EXPECT_EQ(proa::query(partly, execution::blocking), execution::blocking.never);
}

TEST(ExecutionProperties, ExecuteCallsTheExecutorsExecute) {
  manual_context context;
  int calls = 0;
  execution::execute(proa::require(context.get_executor(), execution::blocking.never), [&] { ++calls; });
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(context.run(), 1u);
  EXPECT_EQ(calls, 1);
  static_assert(execution::can_execute_v<manual_executor, void (*)()>);
  static_assert(!execution::can_execute_v<int, void (*)()>);
}

}  // namespace
