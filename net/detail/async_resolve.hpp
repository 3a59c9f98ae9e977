// One async_resolve in flight: the lookup query, the handler, and the work it holds on its
// contexts while the lookup thread (net/detail/name_lookup.hpp) works on it; and the completion
// that brings the result back to the handler's executor.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include "net/detail/async_operation.hpp"
#include "net/detail/name_lookup.hpp"
#include "platform/error.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/execution.hpp"
#include "runtime/post.hpp"

namespace proa::detail {

// Runs on the handler's executor. A resolver cancelled (or destroyed) since the lookup started
// reports operation_aborted even if the lookup itself finished first: the handler had not run,
// so the operation was still pending.
template <typename Handler, typename Results>
class resolve_completion {
 public:
  using user_handler_type = Handler;

  resolve_completion(Handler&& handler, std::weak_ptr<void> cancel_token, const error_code& ec,
                     Results&& results)
      : handler_(std::move(handler)),
        cancel_token_(std::move(cancel_token)),
        ec_(ec),
        results_(std::move(results)) {}

  void operator()() {
    if (cancel_token_.expired()) {
      ec_ = error::operation_aborted;
      results_ = Results();
    }
    invoke_handler(handler_, std::as_const(ec_), std::as_const(results_));
  }

  const Handler& user_handler() const noexcept { return handler_; }

 private:
  Handler handler_;
  std::weak_ptr<void> cancel_token_;
  error_code ec_;
  Results results_;
};

// Query is a self-contained description of the lookup (it must not refer to the resolver, which
// may be gone by the time the lookup runs) with `results_type run(error_code&) const`.
// While pending, the operation counts as outstanding work on the resolver's executor (so run()
// waits for it) and, when the handler names an executor of its own, on that one too.
template <typename Query, typename Handler, typename IoExecutor>
class resolve_operation final : public lookup_operation {
  using results_type = typename Query::results_type;
  using tracked_io_executor = std::decay_t<decltype(proa::prefer(
      std::declval<const IoExecutor&>(), execution::outstanding_work.tracked))>;
  static constexpr bool foreign_executor = has_own_associated_executor<Handler, IoExecutor>;

  struct no_handler_work {
    no_handler_work(const Handler&, const IoExecutor&) noexcept {}
  };
  struct handler_work {
    handler_work(const Handler& handler, const IoExecutor& io_executor)
        : executor(proa::prefer(get_associated_executor(handler, io_executor),
                                execution::outstanding_work.tracked)) {}
    std::decay_t<decltype(proa::prefer(
        std::declval<associated_executor_t<Handler, IoExecutor>>(),
        execution::outstanding_work.tracked))>
        executor;
  };

 public:
  template <typename H>
  resolve_operation(Query query, H&& handler, const IoExecutor& io_executor,
                    std::weak_ptr<void> cancel_token)
      : query_(std::move(query)),
        handler_(std::forward<H>(handler)),
        io_work_(proa::prefer(io_executor, execution::outstanding_work.tracked)),
        handler_work_(handler_, io_executor),
        cancel_token_(std::move(cancel_token)) {}

  // On the lookup thread. The result goes to the resolver's executor first and from there to
  // the handler's (Asio's route), so a handler never runs on the lookup thread, whatever its
  // executor's blocking behaviour.
  void perform() override {
    error_code ec;
    results_type results;
    if (cancel_token_.expired())
      ec = error::operation_aborted;
    else
      results = query_.run(ec);
    proa::post(io_work_, resolve_completion<Handler, results_type>(
                             std::move(handler_), std::move(cancel_token_), ec,
                             std::move(results)));
  }

 private:
  Query query_;
  Handler handler_;
  tracked_io_executor io_work_;
  [[no_unique_address]] std::conditional_t<foreign_executor, handler_work, no_handler_work>
      handler_work_;
  std::weak_ptr<void> cancel_token_;
};

}  // namespace proa::detail
