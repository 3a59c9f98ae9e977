// Linux socket system calls for proa's networking: every call reports through std::error_code,
// retries EINTR, creates close-on-exec descriptors and never raises SIGPIPE on a socket.
// Synchronous operations on non-blocking descriptors wait with poll() instead of spinning.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>

#include "platform/error.hpp"

// SIGPIPE: send(), sendto() and the sync/non_blocking send helpers pass MSG_NOSIGNAL. That flag
// exists only for sockets; a write(2) to a pipe or other non-socket descriptor whose reader is
// gone still raises SIGPIPE, so descriptor (non-socket) code must ignore or block the signal.
namespace proa::detail::socket_ops {

inline constexpr int invalid_socket = -1;

// Per-socket facts the owner keeps beside the descriptor; the sync and non_blocking helpers read
// them to choose between waiting, reporting would_block, retrying, and reporting eof.
using state_type = unsigned char;
enum : state_type {
  // The user asked for non-blocking mode: synchronous calls report would_block instead of waiting.
  user_set_non_blocking = 1,
  // proa put the descriptor in O_NONBLOCK for the reactor; synchronous calls still wait (poll).
  internal_non_blocking = 2,
  non_blocking = user_set_non_blocking | internal_non_blocking,
  // Report ECONNABORTED/EPROTO from accept instead of silently taking the next connection.
  enable_connection_aborted = 4,
  // The user set SO_LINGER, so closing from a destructor must first switch lingering off.
  user_set_linger = 8,
  // Byte stream (SOCK_STREAM): a zero-byte read means eof and zero-byte transfers are no-ops.
  stream_oriented = 16,
  datagram_oriented = 32,
};

// ---- descriptors ----

// socket(2) with SOCK_CLOEXEC always added; put SOCK_NONBLOCK in `type` for a non-blocking
// socket. Returns the descriptor, or invalid_socket with ec set.
int open_socket(int family, int type, int protocol, error_code& ec) noexcept;

// socketpair(2) with SOCK_CLOEXEC always added (SOCK_NONBLOCK in `type` as above).
void open_socket_pair(int family, int type, int protocol, int fds[2], error_code& ec) noexcept;

// close(2). EINTR is reported as success: Linux has already released the descriptor, and a retry
// could close one that another thread has just been given. If close fails with EWOULDBLOCK
// (a lingering non-blocking socket on some kernels), the socket is made blocking and closed again.
// When `destruction` is true and the user set SO_LINGER, lingering is switched off first so a
// destructor never blocks. Clears the non_blocking bits of `state` when it changes the mode.
void close_socket(int fd, state_type& state, bool destruction, error_code& ec) noexcept;
void close_socket(int fd, error_code& ec) noexcept;

// Sets or clears O_NONBLOCK with a single ioctl(FIONBIO).
void set_non_blocking(int fd, bool value, error_code& ec) noexcept;

// The user-visible non_blocking(bool): clearing it also clears internal_non_blocking, because the
// descriptor really is blocking afterwards and async operations must set it again.
void set_user_non_blocking(int fd, state_type& state, bool value, error_code& ec) noexcept;

// Mode changes made for the reactor. Clearing it while the user wants non-blocking mode is
// refused with invalid_argument, since the two would disagree about the descriptor.
void set_internal_non_blocking(int fd, state_type& state, bool value, error_code& ec) noexcept;

// ---- addresses, options, state ----

void bind(int fd, const sockaddr* address, socklen_t length, error_code& ec) noexcept;
void listen(int fd, int backlog, error_code& ec) noexcept;
// `length` is in/out: buffer size on entry, address size on return.
void getsockname(int fd, sockaddr* address, socklen_t* length, error_code& ec) noexcept;
void getpeername(int fd, sockaddr* address, socklen_t* length, error_code& ec) noexcept;

void setsockopt(int fd, int level, int name, const void* value, socklen_t length,
                error_code& ec) noexcept;
// Linux doubles SO_SNDBUF/SO_RCVBUF on set (the extra half is kernel bookkeeping); the value read
// back is halved so a get returns what was set, as Asio's socket options do.
void getsockopt(int fd, int level, int name, void* value, socklen_t* length,
                error_code& ec) noexcept;

// how: SHUT_RD, SHUT_WR or SHUT_RDWR.
void shutdown(int fd, int how, error_code& ec) noexcept;

// Bytes readable without blocking (FIONREAD). ENOTTY (not a socket) becomes not_socket.
std::size_t available(int fd, error_code& ec) noexcept;

// ---- connect ----

// Starts a connection. On a non-blocking socket an unfinished connect reports in_progress; the
// outcome is then read with connect_result() once the socket is writable. EINTR also reports
// in_progress: the kernel carries on connecting, and calling connect() again would only fail
// with EALREADY. EAGAIN (Linux: no local port or a full Unix-socket backlog) becomes
// no_buffer_space, as in Asio.
void connect(int fd, const sockaddr* address, socklen_t length, error_code& ec) noexcept;

// The outcome of a finished connect, from SO_ERROR (success, or e.g. connection_refused).
void connect_result(int fd, error_code& ec) noexcept;

// For a reactor's connect operation: false while the connect is still in progress (a readiness
// report can be spurious, so this polls without waiting); true with ec set once it has finished.
bool non_blocking_connect(int fd, error_code& ec) noexcept;

// Connects and waits for the outcome. Like Asio this waits even if the user set non-blocking mode.
void sync_connect(int fd, const sockaddr* address, socklen_t length, error_code& ec) noexcept;

// ---- accept ----

// accept4(2) with SOCK_CLOEXEC always added; pass SOCK_NONBLOCK in `flags` for a non-blocking
// socket. `address`/`length` may be null. Returns the new descriptor or invalid_socket.
// EMFILE/ENFILE/ENOBUFS/ENOMEM are reported (the pending connection stays queued for later).
int accept(int fd, sockaddr* address, socklen_t* length, int flags, error_code& ec) noexcept;

// Whether a failed accept should simply be tried again rather than reported, following Asio:
// would_block/try_again, and the head connection dying before it was taken: ECONNABORTED and
// (Linux) EPROTO, unless `state` has enable_connection_aborted. Everything else is reported,
// including EPERM (firewall verdict on that connection) and EMFILE/ENFILE.
bool accept_should_retry(const error_code& ec, state_type state) noexcept;

// For a reactor's accept operation: false means "wait for readability and call again";
// true means done, with new_fd set (or invalid_socket and ec set).
bool non_blocking_accept(int fd, state_type state, sockaddr* address, socklen_t* length,
                         int flags, error_code& ec, int& new_fd) noexcept;

// Accepts, waiting with poll() while the queue is empty unless the user set non-blocking mode
// (then would_block is returned).
int sync_accept(int fd, state_type state, sockaddr* address, socklen_t* length, int flags,
                error_code& ec) noexcept;

// ---- data transfer: raw calls ----

// recvmsg(2) into `count` buffers. Returns bytes read, 0 for end of stream (or an empty
// datagram), or -1 with ec set. Does not map 0 to eof: see the non_blocking/sync helpers.
ssize_t recv(int fd, iovec* buffers, std::size_t count, int flags, error_code& ec) noexcept;

// recvmsg(2) that also reports the message flags (MSG_TRUNC, MSG_EOR, ...) in out_flags.
ssize_t recvmsg(int fd, iovec* buffers, std::size_t count, int in_flags, int& out_flags,
                error_code& ec) noexcept;

// sendmsg(2) from `count` buffers with MSG_NOSIGNAL. A vanished peer gives broken_pipe or
// connection_reset, never SIGPIPE.
ssize_t send(int fd, const iovec* buffers, std::size_t count, int flags, error_code& ec) noexcept;

// `length` is in/out as for getsockname.
ssize_t recvfrom(int fd, iovec* buffers, std::size_t count, int flags, sockaddr* address,
                 socklen_t* length, error_code& ec) noexcept;
ssize_t sendto(int fd, const iovec* buffers, std::size_t count, int flags,
               const sockaddr* address, socklen_t length, error_code& ec) noexcept;

// True if every buffer has length 0 (a zero-byte transfer on a stream is a no-op, not eof).
bool all_empty(const iovec* buffers, std::size_t count) noexcept;

// ---- data transfer: for reactor operations ----
// Each returns false for "not ready: wait and call again" (would_block), true when finished with
// `bytes` and ec set. A zero-byte read on a stream with non-empty buffers finishes with eof.

bool non_blocking_recv(int fd, iovec* buffers, std::size_t count, int flags, bool is_stream,
                       error_code& ec, std::size_t& bytes) noexcept;
bool non_blocking_send(int fd, const iovec* buffers, std::size_t count, int flags,
                       error_code& ec, std::size_t& bytes) noexcept;
bool non_blocking_recvfrom(int fd, iovec* buffers, std::size_t count, int flags,
                           sockaddr* address, socklen_t* length, error_code& ec,
                           std::size_t& bytes) noexcept;
bool non_blocking_sendto(int fd, const iovec* buffers, std::size_t count, int flags,
                         const sockaddr* address, socklen_t length, error_code& ec,
                         std::size_t& bytes) noexcept;

// ---- data transfer: synchronous ----
// Each tries the call, and on would_block waits with poll() and tries again, unless `state`
// has user_set_non_blocking, in which case would_block is returned. Errors return 0 with ec set.
// With stream_oriented: zero-length buffers complete at once with 0 bytes, and end of stream
// reports eof.

std::size_t sync_recv(int fd, state_type state, iovec* buffers, std::size_t count, int flags,
                      error_code& ec) noexcept;
std::size_t sync_send(int fd, state_type state, const iovec* buffers, std::size_t count,
                      int flags, error_code& ec) noexcept;
std::size_t sync_recvfrom(int fd, state_type state, iovec* buffers, std::size_t count,
                          int flags, sockaddr* address, socklen_t* length,
                          error_code& ec) noexcept;
std::size_t sync_sendto(int fd, state_type state, const iovec* buffers, std::size_t count,
                        int flags, const sockaddr* address, socklen_t length,
                        error_code& ec) noexcept;

// ---- waiting ----
// Wait until the descriptor is readable / writable / has finished connecting, for at most
// timeout_ms milliseconds (negative: no limit). EINTR restarts the wait with the time left.
// True when ready (an error or hang-up on the socket counts as ready: the next call reports it);
// false with ec = timed_out when the time ran out, or with the poll error (bad_descriptor for a
// negative or closed descriptor).
bool poll_read(int fd, int timeout_ms, error_code& ec) noexcept;
bool poll_write(int fd, int timeout_ms, error_code& ec) noexcept;
bool poll_connect(int fd, int timeout_ms, error_code& ec) noexcept;
// Waits for an error condition or urgent data (POLLPRI | POLLERR | POLLHUP).
bool poll_error(int fd, int timeout_ms, error_code& ec) noexcept;

}  // namespace proa::detail::socket_ops
