// async_result, async_initiate and async_completion: how an initiating function turns a
// completion token (a plain handler, use_future, use_awaitable, ...) into a completion handler
// and into the value the initiating function returns. Names and signatures follow Asio 1.22.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

namespace proa {

namespace detail {

// A completion signature is a function type, optionally ref- or noexcept-qualified.
template <typename T>
struct is_completion_signature : std::false_type {};
template <typename R, typename... Args>
struct is_completion_signature<R(Args...)> : std::true_type {};
template <typename R, typename... Args>
struct is_completion_signature<R(Args...)&> : std::true_type {};
template <typename R, typename... Args>
struct is_completion_signature<R(Args...) &&> : std::true_type {};
template <typename R, typename... Args>
struct is_completion_signature<R(Args...) noexcept> : std::true_type {};
template <typename R, typename... Args>
struct is_completion_signature<R(Args...) & noexcept> : std::true_type {};
template <typename R, typename... Args>
struct is_completion_signature<R(Args...) && noexcept> : std::true_type {};

template <typename... Signatures>
inline constexpr bool are_completion_signatures =
    sizeof...(Signatures) > 0 && (is_completion_signature<Signatures>::value && ...);

template <typename T, typename... Args>
concept callable_with = requires(T&& t, Args&&... args) {
  static_cast<T&&>(t)(static_cast<Args&&>(args)...);
};

// Whether T can be called as each signature asks: an &-qualified signature calls an lvalue,
// the others an rvalue.
template <typename T, typename Signature>
struct is_completion_handler_for_one : std::false_type {};
template <typename T, typename R, typename... Args>
struct is_completion_handler_for_one<T, R(Args...)>
    : std::bool_constant<callable_with<T, Args...>> {};
template <typename T, typename R, typename... Args>
struct is_completion_handler_for_one<T, R(Args...)&>
    : std::bool_constant<callable_with<T&, Args...>> {};
template <typename T, typename R, typename... Args>
struct is_completion_handler_for_one<T, R(Args...) &&>
    : std::bool_constant<callable_with<T&&, Args...>> {};
template <typename T, typename R, typename... Args>
struct is_completion_handler_for_one<T, R(Args...) noexcept>
    : std::bool_constant<callable_with<T, Args...>> {};
template <typename T, typename R, typename... Args>
struct is_completion_handler_for_one<T, R(Args...) & noexcept>
    : std::bool_constant<callable_with<T&, Args...>> {};
template <typename T, typename R, typename... Args>
struct is_completion_handler_for_one<T, R(Args...) && noexcept>
    : std::bool_constant<callable_with<T&&, Args...>> {};

}  // namespace detail

template <typename T>
concept completion_signature = detail::is_completion_signature<T>::value;

template <typename T, typename... Signatures>
concept completion_handler_for =
    detail::are_completion_signatures<Signatures...> &&
    (detail::is_completion_handler_for_one<T, Signatures>::value && ...);

namespace detail {

// The unqualified form of a signature: specialisations of async_result are written for these,
// and the qualified forms reach them through the primary template.
template <typename T>
struct simple_completion_signature;
template <typename R, typename... Args>
struct simple_completion_signature<R(Args...)> {
  using type = R(Args...);
};
template <typename R, typename... Args>
struct simple_completion_signature<R(Args...)&> {
  using type = R(Args...);
};
template <typename R, typename... Args>
struct simple_completion_signature<R(Args...) &&> {
  using type = R(Args...);
};
template <typename R, typename... Args>
struct simple_completion_signature<R(Args...) noexcept> {
  using type = R(Args...);
};
template <typename R, typename... Args>
struct simple_completion_signature<R(Args...) & noexcept> {
  using type = R(Args...);
};
template <typename R, typename... Args>
struct simple_completion_signature<R(Args...) && noexcept> {
  using type = R(Args...);
};

template <typename T>
inline constexpr bool is_simple_completion_signature = false;
template <typename R, typename... Args>
inline constexpr bool is_simple_completion_signature<R(Args...)> = true;

// The default behaviour: the token is the completion handler and the initiating function
// returns void. The handler is passed straight through, so a plain callback costs nothing.
template <typename CompletionToken, typename... Signatures>
class completion_handler_async_result {
 public:
  using completion_handler_type = CompletionToken;
  using return_type = void;

  explicit completion_handler_async_result(completion_handler_type&) {}

  completion_handler_async_result(const completion_handler_async_result&) = delete;
  completion_handler_async_result& operator=(const completion_handler_async_result&) = delete;

  return_type get() {}

