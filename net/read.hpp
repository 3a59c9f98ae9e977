// proa::read and proa::async_read: composed reads that call a stream's read_some (or
// async_read_some) until a completion condition (default transfer_all) is met or an error
// occurs, into a buffer sequence, a DynamicBuffer_v1 or a basic_streambuf, as in Asio 1.22.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "net/buffer.hpp"
#include "net/completion_condition.hpp"
#include "net/detail/async_operation.hpp"
#include "net/detail/consuming_buffers.hpp"
#include "net/detail/composed_io.hpp"
#include "net/streambuf.hpp"
#include "platform/error.hpp"
#include "runtime/async_result.hpp"

namespace proa {

// ---- into a buffer sequence --------------------------------------------------------------------
// Returns the bytes read. The error_code overloads report the error that stopped the loop (e.g.
// error::eof) together with the bytes read before it; the others throw system_error.

template <typename SyncReadStream, mutable_buffer_sequence MutableBufferSequence,
          completion_condition CompletionCondition>
std::size_t read(SyncReadStream& stream, const MutableBufferSequence& buffers,
                 CompletionCondition condition, error_code& ec) {
  ec = error_code();
  detail::consuming_buffers<MutableBufferSequence> remaining(buffers);
  while (!remaining.empty()) {
    const std::size_t budget =
        detail::next_transfer_size(condition, ec, remaining.total_consumed());
    if (budget == 0) break;
    const detail::prepared_iovecs step = remaining.prepare(budget);
    remaining.consume(
        stream.read_some(detail::iovec_buffer_sequence<mutable_buffer>(step), ec));
  }
  return remaining.total_consumed();
}

template <typename SyncReadStream, mutable_buffer_sequence MutableBufferSequence>
std::size_t read(SyncReadStream& stream, const MutableBufferSequence& buffers, error_code& ec) {
  return proa::read(stream, buffers, transfer_all(), ec);
}

template <typename SyncReadStream, mutable_buffer_sequence MutableBufferSequence,
          completion_condition CompletionCondition>
std::size_t read(SyncReadStream& stream, const MutableBufferSequence& buffers,
                 CompletionCondition condition) {
  error_code ec;
  const std::size_t bytes = proa::read(stream, buffers, std::move(condition), ec);
  detail::throw_error(ec, "read");
  return bytes;
}

template <typename SyncReadStream, mutable_buffer_sequence MutableBufferSequence>
std::size_t read(SyncReadStream& stream, const MutableBufferSequence& buffers) {
  return proa::read(stream, buffers, transfer_all());
}

// ---- into a DynamicBuffer_v1 -------------------------------------------------------------------
// Appends to the buffer (a copy of the adapter, sharing its storage) in steps of at least 512
// bytes, never past max_size(); stops when the condition is met, the buffer is full, or on error.

template <typename SyncReadStream, typename DynamicBuffer,
          completion_condition CompletionCondition>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
std::size_t read(SyncReadStream& stream, DynamicBuffer&& buffers, CompletionCondition condition,
                 error_code& ec) {
  std::remove_cvref_t<DynamicBuffer> target(std::forward<DynamicBuffer>(buffers));
  ec = error_code();
  std::size_t total = 0;
  for (;;) {
    const std::size_t step = detail::dynamic_buffer_read_size(
        target, detail::next_transfer_size(condition, ec, total));
    if (step == 0) break;
    const std::size_t bytes = stream.read_some(target.prepare(step), ec);
    target.commit(bytes);
    total += bytes;
  }
  return total;
}

template <typename SyncReadStream, typename DynamicBuffer>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
std::size_t read(SyncReadStream& stream, DynamicBuffer&& buffers, error_code& ec) {
  return proa::read(stream, std::forward<DynamicBuffer>(buffers), transfer_all(), ec);
}

template <typename SyncReadStream, typename DynamicBuffer,
          completion_condition CompletionCondition>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
std::size_t read(SyncReadStream& stream, DynamicBuffer&& buffers, CompletionCondition condition) {
  error_code ec;
  const std::size_t bytes =
      proa::read(stream, std::forward<DynamicBuffer>(buffers), std::move(condition), ec);
  detail::throw_error(ec, "read");
  return bytes;
}

template <typename SyncReadStream, typename DynamicBuffer>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
std::size_t read(SyncReadStream& stream, DynamicBuffer&& buffers) {
  return proa::read(stream, std::forward<DynamicBuffer>(buffers), transfer_all());
}

// ---- into a basic_streambuf --------------------------------------------------------------------

template <typename SyncReadStream, typename Allocator, completion_condition CompletionCondition>
std::size_t read(SyncReadStream& stream, basic_streambuf<Allocator>& streambuf,
                 CompletionCondition condition, error_code& ec) {
  return proa::read(stream, basic_streambuf_ref<Allocator>(streambuf), std::move(condition), ec);
}

template <typename SyncReadStream, typename Allocator>
std::size_t read(SyncReadStream& stream, basic_streambuf<Allocator>& streambuf, error_code& ec) {
  return proa::read(stream, basic_streambuf_ref<Allocator>(streambuf), transfer_all(), ec);
}

template <typename SyncReadStream, typename Allocator, completion_condition CompletionCondition>
std::size_t read(SyncReadStream& stream, basic_streambuf<Allocator>& streambuf,
                 CompletionCondition condition) {
  return proa::read(stream, basic_streambuf_ref<Allocator>(streambuf), std::move(condition));
}

template <typename SyncReadStream, typename Allocator>
std::size_t read(SyncReadStream& stream, basic_streambuf<Allocator>& streambuf) {
  return proa::read(stream, basic_streambuf_ref<Allocator>(streambuf), transfer_all());
}

// ---- asynchronous reads --------------------------------------------------------------------------
// The stream needs get_executor() and async_read_some(buffers, handler(error_code, size_t)); the
// handler gets the error that ended the operation (error::eof when the stream ended early) and
// the bytes read. Every step runs on the handler's associated executor, and the handler is never
// called inside async_read itself: with nothing to read, the completion is posted.

namespace detail {

// The state of one async_read into a buffer sequence, moved into each async_read_some as its
// handler. Stops when the buffers are full, the condition says so, the stream reports an error,
// or a read returns nothing.
template <typename AsyncReadStream, typename MutableBufferSequence,
          typename CompletionCondition, typename ReadHandler>
class async_read_op : public step_cancellation<ReadHandler> {
 public:
  using user_handler_type = ReadHandler;

