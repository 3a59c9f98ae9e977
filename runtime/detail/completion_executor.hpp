// What a queued operation (timer wait, signal wait, socket operation) keeps to deliver its
// completion through the handler's associated executor, and how it gets its recycled memory.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "runtime/any_io_executor.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/detail/recycling_allocator.hpp"
#include "runtime/execution.hpp"

namespace proa::detail {

template <typename Handler, typename IoExecutor>
struct completion_executor {
  using handler_executor =
      std::decay_t<decltype(get_associated_executor(std::declval<Handler&>(),
                                                    std::declval<const IoExecutor&>()))>;
  // A handler without an executor of its own runs on the I/O object's, whose context the
  // pending operation itself keeps running; only a foreign executor needs separate tracking.
  static constexpr bool foreign = !std::is_same_v<handler_executor, IoExecutor>;
  using tracked_executor = std::decay_t<decltype(proa::prefer(
      std::declval<const handler_executor&>(), execution::outstanding_work.tracked))>;
  using type = std::conditional_t<foreign, tracked_executor, handler_executor>;

  static type make(Handler& handler, const IoExecutor& io_executor) {
    if constexpr (foreign)
      return proa::prefer(get_associated_executor(handler, io_executor),
                          execution::outstanding_work.tracked);
    else
      return get_associated_executor(handler, io_executor);
  }
};

// Delivers a completion through the handler's executor as Asio does: prefer(blocking.possibly)
// then execute, which runs `f` inline when this thread already runs in that executor (the
// usual case) and queues it there otherwise (a strand busy elsewhere, another context). For
// proa's own context executors, bare or inside any_io_executor, the inline case is decided
// here, without the type-erased prefer and execute round trip (perf: timer rounds +15%).
template <typename Executor, typename Function>
void deliver_completion(const Executor& ex, Function&& f) {
  if constexpr (inline_when_running_here<Executor>) {
    if (ex.running_in_this_thread()) {
      std::forward<Function>(f)();
      return;
    }
  } else if constexpr (std::is_same_v<Executor, any_io_executor>) {
    if (runs_inline_here(ex)) {
      std::forward<Function>(f)();
      return;
    }
  }
  proa::prefer(ex, execution::blocking.possibly).execute(std::forward<Function>(f));
}

// Constructs an Operation in a recycled block, giving the block back if the constructor throws.
template <typename Operation, typename... Args>
Operation* create_recycled(Args&&... args) {
  void* memory = recycling_allocate(sizeof(Operation));
  try {
    return ::new (memory) Operation(std::forward<Args>(args)...);
  } catch (...) {
    recycling_deallocate(memory, sizeof(Operation));
    throw;
  }
}

}  // namespace proa::detail
