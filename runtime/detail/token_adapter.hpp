// What the completion-token adapters (redirect_error, as_tuple, bind_cancellation_slot) share:
// an initiation that wraps the handler the inner token produces before passing it on, and the
// type under which the inner token is handed to async_initiate (moved only when the adapter was).
#pragma once

#include <type_traits>
#include <utility>

namespace proa::detail {

// The inner token as async_initiate's CompletionToken: an lvalue reference when the adapter
// was an lvalue (so it is copied from, not moved from), the plain type otherwise.
template <typename RawAdapter, typename Inner>
using inner_token_t = std::conditional_t<
    std::is_lvalue_reference_v<RawAdapter>,
    std::conditional_t<std::is_const_v<std::remove_reference_t<RawAdapter>>, const Inner&,
                       Inner&>,
    Inner>;

// Calls `initiation` with `wrap(handler)` in place of the handler. Wrap is a function object
// taking the handler by forwarding reference.
template <typename Initiation, typename Wrap>
class wrapping_initiation {
 public:
  template <typename I, typename W>
  wrapping_initiation(I&& initiation, W&& wrap)
      : initiation_(std::forward<I>(initiation)), wrap_(std::forward<W>(wrap)) {}

  template <typename Handler, typename... Args>
  void operator()(Handler&& handler, Args&&... args) && {
    std::move(initiation_)(std::move(wrap_)(std::forward<Handler>(handler)),
                           std::forward<Args>(args)...);
  }

  template <typename Handler, typename... Args>
  void operator()(Handler&& handler, Args&&... args) const& {
    initiation_(wrap_(std::forward<Handler>(handler)), std::forward<Args>(args)...);
  }

 private:
  Initiation initiation_;
  Wrap wrap_;
};

template <typename Initiation, typename Wrap>
wrapping_initiation<std::decay_t<Initiation>, std::decay_t<Wrap>> make_wrapping_initiation(
    Initiation&& initiation, Wrap&& wrap) {
  return {std::forward<Initiation>(initiation), std::forward<Wrap>(wrap)};
}

// Calls a completion handler as an rvalue when it accepts one, else as an lvalue.
template <typename Handler, typename... Args>
void call_handler(Handler& handler, Args&&... args) {
  if constexpr (std::is_invocable_v<Handler, Args...>)
    std::move(handler)(std::forward<Args>(args)...);
  else
    handler(std::forward<Args>(args)...);
}

}  // namespace proa::detail
