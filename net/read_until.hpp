// proa::read_until and proa::async_read_until: reads into a DynamicBuffer_v1 or basic_streambuf
// until its data contains a delimiter (a char or a string), as in Asio 1.22. Bytes read past the
// delimiter stay in the buffer for the next call.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "net/buffer.hpp"
#include "net/buffers_iterator.hpp"
#include "net/detail/async_operation.hpp"
#include "net/detail/composed_io.hpp"
#include "net/streambuf.hpp"
#include "platform/error.hpp"
#include "runtime/async_result.hpp"

namespace proa {
namespace detail {

// Largest read_some step while hunting for a delimiter, as Asio uses.
inline constexpr std::size_t read_until_max_step = 65536;

// Offset of the first `delimiter` at or after `from` in the sequence's bytes, or npos. memchr
// per buffer rather than a byte-wise iterator: line protocols run this on every read.
template <const_buffer_sequence Buffers>
std::size_t find_byte(const Buffers& data, char delimiter, std::size_t from) noexcept {
  std::size_t element_start = 0;
  for (auto it = proa::buffer_sequence_begin(data); it != proa::buffer_sequence_end(data); ++it) {
    const const_buffer element(*it);
    if (from < element_start + element.size()) {
      const std::size_t skip = from > element_start ? from - element_start : 0;
      const char* bytes = static_cast<const char*>(element.data());
      if (const void* hit = std::memchr(bytes + skip, delimiter, element.size() - skip)) {
        return element_start + static_cast<std::size_t>(static_cast<const char*>(hit) - bytes);
      }
    }
    element_start += element.size();
  }
  return std::string_view::npos;
}

struct delimiter_search_result {
  std::size_t position;  // start of the match, or where the next search must resume
  bool found;
};

// Looks for `delimiter` starting at `from`. Without a full match, resumes later at the start of
// a partial match that runs into the end of the data (it may complete once more bytes arrive),
// else at the end.
template <const_buffer_sequence Buffers>
delimiter_search_result find_delimiter(const Buffers& data, std::string_view delimiter,
                                       std::size_t from) {
  const auto begin = proa::buffers_begin(data);
  const auto end = proa::buffers_end(data);
  for (auto start = begin + static_cast<std::ptrdiff_t>(from); start != end; ++start) {
    auto it = start;
    std::size_t matched = 0;
    while (matched < delimiter.size() && it != end && *it == delimiter[matched]) {
      ++it;
      ++matched;
    }
    if (matched == delimiter.size() || it == end) {
      return {static_cast<std::size_t>(start - begin), matched == delimiter.size()};
    }
  }
  return {static_cast<std::size_t>(end - begin), false};
}

// One read_some into `buffer` for read_until. False, with ec set, if the buffer is already full
// (not_found) or the read failed.
template <typename SyncReadStream, dynamic_buffer_v1 DynamicBuffer>
bool read_more_for_delimiter(SyncReadStream& stream, DynamicBuffer& buffer, error_code& ec) {
  if (buffer.size() >= buffer.max_size()) {
    ec = error::not_found;
    return false;
  }
  const std::size_t step = dynamic_buffer_read_size(buffer, read_until_max_step);
  buffer.commit(stream.read_some(buffer.prepare(step), ec));
  return !ec;
}

}  // namespace detail

// ---- DynamicBuffer_v1 --------------------------------------------------------------------------
// Return the bytes up to and including the delimiter, or 0 with ec set (error::eof,
// error::not_found once max_size() bytes hold no delimiter, or the read's error); the throwing
// overloads throw system_error instead.

template <typename SyncReadStream, typename DynamicBuffer>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
std::size_t read_until(SyncReadStream& stream, DynamicBuffer&& buffers, char delimiter,
                       error_code& ec) {
  std::remove_cvref_t<DynamicBuffer> target(std::forward<DynamicBuffer>(buffers));
  std::size_t searched = 0;  // bytes already known to hold no delimiter
  for (;;) {
    const std::size_t found = detail::find_byte(target.data(), delimiter, searched);
    if (found != std::string_view::npos) {
      ec = error_code();
      return found + 1;
    }
    searched = target.size();
    if (!detail::read_more_for_delimiter(stream, target, ec)) return 0;
  }
}

template <typename SyncReadStream, typename DynamicBuffer>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
std::size_t read_until(SyncReadStream& stream, DynamicBuffer&& buffers,
                       std::string_view delimiter, error_code& ec) {
  std::remove_cvref_t<DynamicBuffer> target(std::forward<DynamicBuffer>(buffers));
  std::size_t searched = 0;
  for (;;) {
    // A local: the search iterates into the sequence object itself.
    const auto data = target.data();
    const detail::delimiter_search_result result = detail::find_delimiter(data, delimiter, searched);
    if (result.found) {
      ec = error_code();
      return result.position + delimiter.size();
    }
    searched = result.position;
    if (!detail::read_more_for_delimiter(stream, target, ec)) return 0;
  }
}

template <typename SyncReadStream, typename DynamicBuffer>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
std::size_t read_until(SyncReadStream& stream, DynamicBuffer&& buffers, char delimiter) {
  error_code ec;
  const std::size_t bytes =
      proa::read_until(stream, std::forward<DynamicBuffer>(buffers), delimiter, ec);
  detail::throw_error(ec, "read_until");
  return bytes;
}

template <typename SyncReadStream, typename DynamicBuffer>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
std::size_t read_until(SyncReadStream& stream, DynamicBuffer&& buffers,
                       std::string_view delimiter) {
  error_code ec;
  const std::size_t bytes =
      proa::read_until(stream, std::forward<DynamicBuffer>(buffers), delimiter, ec);
  detail::throw_error(ec, "read_until");
  return bytes;
}

// ---- basic_streambuf ---------------------------------------------------------------------------

template <typename SyncReadStream, typename Allocator>
std::size_t read_until(SyncReadStream& stream, basic_streambuf<Allocator>& streambuf,
                       char delimiter, error_code& ec) {
  return proa::read_until(stream, basic_streambuf_ref<Allocator>(streambuf), delimiter, ec);
}

template <typename SyncReadStream, typename Allocator>
std::size_t read_until(SyncReadStream& stream, basic_streambuf<Allocator>& streambuf,
                       std::string_view delimiter, error_code& ec) {
  return proa::read_until(stream, basic_streambuf_ref<Allocator>(streambuf), delimiter, ec);
}

template <typename SyncReadStream, typename Allocator>
std::size_t read_until(SyncReadStream& stream, basic_streambuf<Allocator>& streambuf,
                       char delimiter) {
  return proa::read_until(stream, basic_streambuf_ref<Allocator>(streambuf), delimiter);
}

template <typename SyncReadStream, typename Allocator>
std::size_t read_until(SyncReadStream& stream, basic_streambuf<Allocator>& streambuf,
                       std::string_view delimiter) {
  return proa::read_until(stream, basic_streambuf_ref<Allocator>(streambuf), delimiter);
}

// ---- asynchronous -------------------------------------------------------------------------------
// handler(error_code, size_t) gets the bytes up to and including the delimiter, or 0 with the
// error (error::eof, error::not_found once max_size() bytes hold no delimiter, or the read's
// error). The stream needs get_executor() and async_read_some. Every step runs on the handler's
// associated executor; the handler never runs inside the call, even when the buffer already
// holds the delimiter.

namespace detail {

// Looks for the delimiter in what `buffer` holds from `resume_from` on. On a match sets
// `match_end` (the bytes up to and including it); otherwise moves `resume_from` to where the
// next search must start.
template <typename DynamicBuffer>
bool search_buffered(const DynamicBuffer& buffer, char delimiter, std::size_t& resume_from,
                     std::size_t& match_end) {
  const std::size_t found = find_byte(buffer.data(), delimiter, resume_from);
  if (found == std::string_view::npos) {
    resume_from = buffer.size();
    return false;
  }
  match_end = found + 1;
  return true;
}

template <typename DynamicBuffer>
bool search_buffered(const DynamicBuffer& buffer, std::string_view delimiter,
                     std::size_t& resume_from, std::size_t& match_end) {
  // A local: the search iterates into the sequence object itself.
  const auto data = buffer.data();
  const delimiter_search_result result = find_delimiter(data, delimiter, resume_from);
  if (!result.found) {
    resume_from = result.position;
    return false;
  }
  match_end = result.position + delimiter.size();
  return true;
}

// The state of one async_read_until, moved into each async_read_some as its handler. Delimiter
// is char or std::string (owned: the caller's string_view may not outlive the call).
template <typename AsyncReadStream, typename DynamicBuffer, typename Delimiter,
          typename ReadHandler>
class async_read_until_op : public step_cancellation<ReadHandler> {
 public:
  using user_handler_type = ReadHandler;

