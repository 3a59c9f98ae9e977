// associated_allocator: the allocator a handler wants its operation memory to come from.
// A handler names one by having allocator_type/get_allocator() or by a specialisation;
// otherwise the caller's default (std::allocator<void>) is used.
#pragma once

#include <functional>
#include <memory>

namespace proa {

template <typename T, typename Allocator>
struct associated_allocator;

namespace detail {

template <typename T>
concept has_allocator_type = requires { typename T::allocator_type; };

template <typename T, typename Allocator>
struct associated_allocator_default {
  using proa_associated_allocator_is_default = void;
  using type = Allocator;
  static type get(const T&, const Allocator& a = Allocator()) noexcept { return a; }
};

template <typename T, typename Allocator>
  requires has_allocator_type<T>
struct associated_allocator_default<T, Allocator> {
  using type = typename T::allocator_type;
  static type get(const T& t, const Allocator& = Allocator()) noexcept {
    return t.get_allocator();
  }
};

}  // namespace detail

template <typename T, typename Allocator = std::allocator<void>>
struct associated_allocator : detail::associated_allocator_default<T, Allocator> {};

template <typename T, typename Allocator>
struct associated_allocator<std::reference_wrapper<T>, Allocator> {
  using type = typename associated_allocator<T, Allocator>::type;
  static type get(std::reference_wrapper<T> t, const Allocator& a = Allocator()) noexcept {
    return associated_allocator<T, Allocator>::get(t.get(), a);
  }
};

template <typename T, typename Allocator = std::allocator<void>>
using associated_allocator_t = typename associated_allocator<T, Allocator>::type;

template <typename T>
typename associated_allocator<T>::type get_associated_allocator(const T& t) noexcept {
  return associated_allocator<T>::get(t);
}

template <typename T, typename Allocator>
typename associated_allocator<T, Allocator>::type get_associated_allocator(
    const T& t, const Allocator& a) noexcept {
  return associated_allocator<T, Allocator>::get(t, a);
}

}  // namespace proa
