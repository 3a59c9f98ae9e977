// as_tuple (Asio 1.22's experimental::as_tuple; both spellings provided): a token adapter that
// packs all completion arguments into one std::tuple for the inner token, e.g.
// `auto [ec, n] = co_await socket.async_read_some(buf, as_tuple(use_awaitable));`.
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>

#include "runtime/async_result.hpp"
#include "runtime/detail/intermediate_handler.hpp"
#include "runtime/detail/token_adapter.hpp"

namespace proa {

template <typename CompletionToken>
class as_tuple_t {
 public:
  template <typename T>
  constexpr explicit as_tuple_t(T&& completion_token)
      : token_(std::forward<T>(completion_token)) {}

  CompletionToken token_;
};

template <typename CompletionToken>
constexpr as_tuple_t<std::decay_t<CompletionToken>> as_tuple(CompletionToken&& token) {
  return as_tuple_t<std::decay_t<CompletionToken>>(std::forward<CompletionToken>(token));
}

namespace detail {

template <typename Handler>
class as_tuple_handler {
 public:
  using user_handler_type = Handler;

  template <typename H>
  explicit as_tuple_handler(H&& handler) : handler_(std::forward<H>(handler)) {}

  template <typename... Args>
  void operator()(Args&&... args) {
    call_handler(handler_, std::tuple<std::decay_t<Args>...>(std::forward<Args>(args)...));
  }

  const Handler& user_handler() const noexcept { return handler_; }

 private:
  Handler handler_;
};

struct make_as_tuple_handler {
  template <typename Handler>
  as_tuple_handler<std::decay_t<Handler>> operator()(Handler&& handler) const {
    return as_tuple_handler<std::decay_t<Handler>>(std::forward<Handler>(handler));
  }
};

template <typename Signature>
struct as_tuple_signature;
template <typename R, typename... Args>
struct as_tuple_signature<R(Args...)> {
  using type = R(std::tuple<std::decay_t<Args>...>);
};

}  // namespace detail

template <typename CompletionToken, completion_signature... Signatures>
class async_result<as_tuple_t<CompletionToken>, Signatures...> {
 public:
  template <typename Initiation, typename RawCompletionToken, typename... InitArgs>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 InitArgs&&... args) {
    using inner = detail::inner_token_t<RawCompletionToken&&, CompletionToken>;
    return async_initiate<
        inner, typename detail::as_tuple_signature<
                   typename detail::simple_completion_signature<Signatures>::type>::type...>(
        detail::make_wrapping_initiation(std::forward<Initiation>(initiation),
                                         detail::make_as_tuple_handler{}),
        token.token_, std::forward<InitArgs>(args)...);
  }
};

namespace experimental {
using proa::as_tuple;
using proa::as_tuple_t;
}  // namespace experimental

}  // namespace proa
