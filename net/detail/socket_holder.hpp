// proa::detail::socket_holder: the state every socket and acceptor object owns (descriptor,
// socket_ops state flags, reactor registration) and the protocol-independent operations on it.
// The socket class templates only translate endpoints, options and buffers into these calls.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>

#include "net/buffer.hpp"
#include "net/detail/consuming_buffers.hpp"
#include "platform/error.hpp"
#include "platform/socket_ops.hpp"
#include "runtime/detail/reactor_operation.hpp"
#include "runtime/detail/scheduler.hpp"

namespace proa::detail {

class socket_holder;

// ---- Reactor hooks -------------------------------------------------------------------------
// Called with the descriptor still open, just before close(), release(), destruction or a move
// assignment gives it up: completes its pending operations with error::operation_aborted and
// deregisters it from the reactor.
void detach_socket_from_reactor(socket_holder& socket) noexcept;
// Called by cancel() on an open socket: completes its pending async operations with
// error::operation_aborted, leaving the descriptor registered.
void cancel_socket_operations(socket_holder& socket) noexcept;

// Gathers a buffer sequence into iovecs for one sendmsg/recvmsg: at most max_iovec_entries
// buffers, the rest ignored (as Asio does), empty buffers skipped.
template <const_buffer_sequence Buffers>
prepared_iovecs gather_iovecs(const Buffers& buffers) noexcept {
  prepared_iovecs result;
  const auto end = proa::buffer_sequence_end(buffers);
  for (auto it = proa::buffer_sequence_begin(buffers);
       it != end && result.count < max_iovec_entries; ++it) {
    const const_buffer piece(*it);
    if (piece.size() == 0) continue;
    // recvmsg writes through iov_base, which is only ever given a mutable sequence's memory.
    result.entries[result.count++] = iovec{const_cast<void*>(piece.data()), piece.size()};
    result.total_bytes += piece.size();
  }
  return result;
}

// Owns one socket descriptor: closing it on destruction (never blocking on SO_LINGER, never
// throwing), handing it over on move. Every call reports through ec and never throws.
class socket_holder {
 public:
  // What the reactor and the socket operations read; the async layer may update them.
  int fd = socket_ops::invalid_socket;
  socket_ops::state_type state = 0;
  // The reactor registration, made at the first asynchronous operation; null before. Moves with
  // the descriptor.
  scheduler* reactor_owner = nullptr;
  descriptor_state* reactor_descriptor = nullptr;

  socket_holder() noexcept = default;
  socket_holder(socket_holder&& other) noexcept
      : fd(other.fd),
        state(other.state),
        reactor_owner(other.reactor_owner),
        reactor_descriptor(other.reactor_descriptor) {
    other.reset();
  }
  // Closes (as a destructor would) whatever this held, then takes other's descriptor.
  socket_holder& operator=(socket_holder&& other) noexcept;
  socket_holder(const socket_holder&) = delete;
  socket_holder& operator=(const socket_holder&) = delete;
  ~socket_holder() { destroy(); }

  bool is_open() const noexcept { return fd != socket_ops::invalid_socket; }

  // The registration with `owner`'s reactors, made (and the descriptor switched to non-blocking)
  // on first use; re-made if the socket moved to another context. Null with ec set on failure
  // (bad_descriptor if not open).
  descriptor_state* registration(scheduler& owner, error_code& ec) noexcept {
    // The user may have switched the descriptor back to blocking mode (non_blocking(false));
    // a reactor must never make a blocking syscall, so that takes the slow path too.
    if (reactor_owner == &owner && (state & socket_ops::internal_non_blocking)) [[likely]]
      return reactor_descriptor;
    return register_with(owner, ec);
  }

  // ---- opening and closing ----

  // socket(2) with SOCK_NONBLOCK: proa's descriptors are always non-blocking underneath
  // (internal_non_blocking), synchronous calls wait with poll(). already_open if open.
  void open(int family, int type, int protocol, error_code& ec) noexcept;

  // Takes a descriptor the user created, leaving its mode as it is (as Asio does): the state
  // says "blocking" and the async layer switches it when it first needs to.
  void assign(int type, int native_descriptor, error_code& ec) noexcept;

  // Takes a descriptor proa created with SOCK_NONBLOCK (accept4, socketpair).
  void adopt_non_blocking(int type, int new_descriptor, error_code& ec) noexcept;

  // socketpair(2) with SOCK_NONBLOCK into two closed holders.
  static void open_pair(int family, int type, int protocol, socket_holder& first,
                        socket_holder& second, error_code& ec) noexcept;

