// proa::basic_socket<Protocol, Executor>: what stream and datagram sockets share (opening,
// binding, connecting, options, modes, endpoints, shutdown, waiting), with Asio 1.22's names and
// both throwing and error_code overloads. Descriptors are non-blocking underneath; synchronous
// calls wait with poll() unless the user asked for non-blocking mode.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "net/detail/socket_common.hpp"
#include "net/socket_base.hpp"
#include "platform/error.hpp"
#include "runtime/any_io_executor.hpp"

namespace proa {

template <typename Protocol, typename Executor = any_io_executor>
class basic_socket;

// The members shared with basic_socket_acceptor (opening, closing, bind, options, modes,
// local_endpoint, wait) come from detail::socket_common.
template <typename Protocol, typename Executor>
class basic_socket : public detail::socket_common<Protocol, Executor> {
  using common = detail::socket_common<Protocol, Executor>;

 public:
  using executor_type = Executor;

  template <typename Executor1>
  struct rebind_executor {
    using other = basic_socket<Protocol, Executor1>;
  };

  using native_handle_type = typename common::native_handle_type;
  using protocol_type = Protocol;
  using endpoint_type = typename Protocol::endpoint;
  using lowest_layer_type = basic_socket;

  // ---- construction ----

  // Not open.
  explicit basic_socket(const executor_type& ex) : common(ex) {}

  template <detail::execution_context_reference ExecutionContext>
  explicit basic_socket(ExecutionContext& context) : common(context.get_executor()) {}

  // Open with `protocol`.
  basic_socket(const executor_type& ex, const protocol_type& protocol) : common(ex, protocol) {}

  template <detail::execution_context_reference ExecutionContext>
  basic_socket(ExecutionContext& context, const protocol_type& protocol)
      : common(context.get_executor(), protocol) {}

  // Open with endpoint.protocol() and bound to `endpoint`.
  basic_socket(const executor_type& ex, const endpoint_type& endpoint) : common(ex) {
    open_and_bind(endpoint);
  }

  template <detail::execution_context_reference ExecutionContext>
  basic_socket(ExecutionContext& context, const endpoint_type& endpoint)
      : common(context.get_executor()) {
    open_and_bind(endpoint);
  }

  // Takes ownership of an existing descriptor.
  basic_socket(const executor_type& ex, const protocol_type& protocol,
               const native_handle_type& native_socket)
      : common(ex, protocol, native_socket) {}

  template <detail::execution_context_reference ExecutionContext>
  basic_socket(ExecutionContext& context, const protocol_type& protocol,
               const native_handle_type& native_socket)
      : common(context.get_executor(), protocol, native_socket) {}

  // The moved-from socket is closed but keeps its executor, as if built by basic_socket(ex).
  basic_socket(basic_socket&& other) noexcept = default;

  template <typename Protocol1, typename Executor1>
    requires(std::is_convertible_v<Protocol1, Protocol> &&
             std::is_convertible_v<Executor1, Executor>)
  basic_socket(basic_socket<Protocol1, Executor1>&& other) : common(std::move(other)) {}

  // Closes this socket's descriptor (if any) first, then takes other's descriptor and executor.
  basic_socket& operator=(basic_socket&& other) = default;

  template <typename Protocol1, typename Executor1>
    requires(std::is_convertible_v<Protocol1, Protocol> &&
             std::is_convertible_v<Executor1, Executor>)
  basic_socket& operator=(basic_socket<Protocol1, Executor1>&& other) {
    common::operator=(std::move(other));
    return *this;
  }

  basic_socket(const basic_socket&) = delete;
  basic_socket& operator=(const basic_socket&) = delete;

  lowest_layer_type& lowest_layer() noexcept { return *this; }
  const lowest_layer_type& lowest_layer() const noexcept { return *this; }

  // ---- state ----

  // Whether the read position is at the out-of-band data mark.
  bool at_mark() const {
    return detail::call_or_throw("at_mark", [&](error_code& ec) { return at_mark(ec); });
  }
  bool at_mark(error_code& ec) const { return this->socket_.at_mark(ec); }

