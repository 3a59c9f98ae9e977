// redirect_error: a completion-token adapter (Asio 1.22) that stores the operation's leading
// error_code in a variable the caller names and completes the inner token with the rest, e.g.
// `auto n = socket.async_read_some(buf, redirect_error(use_future, ec));`.
#pragma once

#include <system_error>
#include <type_traits>
#include <utility>

#include "runtime/async_result.hpp"
#include "runtime/detail/intermediate_handler.hpp"
#include "runtime/detail/token_adapter.hpp"

namespace proa {

template <typename CompletionToken>
class redirect_error_t {
 public:
  template <typename T>
  redirect_error_t(T&& completion_token, std::error_code& ec)
      : token_(std::forward<T>(completion_token)), ec_(ec) {}

  CompletionToken token_;
  std::error_code& ec_;
};

template <typename CompletionToken>
redirect_error_t<std::decay_t<CompletionToken>> redirect_error(CompletionToken&& token,
                                                               std::error_code& ec) {
  return redirect_error_t<std::decay_t<CompletionToken>>(std::forward<CompletionToken>(token), ec);
}

namespace detail {

// Runs wherever, and allocates and is cancelled as, the handler it wraps.
template <typename Handler>
class redirect_error_handler {
 public:
  using user_handler_type = Handler;

  template <typename H>
  redirect_error_handler(std::error_code& ec, H&& handler)
      : ec_(&ec), handler_(std::forward<H>(handler)) {}

  template <typename... Args>
  void operator()(const std::error_code& ec, Args&&... args) {
    *ec_ = ec;
    call_handler(handler_, std::forward<Args>(args)...);
  }

  const Handler& user_handler() const noexcept { return handler_; }

 private:
  std::error_code* ec_;
  Handler handler_;
};

struct make_redirect_error_handler {
  std::error_code* ec;
  template <typename Handler>
  redirect_error_handler<std::decay_t<Handler>> operator()(Handler&& handler) const {
    return {*ec, std::forward<Handler>(handler)};
  }
};

}  // namespace detail

template <typename CompletionToken, typename R, typename... Args>
class async_result<redirect_error_t<CompletionToken>, R(std::error_code, Args...)> {
 public:
  template <typename Initiation, typename RawCompletionToken, typename... InitArgs>
  static decltype(auto) initiate(Initiation&& initiation, RawCompletionToken&& token,
                                 InitArgs&&... args) {
    using inner = detail::inner_token_t<RawCompletionToken&&, CompletionToken>;
    return async_initiate<inner, R(Args...)>(
        detail::make_wrapping_initiation(std::forward<Initiation>(initiation),
                                         detail::make_redirect_error_handler{&token.ec_}),
        token.token_, std::forward<InitArgs>(args)...);
  }
};

template <typename CompletionToken, typename R, typename... Args>
class async_result<redirect_error_t<CompletionToken>, R(const std::error_code&, Args...)>
    : public async_result<redirect_error_t<CompletionToken>, R(std::error_code, Args...)> {};

}  // namespace proa
