// proa::basic_socket_acceptor<Protocol, Executor>: a listening socket (ip::tcp::acceptor,
// local::stream_protocol::acceptor) with Asio 1.22's synchronous interface: open, bind, listen,
// and accept into a socket or as a returned socket.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "net/basic_socket.hpp"
#include "net/detail/socket_common.hpp"
#include "net/detail/socket_holder.hpp"
#include "net/socket_base.hpp"
#include "platform/error.hpp"
#include "runtime/any_io_executor.hpp"
#include "runtime/execution/executor.hpp"

namespace proa {

template <typename Protocol, typename Executor = any_io_executor>
class basic_socket_acceptor;

// The members shared with basic_socket (opening, closing, bind, options, modes, local_endpoint,
// wait) come from detail::socket_common.
template <typename Protocol, typename Executor>
class basic_socket_acceptor : public detail::socket_common<Protocol, Executor> {
  using common = detail::socket_common<Protocol, Executor>;

  // The socket type accept() returns: the protocol's socket, rebound to another executor.
  template <typename Executor1>
  using socket_for = typename Protocol::socket::template rebind_executor<Executor1>::other;

 public:
  using executor_type = Executor;

  template <typename Executor1>
  struct rebind_executor {
    using other = basic_socket_acceptor<Protocol, Executor1>;
  };

  using native_handle_type = typename common::native_handle_type;
  using protocol_type = Protocol;
  using endpoint_type = typename Protocol::endpoint;

  // ---- construction ----

  // Not open.
  explicit basic_socket_acceptor(const executor_type& ex) : common(ex) {}
  template <detail::execution_context_reference ExecutionContext>
  explicit basic_socket_acceptor(ExecutionContext& context) : common(context.get_executor()) {}

  // Open with `protocol`, neither bound nor listening.
  basic_socket_acceptor(const executor_type& ex, const protocol_type& protocol)
      : common(ex, protocol) {}
  template <detail::execution_context_reference ExecutionContext>
  basic_socket_acceptor(ExecutionContext& context, const protocol_type& protocol)
      : common(context.get_executor(), protocol) {}

  // Opens with endpoint.protocol(), sets reuse_address if asked, binds to `endpoint` and listens
  // with max_listen_connections: ready to accept.
  basic_socket_acceptor(const executor_type& ex, const endpoint_type& endpoint,
                        bool reuse_addr = true)
      : common(ex) {
    open_bind_listen(endpoint, reuse_addr);
  }
  template <detail::execution_context_reference ExecutionContext>
  basic_socket_acceptor(ExecutionContext& context, const endpoint_type& endpoint,
                        bool reuse_addr = true)
      : common(context.get_executor()) {
    open_bind_listen(endpoint, reuse_addr);
  }

  // Takes ownership of an existing (listening or not) descriptor.
  basic_socket_acceptor(const executor_type& ex, const protocol_type& protocol,
                        const native_handle_type& native_acceptor)
      : common(ex, protocol, native_acceptor) {}
  template <detail::execution_context_reference ExecutionContext>
  basic_socket_acceptor(ExecutionContext& context, const protocol_type& protocol,
                        const native_handle_type& native_acceptor)
      : common(context.get_executor(), protocol, native_acceptor) {}

  // The moved-from acceptor is closed but keeps its executor.
  basic_socket_acceptor(basic_socket_acceptor&& other) noexcept = default;

  template <typename Protocol1, typename Executor1>
    requires(std::is_convertible_v<Protocol1, Protocol> &&
             std::is_convertible_v<Executor1, Executor>)
  basic_socket_acceptor(basic_socket_acceptor<Protocol1, Executor1>&& other)
      : common(std::move(other)) {}

  basic_socket_acceptor& operator=(basic_socket_acceptor&& other) = default;

  template <typename Protocol1, typename Executor1>
    requires(std::is_convertible_v<Protocol1, Protocol> &&
             std::is_convertible_v<Executor1, Executor>)
  basic_socket_acceptor& operator=(basic_socket_acceptor<Protocol1, Executor1>&& other) {
    common::operator=(std::move(other));
    return *this;
  }

  basic_socket_acceptor(const basic_socket_acceptor&) = delete;
  basic_socket_acceptor& operator=(const basic_socket_acceptor&) = delete;

  // Closes the acceptor; never throws.
  ~basic_socket_acceptor() = default;

  // ---- listening ----

  void listen(int backlog = socket_base::max_listen_connections) {
    detail::call_or_throw("listen", [&](error_code& ec) { listen(backlog, ec); });
  }
  void listen(int backlog, error_code& ec) { this->socket_.listen(backlog, ec); }

  // ---- accepting ----
  // Each takes the next queued connection, waiting for one unless non_blocking() is set (then
  // would_block). The peer socket must be closed (already_open otherwise); it comes out open
  // and non-blocking underneath like every proa socket.

