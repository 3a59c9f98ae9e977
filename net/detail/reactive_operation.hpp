// The asynchronous socket operations: one recycled object per operation holding the handler,
// the executor its completion goes through, and an *action* (the non-blocking syscall to retry
// on readiness and how to hand its result to the handler).
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <new>
#include <system_error>
#include <type_traits>
#include <utility>

#include "net/buffer.hpp"
#include "net/detail/consuming_buffers.hpp"
#include "net/detail/socket_holder.hpp"
#include "platform/error.hpp"
#include "platform/socket_ops.hpp"
#include "runtime/associated_cancellation_slot.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/cancellation_type.hpp"
#include "runtime/detail/reactor_operation.hpp"
#include "runtime/detail/completion_executor.hpp"
#include "runtime/detail/recycling_allocator.hpp"
#include "runtime/detail/scheduler.hpp"
#include "runtime/execution.hpp"

namespace proa::detail {

// Installed in an operation's cancellation slot: takes that one operation off its descriptor
// (or makes its pending syscall give up). The operation clears the slot before its memory is
// recycled, and descriptor states are never freed before the scheduler, so both pointers are
// valid whenever this runs, even if the socket was closed meanwhile.
class reactor_operation_cancellation {
 public:
  reactor_operation_cancellation(scheduler* owner, descriptor_state* state,
                                 reactor_operation* op) noexcept
      : owner_(owner), state_(state), op_(op) {}

  void operator()(cancellation_type_t type) {
    if (!!(type &
           (cancellation_type::terminal | cancellation_type::partial | cancellation_type::total)))
      owner_->cancel_reactor_operation(*state_, op_);
  }

 private:
  scheduler* owner_;
  descriptor_state* state_;
  reactor_operation* op_;
};

template <typename Action, typename Handler, typename IoExecutor>
class socket_operation final : public reactor_operation {
  using stored_executor = typename completion_executor<Handler, IoExecutor>::type;
  // Only handlers that may bring a slot (known at compile time) keep one.
  static constexpr bool cancellable = has_own_cancellation_slot<Handler>;
  using slot_type = kept_cancellation_slot_t<Handler>;

 public:
  template <typename A, typename H>
  socket_operation(A&& action, H&& handler, const IoExecutor& io_ex)
      : reactor_operation(&do_perform, &do_complete),
        action_(std::forward<A>(action)),
        handler_(std::forward<H>(handler)),
        executor_(completion_executor<Handler, IoExecutor>::make(handler_, io_ex)) {}

  template <typename A, typename H>
  static socket_operation* create(A&& action, H&& handler, const IoExecutor& io_ex) {
    return create_recycled<socket_operation>(std::forward<A>(action), std::forward<H>(handler), io_ex);
  }

  // Hands the operation to the descriptor's reactor queue; first, if the handler brings a
  // connected cancellation slot, installs the handler that cancels this one operation.
  // Takes ownership of the operation.
  void start(scheduler& owner, descriptor_state& state, reactor_direction direction) {
    if constexpr (cancellable) {
      slot_type slot = get_associated_cancellation_slot(handler_);
      if (slot.is_connected()) {
        try {
          slot.template emplace<reactor_operation_cancellation>(&owner, &state, this);
        } catch (...) {
          destroy();
          throw;
        }
        slot_ = slot;
      }
    }
    owner.start_reactor_operation(state, direction, this);
  }

 private:
  static perform_result do_perform(reactor_operation* base, int fd) {
    auto* self = static_cast<socket_operation*>(base);
    return self->action_.perform(fd, self->ec_, self->bytes_transferred_);
  }

  static void do_complete(scheduler_operation* base, bool invoke) {
    auto* self = static_cast<socket_operation*>(base);
    // No cancellation may reach the operation once its memory is recycled.
    if (self->slot_.is_connected()) self->slot_.clear();
    // Everything leaves the operation's memory before it is recycled, so a handler that starts
    // the next operation reuses the same block.
    Action action(std::move(self->action_));
    Handler handler(std::move(self->handler_));
    stored_executor ex(std::move(self->executor_));
    const std::error_code ec = self->ec_;
    const std::size_t bytes = self->bytes_transferred_;
    self->~socket_operation();
    recycling_deallocate(self, sizeof(socket_operation));
    if (!invoke) return;
    deliver_completion(ex, [action = std::move(action), handler = std::move(handler), ec,
                            bytes]() mutable { action.finish(handler, ec, bytes); });
  }

  Action action_;
  Handler handler_;
  stored_executor executor_;
  [[no_unique_address]] slot_type slot_{};
};

// ---- actions ----
// Each has perform(fd, ec, bytes) -> perform_result and finish(handler, ec, bytes).

// Completes with a result decided before any syscall (e.g. the socket was closed).
struct immediate_action {
  perform_result perform(int, std::error_code&, std::size_t&) noexcept {
    return perform_result::done;
  }
  template <typename Handler>
  void finish(Handler& handler, const std::error_code& ec, std::size_t bytes) {
    if constexpr (std::is_invocable_v<Handler&, std::error_code, std::size_t>)
      std::move(handler)(ec, bytes);
    else
      std::move(handler)(ec);
  }
};

template <typename Buffers>
struct receive_action {
  Buffers buffers;
  int flags;
  bool is_stream;

