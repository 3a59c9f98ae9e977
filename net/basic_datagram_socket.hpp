// proa::basic_datagram_socket<Protocol, Executor>: a message socket (ip::udp::socket) with Asio
// 1.22's synchronous send_to/receive_from and, once connected, send/receive.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "net/basic_socket.hpp"
#include "net/buffer.hpp"
#include "net/detail/socket_common.hpp"
#include "net/detail/socket_holder.hpp"
#include "platform/error.hpp"
#include "runtime/any_io_executor.hpp"

namespace proa {

template <typename Protocol, typename Executor = any_io_executor>
class basic_datagram_socket;

template <typename Protocol, typename Executor>
class basic_datagram_socket : public basic_socket<Protocol, Executor> {
  using base = basic_socket<Protocol, Executor>;

 public:
  using executor_type = Executor;

  template <typename Executor1>
  struct rebind_executor {
    using other = basic_datagram_socket<Protocol, Executor1>;
  };

  using native_handle_type = typename base::native_handle_type;
  using protocol_type = Protocol;
  using endpoint_type = typename Protocol::endpoint;

  // ---- construction: basic_socket's constructors ----

  using base::base;

  basic_datagram_socket(basic_datagram_socket&& other) noexcept = default;
  basic_datagram_socket& operator=(basic_datagram_socket&& other) = default;

  template <typename Protocol1, typename Executor1>
    requires(std::is_convertible_v<Protocol1, Protocol> &&
             std::is_convertible_v<Executor1, Executor>)
  basic_datagram_socket(basic_datagram_socket<Protocol1, Executor1>&& other)
      : base(std::move(other)) {}

  // Hides the converting constructor inherited from basic_socket, which would also take another
  // kind of socket (a datagram socket from a stream one).
  template <typename Protocol1, typename Executor1>
    requires(std::is_convertible_v<Protocol1, Protocol> &&
             std::is_convertible_v<Executor1, Executor>)
  basic_datagram_socket(basic_socket<Protocol1, Executor1>&& other) = delete;

  template <typename Protocol1, typename Executor1>
    requires(std::is_convertible_v<Protocol1, Protocol> &&
             std::is_convertible_v<Executor1, Executor>)
  basic_datagram_socket& operator=(basic_datagram_socket<Protocol1, Executor1>&& other) {
    base::operator=(std::move(other));
    return *this;
  }

  // Closes the socket; never throws.
  ~basic_datagram_socket() = default;

  // ---- synchronous transfer ----
  // Each sends or receives one datagram, waiting while the socket is not ready unless
  // non_blocking() is set (then would_block). An empty datagram is a valid message (0 bytes).

  // On a connected socket.
  template <const_buffer_sequence ConstBufferSequence>
  std::size_t send(const ConstBufferSequence& buffers) {
    return send(buffers, 0);
  }
  template <const_buffer_sequence ConstBufferSequence>
  std::size_t send(const ConstBufferSequence& buffers, socket_base::message_flags flags) {
    return detail::call_or_throw("send", [&](error_code& ec) { return send(buffers, flags, ec); });
  }
  template <const_buffer_sequence ConstBufferSequence>
  std::size_t send(const ConstBufferSequence& buffers, socket_base::message_flags flags,
                   error_code& ec) {
    const detail::prepared_iovecs iovecs = detail::gather_iovecs(buffers);
    return this->socket_.send(iovecs.entries, iovecs.count, flags, ec);
  }

  template <const_buffer_sequence ConstBufferSequence>
  std::size_t send_to(const ConstBufferSequence& buffers, const endpoint_type& destination) {
    return send_to(buffers, destination, 0);
  }
  template <const_buffer_sequence ConstBufferSequence>
  std::size_t send_to(const ConstBufferSequence& buffers, const endpoint_type& destination,
                      socket_base::message_flags flags) {
    return detail::call_or_throw(
        "send_to", [&](error_code& ec) { return send_to(buffers, destination, flags, ec); });
  }
  template <const_buffer_sequence ConstBufferSequence>
  std::size_t send_to(const ConstBufferSequence& buffers, const endpoint_type& destination,
                      socket_base::message_flags flags, error_code& ec) {
    const detail::prepared_iovecs iovecs = detail::gather_iovecs(buffers);
    return this->socket_.send_to(iovecs.entries, iovecs.count, flags, destination.data(),
                                 destination.size(), ec);
  }

  // On a connected socket. A datagram larger than the buffers is truncated.
  template <mutable_buffer_sequence MutableBufferSequence>
  std::size_t receive(const MutableBufferSequence& buffers) {
    return receive(buffers, 0);
  }
  template <mutable_buffer_sequence MutableBufferSequence>
  std::size_t receive(const MutableBufferSequence& buffers, socket_base::message_flags flags) {
    return detail::call_or_throw(
        "receive", [&](error_code& ec) { return receive(buffers, flags, ec); });
  }
  template <mutable_buffer_sequence MutableBufferSequence>
  std::size_t receive(const MutableBufferSequence& buffers, socket_base::message_flags flags,
                      error_code& ec) {
    detail::prepared_iovecs iovecs = detail::gather_iovecs(buffers);
    return this->socket_.receive(iovecs.entries, iovecs.count, flags, ec);
  }

