// epoll reactor: wake-ups travel through an eventfd registered level-triggered, and are drained
// by the waiting thread, so a wake that races with the start of a wait is never lost.
#include "platform/epoll_reactor.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <climits>
#include <cstdint>

#include "platform/error.hpp"

namespace proa::detail {

epoll_reactor::epoll_reactor() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw_error(errno_error_code(errno), "epoll_create1");
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    int saved = errno;
    ::close(epoll_fd_);
    throw_error(errno_error_code(saved), "eventfd");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    int saved = errno;
    ::close(wake_fd_);
    ::close(epoll_fd_);
    throw_error(errno_error_code(saved), "epoll_ctl");
  }
}

epoll_reactor::~epoll_reactor() {
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

std::size_t epoll_reactor::wait(std::int64_t timeout_ns, readiness_event* out,
                                std::size_t capacity) {
  return reap(timeout_ns, out, capacity, true);
}

// The wake eventfd is level-triggered: left unread, it stays readable for the owner.
std::size_t epoll_reactor::poll_for_owner(readiness_event* out, std::size_t capacity) {
  return reap(0, out, capacity, false);
}

std::size_t epoll_reactor::reap(std::int64_t timeout_ns, readiness_event* out,
                                std::size_t capacity, bool consume_wakeups) {
  constexpr int batch = 64;
  epoll_event events[batch];
  timespec ts{};
  timespec* timeout = nullptr;
  if (timeout_ns >= 0) {
    ts.tv_sec = timeout_ns / 1'000'000'000;
    ts.tv_nsec = timeout_ns % 1'000'000'000;
    timeout = &ts;
  }
  const int limit = static_cast<int>(std::min<std::size_t>(capacity, batch));
  const int max_events = limit > 0 ? limit : 1;
  int n;
  // epoll_pwait2 (Linux 5.11) takes a nanosecond timeout; timers would otherwise round to
  // milliseconds. Older kernels, or seccomp profiles that do not know it, get epoll_wait with
  // the timeout rounded up, so a timer never fires early.
  if (pwait2_available_.load(std::memory_order_relaxed)) {
    n = ::epoll_pwait2(epoll_fd_, events, max_events, timeout, nullptr);
    if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
      pwait2_available_.store(false, std::memory_order_relaxed);
      n = wait_milliseconds(events, max_events, timeout_ns);
    }
  } else {
    n = wait_milliseconds(events, max_events, timeout_ns);
  }
  if (n < 0) return 0;  // EINTR: the caller re-evaluates its state anyway
  std::size_t count = 0;
  for (int i = 0; i < n; ++i) {
    if (events[i].data.ptr == nullptr) {
      if (!consume_wakeups) continue;
      // One read takes the whole counter (not a semaphore eventfd); looping until EAGAIN
      // would cost a second syscall per wake-up.
      std::uint64_t value;
      [[maybe_unused]] ssize_t r = ::read(wake_fd_, &value, sizeof value);
      continue;
    }
    const std::uint32_t flags = events[i].events;
    unsigned ready = 0;
    if (flags & (EPOLLIN | EPOLLRDHUP)) ready |= readiness_read;
    if (flags & EPOLLPRI) ready |= readiness_priority;
    if (flags & EPOLLOUT) ready |= readiness_write;
    if (flags & (EPOLLERR | EPOLLHUP)) ready |= readiness_error;
    // EPOLLRDHUP only: EPOLLHUP alone is also what a socket that never connected reports.
    if (flags & EPOLLRDHUP) ready |= readiness_peer_closed;
    if (count < capacity) out[count++] = readiness_event{events[i].data.ptr, ready};
  }
  return count;
}

int epoll_reactor::wait_milliseconds(epoll_event* events, int max_events,
                                     std::int64_t timeout_ns) noexcept {
  int timeout_ms = -1;
  if (timeout_ns >= 0)
    timeout_ms = static_cast<int>(
        std::min<std::int64_t>((timeout_ns + 999'999) / 1'000'000, INT32_MAX));
  return ::epoll_wait(epoll_fd_, events, max_events, timeout_ms);
}

void epoll_reactor::wake() noexcept {
  std::uint64_t one = 1;
  // EAGAIN means the counter is saturated, i.e. a wake is already pending: nothing to do.
  [[maybe_unused]] ssize_t r = ::write(wake_fd_, &one, sizeof one);
}

// Edge-triggered, registered once for both directions: a socket is never re-armed (no
// epoll_ctl per operation, unlike one-shot or level-triggered interest that must follow the
// operations queued), and an idle readable socket does not wake its worker again and again.
// The price is that the descriptor layer must retry until EAGAIN before trusting the next edge.
std::error_code epoll_reactor::watch(int fd, void* key) noexcept {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = key;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) return errno_error_code(errno);
  return {};
}

void epoll_reactor::unwatch(int fd) noexcept {
  epoll_event ev{};
  // ENOENT/EBADF only mean it is already gone, which is what we want.
  [[maybe_unused]] int r = ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, &ev);
}

std::unique_ptr<reactor_backend> make_reactor_backend() { return std::make_unique<epoll_reactor>(); }

}  // namespace proa::detail
