// Non-owning byte ranges (mutable_buffer, const_buffer), the buffer() factories, buffer sequence
// traits and algorithms, and the DynamicBuffer_v1 adapters over std::string / std::vector, all
// with Asio 1.22's names and semantics.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace proa {

// A writable range of bytes owned by someone else; cheap to copy.
class mutable_buffer {
 public:
  constexpr mutable_buffer() noexcept = default;
  constexpr mutable_buffer(void* data, std::size_t size) noexcept : data_(data), size_(size) {}

  constexpr void* data() const noexcept { return data_; }
  constexpr std::size_t size() const noexcept { return size_; }

  // Drops the first n bytes; dropping more than size() leaves an empty buffer, never overruns.
  mutable_buffer& operator+=(std::size_t n) noexcept {
    const std::size_t skipped = std::min(n, size_);
    data_ = static_cast<char*>(data_) + skipped;
    size_ -= skipped;
    return *this;
  }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// A read-only range of bytes owned by someone else; any mutable_buffer converts to it.
class const_buffer {
 public:
  constexpr const_buffer() noexcept = default;
  constexpr const_buffer(const void* data, std::size_t size) noexcept : data_(data), size_(size) {}
  constexpr const_buffer(const mutable_buffer& b) noexcept : data_(b.data()), size_(b.size()) {}

  constexpr const void* data() const noexcept { return data_; }
  constexpr std::size_t size() const noexcept { return size_; }

  const_buffer& operator+=(std::size_t n) noexcept {
    const std::size_t skipped = std::min(n, size_);
    data_ = static_cast<const char*>(data_) + skipped;
    size_ -= skipped;
    return *this;
  }

