// associated_cancellation_slot: the cancellation slot a handler brings to its operation. A
// handler names one by having cancellation_slot_type/get_cancellation_slot() or by a
// specialisation; otherwise the caller's default (an unconnected cancellation_slot) is used.
#pragma once

#include <functional>
#include <type_traits>

#include "runtime/cancellation_signal.hpp"

namespace proa {

template <typename T, typename CancellationSlot>
struct associated_cancellation_slot;

namespace detail {

template <typename T>
concept has_cancellation_slot_type = requires { typename T::cancellation_slot_type; };

template <typename T, typename CancellationSlot>
struct associated_cancellation_slot_default {
  // Marks "no slot of its own": operations then keep no slot and install nothing, so plain
  // handlers pay nothing for cancellation support.
  using proa_associated_cancellation_slot_is_default = void;
  using type = CancellationSlot;
  static type get(const T&, const CancellationSlot& s = CancellationSlot()) noexcept { return s; }
};

template <typename T, typename CancellationSlot>
  requires has_cancellation_slot_type<T>
struct associated_cancellation_slot_default<T, CancellationSlot> {
  using type = typename T::cancellation_slot_type;
  static type get(const T& t, const CancellationSlot& = CancellationSlot()) noexcept {
    return t.get_cancellation_slot();
  }
};

// True when T may bring a slot (through a member or a specialisation): only then do operations
// store one and look at it at run time.
template <typename T>
concept has_own_cancellation_slot = !requires {
  typename associated_cancellation_slot<T, cancellation_slot>::
      proa_associated_cancellation_slot_is_default;
};

// Passes the "no slot of its own" mark through wrappers that forward to their target.
template <typename T>
struct forward_default_cancellation_slot_mark {};

template <typename T>
  requires(!has_own_cancellation_slot<T>)
struct forward_default_cancellation_slot_mark<T> {
  using proa_associated_cancellation_slot_is_default = void;
};

}  // namespace detail

template <typename T, typename CancellationSlot = cancellation_slot>
struct associated_cancellation_slot
    : detail::associated_cancellation_slot_default<T, CancellationSlot> {};

template <typename T, typename CancellationSlot>
struct associated_cancellation_slot<std::reference_wrapper<T>, CancellationSlot>
    : detail::forward_default_cancellation_slot_mark<T> {
  using type = typename associated_cancellation_slot<T, CancellationSlot>::type;
  static type get(std::reference_wrapper<T> t,
                  const CancellationSlot& s = CancellationSlot()) noexcept {
    return associated_cancellation_slot<T, CancellationSlot>::get(t.get(), s);
  }
};

template <typename T, typename CancellationSlot = cancellation_slot>
using associated_cancellation_slot_t =
    typename associated_cancellation_slot<T, CancellationSlot>::type;

template <typename T>
typename associated_cancellation_slot<T>::type get_associated_cancellation_slot(
    const T& t) noexcept {
  return associated_cancellation_slot<T>::get(t);
}

template <typename T, typename CancellationSlot>
typename associated_cancellation_slot<T, CancellationSlot>::type get_associated_cancellation_slot(
    const T& t, const CancellationSlot& s) noexcept {
  return associated_cancellation_slot<T, CancellationSlot>::get(t, s);
}

namespace detail {

// Stands for the cancellation slot of a handler that cannot have one: takes no room.
struct no_cancellation_slot {
  static constexpr bool is_connected() noexcept { return false; }
  static void clear() noexcept {}
};

// What an asynchronous operation keeps of its handler's slot: the slot itself when the handler
// may bring one (known at compile time), else nothing.
template <typename Handler>
using kept_cancellation_slot_t =
    std::conditional_t<has_own_cancellation_slot<Handler>,
                       associated_cancellation_slot_t<Handler>, no_cancellation_slot>;

}  // namespace detail

}  // namespace proa
