// The operations a descriptor queues while it waits for readiness (socket reads, writes,
// connects, accepts), and the per-descriptor state the scheduler's reactors drive them with.
// Protocol-neutral: net/ supplies the operations' syscalls through `perform`.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <system_error>

#include "runtime/detail/scheduler_operation.hpp"

namespace proa::detail {

// What one attempt at an operation's non-blocking syscall achieved.
enum class perform_result {
  not_ready,  // would block: wait for the next readiness edge
  done,       // finished (success or error in ec_)
  // Finished, and the syscall proved the kernel buffer empty (read) or full (write), e.g. a
  // short stream read: the next attempt would block, so it is not made before the next edge.
  done_drained,
};

class reactor_operation : public scheduler_operation {
 public:
  using perform_function = perform_result (*)(reactor_operation* self, int fd);

  reactor_operation(perform_function perform, complete_function complete) noexcept
      : scheduler_operation(complete), perform_(perform) {}

  perform_result perform(int fd) { return perform_(this, fd); }

  std::error_code ec_;
  std::size_t bytes_transferred_ = 0;
  // Set while the operation keeps its scheduler's run() going (it had to wait, or was started
  // by a thread outside run()): its completion must then call work_finished().
  bool counted_as_work_ = false;

 protected:
  ~reactor_operation() = default;

 private:
  perform_function perform_;
};

// Which queue of a descriptor an operation waits in.
// `except` holds waits for an error condition or urgent data (socket_base::wait_error): they
// must not sit in the read queue, where one that is not ready would hold up every read.
enum class reactor_direction : unsigned { read = 0, write = 1, except = 2 };
inline constexpr unsigned reactor_direction_count = 3;

// One registered descriptor. Allocated from and returned to its scheduler's pool, never freed
// before the scheduler: an epoll event harvested just before deregistration may still name it,
// and must land on valid memory (it then only causes a harmless retry).
//
// Concurrency: `mutex` guards the queues and flags only; the syscalls themselves run outside it.
// Per direction, one thread at a time is the *runner* that performs queued operations in
// order; others just queue (or, for readiness, note the edge) and leave.
class descriptor_state {
 public:
  struct direction_state {
    scheduler_operation* front = nullptr;  // queue of reactor_operation, linked by next_
    scheduler_operation* back = nullptr;
    reactor_operation* in_flight = nullptr;  // taken by the runner for its syscall
    bool in_flight_cancelled = false;
    bool running = false;
    // No EAGAIN seen since the last edge: attempts are worth making.
    bool ready = true;
    // Counts readiness edges so that a runner can tell whether one arrived during its syscall
    // (then "would block" is stale and it must not clear `ready`).
    std::uint32_t edges = 0;

    bool empty() const noexcept { return front == nullptr; }
    void push_back(reactor_operation* op) noexcept {
      op->next_ = nullptr;
      if (back)
        back->next_ = op;
      else
        front = op;
      back = op;
    }
    void push_front(reactor_operation* op) noexcept {
      op->next_ = front;
      front = op;
      if (!back) back = op;
    }
    reactor_operation* pop() noexcept {
      auto* op = static_cast<reactor_operation*>(front);
      if (op) {
        front = op->next_;
        if (!front) back = nullptr;
        op->next_ = nullptr;
      }
      return op;
    }
  };

  std::mutex mutex;
  direction_state directions[reactor_direction_count];
  // Bumped (release) by each registration. A reactor thread reaches the state through the
  // kernel (an epoll event's pointer), an edge no memory model tool can see; loading this
  // (acquire) first makes the state's construction and set-up visibly happen before its use.
  std::atomic<std::uint32_t> registrations{0};
  int fd = -1;
  bool closing = false;
  // The reactor reported the peer's shutdown: a short read no longer proves the next read
  // would block (it returns eof at once), and no further edge will say so.
  bool peer_closed = false;

  // Registration bookkeeping, owned by the scheduler (under its slot mutex).
  std::size_t slot_index = 0;
  descriptor_state* slot_prev = nullptr;
  descriptor_state* slot_next = nullptr;
  descriptor_state* next_free = nullptr;

  direction_state& operator[](reactor_direction d) noexcept {
    return directions[static_cast<unsigned>(d)];
  }
};

// Completed operations gathered under a descriptor's lock and delivered after it is released.
struct reactor_completions {
  operation_queue ready;
  std::size_t finished_work = 0;  // how many of them were counted as work

  void add(reactor_operation* op) noexcept {
    if (op->counted_as_work_) ++finished_work;
    ready.push(op);
  }
};

}  // namespace proa::detail
