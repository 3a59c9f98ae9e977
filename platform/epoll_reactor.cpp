// epoll reactor: wake-ups travel through an eventfd registered level-triggered, and are drained
// by the waiting thread, so a wake that races with the start of a wait is never lost.
#include "platform/epoll_reactor.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
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

bool epoll_reactor::wait(std::int64_t timeout_ns) {
  epoll_event events[16];
  timespec ts{};
  timespec* timeout = nullptr;
  if (timeout_ns >= 0) {
    ts.tv_sec = timeout_ns / 1'000'000'000;
    ts.tv_nsec = timeout_ns % 1'000'000'000;
    timeout = &ts;
  }
  // epoll_pwait2 takes a nanosecond timeout; timers would otherwise round to milliseconds.
  int n = ::epoll_pwait2(epoll_fd_, events, 16, timeout, nullptr);
  if (n < 0) return false;  // EINTR: the caller re-evaluates its state anyway
  bool woken = false;
  for (int i = 0; i < n; ++i) {
    if (events[i].data.ptr == nullptr) {
      std::uint64_t value;
      while (::read(wake_fd_, &value, sizeof value) > 0) {
      }
      woken = true;
    }
  }
  return woken;
}

void epoll_reactor::wake() noexcept {
  std::uint64_t one = 1;
  // EAGAIN means the counter is saturated, i.e. a wake is already pending: nothing to do.
  [[maybe_unused]] ssize_t r = ::write(wake_fd_, &one, sizeof one);
}

std::unique_ptr<reactor_backend> make_reactor_backend() { return std::make_unique<epoll_reactor>(); }

}  // namespace proa::detail
