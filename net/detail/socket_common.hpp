// proa::detail::socket_common<Protocol, Executor>: the state and members basic_socket and
// basic_socket_acceptor share (executor, descriptor, protocol; open/close, bind, options, modes,
// local endpoint, waiting), so that both public classes keep Asio 1.22's interface from one body.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "net/detail/reactive_operation.hpp"
#include "net/detail/socket_holder.hpp"
#include "net/socket_base.hpp"
#include "platform/error.hpp"
#include "runtime/async_result.hpp"
#include "runtime/detail/scheduler.hpp"
#include "runtime/execution.hpp"
#include "runtime/execution_context.hpp"

namespace proa::detail {

// An execution context argument, as opposed to an executor or a protocol.
template <typename T>
concept execution_context_reference = std::is_convertible_v<T&, execution_context&>;

// The throwing half of a throwing/error_code overload pair: runs `operation` (the error_code
// overload) and throws what it reported, labelled with `location`, else returns its result.
template <typename Operation>
decltype(auto) call_or_throw(const char* location, Operation&& operation) {
  error_code ec;
  if constexpr (std::is_void_v<std::invoke_result_t<Operation&, error_code&>>) {
    operation(ec);
    throw_error(ec, location);
  } else {
    auto result = operation(ec);
    throw_error(ec, location);
    return result;
  }
}

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

// accept_action's last step for async_accept(peer, handler): the connection goes into the
// caller's socket object.
template <typename Socket>
struct deliver_into_peer {
  Socket* peer;
  typename Socket::protocol_type protocol;

  template <typename Handler>
  void operator()(Handler& handler, const std::error_code& ec, socket_holder&& connection) {
    if (!ec) socket_access::adopt(*peer, protocol, std::move(connection));
    std::move(handler)(ec);
  }
};

// ... and for async_accept(handler): the connection comes as a new socket object.
template <typename Socket>
struct deliver_new_socket {
  typename Socket::executor_type executor;
  typename Socket::protocol_type protocol;

  template <typename Handler>
  void operator()(Handler& handler, const std::error_code& ec, socket_holder&& connection) {
    Socket peer(executor);
    if (!ec) socket_access::adopt(peer, protocol, std::move(connection));
    std::move(handler)(ec, std::move(peer));
  }
};

template <typename Protocol, typename Executor>
class socket_common : public socket_base {
 public:
  using executor_type = Executor;
  using native_handle_type = int;
  using protocol_type = Protocol;
  using endpoint_type = typename Protocol::endpoint;

  executor_type get_executor() noexcept { return executor_; }

  // ---- opening and closing ----

  // already_open if open.
  void open(const protocol_type& protocol = protocol_type()) {
    call_or_throw("open", [&](error_code& ec) { open(protocol, ec); });
  }
  void open(const protocol_type& protocol, error_code& ec) {
    socket_.open(protocol.family(), protocol.type(), protocol.protocol(), ec);
    if (!ec) protocol_ = protocol;
  }

  // Takes ownership of native_descriptor, leaving its blocking mode as it is.
  void assign(const protocol_type& protocol, const native_handle_type& native_descriptor) {
    call_or_throw("assign", [&](error_code& ec) { assign(protocol, native_descriptor, ec); });
  }
  void assign(const protocol_type& protocol, const native_handle_type& native_descriptor,
              error_code& ec) {
    socket_.assign(protocol.type(), native_descriptor, ec);
    if (!ec) protocol_ = protocol;
  }

  bool is_open() const noexcept { return socket_.is_open(); }

  // The descriptor is closed afterwards even when an error is reported. Pending asynchronous
  // operations complete with error::operation_aborted.
  void close() {
    call_or_throw("close", [&](error_code& ec) { close(ec); });
  }
  void close(error_code& ec) { socket_.close(ec); }