  template <typename Protocol1, typename Executor1>
    requires std::is_convertible_v<Protocol, Protocol1>
  void accept(basic_socket<Protocol1, Executor1>& peer) {
    detail::call_or_throw("accept", [&](error_code& ec) { accept(peer, ec); });
  }
  template <typename Protocol1, typename Executor1>
    requires std::is_convertible_v<Protocol, Protocol1>
  void accept(basic_socket<Protocol1, Executor1>& peer, error_code& ec) {
    accept_into(peer, nullptr, ec);
  }

  // Also fills peer_endpoint with the peer's address.
  template <typename Executor1>
  void accept(basic_socket<protocol_type, Executor1>& peer, endpoint_type& peer_endpoint) {
    detail::call_or_throw("accept", [&](error_code& ec) { accept(peer, peer_endpoint, ec); });
  }
  template <typename Executor1>
  void accept(basic_socket<protocol_type, Executor1>& peer, endpoint_type& peer_endpoint,
              error_code& ec) {
    accept_into(peer, &peer_endpoint, ec);
  }

  // Returns the connection as a socket using this acceptor's executor. With ec set on failure,
  // the returned socket is closed.
  socket_for<executor_type> accept() {
    return detail::call_or_throw("accept", [&](error_code& ec) { return accept(ec); });
  }
  socket_for<executor_type> accept(error_code& ec) {
    socket_for<executor_type> peer(this->executor_);
    accept_into(peer, nullptr, ec);
    return peer;
  }

  // Returns the connection as a socket using `ex`.
  template <typename Executor1>
    requires detail::standard_or_legacy_executor<Executor1>
  socket_for<Executor1> accept(const Executor1& ex) {
    return detail::call_or_throw("accept", [&](error_code& ec) { return accept(ex, ec); });
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
    return detail::call_or_throw("accept", [&](error_code& ec) { return accept(context, ec); });
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
    return detail::call_or_throw("accept",
                                 [&](error_code& ec) { return accept(peer_endpoint, ec); });
  }
  socket_for<executor_type> accept(endpoint_type& peer_endpoint, error_code& ec) {
    socket_for<executor_type> peer(this->executor_);
    accept_into(peer, &peer_endpoint, ec);
    return peer;
  }

  template <typename Executor1>
    requires detail::standard_or_legacy_executor<Executor1>
  socket_for<Executor1> accept(const Executor1& ex, endpoint_type& peer_endpoint) {
    return detail::call_or_throw("accept",
                                 [&](error_code& ec) { return accept(ex, peer_endpoint, ec); });
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
    return detail::call_or_throw(
        "accept", [&](error_code& ec) { return accept(context, peer_endpoint, ec); });
  }
  template <detail::execution_context_reference ExecutionContext>
  socket_for<typename ExecutionContext::executor_type> accept(ExecutionContext& context,
                                                              endpoint_type& peer_endpoint,
                                                              error_code& ec) {
    socket_for<typename ExecutionContext::executor_type> peer(context);
    accept_into(peer, &peer_endpoint, ec);
    return peer;
  }

  // ---- accepting asynchronously ----
  // Each completes once a connection is taken (or with the error that stopped it, e.g.
  // too_many_files_open: the connection then stays queued and a later accept can take it).

  // handler(ec): the connection goes into `peer`, which must be closed (already_open otherwise).
  template <typename Protocol1, typename Executor1,
            completion_token_for<void(error_code)> AcceptToken>
  requires std::is_convertible_v<Protocol, Protocol1>
  auto async_accept(basic_socket<Protocol1, Executor1>& peer, AcceptToken&& token) {
    return async_initiate<AcceptToken, void(error_code)>(
        [this](auto&& handler, basic_socket<Protocol1, Executor1>* peer_socket) {
          start_accept_into(*peer_socket, static_cast<endpoint_type*>(nullptr),
                            std::forward<decltype(handler)>(handler));
        },
        token, &peer);
  }
  template <typename Executor1, completion_token_for<void(error_code)> AcceptToken>
  auto async_accept(basic_socket<protocol_type, Executor1>& peer, endpoint_type& peer_endpoint,
                    AcceptToken&& token) {
    return async_initiate<AcceptToken, void(error_code)>(
        [this](auto&& handler, basic_socket<protocol_type, Executor1>* peer_socket,
               endpoint_type* endpoint) {
          start_accept_into(*peer_socket, endpoint, std::forward<decltype(handler)>(handler));
        },
        token, &peer, &peer_endpoint);
  }

