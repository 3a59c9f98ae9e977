// The initiations behind post, dispatch and defer: what async_initiate hands the completion
// handler to. A plain handler is submitted inside the call, so the executor is only referred
// to; other tokens (deferred, use_future, ...) may run the initiation later and get a copy.
#pragma once

#include <utility>

#include "runtime/async_result.hpp"
#include "runtime/detail/work_dispatcher.hpp"

namespace proa::detail {

// post/dispatch/defer(token): the handler goes to its associated executor.
template <submission Mode>
struct initiate_submission {
  template <typename Handler>
  void operator()(Handler&& handler) const {
    submit_to_associated<Mode>(std::forward<Handler>(handler));
  }
};

// post/dispatch/defer(ex, token), holding the executor as `Holder` (a reference or a copy).
template <submission Mode, typename Executor, typename Holder>
class initiate_submission_to {
 public:
  using executor_type = Executor;

  explicit initiate_submission_to(const Executor& ex) noexcept(
      std::is_reference_v<Holder> || std::is_nothrow_copy_constructible_v<Executor>)
      : executor_(ex) {}

  executor_type get_executor() const noexcept { return executor_; }

  template <typename Handler>
  void operator()(Handler&& handler) const {
    submit_to<Mode>(executor_, std::forward<Handler>(handler));
  }

 private:
  Holder executor_;
};

template <submission Mode, typename CompletionToken, typename Executor>
decltype(auto) initiate_submission_with_token(const Executor& ex, CompletionToken& token) {
  if constexpr (token_is_handler<CompletionToken, void()>) {
    return async_initiate<CompletionToken, void()>(
        initiate_submission_to<Mode, Executor, const Executor&>(ex), token);
  } else {
    return async_initiate<CompletionToken, void()>(
        initiate_submission_to<Mode, Executor, Executor>(ex), token);
  }
}

}  // namespace proa::detail
