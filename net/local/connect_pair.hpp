// proa::local::connect_pair: two connected Unix-domain sockets from socketpair(2), as in Asio
// 1.22. Both come out open and non-blocking underneath, like every proa socket.
#pragma once

#include <type_traits>
#include <utility>

#include "net/basic_socket.hpp"
#include "net/detail/socket_holder.hpp"
#include "net/local/basic_endpoint.hpp"
#include "platform/error.hpp"

namespace proa::local {

// already_open, with neither socket changed, if either is open.
template <typename Protocol, typename Executor1, typename Executor2>
void connect_pair(basic_socket<Protocol, Executor1>& socket1,
                  basic_socket<Protocol, Executor2>& socket2, error_code& ec) {
  static_assert(std::is_same_v<typename Protocol::endpoint, basic_endpoint<Protocol>>,
                "connect_pair needs a local (Unix-domain) protocol");
  const Protocol protocol{};
  detail::socket_holder first;
  detail::socket_holder second;
  if (socket1.is_open() || socket2.is_open()) {
    ec = error::already_open;
    return;
  }
  detail::socket_holder::open_pair(protocol.family(), protocol.type(), protocol.protocol(), first,
                                   second, ec);
  if (ec) return;
  detail::socket_access::adopt(socket1, protocol, std::move(first));
  detail::socket_access::adopt(socket2, protocol, std::move(second));
}

template <typename Protocol, typename Executor1, typename Executor2>
void connect_pair(basic_socket<Protocol, Executor1>& socket1,
                  basic_socket<Protocol, Executor2>& socket2) {
  error_code ec;
  connect_pair(socket1, socket2, ec);
  detail::throw_error(ec, "connect_pair");
}

}  // namespace proa::local