  template <typename H>
  async_read_op(AsyncReadStream& stream, const MutableBufferSequence& buffers,
                CompletionCondition condition, H&& handler)
      : step_cancellation<ReadHandler>(handler),
        stream_(&stream),
        buffers_(buffers),
        condition_(std::move(condition)),
        handler_(std::forward<H>(handler)) {}

  void start() {
    const std::size_t budget = next_transfer_size(condition_, error_code(), 0);
    if (budget == 0 || buffers_.empty()) {
      post_completion(stream_->get_executor(), std::move(handler_), error_code(),
                      std::size_t{0});
      return;
    }
    stream_->async_read_some(buffers_.prepare(budget), std::move(*this));
  }

  void operator()(error_code ec, std::size_t bytes_transferred) {
    buffers_.consume(bytes_transferred);
    if ((ec || bytes_transferred != 0) && !buffers_.empty()) {
      const std::size_t budget = next_transfer_size(condition_, ec, buffers_.total_consumed());
      if (budget != 0) {
        if (this->cancelled() == cancellation_type::none) {
          stream_->async_read_some(buffers_.prepare(budget), std::move(*this));
          return;
        }
        ec = error::operation_aborted;  // cancelled between two steps
      }
    }
    const std::size_t total = buffers_.total_consumed();
    invoke_handler(handler_, std::as_const(ec), total);
  }

  const ReadHandler& user_handler() const noexcept { return handler_; }

 private:
  AsyncReadStream* stream_;
  async_step_buffers<mutable_buffer, MutableBufferSequence> buffers_;
  CompletionCondition condition_;
  ReadHandler handler_;
};

// The state of one async_read into a DynamicBuffer_v1: each step prepares room (at least 512
// bytes, within max_size()) and commits what arrived.
template <typename AsyncReadStream, typename DynamicBuffer, typename CompletionCondition,
          typename ReadHandler>
class async_read_dynamic_op : public step_cancellation<ReadHandler> {
 public:
  using user_handler_type = ReadHandler;

  template <typename H>
  async_read_dynamic_op(AsyncReadStream& stream, DynamicBuffer buffers,
                        CompletionCondition condition, H&& handler)
      : step_cancellation<ReadHandler>(handler),
        stream_(&stream),
        buffers_(std::move(buffers)),
        condition_(std::move(condition)),
        handler_(std::forward<H>(handler)) {}

  void start() {
    const std::size_t step =
        dynamic_buffer_read_size(buffers_, next_transfer_size(condition_, error_code(), 0));
    if (step == 0) {
      post_completion(stream_->get_executor(), std::move(handler_), error_code(),
                      std::size_t{0});
      return;
    }
    stream_->async_read_some(buffers_.prepare(step), std::move(*this));
  }

  void operator()(error_code ec, std::size_t bytes_transferred) {
    total_ += bytes_transferred;
    buffers_.commit(bytes_transferred);
    if (ec || bytes_transferred != 0) {
      const std::size_t step =
          dynamic_buffer_read_size(buffers_, next_transfer_size(condition_, ec, total_));
      if (step != 0) {
        if (this->cancelled() == cancellation_type::none) {
          stream_->async_read_some(buffers_.prepare(step), std::move(*this));
          return;
        }
        ec = error::operation_aborted;  // cancelled between two steps
      }
    }
    const std::size_t total = total_;
    invoke_handler(handler_, std::as_const(ec), total);
  }

