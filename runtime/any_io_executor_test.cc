// Tests for any_io_executor: type erasure of execute/query/require/prefer, target access,
// equality, in-place versus shared storage, and bad_executor on an empty one.
#include "runtime/any_io_executor.hpp"

#include <gtest/gtest.h>

#include <array>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "runtime/detail/recycling_allocator.hpp"
#include "runtime/manual_context_test_support.hpp"
#include "runtime/post.hpp"

namespace {

using proa::any_io_executor;
using proa::testing::manual_context;
using proa::testing::minimal_executor;
using manual_executor = manual_context::executor_type;
namespace execution = proa::execution;

// Too big for the in-place buffer: stored in a shared heap copy.
class large_executor {
 public:
  explicit large_executor(manual_context& context) : inner_(context.get_executor()) {}

  template <typename Function>
  void execute(Function&& f) const {
    ++padding_[0];
    inner_.execute(std::forward<Function>(f));
  }
  manual_context& query(execution::context_t) const noexcept { return inner_.query(execution::context); }
  large_executor require(execution::blocking_t::never_t) const {
    large_executor result(*this);
    result.inner_ = proa::require(inner_, execution::blocking.never);
    return result;
  }
  int executions() const { return padding_[0]; }

  friend bool operator==(const large_executor& a, const large_executor& b) noexcept {
    return a.inner_ == b.inner_;
  }