  template <typename H>
  async_read_until_op(AsyncReadStream& stream, DynamicBuffer buffers, Delimiter delimiter,
                      H&& handler)
      : step_cancellation<ReadHandler>(handler),
        stream_(&stream),
        buffers_(std::move(buffers)),
        delimiter_(std::move(delimiter)),
        handler_(std::forward<H>(handler)) {}

  void start() { search_or_read(/*initiating=*/true); }

  void operator()(const error_code& ec, std::size_t bytes_transferred) {
    buffers_.commit(bytes_transferred);
    if (ec) {
      invoke_handler(handler_, ec, std::size_t{0});
      return;
    }
    search_or_read(/*initiating=*/false);
  }

  const ReadHandler& user_handler() const noexcept { return handler_; }

 private:
  void search_or_read(bool initiating) {
    std::size_t match_end = 0;
    if (search_buffered(buffers_, delimiter_view(), searched_, match_end)) {
      finish(error_code(), match_end, initiating);
    } else if (buffers_.size() >= buffers_.max_size()) {
      finish(error::not_found, 0, initiating);
    } else if (!initiating && this->cancelled() != cancellation_type::none) {
      finish(error::operation_aborted, 0, initiating);  // cancelled between two reads
    } else {
      const std::size_t step = dynamic_buffer_read_size(buffers_, read_until_max_step);
      stream_->async_read_some(buffers_.prepare(step), std::move(*this));
    }
  }

