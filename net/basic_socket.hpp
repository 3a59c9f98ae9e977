// proa::basic_socket<Protocol, Executor>: what stream and datagram sockets share (opening,
// binding, connecting, options, modes, endpoints, shutdown, waiting), with Asio 1.22's names and
// both throwing and error_code overloads. Descriptors are non-blocking underneath; synchronous
// calls wait with poll() unless the user asked for non-blocking mode.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "net/detail/socket_holder.hpp"
#include "net/socket_base.hpp"
#include "platform/error.hpp"
#include "runtime/any_io_executor.hpp"
#include "runtime/execution_context.hpp"

namespace proa {

template <typename Protocol, typename Executor = any_io_executor>
class basic_socket;

namespace detail {

// An execution context argument, as opposed to an executor or a protocol.
template <typename T>
concept execution_context_reference = std::is_convertible_v<T&, execution_context&>;

// Lets the acceptor and local::connect_pair give a socket object a descriptor proa created
// (non-blocking already), which the public assign() would record as blocking.
struct socket_access {
  template <typename Socket>
  static void adopt(Socket& socket, const typename Socket::protocol_type& protocol,
                    socket_holder&& descriptor) noexcept {
    socket.socket_ = std::move(descriptor);
    socket.protocol_ = protocol;
  }

  template <typename Socket>
  static const socket_holder& holder(const Socket& socket) noexcept {
    return socket.socket_;
  }
};

}  // namespace detail

template <typename Protocol, typename Executor>
class basic_socket : public socket_base {
 public:
  using executor_type = Executor;

  template <typename Executor1>
  struct rebind_executor {
    using other = basic_socket<Protocol, Executor1>;
  };

  using native_handle_type = int;
  using protocol_type = Protocol;
  using endpoint_type = typename Protocol::endpoint;
  using lowest_layer_type = basic_socket;

  // ---- construction ----

  // Not open.
  explicit basic_socket(const executor_type& ex) : executor_(ex) {}

  template <detail::execution_context_reference ExecutionContext>
  explicit basic_socket(ExecutionContext& context) : executor_(context.get_executor()) {}

  // Open with `protocol`.
  basic_socket(const executor_type& ex, const protocol_type& protocol) : executor_(ex) {
    open(protocol);
  }

  template <detail::execution_context_reference ExecutionContext>
  basic_socket(ExecutionContext& context, const protocol_type& protocol)
      : executor_(context.get_executor()) {
    open(protocol);
  }

  // Open with endpoint.protocol() and bound to `endpoint`.
  basic_socket(const executor_type& ex, const endpoint_type& endpoint) : executor_(ex) {
    open_and_bind(endpoint);
  }

  template <detail::execution_context_reference ExecutionContext>
  basic_socket(ExecutionContext& context, const endpoint_type& endpoint)
      : executor_(context.get_executor()) {
    open_and_bind(endpoint);
  }

  // Takes ownership of an existing descriptor.
  basic_socket(const executor_type& ex, const protocol_type& protocol,
               const native_handle_type& native_socket)
      : executor_(ex) {
    assign(protocol, native_socket);
  }

  template <detail::execution_context_reference ExecutionContext>
  basic_socket(ExecutionContext& context, const protocol_type& protocol,
               const native_handle_type& native_socket)
      : executor_(context.get_executor()) {
    assign(protocol, native_socket);
  }

  // The moved-from socket is closed but keeps its executor, as if built by basic_socket(ex).
  basic_socket(basic_socket&& other) noexcept
      : executor_(other.executor_),
        socket_(std::move(other.socket_)),
        protocol_(other.protocol_) {}

  template <typename Protocol1, typename Executor1>
    requires(std::is_convertible_v<Protocol1, Protocol> &&
             std::is_convertible_v<Executor1, Executor>)
  basic_socket(basic_socket<Protocol1, Executor1>&& other)
      : executor_(other.executor_),
        socket_(std::move(other.socket_)),
        protocol_(other.protocol_) {}

  // Closes this socket's descriptor (if any) first, then takes other's descriptor and executor.
  basic_socket& operator=(basic_socket&& other) {
    if (this != &other) {
      socket_ = std::move(other.socket_);
      executor_ = other.executor_;
      protocol_ = other.protocol_;
    }
    return *this;
  }

