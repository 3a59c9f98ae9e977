// proa::connect: connects a socket to the first endpoint of a sequence (typically a resolver's
// results) or iterator range that accepts, optionally filtered by a connect condition, with
// Asio 1.22's overloads and error reporting (not_found when nothing was tried).
#pragma once

#include <concepts>
#include <utility>

#include "net/basic_socket.hpp"
#include "platform/error.hpp"

namespace proa {

// Asio's test for "a range of endpoints rather than an iterator": a nested iterator type.
template <typename T>
struct is_endpoint_sequence {
  static constexpr bool value = requires { typename T::iterator; };
};

namespace detail {

template <typename T>
concept endpoint_sequence = is_endpoint_sequence<T>::value;

template <typename EndpointSequence>
using sequence_iterator = decltype(std::declval<const EndpointSequence&>().begin());

// A condition is called with the error of the last attempt (success before the first) and the
// next candidate, and says whether to try it.
template <typename ConnectCondition, typename Iterator>
concept connect_condition_for =
    requires(ConnectCondition& condition, const error_code& ec, const Iterator& it) {
      { condition(ec, *it) } -> std::convertible_to<bool>;
    };

}  // namespace detail

// ---- iterator ranges: return the iterator connected to, or `end` on failure ----

// Closes the socket before each attempt. On failure `ec` holds the error of the last attempt,
// or not_found when no endpoint was tried (empty range, or the condition rejected them all).
template <typename Protocol, typename Executor, typename Iterator, typename ConnectCondition>
  requires detail::connect_condition_for<ConnectCondition, Iterator>
Iterator connect(basic_socket<Protocol, Executor>& socket, Iterator begin, Iterator end,
                 ConnectCondition connect_condition, error_code& ec) {
  ec = error_code();
  for (Iterator it = begin; it != end; ++it) {
    if (!connect_condition(std::as_const(ec), *it)) continue;
    socket.close(ec);
    socket.connect(*it, ec);
    if (!ec) return it;
  }
  if (!ec) ec = error::not_found;
  return end;
}

template <typename Protocol, typename Executor, typename Iterator, typename ConnectCondition>
  requires detail::connect_condition_for<ConnectCondition, Iterator>
Iterator connect(basic_socket<Protocol, Executor>& socket, Iterator begin, Iterator end,
                 ConnectCondition connect_condition) {
  error_code ec;
  Iterator result = connect(socket, begin, end, connect_condition, ec);
  detail::throw_error(ec, "connect");
  return result;
}

template <typename Protocol, typename Executor, typename Iterator>
  requires(!detail::endpoint_sequence<Iterator>)
Iterator connect(basic_socket<Protocol, Executor>& socket, Iterator begin, Iterator end,
                 error_code& ec) {
  return connect(socket, begin, end, [](const error_code&, const auto&) { return true; }, ec);
}

template <typename Protocol, typename Executor, typename Iterator>
  requires(!detail::endpoint_sequence<Iterator>)
Iterator connect(basic_socket<Protocol, Executor>& socket, Iterator begin, Iterator end) {
  error_code ec;
  Iterator result = connect(socket, begin, end, ec);
  detail::throw_error(ec, "connect");
  return result;
}

// ---- endpoint sequences: return the endpoint connected to, or a default one on failure ----

template <typename Protocol, typename Executor, detail::endpoint_sequence EndpointSequence,
          typename ConnectCondition>
  requires detail::connect_condition_for<ConnectCondition,
                                         detail::sequence_iterator<EndpointSequence>>
typename Protocol::endpoint connect(basic_socket<Protocol, Executor>& socket,
                                    const EndpointSequence& endpoints,
                                    ConnectCondition connect_condition, error_code& ec) {
  const auto connected =
      connect(socket, endpoints.begin(), endpoints.end(), connect_condition, ec);
  if (ec) return typename Protocol::endpoint();
  return *connected;
}

template <typename Protocol, typename Executor, detail::endpoint_sequence EndpointSequence,
          typename ConnectCondition>
  requires detail::connect_condition_for<ConnectCondition,
                                         detail::sequence_iterator<EndpointSequence>>
typename Protocol::endpoint connect(basic_socket<Protocol, Executor>& socket,
                                    const EndpointSequence& endpoints,
                                    ConnectCondition connect_condition) {
  error_code ec;
  typename Protocol::endpoint result = connect(socket, endpoints, connect_condition, ec);
  detail::throw_error(ec, "connect");
  return result;
}

template <typename Protocol, typename Executor, detail::endpoint_sequence EndpointSequence>
typename Protocol::endpoint connect(basic_socket<Protocol, Executor>& socket,
                                    const EndpointSequence& endpoints, error_code& ec) {
  return connect(socket, endpoints, [](const error_code&, const auto&) { return true; }, ec);
}

template <typename Protocol, typename Executor, detail::endpoint_sequence EndpointSequence>
typename Protocol::endpoint connect(basic_socket<Protocol, Executor>& socket,
                                    const EndpointSequence& endpoints) {
  error_code ec;
  typename Protocol::endpoint result = connect(socket, endpoints, ec);
  detail::throw_error(ec, "connect");
  return result;
}

}  // namespace proa
