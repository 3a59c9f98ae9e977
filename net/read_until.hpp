// proa::read_until: synchronous reads into a DynamicBuffer_v1 or basic_streambuf until its data
// contains a delimiter (a char or a string), as in Asio 1.22. Bytes read past the delimiter stay
// in the buffer for the next call.
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#include "net/buffer.hpp"
#include "net/buffers_iterator.hpp"
#include "net/detail/composed_io.hpp"
#include "net/streambuf.hpp"
#include "platform/error.hpp"

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

}  // namespace proa
