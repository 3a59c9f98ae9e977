// proa::buffers_iterator: a random-access iterator over the bytes of a const or mutable buffer
// sequence, as if they were one contiguous range (Asio 1.22's buffers_iterator, buffers_begin,
// buffers_end). Used by read_until to search data that may span several buffers.
#pragma once

#include <compare>
#include <cstddef>
#include <iterator>
#include <type_traits>

#include "net/buffer.hpp"

namespace proa {

// Like Asio, the iterator points into the sequence it was made from, so the sequence (and, for a
// single buffer, that buffer object) must outlive it. Moving by n costs O(buffers crossed).
template <const_buffer_sequence BufferSequence, typename ByteType = char>
class buffers_iterator {
  using element_iterator =
      decltype(proa::buffer_sequence_begin(std::declval<const BufferSequence&>()));
  static constexpr bool is_mutable = mutable_buffer_sequence<BufferSequence>;
  using buffer_type = std::conditional_t<is_mutable, mutable_buffer, const_buffer>;
  using byte_type = std::conditional_t<is_mutable, ByteType, const ByteType>;

 public:
  using iterator_concept = std::random_access_iterator_tag;
  using iterator_category = std::random_access_iterator_tag;
  using difference_type = std::ptrdiff_t;
  using value_type = ByteType;
  using pointer = byte_type*;
  using reference = byte_type&;

  // A singular iterator; only assignment and comparison with another singular one are valid.
  buffers_iterator() = default;

  static buffers_iterator begin(const BufferSequence& buffers) {
    buffers_iterator it;
    it.first_ = proa::buffer_sequence_begin(buffers);
    it.last_ = proa::buffer_sequence_end(buffers);
    it.current_ = it.first_;
    it.skip_empty_forward();
    return it;
  }

  static buffers_iterator end(const BufferSequence& buffers) {
    buffers_iterator it;
    it.first_ = proa::buffer_sequence_begin(buffers);
    it.last_ = proa::buffer_sequence_end(buffers);
    it.current_ = it.last_;
    for (auto element = it.first_; element != it.last_; ++element) {
      it.position_ += const_buffer(*element).size();
    }
    return it;
  }

  reference operator*() const { return current_bytes()[offset_]; }
  pointer operator->() const { return current_bytes() + offset_; }
  reference operator[](difference_type n) const { return *(*this + n); }

  buffers_iterator& operator++() {
    ++position_;
    if (++offset_ == buffer_type(*current_).size()) {
      ++current_;
      offset_ = 0;
      skip_empty_forward();
    }
    return *this;
  }
  buffers_iterator operator++(int) {
    buffers_iterator before = *this;
    ++*this;
    return before;
  }

  buffers_iterator& operator--() {
    --position_;
    if (offset_ == 0) {
      step_back_to_nonempty();
      offset_ = buffer_type(*current_).size();
    }
    --offset_;
    return *this;
  }
  buffers_iterator operator--(int) {
    buffers_iterator before = *this;
    --*this;
    return before;
  }

  buffers_iterator& operator+=(difference_type n) {
    if (n >= 0) {
      advance(static_cast<std::size_t>(n));
    } else {
      retreat(static_cast<std::size_t>(-n));
    }
    return *this;
  }
  buffers_iterator& operator-=(difference_type n) { return *this += -n; }

  friend buffers_iterator operator+(buffers_iterator it, difference_type n) { return it += n; }
  friend buffers_iterator operator+(difference_type n, buffers_iterator it) { return it += n; }
  friend buffers_iterator operator-(buffers_iterator it, difference_type n) { return it -= n; }
  friend difference_type operator-(const buffers_iterator& a, const buffers_iterator& b) {
    return static_cast<difference_type>(a.position_) - static_cast<difference_type>(b.position_);
  }

  // Iterators over the same sequence are ordered by their byte offset from its start.
  friend bool operator==(const buffers_iterator& a, const buffers_iterator& b) {
    return a.position_ == b.position_;
  }
  friend std::strong_ordering operator<=>(const buffers_iterator& a, const buffers_iterator& b) {
    return a.position_ <=> b.position_;
  }

 private:
  pointer current_bytes() const {
    return static_cast<pointer>(buffer_type(*current_).data());
  }

  // Keeps the invariant that a dereferenceable iterator never rests on an empty element, so
  // that equal positions mean equal iterators.
  void skip_empty_forward() {
    while (current_ != last_ && buffer_type(*current_).size() == 0) ++current_;
  }

  void step_back_to_nonempty() {
    do {
      --current_;
    } while (buffer_type(*current_).size() == 0);
  }

  void advance(std::size_t n) {
    position_ += n;
    while (n > 0) {
      const std::size_t left = buffer_type(*current_).size() - offset_;
      if (n < left) {
        offset_ += n;
        return;
      }
      n -= left;
      ++current_;
      offset_ = 0;
      skip_empty_forward();
    }
  }

  void retreat(std::size_t n) {
    position_ -= n;
    while (n > offset_) {
      n -= offset_;
      step_back_to_nonempty();
      offset_ = buffer_type(*current_).size();
    }
    offset_ -= n;
  }

  element_iterator first_{};
  element_iterator last_{};
  element_iterator current_{};
  std::size_t offset_ = 0;    // byte within *current_
  std::size_t position_ = 0;  // bytes from the start of the sequence
};

template <const_buffer_sequence BufferSequence>
buffers_iterator<BufferSequence> buffers_begin(const BufferSequence& buffers) {
  return buffers_iterator<BufferSequence>::begin(buffers);
}

template <const_buffer_sequence BufferSequence>
buffers_iterator<BufferSequence> buffers_end(const BufferSequence& buffers) {
  return buffers_iterator<BufferSequence>::end(buffers);
}

}  // namespace proa
