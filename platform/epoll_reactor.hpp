// epoll-based reactor backend: an epoll instance per worker plus an eventfd used to wake it;
// sockets are watched edge-triggered (see epoll_reactor.cpp for why).
#pragma once

#include <atomic>
#include <cstdint>

#include "platform/reactor_backend.hpp"

struct epoll_event;

namespace proa::detail {

class epoll_reactor final : public reactor_backend {
 public:
  // Throws proa::system_error if the kernel refuses an epoll instance or eventfd.
  epoll_reactor();
  ~epoll_reactor() override;
  epoll_reactor(const epoll_reactor&) = delete;
  epoll_reactor& operator=(const epoll_reactor&) = delete;

  std::size_t wait(std::int64_t timeout_ns, readiness_event* events,
                   std::size_t capacity) override;
  std::size_t poll_for_owner(readiness_event* events, std::size_t capacity) override;
  void wake() noexcept override;
  std::error_code watch(int fd, void* key) noexcept override;
  void unwatch(int fd) noexcept override;

 private:
  std::size_t reap(std::int64_t timeout_ns, readiness_event* out, std::size_t capacity,
                   bool consume_wakeups);
  int wait_milliseconds(struct epoll_event* events, int max_events,
                        std::int64_t timeout_ns) noexcept;

  // Process-wide: whether the kernel accepts epoll_pwait2 (cleared on ENOSYS/EPERM).
  static inline std::atomic<bool> pwait2_available_{true};
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
};

}  // namespace proa::detail