  // Bytes that can be read without blocking.
  std::size_t available() const {
    return detail::call_or_throw("available", [&](error_code& ec) { return available(ec); });
  }
  std::size_t available(error_code& ec) const { return this->socket_.available(ec); }

  // ---- connecting and shutting down ----

  // Waits until connected or refused, even in non_blocking() mode (as Asio does). A closed socket
  // is first opened with the endpoint's protocol; it stays open if the connect then fails.
  void connect(const endpoint_type& peer_endpoint) {
    detail::call_or_throw("connect", [&](error_code& ec) { connect(peer_endpoint, ec); });
  }
  void connect(const endpoint_type& peer_endpoint, error_code& ec) {
    if (!this->is_open()) {
      this->open(peer_endpoint.protocol(), ec);
      if (ec) return;
    }
    this->socket_.connect(peer_endpoint.data(), peer_endpoint.size(), ec);
  }

  // handler(ec) once connected or refused. A closed socket is first opened with the endpoint's
  // protocol (a failure to open completes the operation with that error).
  template <completion_token_for<void(error_code)> ConnectToken>
  auto async_connect(const endpoint_type& peer_endpoint, ConnectToken&& token) {
    return async_initiate<ConnectToken, void(error_code)>(
        [this](auto&& handler, const endpoint_type& peer) {
          start_connect(peer, std::forward<decltype(handler)>(handler));
        },
        token, peer_endpoint);
  }

  // not_connected on an unconnected socket.
  endpoint_type remote_endpoint() const {
    return detail::call_or_throw("remote_endpoint",
                                 [&](error_code& ec) { return remote_endpoint(ec); });
  }
  endpoint_type remote_endpoint(error_code& ec) const {
    endpoint_type endpoint;
    std::size_t length = endpoint.capacity();
    this->socket_.remote_address(endpoint.data(), length, ec);
    if (ec) return endpoint_type();
    endpoint.resize(length);
    return endpoint;
  }

  void shutdown(socket_base::shutdown_type what) {
    detail::call_or_throw("shutdown", [&](error_code& ec) { shutdown(what, ec); });
  }
  void shutdown(socket_base::shutdown_type what, error_code& ec) {
    this->socket_.shutdown(what, ec);
  }

 protected:
  // Closes the socket (never blocking on SO_LINGER, never throwing). Protected: a basic_socket
  // is only ever a base of the stream and datagram sockets, never deleted through.
  ~basic_socket() = default;

  void open_and_bind(const endpoint_type& endpoint) {
    error_code ec;
    this->open(endpoint.protocol(), ec);
    detail::throw_error(ec, "open");
    this->bind(endpoint, ec);
    detail::throw_error(ec, "bind");
  }

 private:
  // async_connect's initiation: connect(2) at once; the reactor waits only if it is in progress.
  template <typename ConnectHandler>
  void start_connect(const endpoint_type& peer_endpoint, ConnectHandler&& handler) {
    error_code ec;
    if (!this->is_open()) this->open(peer_endpoint.protocol(), ec);
    detail::descriptor_state* registered =
        ec ? nullptr : this->socket_.registration(this->io_scheduler(), ec);
    if (registered) {
      detail::socket_ops::connect(this->socket_.fd, peer_endpoint.data(),
                                  static_cast<socklen_t>(peer_endpoint.size()), ec);
      if (ec == error::in_progress || ec == error::would_block) {
        using operation = detail::socket_operation<detail::connect_action,
                                                   std::decay_t<ConnectHandler>, Executor>;
        operation* op = operation::create(detail::connect_action{},
                                          std::forward<ConnectHandler>(handler), this->executor_);
        op->start(this->io_scheduler(), *registered, detail::reactor_direction::write);
        return;
      }
    }
    this->complete_async(detail::immediate_action{}, std::forward<ConnectHandler>(handler), ec);
  }
};

}  // namespace proa
