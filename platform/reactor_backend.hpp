// The one interface a worker's reactor implements, so epoll and (later) io_uring backends are
// interchangeable. A worker owns exactly one backend and is the only thread that waits on it.
#pragma once

#include <cstdint>
#include <memory>

namespace proa::detail {

class reactor_backend {
 public:
  virtual ~reactor_backend() = default;

  // Blocks the owning thread until wake() is called or `timeout_ns` elapses. A negative
  // timeout waits indefinitely; zero only polls. Returns true if it was woken by wake().
  virtual bool wait(std::int64_t timeout_ns) = 0;

  // Interrupts a current or the next wait(). Callable from any thread; async-signal-safe.
  virtual void wake() noexcept = 0;
};

// The backend this platform prefers (epoll today).
std::unique_ptr<reactor_backend> make_reactor_backend();

}  // namespace proa::detail
