// basic_streambuf: a growable byte store that is both a std::streambuf (for std::istream /
// std::ostream) and a DynamicBuffer_v1 (prepare/commit/consume/data), as in Asio 1.22;
// basic_streambuf_ref is the copyable DynamicBuffer_v1 view composed operations hold.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <streambuf>
#include <vector>

#include "net/buffer.hpp"

namespace proa {

// One contiguous array holds, in order: consumed bytes [eback, gptr), the readable input
// sequence [gptr, pptr) and the prepared output sequence [pptr, epptr). The stream side may
// write past egptr without telling us, so the readable end is pptr, never egptr.
template <typename Allocator = std::allocator<char>>
class basic_streambuf : public std::streambuf {
 public:
  using const_buffers_type = const_buffer;
  using mutable_buffers_type = mutable_buffer;

  explicit basic_streambuf(std::size_t max_size = std::numeric_limits<std::size_t>::max(),
                           const Allocator& allocator = Allocator())
      : max_size_(max_size), storage_(allocator) {
    const std::size_t initial = std::min(max_size_, growth_step);
    storage_.resize(std::max<std::size_t>(initial, 1));  // a valid base pointer even if empty
    char* base = storage_.data();
    setg(base, base, base);
    setp(base, base + initial);
  }

  // Holds raw pointers into its own storage.
  basic_streambuf(const basic_streambuf&) = delete;
  basic_streambuf& operator=(const basic_streambuf&) = delete;

  // Bytes in the input sequence.
  std::size_t size() const noexcept { return static_cast<std::size_t>(pptr() - gptr()); }
  std::size_t max_size() const noexcept { return max_size_; }
  std::size_t capacity() const noexcept { return storage_.capacity(); }

  // The input sequence; invalidated by any call that modifies either sequence.
  const_buffers_type data() const noexcept { return const_buffer(gptr(), size()); }

  // An output sequence of exactly n bytes, moving or growing storage as needed.
  // Throws std::length_error if size() + n > max_size().
  mutable_buffers_type prepare(std::size_t n) {
    reserve(n);
    return mutable_buffer(pptr(), n);
  }

  // Moves the first n bytes of the output sequence to the input sequence. Like Asio, n is
  // clamped to the whole put area, which may be longer than the last prepare() asked for.
  void commit(std::size_t n) {
    n = std::min(n, static_cast<std::size_t>(epptr() - pptr()));
    setp(pptr() + n, epptr());
    setg(eback(), gptr(), pptr());
  }

  // Removes the first n bytes (all of them, if fewer) of the input sequence.
  void consume(std::size_t n) {
    n = std::min(n, size());
    setg(eback(), gptr() + n, pptr());
  }

 protected:
  // Publishes bytes the stream side wrote through the put area to the get area.
  int_type underflow() override {
    if (gptr() == pptr()) return traits_type::eof();
    setg(eback(), gptr(), pptr());
    return traits_type::to_int_type(*gptr());
  }

  // Grows the put area in small steps as an ostream writes; past max_size() this throws
  // std::length_error, which the ostream turns into badbit unless its exceptions() ask otherwise.
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    if (pptr() == epptr()) {
      const std::size_t readable = size();
      const std::size_t room = max_size_ > readable ? max_size_ - readable : 0;
      reserve(room != 0 && room < growth_step ? room : growth_step);
    }
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
    return c;
  }

  // Makes the put area at least n bytes long: first by sliding the input sequence down over
  // consumed bytes, then by growing storage.
  void reserve(std::size_t n) {
    if (static_cast<std::size_t>(epptr() - pptr()) >= n) return;
    const std::size_t readable = size();
    // Checked before anything moves so that a throw leaves the buffer as it was.
    if (n > max_size_ || readable > max_size_ - n) {
      throw std::length_error("proa::streambuf too long");
    }
    char* base = storage_.data();
    std::size_t end = static_cast<std::size_t>(epptr() - base);
    if (gptr() != base) std::memmove(base, gptr(), readable);
    set_areas(readable, end);
    if (end - readable < n) {
      end = readable + n;
      storage_.resize(end);
      set_areas(readable, end);
    }
  }

 private:
  static constexpr std::size_t growth_step = 128;

  // Input sequence [0, readable), output sequence [readable, end) of the storage.
  void set_areas(std::size_t readable, std::size_t end) {
    char* base = storage_.data();
    setg(base, base, base + readable);
    setp(base + readable, base + end);
  }

  std::size_t max_size_;
  std::vector<char, Allocator> storage_;
};

using streambuf = basic_streambuf<>;

// A copyable DynamicBuffer_v1 that forwards to a basic_streambuf it does not own.
template <typename Allocator = std::allocator<char>>
class basic_streambuf_ref {
 public:
  using const_buffers_type = typename basic_streambuf<Allocator>::const_buffers_type;
  using mutable_buffers_type = typename basic_streambuf<Allocator>::mutable_buffers_type;

  explicit basic_streambuf_ref(basic_streambuf<Allocator>& streambuf) noexcept
      : streambuf_(&streambuf) {}

  std::size_t size() const noexcept { return streambuf_->size(); }
  std::size_t max_size() const noexcept { return streambuf_->max_size(); }
  std::size_t capacity() const noexcept { return streambuf_->capacity(); }
  const_buffers_type data() const noexcept { return streambuf_->data(); }
  mutable_buffers_type prepare(std::size_t n) { return streambuf_->prepare(n); }
  void commit(std::size_t n) { streambuf_->commit(n); }
  void consume(std::size_t n) { streambuf_->consume(n); }

 private:
  basic_streambuf<Allocator>* streambuf_;
};

}  // namespace proa
