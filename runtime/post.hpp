// post: submits a handler for later execution; it never runs inside the call.
// The completion token is a plain handler for now (async_result support comes later), and the
// handler's associated allocator is offered to the executor but otherwise not used.
#pragma once

#include "runtime/detail/work_dispatcher.hpp"
#include "runtime/execution/executor.hpp"
#include "runtime/execution_context.hpp"

namespace proa {

// Runs the handler on its associated executor.
template <detail::nullary_handler Handler>
void post(Handler&& handler) {
  detail::submit_to_associated<detail::submission::post>(std::forward<Handler>(handler));
}

// Queues the handler on ex; a handler with its own executor then runs there.
template <detail::standard_or_legacy_executor Executor, detail::nullary_handler Handler>
void post(const Executor& ex, Handler&& handler) {
  detail::submit_to<detail::submission::post>(ex, std::forward<Handler>(handler));
}

template <detail::execution_context_type ExecutionContext, detail::nullary_handler Handler>
void post(ExecutionContext& context, Handler&& handler) {
  detail::submit_to<detail::submission::post>(context.get_executor(),
                                              std::forward<Handler>(handler));
}

}  // namespace proa
