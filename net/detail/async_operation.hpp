// What the asynchronous composed operations (async_read, async_write, async_read_until,
// async_connect, async_resolve) share: intermediate handlers (runtime/detail/
// intermediate_handler.hpp) that lend the user handler's associated executor, allocator and
// cancellation slot, completions posted instead of run inside the initiating call, and the
// per-step buffer sequence handed to a stream's async_read_some/async_write_some.
#pragma once

#include <sys/uio.h>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "net/buffer.hpp"
#include "net/detail/composed_io.hpp"
#include "net/detail/consuming_buffers.hpp"
#include "runtime/associated_allocator.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/detail/intermediate_handler.hpp"
#include "runtime/post.hpp"

namespace proa {
namespace detail {

// Calls a completion handler the way Asio does: as an rvalue when it accepts one, so handlers
// with &&-qualified call operators work, else as an lvalue.
template <typename Handler, typename... Args>
void invoke_handler(Handler& handler, Args&&... args) {
  if constexpr (std::is_invocable_v<Handler, Args...>)
    std::move(handler)(std::forward<Args>(args)...);
  else
    handler(std::forward<Args>(args)...);
}

// A handler together with the arguments of its completion, callable with none: what gets posted
// when an operation finishes without waiting for the stream.
template <typename Handler, typename... Args>
class bound_completion {
 public:
  using user_handler_type = Handler;

  template <typename H, typename... A>
  explicit bound_completion(H&& handler, A&&... args)
      : handler_(std::forward<H>(handler)), args_(std::forward<A>(args)...) {}

  void operator()() {
    std::apply([this](Args&... args) { invoke_handler(handler_, std::as_const(args)...); },
               args_);
  }

  const Handler& user_handler() const noexcept { return handler_; }

 private:
  Handler handler_;
  std::tuple<Args...> args_;
};

// Completes `handler` with `args` later, on the handler's associated executor (`io_executor` when
// it has none), never inside this call: Asio's promise for every asynchronous initiation.
template <typename IoExecutor, typename Handler, typename... Args>
void post_completion(const IoExecutor& io_executor, Handler&& handler, Args&&... args) {
  proa::post(io_executor, bound_completion<std::decay_t<Handler>, std::decay_t<Args>...>(
                              std::forward<Handler>(handler), std::forward<Args>(args)...));
}

// The bytes of one asynchronous step as a buffer sequence that owns its iovecs. A stream keeps a
// copy of the sequence until the step completes, while the operation state that produced it
// moves into the stream's completion handler: a sequence borrowing from that state would dangle.
template <typename Buffer>
class owned_iovec_sequence {
 public:
  using const_iterator = typename iovec_buffer_sequence<Buffer>::iterator;
  using value_type = Buffer;

  explicit owned_iovec_sequence(const prepared_iovecs& iovecs) noexcept : iovecs_(iovecs) {}

  const_iterator begin() const noexcept { return const_iterator(iovecs_.begin()); }
  const_iterator end() const noexcept { return const_iterator(iovecs_.end()); }

 private:
  prepared_iovecs iovecs_;
};

// Progress of an asynchronous read or write through the caller's buffer sequence. Buffer is
// mutable_buffer for reads and const_buffer for writes. Each step is prepared as a value the
// stream can copy; a single buffer stays a single buffer, anything else becomes iovecs.
template <typename Buffer, typename Buffers>
class async_step_buffers {
 public:
  explicit async_step_buffers(const Buffers& buffers) : remaining_(buffers) {}

  bool empty() const noexcept { return remaining_.empty(); }
  std::size_t total_consumed() const noexcept { return remaining_.total_consumed(); }
  void consume(std::size_t n) noexcept { remaining_.consume(n); }

  owned_iovec_sequence<Buffer> prepare(std::size_t max_size) const noexcept {
    return owned_iovec_sequence<Buffer>(remaining_.prepare(max_size));
  }

 private:
  consuming_buffers<Buffers> remaining_;
};

template <typename Buffer, single_buffer Buffers>
class async_step_buffers<Buffer, Buffers> {
 public:
  explicit async_step_buffers(const Buffers& buffers) noexcept : whole_(buffers) {}

  bool empty() const noexcept { return consumed_ >= whole_.size(); }
  std::size_t total_consumed() const noexcept { return consumed_; }
  void consume(std::size_t n) noexcept { consumed_ += std::min(n, whole_.size() - consumed_); }

  Buffer prepare(std::size_t max_size) const noexcept {
    return proa::buffer(whole_ + consumed_, max_size);
  }

 private:
  Buffer whole_;
  std::size_t consumed_ = 0;
};

}  // namespace detail

}  // namespace proa
