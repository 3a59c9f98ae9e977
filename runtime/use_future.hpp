// use_future (Asio 1.22): the initiating function returns a std::future. A leading error_code
// (as std::system_error) or exception_ptr becomes its exception, the other arguments its value
// (void, one value, or a tuple); use_future(f) makes it hold f(args...) instead.
#pragma once

#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include "runtime/async_result.hpp"

namespace proa {

namespace detail {
template <typename Function, typename Allocator>
class packaged_token;
}  // namespace detail

template <typename Allocator = std::allocator<void>>
class use_future_t {
 public:
  using allocator_type = Allocator;

  constexpr use_future_t() = default;
  explicit use_future_t(const Allocator& allocator) : allocator_(allocator) {}

  // The same token with another allocator for the promise's shared state.
  template <typename OtherAllocator>
  use_future_t<OtherAllocator> operator[](const OtherAllocator& allocator) const {
    return use_future_t<OtherAllocator>(allocator);
  }

  allocator_type get_allocator() const { return allocator_; }

  // A token whose future holds f(args...) for the operation's completion arguments.
  template <typename Function>
  detail::packaged_token<std::decay_t<Function>, Allocator> operator()(Function&& f) const {
    return detail::packaged_token<std::decay_t<Function>, Allocator>(std::forward<Function>(f),
                                                                     allocator_);
  }

 private:
  [[no_unique_address]] Allocator allocator_{};
};

inline constexpr use_future_t<> use_future;

namespace detail {

// The future's value for the completion arguments that are not an error.
template <typename... Values>
struct future_value {
  using type = std::tuple<std::decay_t<Values>...>;
};
template <>
struct future_value<> {
  using type = void;
};
template <typename Value>
struct future_value<Value> {
  using type = std::decay_t<Value>;
};

template <typename T>
inline constexpr bool is_error_code_argument = std::is_same_v<std::decay_t<T>, std::error_code>;
template <typename T>
inline constexpr bool is_exception_argument =
    std::is_same_v<std::decay_t<T>, std::exception_ptr>;

template <typename T, typename... Values>
void set_promise_value(std::promise<T>& promise, Values&&... values) {
  if constexpr (std::is_void_v<T>)
    promise.set_value();
  else if constexpr (sizeof...(Values) == 1)
    promise.set_value(std::forward<Values>(values)...);
  else
    promise.set_value(T(std::forward<Values>(values)...));
}

// The handler use_future makes: fulfils a promise. `Values` are the completion arguments after
// the optional error; `ErrorKind` is void, std::error_code or std::exception_ptr.
template <typename ErrorKind, typename Allocator, typename... Values>
class promise_handler {
 public:
  using value_type = typename future_value<Values...>::type;
  using allocator_type = Allocator;

  explicit promise_handler(const Allocator& allocator)
      : allocator_(allocator), promise_(std::allocator_arg, allocator) {}

  std::future<value_type> get_future() { return promise_.get_future(); }
  allocator_type get_allocator() const noexcept { return allocator_; }

  template <typename... Args>
  void operator()(Args&&... args) {
    if constexpr (std::is_void_v<ErrorKind>) {
      set_promise_value(promise_, std::forward<Args>(args)...);
    } else {
      complete_with_error(std::forward<Args>(args)...);
    }
  }

 private:
  template <typename Error, typename... Rest>
  void complete_with_error(Error&& error, Rest&&... rest) {
    if constexpr (std::is_same_v<ErrorKind, std::error_code>) {
      if (error) {
        promise_.set_exception(std::make_exception_ptr(std::system_error(error)));
        return;
      }
    } else {
      if (error) {
        promise_.set_exception(error);
        return;
      }
    }
    set_promise_value(promise_, std::forward<Rest>(rest)...);
  }

  [[no_unique_address]] Allocator allocator_;
  std::promise<value_type> promise_;
};

template <typename Signature, typename Allocator>
struct promise_handler_for;
template <typename R, typename Allocator, typename... Args>
struct promise_handler_for<R(Args...), Allocator> {
  using type = promise_handler<void, Allocator, Args...>;
};
template <typename R, typename Allocator, typename First, typename... Rest>
  requires is_error_code_argument<First>
struct promise_handler_for<R(First, Rest...), Allocator> {
  using type = promise_handler<std::error_code, Allocator, Rest...>;
};
template <typename R, typename Allocator, typename First, typename... Rest>
  requires is_exception_argument<First>
struct promise_handler_for<R(First, Rest...), Allocator> {
  using type = promise_handler<std::exception_ptr, Allocator, Rest...>;
};

template <typename Function, typename Allocator>
class packaged_token {
 public:
  packaged_token(Function f, const Allocator& allocator)
      : function_(std::move(f)), allocator_(allocator) {}

  Function function_;
  [[no_unique_address]] Allocator allocator_;
};

// The handler use_future(f) makes: the future holds f's result, or what f threw.
template <typename Function, typename Allocator, typename Result>
class packaged_handler {
 public:
  using allocator_type = Allocator;

  packaged_handler(Function f, const Allocator& allocator)
      : function_(std::move(f)), allocator_(allocator), promise_(std::allocator_arg, allocator) {}

  std::future<Result> get_future() { return promise_.get_future(); }
  allocator_type get_allocator() const noexcept { return allocator_; }

  template <typename... Args>
  void operator()(Args&&... args) {
    try {
      if constexpr (std::is_void_v<Result>) {
        std::invoke(std::move(function_), std::forward<Args>(args)...);
        promise_.set_value();
      } else {
        promise_.set_value(std::invoke(std::move(function_), std::forward<Args>(args)...));
      }
    } catch (...) {
      promise_.set_exception(std::current_exception());
    }
  }

 private:
  Function function_;
  [[no_unique_address]] Allocator allocator_;
  std::promise<Result> promise_;
};

}  // namespace detail

template <typename Allocator, typename R, typename... Args>
class async_result<use_future_t<Allocator>, R(Args...)> {
  using handler_type = typename detail::promise_handler_for<R(Args...), Allocator>::type;

 public:
  using return_type = std::future<typename handler_type::value_type>;

  template <typename Initiation, typename RawCompletionToken, typename... InitArgs>
  static return_type initiate(Initiation&& initiation, RawCompletionToken&& token,
                              InitArgs&&... args) {
    handler_type handler(token.get_allocator());
    return_type future = handler.get_future();
    std::forward<Initiation>(initiation)(std::move(handler), std::forward<InitArgs>(args)...);
    return future;
  }
};

template <typename Function, typename Allocator, typename R, typename... Args>
class async_result<detail::packaged_token<Function, Allocator>, R(Args...)> {
  using result_type = std::invoke_result_t<Function, Args...>;
  using handler_type = detail::packaged_handler<Function, Allocator, result_type>;

 public:
  using return_type = std::future<result_type>;

  template <typename Initiation, typename RawCompletionToken, typename... InitArgs>
  static return_type initiate(Initiation&& initiation, RawCompletionToken&& token,
                              InitArgs&&... args) {
    handler_type handler(std::forward<RawCompletionToken>(token).function_, token.allocator_);
    return_type future = handler.get_future();
    std::forward<Initiation>(initiation)(std::move(handler), std::forward<InitArgs>(args)...);
    return future;
  }
};

}  // namespace proa