  const ReadHandler& user_handler() const noexcept { return handler_; }

 private:
  AsyncReadStream* stream_;
  DynamicBuffer buffers_;
  CompletionCondition condition_;
  ReadHandler handler_;
  std::size_t total_ = 0;
};

// Initiations, one per kind of target, handed to async_initiate.
template <typename AsyncReadStream>
class initiate_async_read_buffer_sequence {
 public:
  using executor_type = typename AsyncReadStream::executor_type;

  explicit initiate_async_read_buffer_sequence(AsyncReadStream& stream) noexcept
      : stream_(stream) {}

  executor_type get_executor() const noexcept { return stream_.get_executor(); }

  template <typename ReadHandler, typename MutableBufferSequence, typename CompletionCondition>
  void operator()(ReadHandler&& handler, const MutableBufferSequence& buffers,
                  CompletionCondition condition) const {
    async_read_op<AsyncReadStream, MutableBufferSequence, CompletionCondition,
                  std::decay_t<ReadHandler>>(stream_, buffers, std::move(condition),
                                             std::forward<ReadHandler>(handler))
        .start();
  }

 private:
  AsyncReadStream& stream_;
};

template <typename AsyncReadStream>
class initiate_async_read_dynbuf_v1 {
 public:
  using executor_type = typename AsyncReadStream::executor_type;

  explicit initiate_async_read_dynbuf_v1(AsyncReadStream& stream) noexcept : stream_(stream) {}

  executor_type get_executor() const noexcept { return stream_.get_executor(); }

  template <typename ReadHandler, typename DynamicBuffer, typename CompletionCondition>
  void operator()(ReadHandler&& handler, DynamicBuffer&& buffers,
                  CompletionCondition condition) const {
    async_read_dynamic_op<AsyncReadStream, std::remove_cvref_t<DynamicBuffer>,
                          CompletionCondition, std::decay_t<ReadHandler>>(
        stream_, std::forward<DynamicBuffer>(buffers), std::move(condition),
        std::forward<ReadHandler>(handler))
        .start();
  }

 private:
  AsyncReadStream& stream_;
};

}  // namespace detail

// ---- into a buffer sequence ----

template <typename AsyncReadStream, mutable_buffer_sequence MutableBufferSequence,
          completion_condition CompletionCondition,
          completion_token_for<void(error_code, std::size_t)> ReadToken>
auto async_read(AsyncReadStream& stream, const MutableBufferSequence& buffers,
                CompletionCondition completion_condition, ReadToken&& token) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read_buffer_sequence<AsyncReadStream>{stream}, token, buffers,
      std::move(completion_condition));
}

template <typename AsyncReadStream, mutable_buffer_sequence MutableBufferSequence,
          completion_token_for<void(error_code, std::size_t)> ReadToken>
auto async_read(AsyncReadStream& stream, const MutableBufferSequence& buffers, ReadToken&& token) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read_buffer_sequence<AsyncReadStream>{stream}, token, buffers,
      transfer_all());
}

// ---- into a DynamicBuffer_v1 (a copy of the adapter, sharing its storage) ----

template <typename AsyncReadStream, typename DynamicBuffer,
          completion_condition CompletionCondition,
          completion_token_for<void(error_code, std::size_t)> ReadToken>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
auto async_read(AsyncReadStream& stream, DynamicBuffer&& buffers,
                CompletionCondition completion_condition, ReadToken&& token) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read_dynbuf_v1<AsyncReadStream>{stream}, token,
      std::forward<DynamicBuffer>(buffers), std::move(completion_condition));
}

template <typename AsyncReadStream, typename DynamicBuffer,
          completion_token_for<void(error_code, std::size_t)> ReadToken>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
auto async_read(AsyncReadStream& stream, DynamicBuffer&& buffers, ReadToken&& token) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read_dynbuf_v1<AsyncReadStream>{stream}, token,
      std::forward<DynamicBuffer>(buffers), transfer_all());
}

// ---- into a basic_streambuf, which must outlive the operation ----

template <typename AsyncReadStream, typename Allocator, completion_condition CompletionCondition,
          completion_token_for<void(error_code, std::size_t)> ReadToken>
auto async_read(AsyncReadStream& stream, basic_streambuf<Allocator>& streambuf,
                CompletionCondition completion_condition, ReadToken&& token) {
  return proa::async_read(stream, basic_streambuf_ref<Allocator>(streambuf),
                          std::move(completion_condition), std::forward<ReadToken>(token));
}

template <typename AsyncReadStream, typename Allocator,
          completion_token_for<void(error_code, std::size_t)> ReadToken>
auto async_read(AsyncReadStream& stream, basic_streambuf<Allocator>& streambuf, ReadToken&& token) {
  return proa::async_read(stream, basic_streambuf_ref<Allocator>(streambuf), transfer_all(),
                          std::forward<ReadToken>(token));
}

}  // namespace proa