  // Gives up ownership of the descriptor without closing it; pending asynchronous operations
  // complete with error::operation_aborted. bad_descriptor if not open.
  native_handle_type release() {
    return call_or_throw("release", [&](error_code& ec) { return release(ec); });
  }
  native_handle_type release(error_code& ec) { return socket_.release(ec); }

  native_handle_type native_handle() noexcept { return socket_.fd; }

  // Completes pending asynchronous operations with error::operation_aborted. bad_descriptor if
  // not open.
  void cancel() {
    call_or_throw("cancel", [&](error_code& ec) { cancel(ec); });
  }
  void cancel(error_code& ec) { socket_.cancel(ec); }

  // ---- addresses ----

  void bind(const endpoint_type& endpoint) {
    call_or_throw("bind", [&](error_code& ec) { bind(endpoint, ec); });
  }
  void bind(const endpoint_type& endpoint, error_code& ec) {
    socket_.bind(endpoint.data(), endpoint.size(), ec);
  }

  endpoint_type local_endpoint() const {
    return call_or_throw("local_endpoint", [&](error_code& ec) { return local_endpoint(ec); });
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
    call_or_throw("set_option", [&](error_code& ec) { set_option(option, ec); });
  }
  template <typename SettableSocketOption>
  void set_option(const SettableSocketOption& option, error_code& ec) {
    socket_.set_option(option.level(protocol_), option.name(protocol_), option.data(protocol_),
                       option.size(protocol_), ec);
  }

  template <typename GettableSocketOption>
  void get_option(GettableSocketOption& option) const {
    call_or_throw("get_option", [&](error_code& ec) { get_option(option, ec); });
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
    call_or_throw("io_control", [&](error_code& ec) { io_control(command, ec); });
  }
  template <typename IoControlCommand>
  void io_control(IoControlCommand& command, error_code& ec) {
    socket_.io_control(command.name(), command.data(), ec);
  }

  // The user's mode: true makes synchronous operations (accept() included) report would_block
  // instead of waiting.
  bool non_blocking() const noexcept { return socket_.user_non_blocking(); }
  void non_blocking(bool mode) {
    call_or_throw("non_blocking", [&](error_code& ec) { non_blocking(mode, ec); });
  }
  void non_blocking(bool mode, error_code& ec) { socket_.set_user_non_blocking(mode, ec); }

  // The descriptor's own mode (O_NONBLOCK). proa opens every socket in non-blocking mode, so this
  // is true from open() on (Asio sets it lazily, at the first asynchronous operation). Clearing it
  // while non_blocking() is true is refused with invalid_argument.
  bool native_non_blocking() const noexcept { return socket_.native_non_blocking(); }
  void native_non_blocking(bool mode) {
    call_or_throw("native_non_blocking", [&](error_code& ec) { native_non_blocking(mode, ec); });
  }
  void native_non_blocking(bool mode, error_code& ec) {
    socket_.set_native_non_blocking(mode, ec);
  }

  // ---- waiting ----

  // Blocks until the descriptor is readable, writable or has an error pending.
  void wait(wait_type what) {
    call_or_throw("wait", [&](error_code& ec) { wait(what, ec); });
  }
  void wait(wait_type what, error_code& ec) { socket_.wait(what, ec); }

  // Completes with handler(ec) once the descriptor is ready; operation_aborted if cancelled.
  template <completion_token_for<void(error_code)> WaitToken>
  auto async_wait(wait_type what, WaitToken&& token) {
    return async_initiate<WaitToken, void(error_code)>(
        [this](auto&& handler, wait_type w) {
          // wait_error has its own queue: one that is not ready must not hold up reads.
          const reactor_direction direction = w == wait_write   ? reactor_direction::write
                                              : w == wait_error ? reactor_direction::except
                                                                : reactor_direction::read;
          start_async(direction, wait_action{static_cast<int>(w)},
                      std::forward<decltype(handler)>(handler));
        },
        token, what);
  }

