// Out-of-line socket_holder operations: descriptor lifetime, options and modes. The raw ioctl
// calls for at_mark and io_control live here only because platform/socket_ops has no wrapper
// for them yet (see the note at each).
#include "net/detail/socket_holder.hpp"

#include <sys/ioctl.h>

#include <cerrno>

#include "net/detail/socket_option.hpp"
#include "net/socket_base.hpp"

namespace proa::detail {

// ---- Reactor hooks (see socket_holder.hpp) ----

void detach_socket_from_reactor(socket_holder& socket) noexcept {
  if (socket.reactor_descriptor) socket.reactor_owner->deregister_descriptor(socket.reactor_descriptor);
  socket.reactor_owner = nullptr;
  socket.reactor_descriptor = nullptr;
}

void cancel_socket_operations(socket_holder& socket) noexcept {
  if (socket.reactor_descriptor) socket.reactor_owner->cancel_reactor_operations(*socket.reactor_descriptor);
}

descriptor_state* socket_holder::register_with(scheduler& owner, error_code& ec) noexcept {
  if (!is_open()) {
    ec = error::bad_descriptor;
    return nullptr;
  }
  if (!native_non_blocking()) {
    socket_ops::set_internal_non_blocking(fd, state, true, ec);
    if (ec) return nullptr;
  }
  if (reactor_owner == &owner) return reactor_descriptor;
  // Moved to another context: its old registration (and anything pending there) goes first.
  detach_socket_from_reactor(*this);
  descriptor_state* d = owner.register_descriptor(fd, ec);
  if (!d) return nullptr;
  reactor_owner = &owner;
  reactor_descriptor = d;
  return d;
}

// ---- socket_holder ----

socket_holder& socket_holder::operator=(socket_holder&& other) noexcept {
  if (this != &other) {
    destroy();
    fd = other.fd;
    state = other.state;
    reactor_owner = other.reactor_owner;
    reactor_descriptor = other.reactor_descriptor;
    other.reset();
  }
  return *this;
}

socket_ops::state_type socket_holder::type_state(int type) noexcept {
  switch (type) {
    case SOCK_STREAM:
      return socket_ops::stream_oriented;
    case SOCK_DGRAM:
      return socket_ops::datagram_oriented;
    default:
      return 0;
  }
}

void socket_holder::open(int family, int type, int protocol, error_code& ec) noexcept {
  if (is_open()) {
    ec = error::already_open;
    return;
  }
  const int new_fd = socket_ops::open_socket(family, type | SOCK_NONBLOCK, protocol, ec);
  if (new_fd == socket_ops::invalid_socket) return;
  fd = new_fd;
  state = type_state(type) | socket_ops::internal_non_blocking;
}

void socket_holder::assign(int type, int native_descriptor, error_code& ec) noexcept {
  if (is_open()) {
    ec = error::already_open;
    return;
  }
  if (native_descriptor < 0) {
    ec = error::bad_descriptor;
    return;
  }
  fd = native_descriptor;
  state = type_state(type);
  ec.clear();
}

void socket_holder::adopt_non_blocking(int type, int new_descriptor, error_code& ec) noexcept {
  assign(type, new_descriptor, ec);
  if (!ec) state |= socket_ops::internal_non_blocking;
}

void socket_holder::open_pair(int family, int type, int protocol, socket_holder& first,
                              socket_holder& second, error_code& ec) noexcept {
  if (first.is_open() || second.is_open()) {
    ec = error::already_open;
    return;
  }
  int fds[2];
  socket_ops::open_socket_pair(family, type | SOCK_NONBLOCK, protocol, fds, ec);
  if (ec) return;
  first.adopt_non_blocking(type, fds[0], ec);
  second.adopt_non_blocking(type, fds[1], ec);
}

void socket_holder::destroy() noexcept {
  if (!is_open()) return;
  detach_socket_from_reactor(*this);
  error_code ignored;
  socket_ops::close_socket(fd, state, /*destruction=*/true, ignored);
  reset();
}

void socket_holder::close(error_code& ec) noexcept {
  if (!is_open()) {
    ec.clear();
    return;
  }
  detach_socket_from_reactor(*this);
  socket_ops::close_socket(fd, state, /*destruction=*/false, ec);
  // Linux releases the descriptor even when close(2) fails, so it must not be used again.
  reset();
}

int socket_holder::release(error_code& ec) noexcept {
  if (!is_open()) {
    ec = error::bad_descriptor;
    return socket_ops::invalid_socket;
  }
  detach_socket_from_reactor(*this);
  const int released = fd;
  reset();
  ec.clear();
  return released;
}

void socket_holder::cancel(error_code& ec) noexcept {
  if (!is_open()) {
    ec = error::bad_descriptor;
    return;
  }
  cancel_socket_operations(*this);
  ec.clear();
}

// ---- addresses, options, modes ----

void socket_holder::bind(const sockaddr* address, std::size_t length, error_code& ec) noexcept {
  if (!is_open()) {
    closed_result(ec);
    return;
  }
  socket_ops::bind(fd, address, static_cast<socklen_t>(length), ec);
}

void socket_holder::listen(int backlog, error_code& ec) noexcept {
  if (!is_open()) {
    closed_result(ec);
    return;
  }
  socket_ops::listen(fd, backlog, ec);
}

void socket_holder::connect(const sockaddr* address, std::size_t length,
                            error_code& ec) noexcept {
  if (!is_open()) {
    closed_result(ec);
    return;
  }
  socket_ops::sync_connect(fd, address, static_cast<socklen_t>(length), ec);
}

void socket_holder::local_address(sockaddr* address, std::size_t& length,
                                  error_code& ec) const noexcept {
  if (!is_open()) {
    closed_result(ec);
    return;
  }
  socklen_t address_length = static_cast<socklen_t>(length);
  socket_ops::getsockname(fd, address, &address_length, ec);
  length = address_length;
}

void socket_holder::remote_address(sockaddr* address, std::size_t& length,
                                   error_code& ec) const noexcept {
  if (!is_open()) {
    closed_result(ec);
    return;
  }
  socklen_t address_length = static_cast<socklen_t>(length);
  socket_ops::getpeername(fd, address, &address_length, ec);
  length = address_length;
}

void socket_holder::set_option(int level, int name, const void* value, std::size_t size,
                               error_code& ec) noexcept {
  if (!is_open()) {
    closed_result(ec);
    return;
  }
  if (level == custom_socket_option_level) {
    if (name != enable_connection_aborted_option || size != sizeof(int)) {
      ec = error::invalid_argument;
      return;
    }
    if (*static_cast<const int*>(value) != 0) {
      state |= socket_ops::enable_connection_aborted;
    } else {
      state &= static_cast<socket_ops::state_type>(~socket_ops::enable_connection_aborted);
    }
    ec.clear();
    return;
  }
  // Remembered before the call, as Asio does: even a failed attempt means the user cares about
  // lingering, and switching it off at destruction is harmless.
  if (level == SOL_SOCKET && name == SO_LINGER) state |= socket_ops::user_set_linger;
  socket_ops::setsockopt(fd, level, name, value, static_cast<socklen_t>(size), ec);
}

void socket_holder::get_option(int level, int name, void* value, std::size_t& size,
                               error_code& ec) const noexcept {
  if (!is_open()) {
    closed_result(ec);
    return;
  }
  if (level == custom_socket_option_level) {
    if (name != enable_connection_aborted_option || size != sizeof(int)) {
      ec = error::invalid_argument;
      return;
    }
    *static_cast<int*>(value) = (state & socket_ops::enable_connection_aborted) ? 1 : 0;
    ec.clear();
    return;
  }
  socklen_t option_length = static_cast<socklen_t>(size);
  socket_ops::getsockopt(fd, level, name, value, &option_length, ec);
  size = option_length;
}

void socket_holder::io_control(int request, void* argument, error_code& ec) noexcept {
  if (!is_open()) {
    closed_result(ec);
    return;
  }
  if (request == static_cast<int>(FIONBIO)) {
    set_user_non_blocking(*static_cast<const int*>(argument) != 0, ec);
    return;
  }
  // platform/socket_ops has no general ioctl wrapper; this is the only raw one in net/.
  for (;;) {
    if (::ioctl(fd, static_cast<unsigned long>(request), argument) >= 0) {
      ec.clear();
      return;
    }
    if (errno != EINTR) {
      ec = last_errno_error_code();
      return;
    }
  }
}

bool socket_holder::at_mark(error_code& ec) const noexcept {
  if (!is_open()) {
    closed_result(ec);
    return false;
  }
  // SIOCATMARK via ioctl: no socket_ops wrapper yet (see io_control).
  int at_mark_flag = 0;
  if (::ioctl(fd, SIOCATMARK, &at_mark_flag) < 0) {
    ec = errno == ENOTTY ? error_code(error::not_socket) : last_errno_error_code();
    return false;
  }
  ec.clear();
  return at_mark_flag != 0;
}

std::size_t socket_holder::available(error_code& ec) const noexcept {
  if (!is_open()) return closed_result(ec);
  return socket_ops::available(fd, ec);
}

void socket_holder::shutdown(int how, error_code& ec) noexcept {
  if (!is_open()) {
    closed_result(ec);
    return;
  }
  socket_ops::shutdown(fd, how, ec);
}

void socket_holder::set_user_non_blocking(bool mode, error_code& ec) noexcept {
  if (!is_open()) {
    closed_result(ec);
    return;
  }
  socket_ops::set_user_non_blocking(fd, state, mode, ec);
}

void socket_holder::set_native_non_blocking(bool mode, error_code& ec) noexcept {
  if (!is_open()) {
    closed_result(ec);
    return;
  }
  socket_ops::set_internal_non_blocking(fd, state, mode, ec);
}

void socket_holder::wait(int what, error_code& ec) const noexcept {
  if (!is_open()) {
    closed_result(ec);
    return;
  }
  // A socket the user made non-blocking only looks: an unready socket is would_block.
  const bool look_only = user_non_blocking();
  const int timeout_ms = look_only ? 0 : -1;
  bool ready = false;
  switch (what) {
    case socket_base::wait_read:
      ready = socket_ops::poll_read(fd, timeout_ms, ec);
      break;
    case socket_base::wait_write:
      ready = socket_ops::poll_write(fd, timeout_ms, ec);
      break;
    case socket_base::wait_error:
      ready = socket_ops::poll_error(fd, timeout_ms, ec);
      break;
    default:
      ec = error::invalid_argument;
      return;
  }
  if (!ready && look_only && ec == error::timed_out) ec = error::would_block;
}

// ---- accept ----

void socket_holder::accept(int type, socket_holder& peer, sockaddr* address, std::size_t* length,
                           error_code& ec) noexcept {
  if (peer.is_open()) {
    ec = error::already_open;
    return;
  }
  if (!is_open()) {
    closed_result(ec);
    return;
  }
  socklen_t address_length = length ? static_cast<socklen_t>(*length) : 0;
  const int new_fd = socket_ops::sync_accept(fd, state, address,
                                             length ? &address_length : nullptr, SOCK_NONBLOCK, ec);
  if (new_fd == socket_ops::invalid_socket) return;
  if (length) *length = address_length;
  peer.adopt_non_blocking(type, new_fd, ec);
}

}  // namespace proa::detail
