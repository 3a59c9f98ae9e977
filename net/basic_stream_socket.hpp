// proa::basic_stream_socket<Protocol, Executor>: a connected byte-stream socket (ip::tcp::socket,
// local::stream_protocol::socket) with Asio 1.22's synchronous send/receive/read_some/write_some.
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
class basic_stream_socket;

template <typename Protocol, typename Executor>
class basic_stream_socket : public basic_socket<Protocol, Executor> {
  using base = basic_socket<Protocol, Executor>;

 public:
  using executor_type = Executor;

  template <typename Executor1>
  struct rebind_executor {
    using other = basic_stream_socket<Protocol, Executor1>;
  };

  using native_handle_type = typename base::native_handle_type;
  using protocol_type = Protocol;
  using endpoint_type = typename Protocol::endpoint;

  // ---- construction: basic_socket's constructors ----

  using base::base;

  basic_stream_socket(basic_stream_socket&& other) noexcept = default;
  basic_stream_socket& operator=(basic_stream_socket&& other) = default;

  template <typename Protocol1, typename Executor1>
    requires(std::is_convertible_v<Protocol1, Protocol> &&
             std::is_convertible_v<Executor1, Executor>)
  basic_stream_socket(basic_stream_socket<Protocol1, Executor1>&& other)
      : base(std::move(other)) {}

  // Hides the converting constructor inherited from basic_socket, which would also take another
  // kind of socket (a stream socket from a datagram one).
  template <typename Protocol1, typename Executor1>
    requires(std::is_convertible_v<Protocol1, Protocol> &&
             std::is_convertible_v<Executor1, Executor>)
  basic_stream_socket(basic_socket<Protocol1, Executor1>&& other) = delete;

  template <typename Protocol1, typename Executor1>
    requires(std::is_convertible_v<Protocol1, Protocol> &&
             std::is_convertible_v<Executor1, Executor>)
  basic_stream_socket& operator=(basic_stream_socket<Protocol1, Executor1>&& other) {
    base::operator=(std::move(other));
    return *this;
  }

  // Closes the socket; never throws.
  ~basic_stream_socket() = default;

  // ---- synchronous transfer ----
  // Each transfers at least one byte unless the buffers are all empty (then 0 at once), waiting
  // while the socket is not ready unless non_blocking() is set (then would_block). A peer that
  // closed its side reports error::eof from the receiving calls.

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

  template <const_buffer_sequence ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers) {
    return detail::call_or_throw(
        "write_some", [&](error_code& ec) { return write_some(buffers, ec); });
  }
  template <const_buffer_sequence ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, error_code& ec) {
    return send(buffers, 0, ec);
  }

  template <mutable_buffer_sequence MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers) {
    return detail::call_or_throw(
        "read_some", [&](error_code& ec) { return read_some(buffers, ec); });
  }
  template <mutable_buffer_sequence MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers, error_code& ec) {
    return receive(buffers, 0, ec);
  }

  // ---- asynchronous transfer ----
  // handler(ec, bytes_transferred). The data is tried at once and the reactor waited on only
  // if the socket is not ready; either way the handler runs later through its executor. The
  // buffers must stay valid until then (the sequence object itself is copied).

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
                            detail::send_action<ConstBufferSequence>{buffers, flags, true},
                            std::forward<decltype(handler)>(handler));
        },
        token, buffers, flags);
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
                            detail::receive_action<MutableBufferSequence>{buffers, flags, true},
                            std::forward<decltype(handler)>(handler));
        },
        token, buffers, flags);
  }

  template <const_buffer_sequence ConstBufferSequence,
            completion_token_for<void(error_code, std::size_t)> WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return async_send(buffers, 0, std::forward<WriteToken>(token));
  }

  template <mutable_buffer_sequence MutableBufferSequence,
            completion_token_for<void(error_code, std::size_t)> ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return async_receive(buffers, 0, std::forward<ReadToken>(token));
  }
};

}  // namespace proa