  template <typename Initiation, completion_handler_for<Signatures...> RawCompletionToken,
            typename... Args>
  static return_type initiate(Initiation&& initiation, RawCompletionToken&& token,
                              Args&&... args) {
    std::forward<Initiation>(initiation)(std::forward<RawCompletionToken>(token),
                                         std::forward<Args>(args)...);
  }
};

}  // namespace detail

// The customisation point for completion tokens. The primary template treats the token as
// the handler. Specialise it for your token type over unqualified signatures; qualified
// signatures are forwarded to those specialisations.
template <typename CompletionToken, completion_signature... Signatures>
class async_result
    : public std::conditional_t<
          (detail::is_simple_completion_signature<Signatures> && ...),
          detail::completion_handler_async_result<CompletionToken, Signatures...>,
          async_result<CompletionToken,
                       typename detail::simple_completion_signature<Signatures>::type...>> {
 public:
  using base_type = std::conditional_t<
      (detail::is_simple_completion_signature<Signatures> && ...),
      detail::completion_handler_async_result<CompletionToken, Signatures...>,
      async_result<CompletionToken,
                   typename detail::simple_completion_signature<Signatures>::type...>>;
  using base_type::base_type;

  async_result(const async_result&) = delete;
  async_result& operator=(const async_result&) = delete;
};

template <completion_signature... Signatures>
class async_result<void, Signatures...> {};

// Makes the handler from the token (a reference to it when the token already is the handler)
// and the async_result that later yields the initiating function's return value. Used by
// async_result specialisations that do not provide initiate().
template <typename CompletionToken, completion_signature... Signatures>
struct async_completion {
  using completion_handler_type =
      typename async_result<std::decay_t<CompletionToken>, Signatures...>::completion_handler_type;

  explicit async_completion(CompletionToken& token)
      : completion_handler(
            static_cast<std::conditional_t<std::is_same_v<CompletionToken, completion_handler_type>,
                                           completion_handler_type&, CompletionToken&&>>(token)),
        result(completion_handler) {}

  std::conditional_t<std::is_same_v<CompletionToken, completion_handler_type>,
                     completion_handler_type&, completion_handler_type>
      completion_handler;
  async_result<std::decay_t<CompletionToken>, Signatures...> result;
};

namespace detail {

// Whether async_result declares a member named `initiate` (of any form). Asio's rule: such
// specialisations are driven through initiate(), others through async_completion. The probe
// finds the name ambiguous exactly when T declares it too.
struct initiate_name_probe {
  void initiate();
};
template <typename T>
struct initiate_name_probe_derived : T, initiate_name_probe {};
template <typename T>
concept has_initiate_member = !requires { &initiate_name_probe_derived<T>::initiate; };

}  // namespace detail

// Launches an operation: `initiation(handler, args...)` starts it with the handler the token
// stands for, and the result is whatever the token makes the initiating function return.
// The return type is spelled out (not deduced) so that a token that cannot serve the
// signatures makes the call ill-formed in an immediate context, as completion_token_for needs.
template <typename CompletionToken, completion_signature... Signatures, typename Initiation,
          typename... Args>
  requires detail::has_initiate_member<async_result<std::decay_t<CompletionToken>, Signatures...>>
auto async_initiate(Initiation&& initiation, std::type_identity_t<CompletionToken>& token,
                    Args&&... args)
    -> decltype(async_result<std::decay_t<CompletionToken>, Signatures...>::initiate(
        std::forward<Initiation>(initiation), static_cast<CompletionToken&&>(token),
        std::forward<Args>(args)...)) {
  return async_result<std::decay_t<CompletionToken>, Signatures...>::initiate(
      std::forward<Initiation>(initiation), static_cast<CompletionToken&&>(token),
      std::forward<Args>(args)...);
}

template <typename CompletionToken, completion_signature... Signatures, typename Initiation,
          typename... Args>
  requires(!detail::has_initiate_member<async_result<std::decay_t<CompletionToken>, Signatures...>>)
typename async_result<std::decay_t<CompletionToken>, Signatures...>::return_type async_initiate(
    Initiation&& initiation, std::type_identity_t<CompletionToken>& token, Args&&... args) {
  async_completion<CompletionToken, Signatures...> completion(token);
  std::forward<Initiation>(initiation)(
      static_cast<typename async_completion<CompletionToken, Signatures...>::
                      completion_handler_type&&>(completion.completion_handler),
      std::forward<Args>(args)...);
  return completion.result.get();
}

namespace detail {

// True when the token is used as the handler itself (async_result's default behaviour): the
// initiation then runs inside async_initiate, so it may refer to the caller's arguments instead
// of copying them.
template <typename CompletionToken, typename... Signatures>
concept token_is_handler = std::is_base_of_v<
    completion_handler_async_result<std::decay_t<CompletionToken>,
                                    typename simple_completion_signature<Signatures>::type...>,
    async_result<std::decay_t<CompletionToken>, Signatures...>>;

// Accepts any handler for the signatures and does nothing: lets completion_token_for ask
// whether a token can start an operation without starting one.
template <typename... Signatures>
struct initiation_archetype {
  template <completion_handler_for<Signatures...> CompletionHandler>
  void operator()(CompletionHandler&&) const {}
};

}  // namespace detail

template <typename T, typename... Signatures>
concept completion_token_for =
    detail::are_completion_signatures<Signatures...> && requires(T&& t) {
      async_initiate<T, Signatures...>(detail::initiation_archetype<Signatures...>{}, t);
    };

namespace detail {

template <typename T>
struct default_completion_token_of {
  using type = void;
};
template <typename T>
  requires requires { typename T::default_completion_token_type; }
struct default_completion_token_of<T> {
  using type = typename T::default_completion_token_type;
};

}  // namespace detail

// The token an I/O object's executor names as its default (void when it names none).
template <typename T>
struct default_completion_token : detail::default_completion_token_of<T> {};

template <typename T>
using default_completion_token_t = typename default_completion_token<T>::type;

}  // namespace proa