 private:
  const void* data_ = nullptr;
  std::size_t size_ = 0;
};

inline mutable_buffer operator+(mutable_buffer b, std::size_t n) noexcept { return b += n; }
inline mutable_buffer operator+(std::size_t n, mutable_buffer b) noexcept { return b += n; }
inline const_buffer operator+(const_buffer b, std::size_t n) noexcept { return b += n; }
inline const_buffer operator+(std::size_t n, const_buffer b) noexcept { return b += n; }

// Deprecated in Asio 1.22 but still common in code written against older Asio.
template <typename Pointer>
Pointer buffer_cast(const mutable_buffer& b) noexcept {
  return static_cast<Pointer>(b.data());
}
template <typename Pointer>
Pointer buffer_cast(const const_buffer& b) noexcept {
  return static_cast<Pointer>(b.data());
}

namespace detail {

// A type that is (or derives from) one of the two buffer classes: a sequence of exactly itself.
template <typename T>
concept single_buffer = std::is_convertible_v<const T*, const mutable_buffer*> ||
                        std::is_convertible_v<const T*, const const_buffer*>;

template <typename T>
using single_buffer_base_t =
    std::conditional_t<std::is_convertible_v<const T*, const mutable_buffer*>, mutable_buffer,
                       const_buffer>;

}  // namespace detail

// ---- Buffer sequence iteration -----------------------------------------------------------------
// A single buffer is a sequence of one element (itself); anything else must have begin()/end().

template <detail::single_buffer B>
const detail::single_buffer_base_t<B>* buffer_sequence_begin(const B& b) noexcept {
  return static_cast<const detail::single_buffer_base_t<B>*>(std::addressof(b));
}

template <detail::single_buffer B>
const detail::single_buffer_base_t<B>* buffer_sequence_end(const B& b) noexcept {
  return buffer_sequence_begin(b) + 1;
}

template <typename C>
  requires(!detail::single_buffer<C>)
auto buffer_sequence_begin(C& c) noexcept -> decltype(c.begin()) {
  return c.begin();
}

template <typename C>
  requires(!detail::single_buffer<C>)
auto buffer_sequence_begin(const C& c) noexcept -> decltype(c.begin()) {
  return c.begin();
}

template <typename C>
  requires(!detail::single_buffer<C>)
auto buffer_sequence_end(C& c) noexcept -> decltype(c.end()) {
  return c.end();
}

template <typename C>
  requires(!detail::single_buffer<C>)
auto buffer_sequence_end(const C& c) noexcept -> decltype(c.end()) {
  return c.end();
}

// ---- Concepts and traits -----------------------------------------------------------------------

namespace detail {

template <typename T, typename Buffer>
concept buffer_sequence_of =
    std::is_class_v<T> && requires(T& t) {
      { *proa::buffer_sequence_begin(t) } -> std::convertible_to<Buffer>;
      { proa::buffer_sequence_end(t) } -> std::equality_comparable_with<
          decltype(proa::buffer_sequence_begin(t))>;
    };

}  // namespace detail

// Asio's MutableBufferSequence / ConstBufferSequence requirements. Every mutable sequence is
// also a const one, because mutable_buffer converts to const_buffer.
template <typename T>
concept mutable_buffer_sequence = detail::buffer_sequence_of<T, mutable_buffer>;

template <typename T>
concept const_buffer_sequence = detail::buffer_sequence_of<T, const_buffer>;

// Asio's DynamicBuffer_v1 requirements: a growable byte store read through data() and filled
// through prepare()/commit().
template <typename T>
concept dynamic_buffer_v1 =
    std::is_class_v<T> && requires(T& t, const T& ct, std::size_t n) {
      typename T::const_buffers_type;
      typename T::mutable_buffers_type;
      { ct.size() } -> std::convertible_to<std::size_t>;
      { ct.max_size() } -> std::convertible_to<std::size_t>;
      { ct.capacity() } -> std::convertible_to<std::size_t>;
      { ct.data() } -> std::convertible_to<typename T::const_buffers_type>;
      { t.prepare(n) } -> std::convertible_to<typename T::mutable_buffers_type>;
      t.commit(n);
      t.consume(n);
    };

template <typename T>
struct is_mutable_buffer_sequence : std::bool_constant<mutable_buffer_sequence<T>> {};

template <typename T>
struct is_const_buffer_sequence : std::bool_constant<const_buffer_sequence<T>> {};

template <typename T>
struct is_dynamic_buffer_v1 : std::bool_constant<dynamic_buffer_v1<T>> {};

// proa implements only the v1 dynamic buffer model, which is what Asio 1.22 selects by default.
template <typename T>
struct is_dynamic_buffer : is_dynamic_buffer_v1<T> {};

// ---- Sequence algorithms -----------------------------------------------------------------------

// Total bytes across every buffer of the sequence.
template <const_buffer_sequence Buffers>
std::size_t buffer_size(const Buffers& buffers) noexcept {
  std::size_t total = 0;
  for (auto it = proa::buffer_sequence_begin(buffers); it != proa::buffer_sequence_end(buffers);
       ++it) {
    total += const_buffer(*it).size();
  }
  return total;
}

// Copies bytes from `source` to `target`, walking both sequences however their buffer boundaries
// fall, until either is exhausted or `max_bytes` are copied. Returns the bytes copied.
template <mutable_buffer_sequence Target, const_buffer_sequence Source>
std::size_t buffer_copy(const Target& target, const Source& source,
                        std::size_t max_bytes = std::numeric_limits<std::size_t>::max()) noexcept {
  auto target_it = proa::buffer_sequence_begin(target);
  const auto target_end = proa::buffer_sequence_end(target);
  auto source_it = proa::buffer_sequence_begin(source);
  const auto source_end = proa::buffer_sequence_end(source);
  // Remainders of the current element of each side, carried over a partial copy.
  mutable_buffer to;
  const_buffer from;
  std::size_t copied = 0;
  while (copied < max_bytes) {
    if (to.size() == 0) {
      if (target_it == target_end) break;
      to = mutable_buffer(*target_it++);
      continue;
    }
    if (from.size() == 0) {
      if (source_it == source_end) break;
      from = const_buffer(*source_it++);
      continue;
    }
    const std::size_t n = std::min({to.size(), from.size(), max_bytes - copied});
    std::memcpy(to.data(), from.data(), n);
    to += n;
    from += n;
    copied += n;
  }
  return copied;
}

// ---- buffer() factories ------------------------------------------------------------------------
// Each takes an optional cap in bytes; the result covers min(object size, cap) bytes. Objects
// whose elements are const (or are passed by const reference) give a const_buffer.

namespace detail {

inline constexpr std::size_t no_size_cap = std::numeric_limits<std::size_t>::max();

template <typename Element>
mutable_buffer capped_buffer(Element* data, std::size_t count, std::size_t cap) noexcept
  requires(!std::is_const_v<Element>)
{
  return mutable_buffer(count != 0 ? data : nullptr, std::min(count * sizeof(Element), cap));
}

template <typename Element>
const_buffer capped_buffer(const Element* data, std::size_t count, std::size_t cap) noexcept {
  return const_buffer(count != 0 ? data : nullptr, std::min(count * sizeof(Element), cap));
}

}  // namespace detail

[[nodiscard]] inline mutable_buffer buffer(const mutable_buffer& b,
                                           std::size_t cap = detail::no_size_cap) noexcept {
  return mutable_buffer(b.data(), std::min(b.size(), cap));
}

[[nodiscard]] inline const_buffer buffer(const const_buffer& b,
                                         std::size_t cap = detail::no_size_cap) noexcept {
  return const_buffer(b.data(), std::min(b.size(), cap));
}

[[nodiscard]] inline mutable_buffer buffer(void* data, std::size_t size) noexcept {
  return mutable_buffer(data, size);
}

[[nodiscard]] inline const_buffer buffer(const void* data, std::size_t size) noexcept {
  return const_buffer(data, size);
}

template <typename T, std::size_t N>
[[nodiscard]] auto buffer(T (&data)[N], std::size_t cap = detail::no_size_cap) noexcept {
  return detail::capped_buffer(data, N, cap);
}

template <typename T, std::size_t N>
[[nodiscard]] auto buffer(std::array<T, N>& data, std::size_t cap = detail::no_size_cap) noexcept {
  return detail::capped_buffer(data.data(), N, cap);
}

template <typename T, std::size_t N>
[[nodiscard]] const_buffer buffer(const std::array<T, N>& data,
                                  std::size_t cap = detail::no_size_cap) noexcept {
  return detail::capped_buffer(data.data(), N, cap);
}

template <typename T, typename Allocator>
[[nodiscard]] mutable_buffer buffer(std::vector<T, Allocator>& data,
                                    std::size_t cap = detail::no_size_cap) noexcept {
  return detail::capped_buffer(data.data(), data.size(), cap);
}

template <typename T, typename Allocator>
[[nodiscard]] const_buffer buffer(const std::vector<T, Allocator>& data,
                                  std::size_t cap = detail::no_size_cap) noexcept {
  return detail::capped_buffer(data.data(), data.size(), cap);
}

template <typename Char, typename Traits, typename Allocator>
[[nodiscard]] mutable_buffer buffer(std::basic_string<Char, Traits, Allocator>& data,
                                    std::size_t cap = detail::no_size_cap) noexcept {
  return detail::capped_buffer(data.data(), data.size(), cap);
}

template <typename Char, typename Traits, typename Allocator>
[[nodiscard]] const_buffer buffer(const std::basic_string<Char, Traits, Allocator>& data,
                                  std::size_t cap = detail::no_size_cap) noexcept {
  return detail::capped_buffer(data.data(), data.size(), cap);
}

template <typename Char, typename Traits>
[[nodiscard]] const_buffer buffer(std::basic_string_view<Char, Traits> data,
                                  std::size_t cap = detail::no_size_cap) noexcept {
  return detail::capped_buffer(data.data(), data.size(), cap);
}

// ---- Dynamic buffers (DynamicBuffer_v1) --------------------------------------------------------
// Adapt a caller-owned std::string / std::vector. The readable bytes are the front of the
// container; prepare(n) appends n scratch elements after them that commit() keeps or discards.
// Sizes count elements, which are bytes for the char-like element types these are meant for.
// Copies share the container, so an operation can take its own copy of the adapter.

namespace detail {

template <typename Container>
class dynamic_container_buffer {
 public:
  using const_buffers_type = const_buffer;
  using mutable_buffers_type = mutable_buffer;

