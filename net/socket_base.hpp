// proa::socket_base: the shutdown kinds, message flags, wait kinds, socket options and I/O
// control commands shared by every socket and acceptor class, with Asio 1.22's names.
#pragma once

#include <sys/socket.h>

#include "net/detail/socket_option.hpp"

namespace proa {

class socket_base {
 public:
  enum shutdown_type {
    shutdown_receive = SHUT_RD,
    shutdown_send = SHUT_WR,
    shutdown_both = SHUT_RDWR,
  };

  // Bitmask of the message_* flags, passed to send/receive.
  using message_flags = int;
  static constexpr int message_peek = MSG_PEEK;
  static constexpr int message_out_of_band = MSG_OOB;
  static constexpr int message_do_not_route = MSG_DONTROUTE;
  static constexpr int message_end_of_record = MSG_EOR;

  // What wait() / async_wait() wait for.
  enum wait_type {
    wait_read,
    wait_write,
    wait_error,
  };

  using broadcast = detail::socket_option::boolean<SOL_SOCKET, SO_BROADCAST>;
  using debug = detail::socket_option::boolean<SOL_SOCKET, SO_DEBUG>;
  using do_not_route = detail::socket_option::boolean<SOL_SOCKET, SO_DONTROUTE>;
  using keep_alive = detail::socket_option::boolean<SOL_SOCKET, SO_KEEPALIVE>;
  // Linux doubles the size it is given; get_option halves it back so a get returns what was set.
  using send_buffer_size = detail::socket_option::integer<SOL_SOCKET, SO_SNDBUF>;
  using send_low_watermark = detail::socket_option::integer<SOL_SOCKET, SO_SNDLOWAT>;
  using receive_buffer_size = detail::socket_option::integer<SOL_SOCKET, SO_RCVBUF>;
  using receive_low_watermark = detail::socket_option::integer<SOL_SOCKET, SO_RCVLOWAT>;
  using reuse_address = detail::socket_option::boolean<SOL_SOCKET, SO_REUSEADDR>;
  using linger = detail::socket_option::linger<SOL_SOCKET, SO_LINGER>;
  using out_of_band_inline = detail::socket_option::boolean<SOL_SOCKET, SO_OOBINLINE>;
  // Kept by proa (no syscall): whether accept reports connections aborted before being taken.
  using enable_connection_aborted =
      detail::socket_option::boolean<detail::custom_socket_option_level,
                                     detail::enable_connection_aborted_option>;

  using bytes_readable = detail::io_control::bytes_readable;

  // listen()'s default backlog: the kernel's maximum.
  static constexpr int max_listen_connections = SOMAXCONN;
  // Asio's older name for max_listen_connections, still accepted by Asio 1.22.
  static constexpr int max_connections = SOMAXCONN;

 protected:
  // Not for deleting a derived socket through; socket classes are not polymorphic.
  ~socket_base() = default;
};

}  // namespace proa
