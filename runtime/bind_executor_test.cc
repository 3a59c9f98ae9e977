// Tests for associated_executor, associated_allocator and bind_executor: which executor and
// allocator a handler reports, and that a bound handler forwards calls to its target.
#include "runtime/bind_executor.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <type_traits>

#include "runtime/associated_allocator.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/manual_context_test_support.hpp"

namespace {

using proa::testing::manual_context;
using proa::testing::minimal_executor;
using manual_executor = manual_context::executor_type;

struct plain_handler {
  void operator()() const {}
};

// A handler naming its own executor through the member protocol.
struct handler_with_executor {
  using executor_type = minimal_executor;
  minimal_executor ex;
  executor_type get_executor() const noexcept { return ex; }
  void operator()() const {}
};

// A handler naming its allocator through the member protocol.
template <typename T>
struct counting_allocator {
  using value_type = T;
  int id = 0;
  counting_allocator() = default;
  explicit counting_allocator(int i) : id(i) {}
  template <typename U>
  counting_allocator(const counting_allocator<U>& other) : id(other.id) {}
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) { std::allocator<T>().deallocate(p, n); }
  template <typename U>
  bool operator==(const counting_allocator<U>& other) const {
    return id == other.id;
  }
};

struct handler_with_allocator {
  using allocator_type = counting_allocator<void>;
  allocator_type get_allocator() const noexcept { return allocator_type(9); }
  int operator()(int a, int b) const { return a + b; }
};

// A handler associated with an executor by specialisation, as Asio users write it.
struct specialised_handler {
  manual_context* context;
  void operator()() const {}
};

}  // namespace

template <typename Executor>
struct proa::associated_executor<specialised_handler, Executor> {
  using type = manual_executor;
  static type get(const specialised_handler& h, const Executor& = Executor()) noexcept {
    return h.context->get_executor();
  }
};

namespace {

TEST(AssociatedExecutor, DefaultsToTheExecutorGiven) {
  manual_context context;
  auto ex = context.get_executor();
  static_assert(std::is_same_v<proa::associated_executor_t<plain_handler, manual_executor>,
                               manual_executor>);
  EXPECT_EQ(proa::get_associated_executor(plain_handler{}, ex), ex);
  EXPECT_EQ(proa::get_associated_executor(plain_handler{}, context), ex);
  static_assert(!proa::detail::has_own_associated_executor<plain_handler, manual_executor>);
}

TEST(AssociatedExecutor, MemberProtocolWins) {
  manual_context a;
  manual_context b;
  handler_with_executor h{minimal_executor(b)};
  EXPECT_EQ(proa::get_associated_executor(h), minimal_executor(b));
  EXPECT_EQ(proa::get_associated_executor(h, a.get_executor()), minimal_executor(b));
  EXPECT_EQ(proa::get_associated_executor(h, a), minimal_executor(b));
  static_assert(proa::detail::has_own_associated_executor<handler_with_executor, manual_executor>);
}

TEST(AssociatedExecutor, SpecialisationWins) {
  manual_context a;
  manual_context b;
  specialised_handler h{&b};
  EXPECT_EQ(&proa::get_associated_executor(h, a.get_executor()).query(proa::execution::context), &b);
  static_assert(proa::detail::has_own_associated_executor<specialised_handler, manual_executor>);
}

TEST(AssociatedExecutor, ReferenceWrapperForwardsToItsTarget) {
  manual_context a;
  manual_context b;
  handler_with_executor h{minimal_executor(b)};
  EXPECT_EQ(proa::get_associated_executor(std::ref(h), a.get_executor()), minimal_executor(b));
  plain_handler p;
  EXPECT_EQ(proa::get_associated_executor(std::cref(p), a.get_executor()), a.get_executor());
  static_assert(!proa::detail::has_own_associated_executor<std::reference_wrapper<plain_handler>,
                                                           manual_executor>);
  static_assert(proa::detail::has_own_associated_executor<
                std::reference_wrapper<handler_with_executor>, manual_executor>);
}

TEST(AssociatedAllocator, DefaultsToStdAllocatorOrTheGivenOne) {
  static_assert(std::is_same_v<proa::associated_allocator_t<plain_handler>, std::allocator<void>>);
  EXPECT_EQ(proa::get_associated_allocator(plain_handler{}), std::allocator<void>());
  EXPECT_EQ(proa::get_associated_allocator(plain_handler{}, counting_allocator<void>(3)).id, 3);
  EXPECT_EQ(proa::get_associated_allocator(handler_with_allocator{}).id, 9);
  EXPECT_EQ(proa::get_associated_allocator(handler_with_allocator{}, counting_allocator<void>(3)).id,
            9);
}

TEST(BindExecutor, ReportsTheBoundExecutorAndForwardsCalls) {
  manual_context a;
  manual_context b;
  std::string seen;
  auto bound = proa::bind_executor(b.get_executor(), [&seen](std::string s) {
    seen = s;
    return s.size();
  });
  static_assert(std::is_same_v<decltype(bound)::executor_type, manual_executor>);
  EXPECT_EQ(bound.get_executor(), b.get_executor());
  EXPECT_EQ(proa::get_associated_executor(bound, a.get_executor()), b.get_executor());
  EXPECT_EQ(bound("hello"), 5u);
  EXPECT_EQ(seen, "hello");
  static_assert(proa::detail::has_own_associated_executor<decltype(bound), manual_executor>);
}

TEST(BindExecutor, FromAContextUsesItsExecutor) {
  manual_context context;
  auto bound = proa::bind_executor(context, plain_handler{});
  EXPECT_EQ(bound.get_executor(), context.get_executor());
}

TEST(BindExecutor, KeepsTheTargetsAllocatorAndOverridesItsExecutor) {
  manual_context a;
  manual_context b;
  auto bound = proa::bind_executor(a.get_executor(), handler_with_allocator{});
  EXPECT_EQ(proa::get_associated_allocator(bound).id, 9);
  EXPECT_EQ(bound(2, 3), 5);

  auto rebound = proa::bind_executor(b.get_executor(), handler_with_executor{minimal_executor(a)});
  EXPECT_EQ(proa::get_associated_executor(rebound), b.get_executor());
}

TEST(BindExecutor, HoldsMoveOnlyTargetsAndCallsThemAsRvalues) {
  manual_context context;
  auto bound = proa::bind_executor(context.get_executor(),
                                   [p = std::make_unique<int>(4)]() mutable { return *p; });
  auto moved = std::move(bound);
  EXPECT_EQ(std::move(moved)(), 4);
}

TEST(BindExecutor, ConvertsBetweenBinderTypes) {
  manual_context context;
  auto bound = proa::bind_executor(context.get_executor(), [] { return 1; });
  proa::executor_binder<std::function<int()>, manual_executor> converted(bound);
  EXPECT_EQ(converted(), 1);
  EXPECT_EQ(converted.get_executor(), context.get_executor());
}

}  // namespace
