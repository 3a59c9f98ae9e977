// proa::connect and proa::async_connect: connect a socket to the first endpoint of a sequence
// (typically a resolver's results) or iterator range that accepts, optionally filtered by a
// connect condition, with Asio 1.22's overloads and error reporting (not_found when nothing was
// tried).
#pragma once

#include <concepts>
#include <cstddef>
#include <iterator>
#include <type_traits>
#include <utility>

#include "net/basic_socket.hpp"
#include "net/detail/async_operation.hpp"
#include "platform/error.hpp"
#include "runtime/async_result.hpp"

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

// ---- asynchronous ------------------------------------------------------------------------------
// Each attempt closes the socket, opens it for the endpoint's protocol and starts
// socket.async_connect; a failed attempt moves on to the next endpoint the condition accepts.
// The handler gets the error of the last attempt (not_found when none was made,
// operation_aborted when the socket was closed meanwhile) and the endpoint (or iterator)
// connected to, a default endpoint (or `end`) on failure. It runs on its associated executor,
// never inside the call.

namespace detail {

// What the asynchronous range connect needs of a socket, besides async_connect itself.
template <typename Socket>
concept async_connect_socket =
    requires(Socket& socket, error_code& ec, const typename Socket::protocol_type& protocol) {
      typename Socket::executor_type;
      typename Socket::endpoint_type;
      socket.get_executor();
      socket.close(ec);
      socket.open(protocol, ec);
      { socket.is_open() } -> std::convertible_to<bool>;
    };

inline constexpr auto accept_every_endpoint = [](const error_code&, const auto&) { return true; };

// The endpoints of an async_connect over a sequence: the operation's own copy (results are
// cheap to copy), reporting the endpoint connected to.
template <typename EndpointSequence, typename Endpoint>
class connect_sequence_source {
 public:
  using iterator = sequence_iterator<EndpointSequence>;
  using result_type = Endpoint;

  explicit connect_sequence_source(const EndpointSequence& endpoints) : endpoints_(endpoints) {}

  iterator begin() const { return endpoints_.begin(); }
  iterator end() const { return endpoints_.end(); }
  result_type connected(const iterator& it) const { return *it; }
  result_type failed() const { return result_type(); }

 private:
  EndpointSequence endpoints_;
};

// The endpoints of an async_connect over an iterator range, reporting the iterator connected to.
template <typename Iterator>
class connect_iterator_source {
 public:
  using iterator = Iterator;
  using result_type = Iterator;

  connect_iterator_source(Iterator begin, Iterator end)
      : begin_(std::move(begin)), end_(std::move(end)) {}

  iterator begin() const { return begin_; }
  iterator end() const { return end_; }
  result_type connected(const iterator& it) const { return it; }
  result_type failed() const { return end_; }

 private:
  Iterator begin_;
  Iterator end_;
};

// The state of one asynchronous range connect, moved into each socket.async_connect as its
// handler. The position is kept as an index, re-applied to the source at each step: iterators
// into the operation's own copy of a sequence would not survive the operation moving.
template <typename Socket, typename EndpointSource, typename ConnectCondition,
          typename ConnectHandler>
class async_range_connect_op : public step_cancellation<ConnectHandler> {
 public:
  using user_handler_type = ConnectHandler;

  template <typename H>
  async_range_connect_op(Socket& socket, EndpointSource endpoints, ConnectCondition condition,
                         H&& handler)
      : step_cancellation<ConnectHandler>(handler),
        socket_(&socket),
        endpoints_(std::move(endpoints)),
        condition_(std::move(condition)),
        handler_(std::forward<H>(handler)) {}

  void start() { attempt_next(error_code(), /*initiating=*/true); }

  // One attempt finished.
  void operator()(const error_code& ec) {
    if (!socket_->is_open()) {
      finish(error::operation_aborted, endpoints_.failed(), /*initiating=*/false);
    } else if (!ec) {
      finish(ec, endpoints_.connected(position()), /*initiating=*/false);
    } else if (this->cancelled() != cancellation_type::none) {
      // Cancelled between two attempts: do not start the next one.
      finish(error::operation_aborted, endpoints_.failed(), /*initiating=*/false);
    } else {
      ++index_;
      attempt_next(ec, /*initiating=*/false);
    }
  }

  const ConnectHandler& user_handler() const noexcept { return handler_; }

 private:
  using iterator = typename EndpointSource::iterator;

  iterator position() const {
    iterator it = endpoints_.begin();
    std::advance(it, static_cast<std::iter_difference_t<iterator>>(index_));
    return it;
  }

