// proa::write and proa::async_write: composed writes that call a stream's write_some (or
// async_write_some) until a completion condition (default transfer_all) is met or an error
// occurs, from a buffer sequence, a DynamicBuffer_v1 or a basic_streambuf, as in Asio 1.22.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "net/buffer.hpp"
#include "net/completion_condition.hpp"
#include "net/detail/async_operation.hpp"
#include "net/detail/composed_io.hpp"
#include "net/detail/consuming_buffers.hpp"
#include "net/streambuf.hpp"
#include "platform/error.hpp"
#include "runtime/async_result.hpp"

namespace proa {

// ---- from a buffer sequence --------------------------------------------------------------------
// Returns the bytes written; a short write_some just means another step. The error_code overloads
// report the error that stopped the loop with the bytes written before it; the others throw
// system_error.

template <typename SyncWriteStream, const_buffer_sequence ConstBufferSequence,
          completion_condition CompletionCondition>
std::size_t write(SyncWriteStream& stream, const ConstBufferSequence& buffers,
                  CompletionCondition condition, error_code& ec) {
  ec = error_code();
  detail::consuming_buffers<ConstBufferSequence> remaining(buffers);
  while (!remaining.empty()) {
    const std::size_t budget =
        detail::next_transfer_size(condition, ec, remaining.total_consumed());
    if (budget == 0) break;
    const detail::prepared_iovecs step = remaining.prepare(budget);
    remaining.consume(stream.write_some(detail::iovec_buffer_sequence<const_buffer>(step), ec));
  }
  return remaining.total_consumed();
}

template <typename SyncWriteStream, const_buffer_sequence ConstBufferSequence>
std::size_t write(SyncWriteStream& stream, const ConstBufferSequence& buffers, error_code& ec) {
  return proa::write(stream, buffers, transfer_all(), ec);
}

template <typename SyncWriteStream, const_buffer_sequence ConstBufferSequence,
          completion_condition CompletionCondition>
std::size_t write(SyncWriteStream& stream, const ConstBufferSequence& buffers,
                  CompletionCondition condition) {
  error_code ec;
  const std::size_t bytes = proa::write(stream, buffers, std::move(condition), ec);
  detail::throw_error(ec, "write");
  return bytes;
}

template <typename SyncWriteStream, const_buffer_sequence ConstBufferSequence>
std::size_t write(SyncWriteStream& stream, const ConstBufferSequence& buffers) {
  return proa::write(stream, buffers, transfer_all());
}

// ---- from a DynamicBuffer_v1 -------------------------------------------------------------------
// Writes from the readable bytes and consumes what was written, also when an error cut it short.

template <typename SyncWriteStream, typename DynamicBuffer,
          completion_condition CompletionCondition>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
std::size_t write(SyncWriteStream& stream, DynamicBuffer&& buffers, CompletionCondition condition,
                  error_code& ec) {
  std::remove_cvref_t<DynamicBuffer> source(std::forward<DynamicBuffer>(buffers));
  const std::size_t bytes = proa::write(stream, source.data(), std::move(condition), ec);
  source.consume(bytes);
  return bytes;
}

template <typename SyncWriteStream, typename DynamicBuffer>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
std::size_t write(SyncWriteStream& stream, DynamicBuffer&& buffers, error_code& ec) {
  return proa::write(stream, std::forward<DynamicBuffer>(buffers), transfer_all(), ec);
}

template <typename SyncWriteStream, typename DynamicBuffer,
          completion_condition CompletionCondition>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
std::size_t write(SyncWriteStream& stream, DynamicBuffer&& buffers,
                  CompletionCondition condition) {
  error_code ec;
  const std::size_t bytes =
      proa::write(stream, std::forward<DynamicBuffer>(buffers), std::move(condition), ec);
  detail::throw_error(ec, "write");
  return bytes;
}

template <typename SyncWriteStream, typename DynamicBuffer>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
std::size_t write(SyncWriteStream& stream, DynamicBuffer&& buffers) {
  return proa::write(stream, std::forward<DynamicBuffer>(buffers), transfer_all());
}

// ---- from a basic_streambuf --------------------------------------------------------------------

template <typename SyncWriteStream, typename Allocator, completion_condition CompletionCondition>
std::size_t write(SyncWriteStream& stream, basic_streambuf<Allocator>& streambuf,
                  CompletionCondition condition, error_code& ec) {
  return proa::write(stream, basic_streambuf_ref<Allocator>(streambuf), std::move(condition),
                     ec);
}

template <typename SyncWriteStream, typename Allocator>
std::size_t write(SyncWriteStream& stream, basic_streambuf<Allocator>& streambuf,
                  error_code& ec) {
  return proa::write(stream, basic_streambuf_ref<Allocator>(streambuf), transfer_all(), ec);
}

template <typename SyncWriteStream, typename Allocator, completion_condition CompletionCondition>
std::size_t write(SyncWriteStream& stream, basic_streambuf<Allocator>& streambuf,
                  CompletionCondition condition) {
  return proa::write(stream, basic_streambuf_ref<Allocator>(streambuf), std::move(condition));
}

template <typename SyncWriteStream, typename Allocator>
std::size_t write(SyncWriteStream& stream, basic_streambuf<Allocator>& streambuf) {
  return proa::write(stream, basic_streambuf_ref<Allocator>(streambuf), transfer_all());
}

// ---- asynchronous writes -------------------------------------------------------------------------
// The stream needs get_executor() and async_write_some(buffers, handler(error_code, size_t)); a
// short write just means another step. The handler gets the error that ended the operation and
// the bytes written. Every step runs on the handler's associated executor, and the handler is
// never called inside async_write itself: with nothing to write, the completion is posted.

namespace detail {

// The state of one async_write from a buffer sequence, moved into each async_write_some as its
// handler.
template <typename AsyncWriteStream, typename ConstBufferSequence,
          typename CompletionCondition, typename WriteHandler>
class async_write_op : public step_cancellation<WriteHandler> {
 public:
  using user_handler_type = WriteHandler;