  template <typename Protocol1, typename Executor1>
    requires(std::is_convertible_v<Protocol1, Protocol> &&
             std::is_convertible_v<Executor1, Executor>)
  basic_socket& operator=(basic_socket<Protocol1, Executor1>&& other) {
    socket_ = std::move(other.socket_);
    executor_ = other.executor_;
    protocol_ = other.protocol_;
    return *this;
  }

  basic_socket(const basic_socket&) = delete;
  basic_socket& operator=(const basic_socket&) = delete;

  executor_type get_executor() noexcept { return executor_; }

  lowest_layer_type& lowest_layer() noexcept { return *this; }
  const lowest_layer_type& lowest_layer() const noexcept { return *this; }

  // ---- opening and closing ----

  // already_open if open.
  void open(const protocol_type& protocol = protocol_type()) {
    error_code ec;
    open(protocol, ec);
    detail::throw_error(ec, "open");
  }
  void open(const protocol_type& protocol, error_code& ec) {
    socket_.open(protocol.family(), protocol.type(), protocol.protocol(), ec);
    if (!ec) protocol_ = protocol;
  }

  // Takes ownership of native_socket, leaving its blocking mode as it is.
  void assign(const protocol_type& protocol, const native_handle_type& native_socket) {
    error_code ec;
    assign(protocol, native_socket, ec);
    detail::throw_error(ec, "assign");
  }
  void assign(const protocol_type& protocol, const native_handle_type& native_socket,
              error_code& ec) {
    socket_.assign(protocol.type(), native_socket, ec);
    if (!ec) protocol_ = protocol;
  }

  bool is_open() const noexcept { return socket_.is_open(); }

  // The socket is closed afterwards even when an error is reported. Pending asynchronous
  // operations complete with error::operation_aborted.
  void close() {
    error_code ec;
    close(ec);
    detail::throw_error(ec, "close");
  }
  void close(error_code& ec) { socket_.close(ec); }

  // Gives up ownership of the descriptor without closing it; pending asynchronous operations
  // complete with error::operation_aborted. bad_descriptor if not open.
  native_handle_type release() {
    error_code ec;
    const native_handle_type released = release(ec);
    detail::throw_error(ec, "release");
    return released;
  }
  native_handle_type release(error_code& ec) { return socket_.release(ec); }

  native_handle_type native_handle() noexcept { return socket_.fd; }

  // Completes pending asynchronous operations with error::operation_aborted. bad_descriptor if
  // not open.
  void cancel() {
    error_code ec;
    cancel(ec);
    detail::throw_error(ec, "cancel");
  }
  void cancel(error_code& ec) { socket_.cancel(ec); }

  // ---- state ----

  // Whether the read position is at the out-of-band data mark.
  bool at_mark() const {
    error_code ec;
    const bool result = at_mark(ec);
    detail::throw_error(ec, "at_mark");
    return result;
  }
  bool at_mark(error_code& ec) const { return socket_.at_mark(ec); }

  // Bytes that can be read without blocking.
  std::size_t available() const {
    error_code ec;
    const std::size_t result = available(ec);
    detail::throw_error(ec, "available");
    return result;
  }
  std::size_t available(error_code& ec) const { return socket_.available(ec); }

  // ---- addresses ----

  void bind(const endpoint_type& endpoint) {
    error_code ec;
    bind(endpoint, ec);
    detail::throw_error(ec, "bind");
  }
  void bind(const endpoint_type& endpoint, error_code& ec) {
    socket_.bind(endpoint.data(), endpoint.size(), ec);
  }

  // Waits until connected or refused, even in non_blocking() mode (as Asio does). A closed socket
  // is first opened with the endpoint's protocol; it stays open if the connect then fails.
  void connect(const endpoint_type& peer_endpoint) {
    error_code ec;
    connect(peer_endpoint, ec);
    detail::throw_error(ec, "connect");
  }
  void connect(const endpoint_type& peer_endpoint, error_code& ec) {
    if (!is_open()) {
      open(peer_endpoint.protocol(), ec);
      if (ec) return;
    }
    socket_.connect(peer_endpoint.data(), peer_endpoint.size(), ec);
  }

  endpoint_type local_endpoint() const {
    error_code ec;
    endpoint_type endpoint = local_endpoint(ec);
    detail::throw_error(ec, "local_endpoint");
    return endpoint;
  }
  endpoint_type local_endpoint(error_code& ec) const {
    endpoint_type endpoint;
    std::size_t length = endpoint.capacity();
    socket_.local_address(endpoint.data(), length, ec);
    if (ec) return endpoint_type();
    endpoint.resize(length);
    return endpoint;
  }