  // Starts an attempt at the first endpoint from index_ on that the condition accepts. `last`
  // is the error of the previous attempt (success before the first).
  void attempt_next(error_code last, bool initiating) {
    const iterator end = endpoints_.end();
    for (iterator it = position(); it != end; ++it, ++index_) {
      if (!condition_(std::as_const(last), *it)) continue;
      const typename Socket::endpoint_type endpoint(*it);
      error_code ec;
      socket_->close(ec);
      socket_->open(endpoint.protocol(), ec);
      if (ec) {
        // Cannot even open a socket for this one (e.g. no IPv6): a failed attempt.
        last = ec;
        continue;
      }
      socket_->async_connect(endpoint, std::move(*this));
      return;
    }
    finish(last ? last : error_code(error::not_found), endpoints_.failed(), initiating);
  }

  void finish(const error_code& ec, const typename EndpointSource::result_type& result,
              bool initiating) {
    if (initiating)
      post_completion(socket_->get_executor(), std::move(handler_), ec, result);
    else
      invoke_handler(handler_, ec, result);
  }

  Socket* socket_;
  EndpointSource endpoints_;
  ConnectCondition condition_;
  ConnectHandler handler_;
  std::size_t index_ = 0;  // the endpoint being (or next to be) tried
};

// The one initiation behind every async_connect overload, handed to async_initiate.
template <typename Socket>
class initiate_async_range_connect {
 public:
  using executor_type = typename Socket::executor_type;

  explicit initiate_async_range_connect(Socket& socket) noexcept : socket_(socket) {}

  executor_type get_executor() const noexcept { return socket_.get_executor(); }

  template <typename ConnectHandler, typename EndpointSource, typename ConnectCondition>
  void operator()(ConnectHandler&& handler, EndpointSource endpoints,
                  ConnectCondition condition) const {
    async_range_connect_op<Socket, EndpointSource, ConnectCondition,
                           std::decay_t<ConnectHandler>>(socket_, std::move(endpoints),
                                                         std::move(condition),
                                                         std::forward<ConnectHandler>(handler))
        .start();
  }

 private:
  Socket& socket_;
};

}  // namespace detail

// ---- endpoint sequences: handler(error_code, endpoint) ----

template <detail::async_connect_socket Socket, detail::endpoint_sequence EndpointSequence,
          completion_token_for<void(error_code, typename Socket::endpoint_type)> RangeConnectToken>
auto async_connect(Socket& socket, const EndpointSequence& endpoints, RangeConnectToken&& token) {
  return async_initiate<RangeConnectToken, void(error_code, typename Socket::endpoint_type)>(
      detail::initiate_async_range_connect<Socket>{socket}, token,
      detail::connect_sequence_source<EndpointSequence, typename Socket::endpoint_type>(endpoints),
      detail::accept_every_endpoint);
}

template <detail::async_connect_socket Socket, detail::endpoint_sequence EndpointSequence,
          typename ConnectCondition,
          completion_token_for<void(error_code, typename Socket::endpoint_type)> RangeConnectToken>
  requires detail::connect_condition_for<ConnectCondition,
                                         detail::sequence_iterator<EndpointSequence>>
auto async_connect(Socket& socket, const EndpointSequence& endpoints,
                   ConnectCondition connect_condition, RangeConnectToken&& token) {
  return async_initiate<RangeConnectToken, void(error_code, typename Socket::endpoint_type)>(
      detail::initiate_async_range_connect<Socket>{socket}, token,
      detail::connect_sequence_source<EndpointSequence, typename Socket::endpoint_type>(endpoints),
      std::move(connect_condition));
}

// ---- iterator ranges: handler(error_code, iterator) ----

template <detail::async_connect_socket Socket, typename Iterator,
          completion_token_for<void(error_code, Iterator)> IteratorConnectToken>
  requires(!detail::endpoint_sequence<Iterator>)
auto async_connect(Socket& socket, Iterator begin, Iterator end, IteratorConnectToken&& token) {
  return async_initiate<IteratorConnectToken, void(error_code, Iterator)>(
      detail::initiate_async_range_connect<Socket>{socket}, token,
      detail::connect_iterator_source<Iterator>(std::move(begin), std::move(end)),
      detail::accept_every_endpoint);
}

template <detail::async_connect_socket Socket, typename Iterator, typename ConnectCondition,
          completion_token_for<void(error_code, Iterator)> IteratorConnectToken>
  requires(!detail::endpoint_sequence<Iterator>) &&
          detail::connect_condition_for<ConnectCondition, Iterator>
auto async_connect(Socket& socket, Iterator begin, Iterator end,
                   ConnectCondition connect_condition, IteratorConnectToken&& token) {
  return async_initiate<IteratorConnectToken, void(error_code, Iterator)>(
      detail::initiate_async_range_connect<Socket>{socket}, token,
      detail::connect_iterator_source<Iterator>(std::move(begin), std::move(end)),
      std::move(connect_condition));
}

}  // namespace proa
