// executor_function: a move-only, type-erased void() function object for executors to queue.
// Its memory comes from the recycling allocator and goes back before the target runs, so a
// handler that submits another of the same size reuses the block instead of reaching malloc.
#pragma once

#include <cassert>
#include <concepts>
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include "runtime/detail/recycling_allocator.hpp"

namespace proa::detail {

class executor_function {
 public:
  executor_function() noexcept = default;

  template <typename Function>
    requires(!std::same_as<std::decay_t<Function>, executor_function>) &&
            std::constructible_from<std::decay_t<Function>, Function> &&
            std::invocable<std::decay_t<Function>>
  explicit executor_function(Function&& f) {
    using stored = holder<std::decay_t<Function>>;
    void* memory = stored::allocate();
    try {
      target_ = ::new (memory) stored(std::forward<Function>(f));
    } catch (...) {
      stored::deallocate(memory);
      throw;
    }
  }

  executor_function(executor_function&& other) noexcept
      : target_(std::exchange(other.target_, nullptr)) {}

  executor_function& operator=(executor_function&& other) noexcept {
    if (this != &other) {
      reset();
      target_ = std::exchange(other.target_, nullptr);
    }
    return *this;
  }

  ~executor_function() { reset(); }

  explicit operator bool() const noexcept { return target_ != nullptr; }

  // Runs the target once and leaves *this empty. Precondition: not empty.
  void operator()() {
    assert(target_ && "executor_function called while empty");
    holder_base* target = std::exchange(target_, nullptr);
    target->complete(target, true);
  }

  // Destroys the target without running it.
  void reset() noexcept {
    if (holder_base* target = std::exchange(target_, nullptr)) target->complete(target, false);
  }

 private:
  struct holder_base {
    // One entry point for both "run" and "discard" keeps the holder at a single pointer of
    // overhead. Both free the memory; "run" does so before calling the function.
    void (*complete)(holder_base*, bool invoke);
  };

  template <typename Function>
  struct holder : holder_base {
    static constexpr bool recyclable = alignof(holder) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__;

    template <typename F>
    explicit holder(F&& f) : holder_base{&holder::complete_impl}, function(std::forward<F>(f)) {}

    static void* allocate() {
      if constexpr (recyclable) {
        return recycling_allocate(sizeof(holder));
      } else {
        return ::operator new(sizeof(holder), std::align_val_t{alignof(holder)});
      }
    }

    static void deallocate(void* memory) noexcept {
      if constexpr (recyclable) {
        recycling_deallocate(memory, sizeof(holder));
      } else {
        ::operator delete(memory, std::align_val_t{alignof(holder)});
      }
    }

    static void complete_impl(holder_base* base, bool invoke) {
      auto* self = static_cast<holder*>(base);
      // Frees the block on every path, including a throwing move of the function.
      struct release_on_exit {
        holder* self;
        ~release_on_exit() {
          self->~holder();
          deallocate(self);
        }
      };
      if (!invoke) {
        release_on_exit release{self};
        return;
      }
      Function local = [&] {
        release_on_exit release{self};
        return Function(std::move(self->function));
      }();
      std::move(local)();
    }

    Function function;
  };

  holder_base* target_ = nullptr;
};

}  // namespace proa::detail
