// The one interface a worker's reactor implements, so epoll and (later) io_uring backends are
// interchangeable. A worker owns exactly one backend and is the only thread that waits on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <system_error>

namespace proa::detail {

// Readiness bits a backend reports, independent of the OS's own flags.
enum readiness : unsigned {
  readiness_read = 1u << 0,
  readiness_write = 1u << 1,
  // Error or hang-up: every kind of pending operation should retry its syscall, which will
  // then report the condition.
  readiness_error = 1u << 2,
  // The peer shut down its sending side (or the connection is gone): reading will not block
  // again, even after a read that did not fill its buffer.
  readiness_peer_closed = 1u << 3,
  // Urgent (out-of-band) data: what waits for socket_base::wait_error also wait for.
  readiness_priority = 1u << 4,
};

// One descriptor's readiness, identified by the key it was registered with.
struct readiness_event {
  void* key;
  unsigned events;  // readiness bits
};

class reactor_backend {
 public:
  virtual ~reactor_backend() = default;

  // Blocks the owning thread until wake() is called, a registered descriptor becomes ready or
  // `timeout_ns` elapses. A negative timeout waits indefinitely; zero only polls. Stores up to
  // `capacity` readiness events in `events` and returns how many.
  virtual std::size_t wait(std::int64_t timeout_ns, readiness_event* events,
                           std::size_t capacity) = 0;

  // Called by a thread other than the owner to reap descriptor readiness on the owner's behalf
  // (when the owner is stuck in a handler): like wait(0, ...), but leaves any pending wake-up
  // for the owner, whose next wait() must still see it.
  virtual std::size_t poll_for_owner(readiness_event* events, std::size_t capacity) = 0;

  // Interrupts a current or the next wait(). Callable from any thread; async-signal-safe.
  virtual void wake() noexcept = 0;

  // Starts watching `fd` for both reading and writing, reporting `key` (never null) with each
  // event. Edge-triggered: a readiness is reported once per change, so the caller must retry
  // its syscall until it would block before relying on the next event. Any thread.
  virtual std::error_code watch(int fd, void* key) noexcept = 0;

  // Stops watching `fd`. An event harvested before this may still be reported once. Any thread.
  virtual void unwatch(int fd) noexcept = 0;
};

// The backend this platform prefers (epoll today).
std::unique_ptr<reactor_backend> make_reactor_backend();

}  // namespace proa::detail
