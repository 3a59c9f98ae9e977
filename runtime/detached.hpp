// detached: the completion token for "nobody waits for the result" (Asio 1.22); the operation
// runs to completion and its result is dropped. Typical use: co_spawn(ex, task(), detached).
#pragma once

#include <utility>

#include "runtime/async_result.hpp"

namespace proa {

class detached_t {
 public:
  constexpr detached_t() noexcept = default;
};

inline constexpr detached_t detached;

namespace detail {

class detached_handler {
 public:
  explicit detached_handler(detached_t) noexcept {}

  template <typename... Args>
  void operator()(Args&&...) const noexcept {}
};

}  // namespace detail

template <completion_signature... Signatures>
class async_result<detached_t, Signatures...> {
 public:
  using completion_handler_type = detail::detached_handler;
  using return_type = void;

  template <typename Initiation, typename RawCompletionToken, typename... Args>
  static void initiate(Initiation&& initiation, RawCompletionToken&&, Args&&... args) {
    std::forward<Initiation>(initiation)(detail::detached_handler(detached_t()),
                                         std::forward<Args>(args)...);
  }
};

}  // namespace proa
