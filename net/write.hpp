// proa::write: synchronous composed writes that call a stream's write_some until a completion
// condition (default transfer_all) is met or an error occurs, from a buffer sequence, a
// DynamicBuffer_v1 or a basic_streambuf, as in Asio 1.22.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "net/buffer.hpp"
#include "net/completion_condition.hpp"
#include "net/detail/composed_io.hpp"
#include "net/detail/consuming_buffers.hpp"
#include "net/streambuf.hpp"
#include "platform/error.hpp"

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

}  // namespace proa
