// Wraps any nullary callable as a scheduler_operation in recycled memory. The callable is moved
// out and its memory freed before the call, so a handler that posts again reuses the block.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "runtime/detail/recycling_allocator.hpp"
#include "runtime/detail/scheduler_operation.hpp"

namespace proa::detail {

template <typename Function>
class handler_operation final : public scheduler_operation {
 public:
  template <typename F>
  explicit handler_operation(F&& f) : scheduler_operation(&do_complete), function_(std::forward<F>(f)) {}

  template <typename F>
  static scheduler_operation* create(F&& f) {
    void* memory = recycling_allocate(sizeof(handler_operation));
    try {
      return ::new (memory) handler_operation(std::forward<F>(f));
    } catch (...) {
      recycling_deallocate(memory, sizeof(handler_operation));
      throw;
    }
  }

 private:
  static void do_complete(scheduler_operation* base, bool invoke) {
    auto* self = static_cast<handler_operation*>(base);
    Function function(std::move(self->function_));
    self->~handler_operation();
    recycling_deallocate(self, sizeof(handler_operation));
    if (invoke) std::move(function)();
  }

  Function function_;
};

template <typename F>
scheduler_operation* make_handler_operation(F&& f) {
  return handler_operation<std::decay_t<F>>::create(std::forward<F>(f));
}

}  // namespace proa::detail