  // handler(ec, socket): the connection comes as a new socket using this acceptor's executor,
  // `ex`, or `context`'s executor; with an error the socket is closed.
  template <completion_token_for<void(error_code, socket_for<Executor>)> MoveAcceptToken>
  auto async_accept(MoveAcceptToken&& token) {
    return initiate_accept_new<socket_for<executor_type>>(token, this->executor_, nullptr);
  }
  template <detail::standard_or_legacy_executor Executor1,
            completion_token_for<void(error_code, socket_for<Executor1>)> MoveAcceptToken>
  auto async_accept(const Executor1& ex, MoveAcceptToken&& token) {
    return initiate_accept_new<socket_for<Executor1>>(token, ex, nullptr);
  }
  template <
      detail::execution_context_reference ExecutionContext,
      completion_token_for<void(error_code, socket_for<typename ExecutionContext::executor_type>)>
          MoveAcceptToken>
  auto async_accept(ExecutionContext& context, MoveAcceptToken&& token) {
    return initiate_accept_new<socket_for<typename ExecutionContext::executor_type>>(
        token, context.get_executor(), nullptr);
  }

  // The same three, also filling peer_endpoint (which must stay valid until completion).
  template <completion_token_for<void(error_code, socket_for<Executor>)> MoveAcceptToken>
  auto async_accept(endpoint_type& peer_endpoint, MoveAcceptToken&& token) {
    return initiate_accept_new<socket_for<executor_type>>(token, this->executor_, &peer_endpoint);
  }
  template <detail::standard_or_legacy_executor Executor1,
            completion_token_for<void(error_code, socket_for<Executor1>)> MoveAcceptToken>
  auto async_accept(const Executor1& ex, endpoint_type& peer_endpoint, MoveAcceptToken&& token) {
    return initiate_accept_new<socket_for<Executor1>>(token, ex, &peer_endpoint);
  }
  template <
      detail::execution_context_reference ExecutionContext,
      completion_token_for<void(error_code, socket_for<typename ExecutionContext::executor_type>)>
          MoveAcceptToken>
  auto async_accept(ExecutionContext& context, endpoint_type& peer_endpoint,
                    MoveAcceptToken&& token) {
    return initiate_accept_new<socket_for<typename ExecutionContext::executor_type>>(
        token, context.get_executor(), &peer_endpoint);
  }

 private:
  // The initiation behind the async_accept overloads that make a new socket.
  template <typename Socket, typename MoveAcceptToken, typename Executor1>
  auto initiate_accept_new(MoveAcceptToken& token, const Executor1& ex,
                           endpoint_type* peer_endpoint) {
    return async_initiate<MoveAcceptToken, void(error_code, Socket)>(
        [this](auto&& handler, const Executor1& executor, endpoint_type* endpoint) {
          start_accept_new<Socket>(executor, endpoint, std::forward<decltype(handler)>(handler));
        },
        token, ex, peer_endpoint);
  }

  template <typename Socket, typename Handler>
  void start_accept_into(Socket& peer, endpoint_type* peer_endpoint, Handler&& handler) {
    using deliver = detail::deliver_into_peer<Socket>;
    using action = detail::accept_action<endpoint_type, deliver>;
    if (peer.is_open()) {
      this->complete_async(action{deliver{&peer, this->protocol_}, nullptr, 0, 0, {}},
                           std::forward<Handler>(handler), error::already_open);
      return;
    }
    this->start_async(detail::reactor_direction::read,
                      action{deliver{&peer, this->protocol_}, peer_endpoint, this->socket_.state,
                             this->protocol_.type(), {}},
                      std::forward<Handler>(handler));
  }

  template <typename Socket, typename Executor1, typename Handler>
  void start_accept_new(const Executor1& ex, endpoint_type* peer_endpoint, Handler&& handler) {
    using deliver = detail::deliver_new_socket<Socket>;
    using action = detail::accept_action<endpoint_type, deliver>;
    this->start_async(detail::reactor_direction::read,
                      action{deliver{typename Socket::executor_type(ex), this->protocol_},
                             peer_endpoint, this->socket_.state, this->protocol_.type(), {}},
                      std::forward<Handler>(handler));
  }

  void open_bind_listen(const endpoint_type& endpoint, bool reuse_addr) {
    error_code ec;
    this->open(endpoint.protocol(), ec);
    detail::throw_error(ec, "open");
    if (reuse_addr) {
      this->set_option(socket_base::reuse_address(true), ec);
      detail::throw_error(ec, "set_option");
    }
    this->bind(endpoint, ec);
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
    this->socket_.accept(this->protocol_.type(), connection,
                         peer_endpoint ? peer_endpoint->data() : nullptr,
                         peer_endpoint ? &length : nullptr, ec);
    if (ec) return;
    if (peer_endpoint) peer_endpoint->resize(length);
    detail::socket_access::adopt(peer, this->protocol_, std::move(connection));
  }
};

}  // namespace proa
