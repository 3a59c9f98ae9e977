// Pieces shared by the synchronous composed operations (read, write, read_until): a buffer
// sequence view of one step's iovecs and the DynamicBuffer_v1 argument constraint.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <iterator>
#include <streambuf>
#include <type_traits>

#include "net/buffer.hpp"
#include "net/detail/consuming_buffers.hpp"

namespace proa::detail {

// A DynamicBuffer_v1 passed by value. basic_streambuf also meets the v1 requirements but cannot
// be copied, so it is left to its own overloads, which wrap it in a basic_streambuf_ref.
template <typename T>
concept copyable_dynamic_buffer_v1 =
    dynamic_buffer_v1<std::remove_cvref_t<T>> &&
    !std::is_base_of_v<std::streambuf, std::remove_cvref_t<T>>;

// Presents consuming_buffers' next bytes to any stream's read_some/write_some without copying
// them into a buffer array first.
// Buffer is mutable_buffer (for reads) or const_buffer (for writes). Borrows the iovecs, which
// must outlive the sequence: the loops keep both on the stack for one read_some/write_some.
template <typename Buffer>
class iovec_buffer_sequence {
 public:
  class iterator {
   public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = Buffer;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Buffer;

    iterator() = default;
    explicit iterator(const iovec* entry) noexcept : entry_(entry) {}

    Buffer operator*() const noexcept { return Buffer(entry_->iov_base, entry_->iov_len); }
    iterator& operator++() noexcept {
      ++entry_;
      return *this;
    }
    iterator operator++(int) noexcept { return iterator(entry_++); }
    iterator& operator--() noexcept {
      --entry_;
      return *this;
    }
    iterator operator--(int) noexcept { return iterator(entry_--); }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.entry_ == b.entry_;
    }

   private:
    const iovec* entry_ = nullptr;
  };

  explicit iovec_buffer_sequence(const prepared_iovecs& iovecs) noexcept : iovecs_(&iovecs) {}

  iterator begin() const noexcept { return iterator(iovecs_->begin()); }
  iterator end() const noexcept { return iterator(iovecs_->end()); }

 private:
  const prepared_iovecs* iovecs_;
};

}  // namespace proa::detail