  // Fills sender_endpoint with the datagram's source address.
  template <mutable_buffer_sequence MutableBufferSequence>
  std::size_t receive_from(const MutableBufferSequence& buffers, endpoint_type& sender_endpoint) {
    return receive_from(buffers, sender_endpoint, 0);
  }
  template <mutable_buffer_sequence MutableBufferSequence>
  std::size_t receive_from(const MutableBufferSequence& buffers, endpoint_type& sender_endpoint,
                           socket_base::message_flags flags) {
    return detail::call_or_throw("receive_from", [&](error_code& ec) {
      return receive_from(buffers, sender_endpoint, flags, ec);
    });
  }
  template <mutable_buffer_sequence MutableBufferSequence>
  std::size_t receive_from(const MutableBufferSequence& buffers, endpoint_type& sender_endpoint,
                           socket_base::message_flags flags, error_code& ec) {
    detail::prepared_iovecs iovecs = detail::gather_iovecs(buffers);
    std::size_t length = sender_endpoint.capacity();
    const std::size_t bytes = this->socket_.receive_from(
        iovecs.entries, iovecs.count, flags, sender_endpoint.data(), length, ec);
    if (!ec) sender_endpoint.resize(length);
    return bytes;
  }

  // ---- asynchronous transfer ----
  // handler(ec, bytes_transferred), invoked later through the handler's executor. Buffers (and
  // sender_endpoint) must stay valid until then.

  template <const_buffer_sequence ConstBufferSequence,
            completion_token_for<void(error_code, std::size_t)> WriteToken>
  auto async_send(const ConstBufferSequence& buffers, WriteToken&& token) {
    return async_send(buffers, 0, std::forward<WriteToken>(token));
  }
  template <const_buffer_sequence ConstBufferSequence,
            completion_token_for<void(error_code, std::size_t)> WriteToken>
  auto async_send(const ConstBufferSequence& buffers, socket_base::message_flags flags,
                  WriteToken&& token) {
    return async_initiate<WriteToken, void(error_code, std::size_t)>(
        [this](auto&& handler, const ConstBufferSequence& buffers,
               socket_base::message_flags flags) {
          this->start_async(detail::reactor_direction::write,
                            detail::send_action<ConstBufferSequence>{buffers, flags, false},
                            std::forward<decltype(handler)>(handler));
        },
        token, buffers, flags);
  }

  template <const_buffer_sequence ConstBufferSequence,
            completion_token_for<void(error_code, std::size_t)> WriteToken>
  auto async_send_to(const ConstBufferSequence& buffers, const endpoint_type& destination,
                     WriteToken&& token) {
    return async_send_to(buffers, destination, 0, std::forward<WriteToken>(token));
  }
  template <const_buffer_sequence ConstBufferSequence,
            completion_token_for<void(error_code, std::size_t)> WriteToken>
  auto async_send_to(const ConstBufferSequence& buffers, const endpoint_type& destination,
                     socket_base::message_flags flags, WriteToken&& token) {
    return async_initiate<WriteToken, void(error_code, std::size_t)>(
        [this](auto&& handler, const ConstBufferSequence& buffers, const endpoint_type& destination,
               socket_base::message_flags flags) {
          this->start_async(detail::reactor_direction::write,
                            detail::send_to_action<ConstBufferSequence, endpoint_type>{
                                buffers, destination, flags},
                            std::forward<decltype(handler)>(handler));
        },
        token, buffers, destination, flags);
  }

  template <mutable_buffer_sequence MutableBufferSequence,
            completion_token_for<void(error_code, std::size_t)> ReadToken>
  auto async_receive(const MutableBufferSequence& buffers, ReadToken&& token) {
    return async_receive(buffers, 0, std::forward<ReadToken>(token));
  }
  template <mutable_buffer_sequence MutableBufferSequence,
            completion_token_for<void(error_code, std::size_t)> ReadToken>
  auto async_receive(const MutableBufferSequence& buffers, socket_base::message_flags flags,
                     ReadToken&& token) {
    return async_initiate<ReadToken, void(error_code, std::size_t)>(
        [this](auto&& handler, const MutableBufferSequence& buffers,
               socket_base::message_flags flags) {
          this->start_async(detail::reactor_direction::read,
                            detail::receive_action<MutableBufferSequence>{buffers, flags, false},
                            std::forward<decltype(handler)>(handler));
        },
        token, buffers, flags);
  }

  template <mutable_buffer_sequence MutableBufferSequence,
            completion_token_for<void(error_code, std::size_t)> ReadToken>
  auto async_receive_from(const MutableBufferSequence& buffers, endpoint_type& sender_endpoint,
                          ReadToken&& token) {
    return async_receive_from(buffers, sender_endpoint, 0, std::forward<ReadToken>(token));
  }
  template <mutable_buffer_sequence MutableBufferSequence,
            completion_token_for<void(error_code, std::size_t)> ReadToken>
  auto async_receive_from(const MutableBufferSequence& buffers, endpoint_type& sender_endpoint,
                          socket_base::message_flags flags, ReadToken&& token) {
    return async_initiate<ReadToken, void(error_code, std::size_t)>(
        [this](auto&& handler, const MutableBufferSequence& buffers, endpoint_type* sender_endpoint,
               socket_base::message_flags flags) {
          this->start_async(detail::reactor_direction::read,
                            detail::receive_from_action<MutableBufferSequence, endpoint_type>{
                                buffers, sender_endpoint, flags},
                            std::forward<decltype(handler)>(handler));
        },
        token, buffers, &sender_endpoint, flags);
  }
};

}  // namespace proa
