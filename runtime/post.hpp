// post: submits a handler for later execution; it never runs inside the call.
// Any completion token with signature void() is accepted (a plain handler, use_future, deferred,
// ...); the handler's associated allocator is offered to the executor but otherwise not used.
#pragma once

#include "runtime/async_result.hpp"
#include "runtime/detail/submission_initiation.hpp"
#include "runtime/detail/work_dispatcher.hpp"
#include "runtime/execution/executor.hpp"
#include "runtime/execution_context.hpp"

namespace proa {

// Runs the handler on its associated executor.
template <completion_token_for<void()> NullaryToken>
auto post(NullaryToken&& token) {
  return async_initiate<NullaryToken, void()>(
      detail::initiate_submission<detail::submission::post>(), token);
}

// Queues the handler on ex; a handler with its own executor then runs there.
template <detail::standard_or_legacy_executor Executor, completion_token_for<void()> NullaryToken>
auto post(const Executor& ex, NullaryToken&& token) {
  return detail::initiate_submission_with_token<detail::submission::post, NullaryToken>(ex,
                                                                                       token);
}

template <detail::execution_context_type ExecutionContext,
          completion_token_for<void()> NullaryToken>
auto post(ExecutionContext& context, NullaryToken&& token) {
  return detail::initiate_submission_with_token<detail::submission::post, NullaryToken>(
      context.get_executor(), token);
}

}  // namespace proa