  // not_connected on an unconnected socket.
  endpoint_type remote_endpoint() const {
    error_code ec;
    endpoint_type endpoint = remote_endpoint(ec);
    detail::throw_error(ec, "remote_endpoint");
    return endpoint;
  }
  endpoint_type remote_endpoint(error_code& ec) const {
    endpoint_type endpoint;
    std::size_t length = endpoint.capacity();
    socket_.remote_address(endpoint.data(), length, ec);
    if (ec) return endpoint_type();
    endpoint.resize(length);
    return endpoint;
  }

  void shutdown(shutdown_type what) {
    error_code ec;
    shutdown(what, ec);
    detail::throw_error(ec, "shutdown");
  }
  void shutdown(shutdown_type what, error_code& ec) { socket_.shutdown(what, ec); }

  // ---- options and modes ----

  template <typename SettableSocketOption>
  void set_option(const SettableSocketOption& option) {
    error_code ec;
    set_option(option, ec);
    detail::throw_error(ec, "set_option");
  }
  template <typename SettableSocketOption>
  void set_option(const SettableSocketOption& option, error_code& ec) {
    socket_.set_option(option.level(protocol_), option.name(protocol_), option.data(protocol_),
                       option.size(protocol_), ec);
  }

  template <typename GettableSocketOption>
  void get_option(GettableSocketOption& option) const {
    error_code ec;
    get_option(option, ec);
    detail::throw_error(ec, "get_option");
  }
  template <typename GettableSocketOption>
  void get_option(GettableSocketOption& option, error_code& ec) const {
    std::size_t size = option.size(protocol_);
    socket_.get_option(option.level(protocol_), option.name(protocol_), option.data(protocol_),
                       size, ec);
    if (!ec) option.resize(protocol_, size);
  }

  template <typename IoControlCommand>
  void io_control(IoControlCommand& command) {
    error_code ec;
    io_control(command, ec);
    detail::throw_error(ec, "io_control");
  }
  template <typename IoControlCommand>
  void io_control(IoControlCommand& command, error_code& ec) {
    socket_.io_control(command.name(), command.data(), ec);
  }

  // The user's mode: true makes synchronous operations report would_block instead of waiting.
  bool non_blocking() const noexcept { return socket_.user_non_blocking(); }
  void non_blocking(bool mode) {
    error_code ec;
    non_blocking(mode, ec);
    detail::throw_error(ec, "non_blocking");
  }
  void non_blocking(bool mode, error_code& ec) { socket_.set_user_non_blocking(mode, ec); }

  // The descriptor's own mode (O_NONBLOCK). proa opens every socket in non-blocking mode, so this
  // is true from open() on (Asio sets it lazily, at the first asynchronous operation). Clearing it
  // while non_blocking() is true is refused with invalid_argument.
  bool native_non_blocking() const noexcept { return socket_.native_non_blocking(); }
  void native_non_blocking(bool mode) {
    error_code ec;
    native_non_blocking(mode, ec);
    detail::throw_error(ec, "native_non_blocking");
  }
  void native_non_blocking(bool mode, error_code& ec) {
    socket_.set_native_non_blocking(mode, ec);
  }

  // ---- waiting ----

  // Blocks until the socket is readable, writable or has an error pending.
  void wait(wait_type what) {
    error_code ec;
    wait(what, ec);
    detail::throw_error(ec, "wait");
  }
  void wait(wait_type what, error_code& ec) { socket_.wait(what, ec); }

 protected:
  // Closes the socket (never blocking on SO_LINGER, never throwing). Protected: a basic_socket
  // is only ever a base of the stream and datagram sockets, never deleted through.
  ~basic_socket() = default;

  void open_and_bind(const endpoint_type& endpoint) {
    error_code ec;
    open(endpoint.protocol(), ec);
    detail::throw_error(ec, "open");
    bind(endpoint, ec);
    detail::throw_error(ec, "bind");
  }

  executor_type executor_;
  detail::socket_holder socket_;
  // The protocol the socket was opened or assigned with; before that, the endpoint default's.
  protocol_type protocol_ = endpoint_type().protocol();

 private:
  template <typename Protocol1, typename Executor1>
  friend class basic_socket;
  friend struct detail::socket_access;
};

}  // namespace proa
