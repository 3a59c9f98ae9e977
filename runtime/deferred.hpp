// deferred: the completion token that does not start the operation but returns it as a
// function object (Asio 1.22's experimental::deferred): `auto op = timer.async_wait(deferred);`
// then later `op(token)` launches it with any completion token. Both spellings are provided.
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>

#include "runtime/async_result.hpp"

namespace proa {

class deferred_t {
 public:
  constexpr deferred_t() noexcept = default;
};

inline constexpr deferred_t deferred;

namespace detail {
struct deferred_init_tag {};
}  // namespace detail

// An operation packaged with its initiation arguments, launched when called with a token.
template <typename Signature, typename Initiation, typename... InitArgs>
class deferred_async_operation {
 public:
  template <typename I, typename... A>
  explicit deferred_async_operation(detail::deferred_init_tag, I&& initiation, A&&... init_args)
      : initiation_(std::forward<I>(initiation)), init_args_(std::forward<A>(init_args)...) {}

  // Launches the operation (once: the initiation and its arguments are moved out).
  template <completion_token_for<Signature> CompletionToken>
  decltype(auto) operator()(CompletionToken&& token) && {
    return std::apply(
        [&](InitArgs&... args) -> decltype(auto) {
          return async_initiate<CompletionToken, Signature>(std::move(initiation_), token,
                                                            std::move(args)...);
        },
        init_args_);
  }

  // Launches a copy, leaving this one usable again.
  template <completion_token_for<Signature> CompletionToken>
    requires std::is_copy_constructible_v<Initiation> &&
             (std::is_copy_constructible_v<InitArgs> && ...)
  decltype(auto) operator()(CompletionToken&& token) const& {
    return deferred_async_operation(*this)(std::forward<CompletionToken>(token));
  }

 private:
  Initiation initiation_;
  std::tuple<InitArgs...> init_args_;
};

template <typename R, typename... Args>
class async_result<deferred_t, R(Args...)> {
 public:
  template <typename Initiation, typename RawCompletionToken, typename... InitArgs>
  static deferred_async_operation<R(Args...), std::decay_t<Initiation>, std::decay_t<InitArgs>...>
  initiate(Initiation&& initiation, RawCompletionToken&&, InitArgs&&... args) {
    return deferred_async_operation<R(Args...), std::decay_t<Initiation>,
                                    std::decay_t<InitArgs>...>(
        detail::deferred_init_tag{}, std::forward<Initiation>(initiation),
        std::forward<InitArgs>(args)...);
  }
};

namespace experimental {
using proa::deferred;
using proa::deferred_async_operation;
using proa::deferred_t;
}  // namespace experimental

}  // namespace proa
