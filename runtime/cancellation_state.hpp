// cancellation_state and the cancellation filters (Asio 1.22): what a composed operation uses
// to take cancellation requests from its handler's slot, remember them (cancelled()), and pass
// the ones its filter lets through on to the slot of its current child operation.
#pragma once

#include <atomic>
#include <utility>

#include "runtime/cancellation_signal.hpp"
#include "runtime/cancellation_type.hpp"

namespace proa {

template <cancellation_type_t Mask>
struct cancellation_filter {
  cancellation_type_t operator()(cancellation_type_t type) const noexcept { return type & Mask; }
};

using disable_cancellation = cancellation_filter<cancellation_type::none>;
using enable_terminal_cancellation = cancellation_filter<cancellation_type::terminal>;
using enable_partial_cancellation =
    cancellation_filter<cancellation_type::terminal | cancellation_type::partial>;
using enable_total_cancellation = cancellation_filter<
    cancellation_type::terminal | cancellation_type::partial | cancellation_type::total>;

class cancellation_state {
 public:
  constexpr cancellation_state() noexcept = default;

  // Attaches to `slot` (if connected) letting terminal cancellation through.
  template <typename CancellationSlot>
  explicit cancellation_state(CancellationSlot slot)
      : impl_(slot.is_connected() ? &slot.template emplace<impl<>>() : nullptr) {}

  template <typename CancellationSlot, typename Filter>
  cancellation_state(CancellationSlot slot, Filter filter)
      : impl_(slot.is_connected() ? &slot.template emplace<impl<Filter, Filter>>(filter, filter)
                                  : nullptr) {}

  // in_filter decides what is recorded as cancelled(); out_filter what reaches the child slot.
  template <typename CancellationSlot, typename InFilter, typename OutFilter>
  cancellation_state(CancellationSlot slot, InFilter in_filter, OutFilter out_filter)
      : impl_(slot.is_connected() ? &slot.template emplace<impl<InFilter, OutFilter>>(
                                        std::move(in_filter), std::move(out_filter))
                                  : nullptr) {}

  // The slot to give the child operation.
  cancellation_slot slot() const noexcept {
    return impl_ ? impl_->signal.slot() : cancellation_slot();
  }

  // The cancellation requested so far (after the in-filter).
  cancellation_type_t cancelled() const noexcept {
    return impl_ ? impl_->cancelled.load(std::memory_order_acquire) : cancellation_type::none;
  }

  void clear(cancellation_type_t mask = cancellation_type::all) noexcept {
    if (!impl_) return;
    cancellation_type_t current = impl_->cancelled.load(std::memory_order_relaxed);
    while (!impl_->cancelled.compare_exchange_weak(current, current & ~mask,
                                                   std::memory_order_acq_rel)) {
    }
  }

 private:
  struct impl_base {
    cancellation_signal signal;
    std::atomic<cancellation_type_t> cancelled{cancellation_type::none};
  };

  // Lives in the parent slot as its handler, so it goes away with the parent's next handler.
  template <typename InFilter = enable_terminal_cancellation, typename OutFilter = InFilter>
  struct impl : impl_base {
    impl() = default;
    impl(InFilter in, OutFilter out) : in_filter(std::move(in)), out_filter(std::move(out)) {}

    void operator()(cancellation_type_t type) {
      const cancellation_type_t accepted = in_filter(type);
      this->cancelled.store(accepted, std::memory_order_release);
      const cancellation_type_t passed = out_filter(accepted);
      if (passed != cancellation_type::none) this->signal.emit(passed);
    }

    InFilter in_filter{};
    OutFilter out_filter{};
  };

  impl_base* impl_ = nullptr;
};

}  // namespace proa