  // Closed afterwards even if close(2) reported an error (Linux has released the descriptor).
  // Success on a closed socket.
  void close(error_code& ec) noexcept;

  // Gives the descriptor up without closing it; bad_descriptor if not open.
  int release(error_code& ec) noexcept;

  // bad_descriptor if not open.
  void cancel(error_code& ec) noexcept;

  // ---- addresses, options, modes ----

  void bind(const sockaddr* address, std::size_t length, error_code& ec) noexcept;
  void listen(int backlog, error_code& ec) noexcept;
  // Waits for the outcome even on a non-blocking socket, as Asio's synchronous connect does.
  void connect(const sockaddr* address, std::size_t length, error_code& ec) noexcept;

  // `length` is in/out: capacity of `address` on entry, the address's size on return.
  void local_address(sockaddr* address, std::size_t& length, error_code& ec) const noexcept;
  void remote_address(sockaddr* address, std::size_t& length, error_code& ec) const noexcept;

  // Options at custom_socket_option_level are kept in `state`; SO_LINGER is remembered so the
  // destructor can switch lingering off before closing.
  void set_option(int level, int name, const void* value, std::size_t size,
                  error_code& ec) noexcept;
  // `size` is in/out like `length` above.
  void get_option(int level, int name, void* value, std::size_t& size,
                  error_code& ec) const noexcept;

  // FIONBIO goes through the user non-blocking mode so the state flags stay right.
  void io_control(int request, void* argument, error_code& ec) noexcept;

  bool at_mark(error_code& ec) const noexcept;
  std::size_t available(error_code& ec) const noexcept;
  // how: SHUT_RD, SHUT_WR or SHUT_RDWR.
  void shutdown(int how, error_code& ec) noexcept;

  bool user_non_blocking() const noexcept {
    return (state & socket_ops::user_set_non_blocking) != 0;
  }
  void set_user_non_blocking(bool mode, error_code& ec) noexcept;
  bool native_non_blocking() const noexcept {
    return (state & socket_ops::internal_non_blocking) != 0;
  }
  void set_native_non_blocking(bool mode, error_code& ec) noexcept;

  // what: socket_base::wait_type (wait_read, wait_write, wait_error). Blocks until ready unless
  // the user set non-blocking mode, in which case an unready socket reports would_block.
  void wait(int what, error_code& ec) const noexcept;

  // ---- data transfer (synchronous) ----

  std::size_t receive(iovec* buffers, std::size_t count, int flags, error_code& ec) noexcept {
    if (!is_open()) return closed_result(ec);
    return socket_ops::sync_recv(fd, state, buffers, count, flags, ec);
  }

  std::size_t send(const iovec* buffers, std::size_t count, int flags, error_code& ec) noexcept {
    if (!is_open()) return closed_result(ec);
    return socket_ops::sync_send(fd, state, buffers, count, flags, ec);
  }

  // `length` is in/out as for local_address.
  std::size_t receive_from(iovec* buffers, std::size_t count, int flags, sockaddr* address,
                           std::size_t& length, error_code& ec) noexcept {
    if (!is_open()) return closed_result(ec);
    socklen_t address_length = static_cast<socklen_t>(length);
    const std::size_t bytes = socket_ops::sync_recvfrom(fd, state, buffers, count, flags, address,
                                                        &address_length, ec);
    length = address_length;
    return bytes;
  }

  std::size_t send_to(const iovec* buffers, std::size_t count, int flags,
                      const sockaddr* address, std::size_t length, error_code& ec) noexcept {
    if (!is_open()) return closed_result(ec);
    return socket_ops::sync_sendto(fd, state, buffers, count, flags, address,
                                   static_cast<socklen_t>(length), ec);
  }

  // Takes the next connection into `peer` (which must be closed), waiting for one unless the user
  // set non-blocking mode. `address`/`length` may be null; otherwise as for receive_from.
  void accept(int type, socket_holder& peer, sockaddr* address, std::size_t* length,
              error_code& ec) noexcept;

 private:
  static std::size_t closed_result(error_code& ec) noexcept {
    ec = error::bad_descriptor;
    return 0;
  }

  // The flags every descriptor of this socket type starts with.
  static socket_ops::state_type type_state(int type) noexcept;

  void reset() noexcept {
    fd = socket_ops::invalid_socket;
    state = 0;
    reactor_owner = nullptr;
    reactor_descriptor = nullptr;
  }

  descriptor_state* register_with(scheduler& owner, error_code& ec) noexcept;

  // Closes an open descriptor without reporting anything: destructor and move assignment.
  void destroy() noexcept;
};

}  // namespace proa::detail
