// proa::basic_socket_acceptor<Protocol, Executor>: a listening socket (ip::tcp::acceptor,
// local::stream_protocol::acceptor) with Asio 1.22's synchronous interface: open, bind, listen,
// and accept into a socket or as a returned socket.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "net/basic_socket.hpp"
#include "net/detail/socket_holder.hpp"
#include "net/socket_base.hpp"
#include "platform/error.hpp"
#include "runtime/any_io_executor.hpp"
#include "runtime/execution/executor.hpp"

namespace proa {

template <typename Protocol, typename Executor = any_io_executor>
class basic_socket_acceptor;

template <typename Protocol, typename Executor>
class basic_socket_acceptor : public socket_base {
  // The socket type accept() returns: the protocol's socket, rebound to another executor.
  template <typename Executor1>
  using socket_for = typename Protocol::socket::template rebind_executor<Executor1>::other;

 public:
  using executor_type = Executor;

  template <typename Executor1>
  struct rebind_executor {
    using other = basic_socket_acceptor<Protocol, Executor1>;
  };

  using native_handle_type = int;
  using protocol_type = Protocol;
  using endpoint_type = typename Protocol::endpoint;

  // ---- construction ----

  // Not open.
  explicit basic_socket_acceptor(const executor_type& ex) : executor_(ex) {}
  template <detail::execution_context_reference ExecutionContext>
  explicit basic_socket_acceptor(ExecutionContext& context)
      : executor_(context.get_executor()) {}

  // Open with `protocol`, neither bound nor listening.
  basic_socket_acceptor(const executor_type& ex, const protocol_type& protocol) : executor_(ex) {
    open(protocol);
  }
  template <detail::execution_context_reference ExecutionContext>
  basic_socket_acceptor(ExecutionContext& context, const protocol_type& protocol)
      : executor_(context.get_executor()) {
    open(protocol);
  }

  // Opens with endpoint.protocol(), sets reuse_address if asked, binds to `endpoint` and listens
  // with max_listen_connections: ready to accept.
  basic_socket_acceptor(const executor_type& ex, const endpoint_type& endpoint,
                        bool reuse_addr = true)
      : executor_(ex) {
    open_bind_listen(endpoint, reuse_addr);
  }
  template <detail::execution_context_reference ExecutionContext>
  basic_socket_acceptor(ExecutionContext& context, const endpoint_type& endpoint,
                        bool reuse_addr = true)
      : executor_(context.get_executor()) {
    open_bind_listen(endpoint, reuse_addr);
  }

  // Takes ownership of an existing (listening or not) descriptor.
  basic_socket_acceptor(const executor_type& ex, const protocol_type& protocol,
                        const native_handle_type& native_acceptor)
      : executor_(ex) {
    assign(protocol, native_acceptor);
  }
  template <detail::execution_context_reference ExecutionContext>
  basic_socket_acceptor(ExecutionContext& context, const protocol_type& protocol,
                        const native_handle_type& native_acceptor)
      : executor_(context.get_executor()) {
    assign(protocol, native_acceptor);
  }

  // The moved-from acceptor is closed but keeps its executor.
  basic_socket_acceptor(basic_socket_acceptor&& other) noexcept
      : executor_(other.executor_),
        socket_(std::move(other.socket_)),
        protocol_(other.protocol_) {}

  template <typename Protocol1, typename Executor1>
    requires(std::is_convertible_v<Protocol1, Protocol> &&
             std::is_convertible_v<Executor1, Executor>)
  basic_socket_acceptor(basic_socket_acceptor<Protocol1, Executor1>&& other)
      : executor_(other.executor_),
        socket_(std::move(other.socket_)),
        protocol_(other.protocol_) {}

