// POSIX signal plumbing for proa's signal_set: the self-pipe a signal handler writes to,
// sigaction install/restore, and blocking every signal in a thread while it starts helpers.
// Only write_byte() may be called from a signal handler; everything else is ordinary code.
#pragma once

#include <signal.h>

#include <cstddef>

#include "platform/error.hpp"

namespace proa::detail::signal_ops {

// ---- self-pipe ----

// pipe2(2) with O_CLOEXEC and O_NONBLOCK on both ends: a handler must never block on a full
// pipe, and the reader drains it with plain reads until they would block.
// fds[0] is the read end, fds[1] the write end; both -1 on failure.
void open_pipe(int fds[2], error_code& ec) noexcept;

// Writes one byte without blocking. Async-signal-safe: a single write(2), errno preserved.
// Returns false if the byte was not written (pipe full: the byte is dropped).
bool write_byte(int fd, unsigned char byte) noexcept;

// Reads up to `size` bytes without blocking; 0 when nothing is waiting.
std::size_t read_available(int fd, unsigned char* buffer, std::size_t size) noexcept;

// Blocks until `fd` is readable (poll(2), EINTR retried). False only if poll itself fails.
bool wait_readable(int fd) noexcept;

// ---- dispositions ----

using handler_function = void (*)(int);

// sigaction(2): runs `handler` for `signal_number` with every other signal blocked while it
// runs, and SA_RESTART so that the signal does not make other threads' blocking calls fail
// with EINTR. The disposition it replaces is stored in `previous`.
void install_handler(int signal_number, handler_function handler, struct sigaction& previous,
                     error_code& ec) noexcept;

// Puts back a disposition that install_handler() saved.
void restore_handler(int signal_number, const struct sigaction& previous,
                     error_code& ec) noexcept;

// The calling thread's current disposition for `signal_number` (for tests and diagnostics).
struct sigaction current_disposition(int signal_number) noexcept;

// ---- masks ----

// Blocks every signal in the calling thread for its lifetime, so a thread started meanwhile
// inherits a full mask and never runs a signal handler.
class all_signals_blocked {
 public:
  all_signals_blocked() noexcept;
  ~all_signals_blocked();
  all_signals_blocked(const all_signals_blocked&) = delete;
  all_signals_blocked& operator=(const all_signals_blocked&) = delete;

 private:
  sigset_t previous_;
};

}  // namespace proa::detail::signal_ops