 private:
  manual_executor inner_;
  mutable std::array<int, 16> padding_{};
};

static_assert(proa::execution::executor<any_io_executor>);
static_assert(sizeof(any_io_executor) <= 5 * sizeof(void*));
static_assert(proa::can_require_v<any_io_executor, execution::blocking_t::never_t>);
static_assert(proa::can_prefer_v<any_io_executor, execution::outstanding_work_t::tracked_t>);
static_assert(proa::can_query_v<any_io_executor, execution::context_t>);
static_assert(!std::is_constructible_v<any_io_executor, int>);

TEST(AnyIoExecutor, EmptyExecutorReportsNothingAndThrowsBadExecutor) {
  any_io_executor empty;
  EXPECT_FALSE(empty);
  EXPECT_EQ(empty, nullptr);
  EXPECT_EQ(empty.target_type(), typeid(void));
  EXPECT_EQ(empty.target<manual_executor>(), nullptr);
  EXPECT_THROW(empty.execute([] {}), execution::bad_executor);
  EXPECT_THROW(empty.context(), execution::bad_executor);
  EXPECT_THROW(empty.require(execution::blocking.never), execution::bad_executor);
  EXPECT_EQ(empty, any_io_executor(nullptr));
}

TEST(AnyIoExecutor, ExecutesThroughTheTarget) {
  manual_context context;
  any_io_executor ex = context.get_executor();
  EXPECT_TRUE(ex);
  EXPECT_NE(ex, nullptr);
  int calls = 0;
  ex.execute([&] { ++calls; });
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(context.run(), 1u);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(&ex.context(), &context);
  EXPECT_EQ(&proa::query(ex, execution::context), &context);
}

TEST(AnyIoExecutor, ExposesItsTarget) {
  manual_context context;
  any_io_executor ex = context.get_executor();
  EXPECT_EQ(ex.target_type(), typeid(manual_executor));
  ASSERT_NE(ex.target<manual_executor>(), nullptr);
  EXPECT_EQ(*ex.target<manual_executor>(), context.get_executor());
  EXPECT_EQ(ex.target<minimal_executor>(), nullptr);
  const any_io_executor& constant = ex;
  EXPECT_EQ(constant.target<manual_executor>(), ex.target<manual_executor>());
}

TEST(AnyIoExecutor, SmallTargetsLiveInsideTheObject) {
  manual_context context;
  any_io_executor ex = context.get_executor();
  const auto* begin = reinterpret_cast<const unsigned char*>(&ex);
  const auto* target = reinterpret_cast<const unsigned char*>(ex.target<manual_executor>());
  EXPECT_GE(target, begin);
  EXPECT_LE(target + sizeof(manual_executor), begin + sizeof(ex));
}

TEST(AnyIoExecutor, ComparesByTargetTypeAndValue) {
  manual_context a;
  manual_context b;
  any_io_executor ea = a.get_executor();
  any_io_executor ea_copy = ea;
  any_io_executor eb = b.get_executor();
  any_io_executor minimal = minimal_executor(a);
  EXPECT_EQ(ea, ea_copy);
  EXPECT_NE(ea, eb);
  EXPECT_NE(ea, minimal);
  EXPECT_NE(ea, any_io_executor());
  EXPECT_EQ(minimal, any_io_executor(minimal_executor(a)));
}

TEST(AnyIoExecutor, RequireAndPreferReachTheTarget) {
  manual_context context;
  any_io_executor ex = context.get_executor();
  any_io_executor never = ex.require(execution::blocking.never);
  ASSERT_NE(never.target<manual_executor>(), nullptr);
  EXPECT_EQ(proa::query(*never.target<manual_executor>(), execution::blocking),
            execution::blocking.never);
  any_io_executor possibly = proa::prefer(never, execution::blocking.possibly);
  EXPECT_EQ(proa::query(*possibly.target<manual_executor>(), execution::blocking),
            execution::blocking.possibly);
  any_io_executor continuation = proa::prefer(ex, execution::relationship.continuation);
  EXPECT_EQ(proa::query(*continuation.target<manual_executor>(), execution::relationship),
            execution::relationship.continuation);
  any_io_executor fork = proa::prefer(continuation, execution::relationship.fork);
  EXPECT_EQ(fork, ex);
  // Preferences an any_io_executor cannot express pass it through unchanged.
  any_io_executor same = proa::prefer(ex, execution::allocator(std::allocator<int>()));
  EXPECT_EQ(same, ex);
}

TEST(AnyIoExecutor, TrackedCopiesCountAsWork) {
  manual_context context;
  any_io_executor ex = context.get_executor();
  {
    any_io_executor tracked = proa::prefer(ex, execution::outstanding_work.tracked);
    EXPECT_EQ(context.outstanding_work(), 1);
    any_io_executor copy = tracked;
    EXPECT_EQ(context.outstanding_work(), 2);
    any_io_executor moved = std::move(copy);
    EXPECT_FALSE(copy);
    EXPECT_EQ(context.outstanding_work(), 2);
    any_io_executor untracked = proa::prefer(moved, execution::outstanding_work.untracked);
    EXPECT_EQ(context.outstanding_work(), 2);
  }
  EXPECT_EQ(context.outstanding_work(), 0);
}

TEST(AnyIoExecutor, TargetsWithoutPreferencesAreReturnedUnchanged) {
  manual_context context;
  any_io_executor ex = minimal_executor(context);
  EXPECT_EQ(ex.prefer(execution::outstanding_work.tracked), ex);
  EXPECT_EQ(ex.prefer(execution::blocking.possibly), ex);
  EXPECT_EQ(ex.prefer(execution::relationship.continuation), ex);
  EXPECT_EQ(ex.require(execution::blocking.never), ex);
}

TEST(AnyIoExecutor, LargeTargetsAreSharedBetweenCopies) {
  manual_context context;
  any_io_executor ex = large_executor(context);
  any_io_executor copy = ex;
  EXPECT_EQ(ex.target<large_executor>(), copy.target<large_executor>());
  EXPECT_EQ(ex, copy);
  int calls = 0;
  copy.execute([&] { ++calls; });
  context.run();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(ex.target<large_executor>()->executions(), 1);
  any_io_executor never = ex.require(execution::blocking.never);
  EXPECT_NE(never.target<large_executor>(), ex.target<large_executor>());
  EXPECT_EQ(&never.context(), &context);
}

TEST(AnyIoExecutor, AssignmentAndSwap) {
  manual_context a;
  manual_context b;
  any_io_executor x = a.get_executor();
  any_io_executor y = large_executor(b);
  x.swap(y);
  EXPECT_EQ(&x.context(), &b);
  EXPECT_EQ(&y.context(), &a);
  x = y;
  EXPECT_EQ(x, y);
  x = nullptr;
  EXPECT_FALSE(x);
  x = minimal_executor(b);
  EXPECT_EQ(x.target_type(), typeid(minimal_executor));
  y = std::move(x);
  EXPECT_FALSE(x);
  EXPECT_EQ(&y.context(), &b);
}

TEST(AnyIoExecutor, SteadyStateExecuteDoesNotReachTheHeap) {
  manual_context context;
  any_io_executor ex = context.get_executor();
  int total = 0;
  auto round = [&] {
    ex.execute([&total] { ++total; });
    context.run();
  };
  round();
  std::size_t before = proa::detail::recycling_heap_allocations_on_this_thread();
  for (int i = 0; i < 1000; ++i) round();
  EXPECT_EQ(proa::detail::recycling_heap_allocations_on_this_thread(), before);
  EXPECT_EQ(total, 1001);
}

TEST(AnyIoExecutor, WorksWithPost) {
  manual_context context;
  any_io_executor ex = context.get_executor();
  int calls = 0;
  proa::post(ex, [&] { ++calls; });
  ASSERT_EQ(context.submissions().size(), 1u);
  EXPECT_TRUE(context.submissions()[0].blocking_never);
  context.run();
  EXPECT_EQ(calls, 1);
}

}  // namespace