  basic_socket_acceptor& operator=(basic_socket_acceptor&& other) {
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
  basic_socket_acceptor& operator=(basic_socket_acceptor<Protocol1, Executor1>&& other) {
    socket_ = std::move(other.socket_);
    executor_ = other.executor_;
    protocol_ = other.protocol_;
    return *this;
  }

  basic_socket_acceptor(const basic_socket_acceptor&) = delete;
  basic_socket_acceptor& operator=(const basic_socket_acceptor&) = delete;

  // Closes the acceptor; never throws.
  ~basic_socket_acceptor() = default;

  executor_type get_executor() noexcept { return executor_; }

  // ---- opening and closing ----

  void open(const protocol_type& protocol = protocol_type()) {
    error_code ec;
    open(protocol, ec);
    detail::throw_error(ec, "open");
  }
  void open(const protocol_type& protocol, error_code& ec) {
    socket_.open(protocol.family(), protocol.type(), protocol.protocol(), ec);
    if (!ec) protocol_ = protocol;
  }

  void assign(const protocol_type& protocol, const native_handle_type& native_acceptor) {
    error_code ec;
    assign(protocol, native_acceptor, ec);
    detail::throw_error(ec, "assign");
  }
  void assign(const protocol_type& protocol, const native_handle_type& native_acceptor,
              error_code& ec) {
    socket_.assign(protocol.type(), native_acceptor, ec);
    if (!ec) protocol_ = protocol;
  }

  bool is_open() const noexcept { return socket_.is_open(); }

  void close() {
    error_code ec;
    close(ec);
    detail::throw_error(ec, "close");
  }
  void close(error_code& ec) { socket_.close(ec); }

  native_handle_type release() {
    error_code ec;
    const native_handle_type released = release(ec);
    detail::throw_error(ec, "release");
    return released;
  }
  native_handle_type release(error_code& ec) { return socket_.release(ec); }

  native_handle_type native_handle() noexcept { return socket_.fd; }

  void cancel() {
    error_code ec;
    cancel(ec);
    detail::throw_error(ec, "cancel");
  }
  void cancel(error_code& ec) { socket_.cancel(ec); }

  // ---- binding and listening ----

  void bind(const endpoint_type& endpoint) {
    error_code ec;
    bind(endpoint, ec);
    detail::throw_error(ec, "bind");
  }
  void bind(const endpoint_type& endpoint, error_code& ec) {
    socket_.bind(endpoint.data(), endpoint.size(), ec);
  }

  void listen(int backlog = socket_base::max_listen_connections) {
    error_code ec;
    listen(backlog, ec);
    detail::throw_error(ec, "listen");
  }
  void listen(int backlog, error_code& ec) { socket_.listen(backlog, ec); }

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

  // True makes accept() report would_block instead of waiting for a connection.
  bool non_blocking() const noexcept { return socket_.user_non_blocking(); }
  void non_blocking(bool mode) {
    error_code ec;
    non_blocking(mode, ec);
    detail::throw_error(ec, "non_blocking");
  }
  void non_blocking(bool mode, error_code& ec) { socket_.set_user_non_blocking(mode, ec); }

  // See basic_socket::native_non_blocking: true from open() on.
  bool native_non_blocking() const noexcept { return socket_.native_non_blocking(); }
  void native_non_blocking(bool mode) {
    error_code ec;
    native_non_blocking(mode, ec);
    detail::throw_error(ec, "native_non_blocking");
  }
  void native_non_blocking(bool mode, error_code& ec) {
    socket_.set_native_non_blocking(mode, ec);
  }

  void wait(wait_type what) {
    error_code ec;
    wait(what, ec);
    detail::throw_error(ec, "wait");
  }
  void wait(wait_type what, error_code& ec) { socket_.wait(what, ec); }

  // ---- accepting ----
  // Each takes the next queued connection, waiting for one unless non_blocking() is set (then
  // would_block). The peer socket must be closed (already_open otherwise); it comes out open
  // and non-blocking underneath like every proa socket.

  template <typename Protocol1, typename Executor1>
    requires std::is_convertible_v<Protocol, Protocol1>
  void accept(basic_socket<Protocol1, Executor1>& peer) {
    error_code ec;
    accept(peer, ec);
    detail::throw_error(ec, "accept");
  }
  template <typename Protocol1, typename Executor1>
    requires std::is_convertible_v<Protocol, Protocol1>
  void accept(basic_socket<Protocol1, Executor1>& peer, error_code& ec) {
    accept_into(peer, nullptr, ec);
  }

  // Also fills peer_endpoint with the peer's address.
  template <typename Executor1>
  void accept(basic_socket<protocol_type, Executor1>& peer, endpoint_type& peer_endpoint) {
    error_code ec;
    accept(peer, peer_endpoint, ec);
    detail::throw_error(ec, "accept");
  }
  template <typename Executor1>
  void accept(basic_socket<protocol_type, Executor1>& peer, endpoint_type& peer_endpoint,
              error_code& ec) {
    accept_into(peer, &peer_endpoint, ec);
  }

  // Returns the connection as a socket using this acceptor's executor. With ec set on failure,
  // the returned socket is closed.
  socket_for<executor_type> accept() {
    error_code ec;
    socket_for<executor_type> peer = accept(ec);
    detail::throw_error(ec, "accept");
    return peer;
  }
  socket_for<executor_type> accept(error_code& ec) {
    socket_for<executor_type> peer(executor_);
    accept_into(peer, nullptr, ec);
    return peer;
  }

  // Returns the connection as a socket using `ex`.
  template <typename Executor1>
    requires detail::standard_or_legacy_executor<Executor1>
  socket_for<Executor1> accept(const Executor1& ex) {
    error_code ec;
    socket_for<Executor1> peer = accept(ex, ec);
    detail::throw_error(ec, "accept");
    return peer;
  }
  template <typename Executor1>
    requires detail::standard_or_legacy_executor<Executor1>
  socket_for<Executor1> accept(const Executor1& ex, error_code& ec) {
    socket_for<Executor1> peer(ex);
    accept_into(peer, nullptr, ec);
    return peer;
  }

  // Returns the connection as a socket using `context`'s executor.
  template <detail::execution_context_reference ExecutionContext>
  socket_for<typename ExecutionContext::executor_type> accept(ExecutionContext& context) {
    error_code ec;
    socket_for<typename ExecutionContext::executor_type> peer = accept(context, ec);
    detail::throw_error(ec, "accept");
    return peer;
  }
  template <detail::execution_context_reference ExecutionContext>
  socket_for<typename ExecutionContext::executor_type> accept(ExecutionContext& context,
                                                              error_code& ec) {
    socket_for<typename ExecutionContext::executor_type> peer(context);
    accept_into(peer, nullptr, ec);
    return peer;
  }

  // The same three, also filling peer_endpoint.
  socket_for<executor_type> accept(endpoint_type& peer_endpoint) {
    error_code ec;
    socket_for<executor_type> peer = accept(peer_endpoint, ec);
    detail::throw_error(ec, "accept");
    return peer;
  }
  socket_for<executor_type> accept(endpoint_type& peer_endpoint, error_code& ec) {
    socket_for<executor_type> peer(executor_);
    accept_into(peer, &peer_endpoint, ec);
    return peer;
  }

  template <typename Executor1>
    requires detail::standard_or_legacy_executor<Executor1>
  socket_for<Executor1> accept(const Executor1& ex, endpoint_type& peer_endpoint) {
    error_code ec;
    socket_for<Executor1> peer = accept(ex, peer_endpoint, ec);
    detail::throw_error(ec, "accept");
    return peer;
  }
  template <typename Executor1>
    requires detail::standard_or_legacy_executor<Executor1>
  socket_for<Executor1> accept(const Executor1& ex, endpoint_type& peer_endpoint,
                               error_code& ec) {
    socket_for<Executor1> peer(ex);
    accept_into(peer, &peer_endpoint, ec);
    return peer;
  }

  template <detail::execution_context_reference ExecutionContext>
  socket_for<typename ExecutionContext::executor_type> accept(ExecutionContext& context,
                                                              endpoint_type& peer_endpoint) {
    error_code ec;
    socket_for<typename ExecutionContext::executor_type> peer =
        accept(context, peer_endpoint, ec);
    detail::throw_error(ec, "accept");
    return peer;
  }
  template <detail::execution_context_reference ExecutionContext>
  socket_for<typename ExecutionContext::executor_type> accept(ExecutionContext& context,
                                                              endpoint_type& peer_endpoint,
                                                              error_code& ec) {
    socket_for<typename ExecutionContext::executor_type> peer(context);
    accept_into(peer, &peer_endpoint, ec);
    return peer;
  }

 private:
  template <typename Protocol1, typename Executor1>
  friend class basic_socket_acceptor;

  void open_bind_listen(const endpoint_type& endpoint, bool reuse_addr) {
    error_code ec;
    open(endpoint.protocol(), ec);
    detail::throw_error(ec, "open");
    if (reuse_addr) {
      set_option(socket_base::reuse_address(true), ec);
      detail::throw_error(ec, "set_option");
    }
    bind(endpoint, ec);
    detail::throw_error(ec, "bind");
    listen(socket_base::max_listen_connections, ec);
    detail::throw_error(ec, "listen");
  }

  template <typename Socket>
  void accept_into(Socket& peer, endpoint_type* peer_endpoint, error_code& ec) {
    if (peer.is_open()) {
      ec = error::already_open;
      return;
    }
    // The new descriptor waits in `connection` so that nothing leaks if resize() throws.
    detail::socket_holder connection;
    std::size_t length = peer_endpoint ? peer_endpoint->capacity() : 0;
    socket_.accept(protocol_.type(), connection, peer_endpoint ? peer_endpoint->data() : nullptr,
                   peer_endpoint ? &length : nullptr, ec);
    if (ec) return;
    if (peer_endpoint) peer_endpoint->resize(length);
    detail::socket_access::adopt(peer, protocol_, std::move(connection));
  }

  executor_type executor_;
  detail::socket_holder socket_;
  protocol_type protocol_ = endpoint_type().protocol();
};

}  // namespace proa