  explicit dynamic_container_buffer(Container& container,
                                    std::size_t max_size = no_size_cap) noexcept
      : container_(&container), max_size_(max_size) {}

  std::size_t size() const noexcept {
    const std::size_t held = container_->size();
    return std::min(held > prepared_ ? held - prepared_ : 0, max_size_);
  }
  std::size_t max_size() const noexcept { return max_size_; }
  std::size_t capacity() const noexcept { return std::min(container_->capacity(), max_size_); }

  const_buffers_type data() const noexcept { return proa::buffer(*container_, bytes(size())); }

  // Replaces any earlier uncommitted region. Throws std::length_error if size() + n would pass
  // max_size(); the container itself may throw on allocation.
  mutable_buffers_type prepare(std::size_t n) {
    const std::size_t readable = size();
    if (max_size_ - readable < n) throw std::length_error("proa dynamic buffer too long");
    container_->resize(readable + n);
    prepared_ = n;
    return proa::buffer(*container_, bytes(readable + n)) + bytes(readable);
  }

  // Keeps the first n prepared bytes (fewer if fewer were prepared) and drops the rest.
  void commit(std::size_t n) {
    const std::size_t readable = size();
    container_->resize(readable + std::min(n, prepared_));
    prepared_ = 0;
  }

  // Removes up to n readable bytes from the front.
  void consume(std::size_t n) {
    const std::size_t erased = std::min(n, size());
    container_->erase(container_->begin(),
                      container_->begin() + static_cast<std::ptrdiff_t>(erased));
  }

