// Unit tests of the completion-token machinery: the default async_result passes a plain
// handler straight through, a specialised async_result changes the handler and the return
// value, and the concepts accept and reject what Asio's do.
#include "runtime/async_result.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <system_error>
#include <utility>

namespace {

// An initiating function in the documented style.
template <typename CompletionToken>
auto async_add(int a, int b, CompletionToken&& token) {
  auto initiation = [](auto&& handler, int x, int y) {
    std::forward<decltype(handler)>(handler)(std::error_code{}, x + y);
  };
  return proa::async_initiate<CompletionToken, void(std::error_code, int)>(initiation, token, a,
                                                                          b);
}

TEST(AsyncResult, PlainHandlerIsCalledAndTheFunctionReturnsVoid) {
  int got = 0;
  auto handler = [&got](std::error_code ec, int sum) { got = ec ? -1 : sum; };
  static_assert(std::is_void_v<decltype(async_add(1, 2, handler))>);
  async_add(20, 22, handler);
  EXPECT_EQ(got, 42);
}

// Counts copies and moves, to prove the token reaches the initiation without either.
struct counting_handler {
  int* copies;
  int* moves;
  int* result;
  counting_handler(int* c, int* m, int* r) : copies(c), moves(m), result(r) {}
  counting_handler(const counting_handler& other)
      : copies(other.copies), moves(other.moves), result(other.result) {
    ++*copies;
  }
  counting_handler(counting_handler&& other) noexcept
      : copies(other.copies), moves(other.moves), result(other.result) {
    ++*moves;
  }
  void operator()(std::error_code, int value) { *result = value; }
};

TEST(AsyncResult, PlainHandlerIsNeitherCopiedNorMovedOnTheWayToTheInitiation) {
  int copies = 0;
  int moves = 0;
  int result = 0;
  async_add(1, 1, counting_handler(&copies, &moves, &result));
  EXPECT_EQ(result, 2);
  EXPECT_EQ(copies, 0);
  EXPECT_EQ(moves, 0);
  counting_handler lvalue(&copies, &moves, &result);
  async_add(2, 3, lvalue);
  EXPECT_EQ(result, 5);
  EXPECT_EQ(copies, 0);
  EXPECT_EQ(moves, 0);
}

// A token whose initiating functions return the value the handler received.
struct return_value_t {};

}  // namespace

template <typename T>
class proa::async_result<return_value_t, void(std::error_code, T)> {
 public:
  using return_type = T;
  template <typename Initiation, typename... Args>
  static T initiate(Initiation&& initiation, return_value_t, Args&&... args) {
    T value{};
    std::forward<Initiation>(initiation)(
        [&value](std::error_code, T v) { value = std::move(v); }, std::forward<Args>(args)...);
    return value;
  }
};

// An old-style token: a completion_handler_type and get(), driven through async_completion.
namespace {
struct legacy_token_t {};
struct legacy_handler {
  explicit legacy_handler(legacy_token_t) : state(std::make_shared<int>(0)) {}
  void operator()(std::error_code, int v) { *state = v; }
  std::shared_ptr<int> state;
};
}  // namespace

template <>
class proa::async_result<legacy_token_t, void(std::error_code, int)> {
 public:
  using completion_handler_type = legacy_handler;
  using return_type = std::string;
  explicit async_result(completion_handler_type& h) : state_(h.state) {}
  return_type get() { return "value " + std::to_string(*state_); }

 private:
  std::shared_ptr<int> state_;
};

namespace {

TEST(AsyncResult, SpecialisationWithInitiateDecidesTheReturnValue) {
  EXPECT_EQ(async_add(40, 2, return_value_t{}), 42);
  static_assert(std::is_same_v<decltype(async_add(1, 2, return_value_t{})), int>);
}

TEST(AsyncResult, SpecialisationWithoutInitiateGoesThroughAsyncCompletion) {
  EXPECT_EQ(async_add(3, 4, legacy_token_t{}), "value 7");
}

// A qualified signature reaches the specialisation written for the unqualified one.
TEST(AsyncResult, QualifiedSignaturesUseTheSimpleSpecialisation) {
  auto initiation = [](auto&& handler) { std::move(handler)(std::error_code{}, 9); };
  return_value_t token;
  int got = proa::async_initiate<return_value_t, void(std::error_code, int) &&>(initiation, token);
  EXPECT_EQ(got, 9);
}

TEST(AsyncResult, ConceptsAcceptAndRejectLikeAsio) {
  static_assert(proa::completion_signature<void(std::error_code)>);
  static_assert(proa::completion_signature<void(int) && noexcept>);
  static_assert(!proa::completion_signature<int>);
  auto handler = [](std::error_code, int) {};
  static_assert(proa::completion_handler_for<decltype(handler), void(std::error_code, int)>);
  static_assert(!proa::completion_handler_for<decltype(handler), void(std::string)>);
  static_assert(proa::completion_token_for<decltype(handler), void(std::error_code, int)>);
  static_assert(!proa::completion_token_for<decltype(handler), void()>);
  static_assert(proa::completion_token_for<return_value_t, void(std::error_code, int)>);
  static_assert(std::is_same_v<proa::async_result<decltype(handler), void()>::return_type, void>);
  SUCCEED();
}

struct executor_with_default_token {
  using default_completion_token_type = return_value_t;
};

TEST(AsyncResult, DefaultCompletionTokenComesFromTheNestedTypedef) {
  static_assert(std::is_same_v<proa::default_completion_token_t<executor_with_default_token>,
                               return_value_t>);
  static_assert(std::is_void_v<proa::default_completion_token_t<int>>);
  SUCCEED();
}

}  // namespace