  perform_result perform(int fd, std::error_code& ec, std::size_t& bytes) {
    prepared_iovecs iov = gather_iovecs(buffers);
    if (!socket_ops::non_blocking_recv(fd, iov.entries, iov.count, flags, is_stream, ec, bytes))
      return perform_result::not_ready;
    // A stream read that did not fill the buffers emptied the socket; not so for a peek
    // (nothing was taken) or urgent data (the normal data is still there).
    if (is_stream && !ec && bytes < iov.total_bytes && !(flags & (MSG_PEEK | MSG_OOB)))
      return perform_result::done_drained;
    return perform_result::done;
  }
  template <typename Handler>
  void finish(Handler& handler, const std::error_code& ec, std::size_t bytes) {
    std::move(handler)(ec, bytes);
  }
};

template <typename Buffers>
struct send_action {
  Buffers buffers;
  int flags;
  bool is_stream;

  perform_result perform(int fd, std::error_code& ec, std::size_t& bytes) {
    prepared_iovecs iov = gather_iovecs(buffers);
    if (!socket_ops::non_blocking_send(fd, iov.entries, iov.count, flags, ec, bytes))
      return perform_result::not_ready;
    // A short stream write filled the send buffer.
    if (is_stream && !ec && bytes < iov.total_bytes) return perform_result::done_drained;
    return perform_result::done;
  }
  template <typename Handler>
  void finish(Handler& handler, const std::error_code& ec, std::size_t bytes) {
    std::move(handler)(ec, bytes);
  }
};

template <typename Buffers, typename Endpoint>
struct receive_from_action {
  Buffers buffers;
  Endpoint* sender;  // the caller keeps it alive until completion, as with Asio
  int flags;

  perform_result perform(int fd, std::error_code& ec, std::size_t& bytes) {
    prepared_iovecs iov = gather_iovecs(buffers);
    socklen_t length = static_cast<socklen_t>(sender->capacity());
    if (!socket_ops::non_blocking_recvfrom(fd, iov.entries, iov.count, flags, sender->data(),
                                           &length, ec, bytes))
      return perform_result::not_ready;
    if (!ec) sender->resize(length);
    return perform_result::done;
  }
  template <typename Handler>
  void finish(Handler& handler, const std::error_code& ec, std::size_t bytes) {
    std::move(handler)(ec, bytes);
  }
};

template <typename Buffers, typename Endpoint>
struct send_to_action {
  Buffers buffers;
  Endpoint destination;
  int flags;

  perform_result perform(int fd, std::error_code& ec, std::size_t& bytes) {
    prepared_iovecs iov = gather_iovecs(buffers);
    if (!socket_ops::non_blocking_sendto(fd, iov.entries, iov.count, flags, destination.data(),
                                         static_cast<socklen_t>(destination.size()), ec, bytes))
      return perform_result::not_ready;
    return perform_result::done;
  }
  template <typename Handler>
  void finish(Handler& handler, const std::error_code& ec, std::size_t bytes) {
    std::move(handler)(ec, bytes);
  }
};

// The connect(2) itself was issued when the operation started and said "in progress".
struct connect_action {
  perform_result perform(int fd, std::error_code& ec, std::size_t&) noexcept {
    return socket_ops::non_blocking_connect(fd, ec) ? perform_result::done
                                                    : perform_result::not_ready;
  }
  template <typename Handler>
  void finish(Handler& handler, const std::error_code& ec, std::size_t) {
    std::move(handler)(ec);
  }
};

// socket_base::wait_read/wait_write/wait_error: completes once poll() says so.
struct wait_action {
  int what;
  perform_result perform(int fd, std::error_code& ec, std::size_t&) noexcept {
    bool ready;
    if (what == 0)
      ready = socket_ops::poll_read(fd, 0, ec);
    else if (what == 1)
      ready = socket_ops::poll_write(fd, 0, ec);
    else
      ready = socket_ops::poll_error(fd, 0, ec);
    if (!ready && ec == error::timed_out) ec.clear();  // poll's zero timeout ran out
    return ready || ec ? perform_result::done : perform_result::not_ready;
  }
  template <typename Handler>
  void finish(Handler& handler, const std::error_code& ec, std::size_t) {
    std::move(handler)(ec);
  }
};

// Takes the next connection into a socket_holder; `Deliver` turns it into what the handler
// wants (the peer socket filled in, or a new socket object passed by value).
template <typename Endpoint, typename Deliver>
struct accept_action {
  Deliver deliver;
  Endpoint* peer_endpoint;  // may be null
  socket_ops::state_type listener_state;
  int socket_type;
  socket_holder connection;

  perform_result perform(int fd, std::error_code& ec, std::size_t&) {
    socklen_t length = peer_endpoint ? static_cast<socklen_t>(peer_endpoint->capacity()) : 0;
    int new_fd = socket_ops::invalid_socket;
    if (!socket_ops::non_blocking_accept(fd, listener_state,
                                         peer_endpoint ? peer_endpoint->data() : nullptr,
                                         peer_endpoint ? &length : nullptr, SOCK_NONBLOCK, ec,
                                         new_fd))
      return perform_result::not_ready;
    if (!ec) {
      connection.adopt_non_blocking(socket_type, new_fd, ec);
      if (!ec && peer_endpoint) peer_endpoint->resize(length);
    }
    return perform_result::done;
  }
  template <typename Handler>
  void finish(Handler& handler, const std::error_code& ec, std::size_t) {
    deliver(handler, ec, std::move(connection));
  }
};

}  // namespace proa::detail