 private:
  static constexpr std::size_t element_size = sizeof(typename Container::value_type);
  static constexpr std::size_t bytes(std::size_t elements) noexcept {
    return elements * element_size;
  }

  Container* container_;
  std::size_t max_size_;
  std::size_t prepared_ = 0;  // scratch elements at the container's end awaiting commit()
};

}  // namespace detail

template <typename Char, typename Traits = std::char_traits<Char>,
          typename Allocator = std::allocator<Char>>
class dynamic_string_buffer
    : public detail::dynamic_container_buffer<std::basic_string<Char, Traits, Allocator>> {
 public:
  using detail::dynamic_container_buffer<
      std::basic_string<Char, Traits, Allocator>>::dynamic_container_buffer;
};

template <typename T, typename Allocator = std::allocator<T>>
class dynamic_vector_buffer
    : public detail::dynamic_container_buffer<std::vector<T, Allocator>> {
 public:
  using detail::dynamic_container_buffer<std::vector<T, Allocator>>::dynamic_container_buffer;
};

template <typename Char, typename Traits, typename Allocator>
[[nodiscard]] dynamic_string_buffer<Char, Traits, Allocator> dynamic_buffer(
    std::basic_string<Char, Traits, Allocator>& data,
    std::size_t max_size = detail::no_size_cap) noexcept {
  return dynamic_string_buffer<Char, Traits, Allocator>(data, max_size);
}

template <typename T, typename Allocator>
[[nodiscard]] dynamic_vector_buffer<T, Allocator> dynamic_buffer(
    std::vector<T, Allocator>& data, std::size_t max_size = detail::no_size_cap) noexcept {
  return dynamic_vector_buffer<T, Allocator>(data, max_size);
}

namespace detail {

// How many bytes a read into `buffer` should ask for: at least 512 (or the spare capacity, if
// larger) so small reads do not cost a syscall each, never more than `limit` or than max_size()
// leaves room for.
template <dynamic_buffer_v1 DynamicBuffer>
std::size_t dynamic_buffer_read_size(const DynamicBuffer& buffer, std::size_t limit) noexcept {
  const std::size_t size = buffer.size();
  const std::size_t spare = buffer.capacity() > size ? buffer.capacity() - size : 0;
  const std::size_t room = buffer.max_size() > size ? buffer.max_size() - size : 0;
  return std::min(std::max<std::size_t>(512, spare), std::min(limit, room));
}

}  // namespace detail

}  // namespace proa
