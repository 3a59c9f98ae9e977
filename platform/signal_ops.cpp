// POSIX signal plumbing behind signal_set; see signal_ops.hpp for the contract of each call.
// Global calls are spelled ::name because this namespace sits next to the POSIX names.
#include "platform/signal_ops.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace proa::detail::signal_ops {

void open_pipe(int fds[2], error_code& ec) noexcept {
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    ec = last_errno_error_code();
    fds[0] = fds[1] = -1;
    return;
  }
  ec.clear();
}

bool write_byte(int fd, unsigned char byte) noexcept {
  // A signal handler may interrupt code that is about to read errno.
  const int saved_errno = errno;
  ssize_t result;
  do {
    result = ::write(fd, &byte, 1);
  } while (result < 0 && errno == EINTR);
  errno = saved_errno;
  return result == 1;
}

std::size_t read_available(int fd, unsigned char* buffer, std::size_t size) noexcept {
  for (;;) {
    const ssize_t result = ::read(fd, buffer, size);
    if (result > 0) return static_cast<std::size_t>(result);
    if (result < 0 && errno == EINTR) continue;
    return 0;  // empty (EAGAIN), or no writer left
  }
}

bool wait_readable(int fd) noexcept {
  for (;;) {
    pollfd entry{};
    entry.fd = fd;
    entry.events = POLLIN;
    const int result = ::poll(&entry, 1, -1);
    if (result > 0) return true;
    if (result < 0 && errno != EINTR) return false;
  }
}

void install_handler(int signal_number, handler_function handler, struct sigaction& previous,
                     error_code& ec) noexcept {
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_handler = handler;
  ::sigfillset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (::sigaction(signal_number, &action, &previous) != 0) {
    ec = last_errno_error_code();
    return;
  }
  ec.clear();
}

void restore_handler(int signal_number, const struct sigaction& previous,
                     error_code& ec) noexcept {
  if (::sigaction(signal_number, &previous, nullptr) != 0) {
    ec = last_errno_error_code();
    return;
  }
  ec.clear();
}

struct sigaction current_disposition(int signal_number) noexcept {
  struct sigaction current;
  std::memset(&current, 0, sizeof(current));
  ::sigaction(signal_number, nullptr, &current);
  return current;
}

all_signals_blocked::all_signals_blocked() noexcept {
  sigset_t everything;
  ::sigfillset(&everything);
  ::pthread_sigmask(SIG_BLOCK, &everything, &previous_);
}

all_signals_blocked::~all_signals_blocked() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

}  // namespace proa::detail::signal_ops