  template <typename H>
  async_write_op(AsyncWriteStream& stream, const ConstBufferSequence& buffers,
                 CompletionCondition condition, H&& handler)
      : step_cancellation<WriteHandler>(handler),
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
    stream_->async_write_some(buffers_.prepare(budget), std::move(*this));
  }

  void operator()(error_code ec, std::size_t bytes_transferred) {
    buffers_.consume(bytes_transferred);
    if ((ec || bytes_transferred != 0) && !buffers_.empty()) {
      const std::size_t budget = next_transfer_size(condition_, ec, buffers_.total_consumed());
      if (budget != 0) {
        if (this->cancelled() == cancellation_type::none) {
          stream_->async_write_some(buffers_.prepare(budget), std::move(*this));
          return;
        }
        ec = error::operation_aborted;  // cancelled between two steps
      }
    }
    const std::size_t total = buffers_.total_consumed();
    invoke_handler(handler_, std::as_const(ec), total);
  }

  const WriteHandler& user_handler() const noexcept { return handler_; }

 private:
  AsyncWriteStream* stream_;
  async_step_buffers<const_buffer, ConstBufferSequence> buffers_;
  CompletionCondition condition_;
  WriteHandler handler_;
};

// Completes an async_write from a DynamicBuffer_v1: what was written leaves the buffer, also
// when an error cut the write short, before the user's handler runs.
template <typename DynamicBuffer, typename WriteHandler>
class consume_written {
 public:
  using user_handler_type = WriteHandler;

  template <typename H>
  consume_written(DynamicBuffer buffers, H&& handler)
      : buffers_(std::move(buffers)), handler_(std::forward<H>(handler)) {}

  void operator()(const error_code& ec, std::size_t bytes_transferred) {
    buffers_.consume(bytes_transferred);
    invoke_handler(handler_, ec, bytes_transferred);
  }

  const WriteHandler& user_handler() const noexcept { return handler_; }

 private:
  DynamicBuffer buffers_;
  WriteHandler handler_;
};

// Initiations, one per kind of source, handed to async_initiate.
template <typename AsyncWriteStream>
class initiate_async_write_buffer_sequence {
 public:
  using executor_type = typename AsyncWriteStream::executor_type;

  explicit initiate_async_write_buffer_sequence(AsyncWriteStream& stream) noexcept
      : stream_(stream) {}

  executor_type get_executor() const noexcept { return stream_.get_executor(); }

  template <typename WriteHandler, typename ConstBufferSequence, typename CompletionCondition>
  void operator()(WriteHandler&& handler, const ConstBufferSequence& buffers,
                  CompletionCondition condition) const {
    async_write_op<AsyncWriteStream, ConstBufferSequence, CompletionCondition,
                   std::decay_t<WriteHandler>>(stream_, buffers, std::move(condition),
                                               std::forward<WriteHandler>(handler))
        .start();
  }

