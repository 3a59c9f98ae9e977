// cancellation_signal and cancellation_slot (Asio 1.22): an operation started with a connected
// slot installs a handler there and emit() calls it. Unlike Asio's, emit() is safe against the
// operation completing (and clearing its slot) on another thread at the same time.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <new>
#include <thread>
#include <type_traits>
#include <utility>

#include "runtime/cancellation_type.hpp"
#include "runtime/detail/recycling_allocator.hpp"

namespace proa {

class cancellation_slot;

namespace detail {

// Guards a signal's handler. Held only to install, clear or call the handler: uncontended in
// practice (an operation installs, completes and clears; emit is rare), so a spin lock that
// yields is enough and costs one atomic exchange.
class cancellation_lock {
 public:
  void lock() noexcept {
    while (locked_.exchange(true, std::memory_order_acquire)) {
      while (locked_.load(std::memory_order_relaxed)) std::this_thread::yield();
    }
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

class cancellation_handler_base {
 public:
  virtual void call(cancellation_type_t type) = 0;
  virtual void destroy() noexcept = 0;

 protected:
  ~cancellation_handler_base() = default;
};

template <typename Handler>
class cancellation_handler final : public cancellation_handler_base {
 public:
  template <typename... Args>
  explicit cancellation_handler(Args&&... args) : handler_(std::forward<Args>(args)...) {}

  void call(cancellation_type_t type) override { handler_(type); }
  void destroy() noexcept override { this->~cancellation_handler(); }
  Handler& handler() noexcept { return handler_; }

 private:
  ~cancellation_handler() = default;
  Handler handler_;
};

}  // namespace detail

// A signal with a single slot. It must outlive every operation its slot was given to (an
// operation clears the slot when it completes).
class cancellation_signal {
 public:
  constexpr cancellation_signal() noexcept = default;
  cancellation_signal(const cancellation_signal&) = delete;
  cancellation_signal& operator=(const cancellation_signal&) = delete;

  ~cancellation_signal() {
    if (handler_) handler_->destroy();
    release_memory();
  }

  // Calls the slot's handler, if any, with `type`. A slot handler must not use its own slot.
  void emit(cancellation_type_t type) {
    std::lock_guard guard(lock_);
    if (handler_) handler_->call(type);
  }

  cancellation_slot slot() noexcept;

 private:
  friend class cancellation_slot;

  // Destroys the current handler and returns memory for the next (reused when big enough, as
  // a slot usually holds handlers of the same few types). Called with the lock held.
  void* prepare_memory(std::size_t size, std::size_t alignment) {
    if (handler_) {
      handler_->destroy();
      handler_ = nullptr;
    }
    if (memory_ && (memory_size_ < size || memory_alignment_ < alignment)) release_memory();
    if (!memory_) {
      // From the per-thread recycler: a composed operation's cancellation_state holds a
      // signal of its own for each operation, so this runs once per operation.
      if (alignment <= alignof(std::max_align_t)) {
        memory_ = detail::recycling_allocate(size);
        memory_alignment_ = alignof(std::max_align_t);
      } else {
        memory_ = ::operator new(size, std::align_val_t(alignment));
        memory_alignment_ = alignment;
      }
      memory_size_ = size;
    }
    return memory_;
  }

  void release_memory() noexcept {
    if (!memory_) return;
    if (memory_alignment_ <= alignof(std::max_align_t))
      detail::recycling_deallocate(memory_, memory_size_);
    else
      ::operator delete(memory_, memory_size_, std::align_val_t(memory_alignment_));
    memory_ = nullptr;
  }

  detail::cancellation_lock lock_;
  detail::cancellation_handler_base* handler_ = nullptr;
  void* memory_ = nullptr;
  std::size_t memory_size_ = 0;
  std::size_t memory_alignment_ = 0;
};

// A (possibly unconnected) reference to a signal's slot. Cheap to copy.
class cancellation_slot {
 public:
  constexpr cancellation_slot() noexcept = default;

  // Replaces the slot's handler by a CancellationHandler built from `args`; returns it. The
  // handler is called as handler(cancellation_type_t) when the signal is emitted.
  template <typename CancellationHandler, typename... Args>
  CancellationHandler& emplace(Args&&... args) {
    using holder = detail::cancellation_handler<CancellationHandler>;
    std::lock_guard guard(signal_->lock_);
    void* memory = signal_->prepare_memory(sizeof(holder), alignof(holder));
    holder* h = ::new (memory) holder(std::forward<Args>(args)...);
    signal_->handler_ = h;
    return h->handler();
  }

  template <typename CancellationHandler>
  std::decay_t<CancellationHandler>& assign(CancellationHandler&& handler) {
    return emplace<std::decay_t<CancellationHandler>>(std::forward<CancellationHandler>(handler));
  }

  // Destroys the slot's handler, if any (the memory stays with the signal for the next one).
  void clear() {
    if (!signal_) return;
    std::lock_guard guard(signal_->lock_);
    if (signal_->handler_) {
      signal_->handler_->destroy();
      signal_->handler_ = nullptr;
    }
  }

  constexpr bool is_connected() const noexcept { return signal_ != nullptr; }

  bool has_handler() const noexcept {
    if (!signal_) return false;
    std::lock_guard guard(signal_->lock_);
    return signal_->handler_ != nullptr;
  }

  friend constexpr bool operator==(const cancellation_slot& a,
                                   const cancellation_slot& b) noexcept {
    return a.signal_ == b.signal_;
  }

 private:
  friend class cancellation_signal;
  explicit constexpr cancellation_slot(cancellation_signal* signal) noexcept : signal_(signal) {}

  cancellation_signal* signal_ = nullptr;
};

inline cancellation_slot cancellation_signal::slot() noexcept { return cancellation_slot(this); }

}  // namespace proa
