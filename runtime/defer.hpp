// defer: like post, but marks the handler as a continuation of the caller, which lets a
// scheduler queue it locally (run it on this thread after the current handler returns).
// The completion token is a plain handler for now (async_result support comes later).
#pragma once

#include "runtime/detail/work_dispatcher.hpp"
#include "runtime/execution/executor.hpp"
#include "runtime/execution_context.hpp"

namespace proa {

template <detail::nullary_handler Handler>
void defer(Handler&& handler) {
  detail::submit_to_associated<detail::submission::defer>(std::forward<Handler>(handler));
}

template <detail::standard_or_legacy_executor Executor, detail::nullary_handler Handler>
void defer(const Executor& ex, Handler&& handler) {
  detail::submit_to<detail::submission::defer>(ex, std::forward<Handler>(handler));
}

template <detail::execution_context_type ExecutionContext, detail::nullary_handler Handler>
void defer(ExecutionContext& context, Handler&& handler) {
  detail::submit_to<detail::submission::defer>(context.get_executor(),
                                               std::forward<Handler>(handler));
}

}  // namespace proa
