// dispatch: runs a handler inside the call when the executor allows it (e.g. the caller is
// already running on that executor's context), otherwise submits it like post.
// The completion token is a plain handler for now (async_result support comes later).
#pragma once

#include "runtime/detail/work_dispatcher.hpp"
#include "runtime/execution/executor.hpp"
#include "runtime/execution_context.hpp"

namespace proa {

template <detail::nullary_handler Handler>
void dispatch(Handler&& handler) {
  detail::submit_to_associated<detail::submission::dispatch>(std::forward<Handler>(handler));
}

template <detail::standard_or_legacy_executor Executor, detail::nullary_handler Handler>
void dispatch(const Executor& ex, Handler&& handler) {
  detail::submit_to<detail::submission::dispatch>(ex, std::forward<Handler>(handler));
}

template <detail::execution_context_type ExecutionContext, detail::nullary_handler Handler>
void dispatch(ExecutionContext& context, Handler&& handler) {
  detail::submit_to<detail::submission::dispatch>(context.get_executor(),
                                                  std::forward<Handler>(handler));
}

}  // namespace proa