  void finish(const error_code& ec, std::size_t bytes, bool initiating) {
    if (initiating)
      post_completion(stream_->get_executor(), std::move(handler_), ec, bytes);
    else
      invoke_handler(handler_, ec, bytes);
  }

  auto delimiter_view() const noexcept {
    if constexpr (std::is_same_v<Delimiter, char>)
      return delimiter_;
    else
      return std::string_view(delimiter_);
  }

  AsyncReadStream* stream_;
  DynamicBuffer buffers_;
  Delimiter delimiter_;
  std::size_t searched_ = 0;  // bytes already known to hold no (start of a) delimiter
  ReadHandler handler_;
};

// The one initiation behind every async_read_until overload, handed to async_initiate.
template <typename AsyncReadStream>
class initiate_async_read_until_delim_v1 {
 public:
  using executor_type = typename AsyncReadStream::executor_type;

  explicit initiate_async_read_until_delim_v1(AsyncReadStream& stream) noexcept
      : stream_(stream) {}

  executor_type get_executor() const noexcept { return stream_.get_executor(); }

  template <typename ReadHandler, typename DynamicBuffer, typename Delimiter>
  void operator()(ReadHandler&& handler, DynamicBuffer&& buffers, Delimiter delimiter) const {
    async_read_until_op<AsyncReadStream, std::remove_cvref_t<DynamicBuffer>, Delimiter,
                        std::decay_t<ReadHandler>>(stream_, std::forward<DynamicBuffer>(buffers),
                                                   std::move(delimiter),
                                                   std::forward<ReadHandler>(handler))
        .start();
  }

 private:
  AsyncReadStream& stream_;
};

}  // namespace detail

// ---- DynamicBuffer_v1 (a copy of the adapter, sharing its storage) ----

template <typename AsyncReadStream, typename DynamicBuffer,
          completion_token_for<void(error_code, std::size_t)> ReadToken>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
auto async_read_until(AsyncReadStream& stream, DynamicBuffer&& buffers, char delimiter,
                      ReadToken&& token) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read_until_delim_v1<AsyncReadStream>{stream}, token,
      std::forward<DynamicBuffer>(buffers), delimiter);
}

template <typename AsyncReadStream, typename DynamicBuffer,
          completion_token_for<void(error_code, std::size_t)> ReadToken>
  requires detail::copyable_dynamic_buffer_v1<DynamicBuffer>
auto async_read_until(AsyncReadStream& stream, DynamicBuffer&& buffers, std::string_view delimiter,
                      ReadToken&& token) {
  return async_initiate<ReadToken, void(error_code, std::size_t)>(
      detail::initiate_async_read_until_delim_v1<AsyncReadStream>{stream}, token,
      std::forward<DynamicBuffer>(buffers), std::string(delimiter));
}

// ---- basic_streambuf, which must outlive the operation ----

template <typename AsyncReadStream, typename Allocator,
          completion_token_for<void(error_code, std::size_t)> ReadToken>
auto async_read_until(AsyncReadStream& stream, basic_streambuf<Allocator>& streambuf,
                      char delimiter, ReadToken&& token) {
  return proa::async_read_until(stream, basic_streambuf_ref<Allocator>(streambuf), delimiter,
                                std::forward<ReadToken>(token));
}

template <typename AsyncReadStream, typename Allocator,
          completion_token_for<void(error_code, std::size_t)> ReadToken>
auto async_read_until(AsyncReadStream& stream, basic_streambuf<Allocator>& streambuf,
                      std::string_view delimiter, ReadToken&& token) {
  return proa::async_read_until(stream, basic_streambuf_ref<Allocator>(streambuf), delimiter,
                                std::forward<ReadToken>(token));
}

}  // namespace proa
