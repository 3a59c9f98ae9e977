// proa::read: synchronous composed reads that call a stream's read_some until a completion
// condition (default transfer_all) is met or an error occurs, into a buffer sequence, a
// DynamicBuffer_v1 or a basic_streambuf, as in Asio 1.22.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "net/buffer.hpp"
#include "net/completion_condition.hpp"
#include "net/detail/consuming_buffers.hpp"
#include "net/detail/composed_io.hpp"
#include "net/streambuf.hpp"
#include "platform/error.hpp"

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

}  // namespace proa