 private:
  AsyncWriteStream& stream_;
};

template <typename AsyncWriteStream>
class initiate_async_write_dynbuf_v1 {
 public:
  using executor_type = typename AsyncWriteStream::executor_type;

  explicit initiate_async_write_dynbuf_v1(AsyncWriteStream& stream) noexcept : stream_(stream) {}

  executor_type get_executor() const noexcept { return stream_.get_executor(); }

  template <typename WriteHandler, typename DynamicBuffer, typename CompletionCondition>
  void operator()(WriteHandler&& handler, DynamicBuffer&& buffers,
                  CompletionCondition condition) const {
    using buffer_type = std::remove_cvref_t<DynamicBuffer>;
    using completion = consume_written<buffer_type, std::decay_t<WriteHandler>>;
    buffer_type source(std::forward<DynamicBuffer>(buffers));
    // data() is taken before the adapter moves into the completion; both refer to the same
    // storage, which must stay untouched until the write completes.
    const typename buffer_type::const_buffers_type data = source.data();
    async_write_op<AsyncWriteStream, typename buffer_type::const_buffers_type,
                   CompletionCondition, completion>(
        stream_, data, std::move(condition),
        completion(std::move(source), std::forward<WriteHandler>(handler)))
        .start();
  }

 private:
  AsyncWriteStream& stream_;
};

}  // namespace detail

// ---- from a buffer sequence ----

template <typename AsyncWriteStream, const_buffer_sequence ConstBufferSequence,
          completion_condition CompletionCondition,
          completion_token_for<void(error_code, std::size_t)> WriteToken>
auto async_write(AsyncWriteStream& stream, const ConstBufferSequence& buffers,
                 CompletionCondition completion_condition, WriteToken&& token) {
  return async_initiate<WriteToken, void(error_code, std::size_t)>(
      detail::initiate_async_write_buffer_sequence<AsyncWriteStream>{stream}, token, buffers,
      std::move(completion_condition));
}

template <typename AsyncWriteStream, const_buffer_sequence ConstBufferSequence,
          completion_token_for<void(error_code, std::size_t)> WriteToken>
auto async_write(AsyncWriteStream& stream, const ConstBufferSequence& buffers, WriteToken&& token) {
  return async_initiate<WriteToken, void(error_code, std::size_t)>(
      detail::initiate_async_write_buffer_sequence<AsyncWriteStream>{stream}, token, buffers,
      transfer_all());
}

// ---- from a DynamicBuffer_v1 (a copy of the adapter, sharing its storage) ----

template <typename AsyncWriteStream, typename DynamicBuffer,
          completion_condition CompletionCondition,
          completion_token_for<void(error_code, std::size_t)> WriteToken>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
auto async_write(AsyncWriteStream& stream, DynamicBuffer&& buffers,
                 CompletionCondition completion_condition, WriteToken&& token) {
  return async_initiate<WriteToken, void(error_code, std::size_t)>(
      detail::initiate_async_write_dynbuf_v1<AsyncWriteStream>{stream}, token,
      std::forward<DynamicBuffer>(buffers), std::move(completion_condition));
}

template <typename AsyncWriteStream, typename DynamicBuffer,
          completion_token_for<void(error_code, std::size_t)> WriteToken>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
auto async_write(AsyncWriteStream& stream, DynamicBuffer&& buffers, WriteToken&& token) {
  return async_initiate<WriteToken, void(error_code, std::size_t)>(
      detail::initiate_async_write_dynbuf_v1<AsyncWriteStream>{stream}, token,
      std::forward<DynamicBuffer>(buffers), transfer_all());
}

// ---- from a basic_streambuf, which must outlive the operation ----

template <typename AsyncWriteStream, typename Allocator, completion_condition CompletionCondition,
          completion_token_for<void(error_code, std::size_t)> WriteToken>
auto async_write(AsyncWriteStream& stream, basic_streambuf<Allocator>& streambuf,
                 CompletionCondition completion_condition, WriteToken&& token) {
  return proa::async_write(stream, basic_streambuf_ref<Allocator>(streambuf),
                           std::move(completion_condition), std::forward<WriteToken>(token));
}

template <typename AsyncWriteStream, typename Allocator,
          completion_token_for<void(error_code, std::size_t)> WriteToken>
auto async_write(AsyncWriteStream& stream, basic_streambuf<Allocator>& streambuf,
                 WriteToken&& token) {
  return proa::async_write(stream, basic_streambuf_ref<Allocator>(streambuf), transfer_all(),
                           std::forward<WriteToken>(token));
}

}  // namespace proa