 protected:
  // The engine of the executor's context, looked up once (use_service takes a lock).
  scheduler& io_scheduler() {
    if (!scheduler_) [[unlikely]]
      scheduler_ = &use_service<scheduler>(proa::query(executor_, execution::context));
    return *scheduler_;
  }

  // Starts an asynchronous operation on this descriptor, registering it with the reactor on
  // first use. Whatever happens, the handler is invoked later through its executor, never from
  // inside this call.
  template <typename Action, typename Handler>
  void start_async(reactor_direction direction, Action&& action, Handler&& handler) {
    using operation = socket_operation<std::decay_t<Action>, std::decay_t<Handler>, Executor>;
    scheduler& owner = io_scheduler();
    operation* op = operation::create(std::forward<Action>(action),
                                      std::forward<Handler>(handler), executor_);
    error_code ec;
    descriptor_state* registered = socket_.registration(owner, ec);
    if (!registered) {
      op->ec_ = ec;
      owner.post(op);
      return;
    }
    op->start(owner, *registered, direction);
  }

  // Completes an asynchronous operation whose result is known before any waiting.
  template <typename Action, typename Handler>
  void complete_async(Action&& action, Handler&& handler, const error_code& ec,
                      std::size_t bytes = 0) {
    using operation = socket_operation<std::decay_t<Action>, std::decay_t<Handler>, Executor>;
    operation* op = operation::create(std::forward<Action>(action),
                                      std::forward<Handler>(handler), executor_);
    op->ec_ = ec;
    op->bytes_transferred_ = bytes;
    io_scheduler().post(op);
  }

  // Not open.
  explicit socket_common(const executor_type& ex) : executor_(ex) {}

  // Open with `protocol`.
  socket_common(const executor_type& ex, const protocol_type& protocol) : executor_(ex) {
    open(protocol);
  }

  // Takes ownership of an existing descriptor.
  socket_common(const executor_type& ex, const protocol_type& protocol,
                const native_handle_type& native_descriptor)
      : executor_(ex) {
    assign(protocol, native_descriptor);
  }

  // The moved-from object is closed but keeps its executor, as if built from that executor.
  socket_common(socket_common&& other) noexcept
      : executor_(other.executor_),
        socket_(std::move(other.socket_)),
        protocol_(other.protocol_),
        scheduler_(other.scheduler_) {}

  template <typename Protocol1, typename Executor1>
  socket_common(socket_common<Protocol1, Executor1>&& other)
      : executor_(other.executor_),
        socket_(std::move(other.socket_)),
        protocol_(other.protocol_) {}

  // Closes this object's descriptor (if any) first, then takes other's descriptor and executor.
  socket_common& operator=(socket_common&& other) {
    if (this != &other) {
      socket_ = std::move(other.socket_);
      executor_ = other.executor_;
      protocol_ = other.protocol_;
      scheduler_ = other.scheduler_;
    }
    return *this;
  }

  template <typename Protocol1, typename Executor1>
  socket_common& operator=(socket_common<Protocol1, Executor1>&& other) {
    socket_ = std::move(other.socket_);
    executor_ = other.executor_;
    protocol_ = other.protocol_;
    scheduler_ = nullptr;  // found again from the new executor
    return *this;
  }

  socket_common(const socket_common&) = delete;
  socket_common& operator=(const socket_common&) = delete;

  // Closes the descriptor (never blocking on SO_LINGER, never throwing). Protected: only ever a
  // base, never deleted through.
  ~socket_common() = default;

  executor_type executor_;
  socket_holder socket_;
  // The protocol the descriptor was opened or assigned with; before that, the endpoint default's.
  protocol_type protocol_ = endpoint_type().protocol();
  scheduler* scheduler_ = nullptr;

 private:
  template <typename Protocol1, typename Executor1>
  friend class socket_common;
  friend struct socket_access;
};

}  // namespace proa::detail
