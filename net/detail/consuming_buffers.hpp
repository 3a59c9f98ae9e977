// Progress through a buffer sequence for composed reads and writes: hands out the next bytes as
// an iovec array for readv/writev/sendmsg and advances past what each syscall moved.
#pragma once

#include <sys/uio.h>

#include <algorithm>
#include <cstddef>
#include <iterator>

#include "net/buffer.hpp"

namespace proa::detail {

// iovec entries per syscall. Linux allows IOV_MAX (1024), but each entry costs stack and kernel
// copy time; beyond 64 a composed operation just takes another step.
inline constexpr std::size_t max_iovec_entries = 64;

// The iovecs for one syscall. A plain value so the caller can keep it in its operation state for
// as long as the kernel may read it.
struct prepared_iovecs {
  iovec entries[max_iovec_entries];
  std::size_t count = 0;        // entries in use
  std::size_t total_bytes = 0;  // sum of their lengths

  const iovec* begin() const noexcept { return entries; }
  const iovec* end() const noexcept { return entries + count; }
  // readv/writev take the count as int.
  int iovcnt() const noexcept { return static_cast<int>(count); }
};

// Buffers is a const or mutable buffer sequence, held by value (sequences are cheap handles).
// Position is kept as (element index, offset in element) rather than as an iterator, so that a
// moved consuming_buffers never points into the moved-from copy of the sequence.
template <const_buffer_sequence Buffers>
class consuming_buffers {
 public:
  explicit consuming_buffers(const Buffers& buffers)
      : buffers_(buffers), total_size_(proa::buffer_size(buffers)) {}

  // True once every byte of the sequence has been consumed.
  bool empty() const noexcept { return total_consumed_ >= total_size_; }

  std::size_t total_consumed() const noexcept { return total_consumed_; }

  // The next bytes, at most max_size of them and at most max_iovec_entries entries, skipping
  // empty elements. Does not move the position: consume() does, once the syscall says how much.
  prepared_iovecs prepare(std::size_t max_size) const noexcept {
    prepared_iovecs result;
    auto it = current_element();
    const auto end = proa::buffer_sequence_end(buffers_);
    std::size_t offset = element_offset_;
    for (; it != end && max_size > 0 && result.count < max_iovec_entries; ++it, offset = 0) {
      const const_buffer piece = proa::buffer(const_buffer(*it) + offset, max_size);
      if (piece.size() == 0) continue;
      // writev's iovec is shared with readv, hence non-const; the kernel only reads through it
      // for writes, and a read is only ever given a mutable sequence.
      result.entries[result.count++] = iovec{const_cast<void*>(piece.data()), piece.size()};
      result.total_bytes += piece.size();
      max_size -= piece.size();
    }
    return result;
  }

  // Advances past n bytes; consuming more than remains just reaches the end.
  void consume(std::size_t n) noexcept {
    n = std::min(n, total_size_ - total_consumed_);
    total_consumed_ += n;
    auto it = current_element();
    const auto end = proa::buffer_sequence_end(buffers_);
    while (it != end) {
      const std::size_t left_in_element = const_buffer(*it).size() - element_offset_;
      if (n < left_in_element) {
        element_offset_ += n;
        return;
      }
      n -= left_in_element;
      ++it;
      ++element_index_;
      element_offset_ = 0;
      if (n == 0) return;
    }
  }

 private:
  auto current_element() const noexcept {
    auto it = proa::buffer_sequence_begin(buffers_);
    std::advance(it, static_cast<std::iter_difference_t<decltype(it)>>(element_index_));
    return it;
  }

  Buffers buffers_;
  std::size_t total_size_;
  std::size_t total_consumed_ = 0;
  std::size_t element_index_ = 0;   // first element not fully consumed
  std::size_t element_offset_ = 0;  // bytes of it already consumed
};

}  // namespace proa::detail
