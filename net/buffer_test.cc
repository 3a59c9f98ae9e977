// Unit tests for net/buffer.hpp: buffer classes, buffer() factories, sequence traits,
// buffer_size / buffer_copy over uneven sequences, and the string / vector dynamic buffers.
#include "net/buffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <list>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace {

using proa::const_buffer;
using proa::mutable_buffer;

// Bytes 0, 1, 2, ... so any misplaced copy shows up as a wrong value.
std::vector<unsigned char> pattern(std::size_t n, unsigned char first = 0) {
  std::vector<unsigned char> bytes(n);
  std::iota(bytes.begin(), bytes.end(), first);
  return bytes;
}

// Concatenated contents of a sequence, to compare across buffer boundaries.
template <typename Buffers>
std::vector<unsigned char> flatten(const Buffers& buffers) {
  std::vector<unsigned char> out;
  for (auto it = proa::buffer_sequence_begin(buffers); it != proa::buffer_sequence_end(buffers);
       ++it) {
    const const_buffer b(*it);
    const auto* p = static_cast<const unsigned char*>(b.data());
    out.insert(out.end(), p, p + b.size());
  }
  return out;
}

TEST(Buffer, DefaultIsEmptyAndNull) {
  mutable_buffer m;
  const_buffer c;
  EXPECT_EQ(m.data(), nullptr);
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(c.data(), nullptr);
  EXPECT_EQ(c.size(), 0u);
}

TEST(Buffer, OffsetAdvancesAndClampsAtEnd) {
  char bytes[10] = {};
  mutable_buffer m(bytes, sizeof bytes);
  m += 3;
  EXPECT_EQ(m.data(), bytes + 3);
  EXPECT_EQ(m.size(), 7u);
  const mutable_buffer past = m + 100;
  EXPECT_EQ(past.data(), bytes + 10);
  EXPECT_EQ(past.size(), 0u);
  const mutable_buffer from_left = 2 + m;
  EXPECT_EQ(from_left.data(), bytes + 5);
  EXPECT_EQ(from_left.size(), 5u);

  const_buffer c = m;  // mutable converts to const
  c += 7;
  EXPECT_EQ(c.data(), bytes + 10);
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ((const_buffer(bytes, 4) + 1).size(), 3u);
  EXPECT_EQ((1 + const_buffer(bytes, 4)).data(), bytes + 1);
}

TEST(Buffer, ConstDoesNotConvertToMutable) {
  static_assert(std::is_convertible_v<mutable_buffer, const_buffer>);
  static_assert(!std::is_convertible_v<const_buffer, mutable_buffer>);
}

TEST(BufferFactory, PointerAndSize) {
  char bytes[8] = {};
  const char* read_only = bytes;
  auto m = proa::buffer(static_cast<void*>(bytes), 5);
  auto c = proa::buffer(static_cast<const void*>(read_only), 6);
  static_assert(std::is_same_v<decltype(m), mutable_buffer>);
  static_assert(std::is_same_v<decltype(c), const_buffer>);
  EXPECT_EQ(m.data(), bytes);
  EXPECT_EQ(m.size(), 5u);
  EXPECT_EQ(c.size(), 6u);
}

TEST(BufferFactory, BufferOfBufferIsCappedByMaxSize) {
  char bytes[8] = {};
  EXPECT_EQ(proa::buffer(mutable_buffer(bytes, 8), 3).size(), 3u);
  EXPECT_EQ(proa::buffer(mutable_buffer(bytes, 8), 30).size(), 8u);
  EXPECT_EQ(proa::buffer(const_buffer(bytes, 8), 0).size(), 0u);
  EXPECT_EQ(proa::buffer(const_buffer(bytes, 8)).size(), 8u);
}

TEST(BufferFactory, CArraysCountBytesNotElements) {
  int ints[4] = {};
  const int const_ints[3] = {};
  auto m = proa::buffer(ints);
  auto c = proa::buffer(const_ints);
  static_assert(std::is_same_v<decltype(m), mutable_buffer>);
  static_assert(std::is_same_v<decltype(c), const_buffer>);
  EXPECT_EQ(m.data(), ints);
  EXPECT_EQ(m.size(), 4 * sizeof(int));
  EXPECT_EQ(c.size(), 3 * sizeof(int));
  EXPECT_EQ(proa::buffer(ints, 5).size(), 5u);
  EXPECT_EQ(proa::buffer(ints, 1000).size(), 4 * sizeof(int));
  // A string literal is a const char array, terminator included.
  EXPECT_EQ(proa::buffer("abc").size(), 4u);
}

TEST(BufferFactory, StdArray) {
  std::array<short, 5> shorts{};
  const std::array<short, 5>& const_ref = shorts;
  std::array<const char, 3> const_elements{'a', 'b', 'c'};
  static_assert(std::is_same_v<decltype(proa::buffer(shorts)), mutable_buffer>);
  static_assert(std::is_same_v<decltype(proa::buffer(const_ref)), const_buffer>);
  static_assert(std::is_same_v<decltype(proa::buffer(const_elements)), const_buffer>);
  EXPECT_EQ(proa::buffer(shorts).size(), 10u);
  EXPECT_EQ(proa::buffer(shorts, 7).size(), 7u);
  EXPECT_EQ(proa::buffer(const_ref).data(), shorts.data());
  EXPECT_EQ(proa::buffer(const_elements, 2).size(), 2u);
}

TEST(BufferFactory, VectorEmptyGivesNullData) {
  std::vector<double> values(3);
  std::vector<double> none;
  const std::vector<double>& const_values = values;
  static_assert(std::is_same_v<decltype(proa::buffer(values)), mutable_buffer>);
  static_assert(std::is_same_v<decltype(proa::buffer(const_values)), const_buffer>);
  EXPECT_EQ(proa::buffer(values).size(), 3 * sizeof(double));
  EXPECT_EQ(proa::buffer(values).data(), values.data());
  EXPECT_EQ(proa::buffer(const_values, 9).size(), 9u);
  EXPECT_EQ(proa::buffer(none).data(), nullptr);
  EXPECT_EQ(proa::buffer(none).size(), 0u);
}

TEST(BufferFactory, StringsAndViews) {
  std::string text = "hello world";
  const std::string& const_text = text;
  std::u16string wide = u"wide";
  std::string_view view = std::string_view(text).substr(6);
  static_assert(std::is_same_v<decltype(proa::buffer(text)), mutable_buffer>);
  static_assert(std::is_same_v<decltype(proa::buffer(const_text)), const_buffer>);
  static_assert(std::is_same_v<decltype(proa::buffer(view)), const_buffer>);
  EXPECT_EQ(proa::buffer(text).data(), text.data());
  EXPECT_EQ(proa::buffer(text).size(), 11u);
  EXPECT_EQ(proa::buffer(const_text, 5).size(), 5u);
  EXPECT_EQ(proa::buffer(wide).size(), 4 * sizeof(char16_t));
  EXPECT_EQ(proa::buffer(view).data(), text.data() + 6);
  EXPECT_EQ(proa::buffer(view, 2).size(), 2u);
  EXPECT_EQ(proa::buffer(std::string_view()).size(), 0u);
}

TEST(BufferSequence, TraitsClassifyTypes) {
  static_assert(proa::is_mutable_buffer_sequence<mutable_buffer>::value);
  static_assert(proa::is_const_buffer_sequence<mutable_buffer>::value);
  static_assert(!proa::is_mutable_buffer_sequence<const_buffer>::value);
  static_assert(proa::is_const_buffer_sequence<const_buffer>::value);
  static_assert(proa::is_mutable_buffer_sequence<std::vector<mutable_buffer>>::value);
  static_assert(proa::is_const_buffer_sequence<std::array<mutable_buffer, 2>>::value);
  static_assert(!proa::is_mutable_buffer_sequence<std::vector<const_buffer>>::value);
  static_assert(proa::is_const_buffer_sequence<std::list<const_buffer>>::value);
  static_assert(!proa::is_const_buffer_sequence<std::string>::value);
  static_assert(!proa::is_const_buffer_sequence<std::vector<char>>::value);
  static_assert(!proa::is_const_buffer_sequence<int>::value);
  static_assert(!proa::is_const_buffer_sequence<const_buffer*>::value);

  static_assert(proa::is_dynamic_buffer<proa::dynamic_string_buffer<char>>::value);
  static_assert(proa::is_dynamic_buffer<proa::dynamic_vector_buffer<unsigned char>>::value);
  static_assert(!proa::is_dynamic_buffer<std::string>::value);
  static_assert(!proa::is_dynamic_buffer<mutable_buffer>::value);
}

TEST(BufferSequence, SingleBufferIsSequenceOfItself) {
  char bytes[4] = {};
  const mutable_buffer b(bytes, 4);
  auto first = proa::buffer_sequence_begin(b);
  auto last = proa::buffer_sequence_end(b);
  EXPECT_EQ(last - first, 1);
  EXPECT_EQ(first->data(), bytes);
}

TEST(BufferSize, SumsEveryElement) {
  char bytes[100] = {};
  std::vector<const_buffer> seq{const_buffer(bytes, 3), const_buffer(), const_buffer(bytes, 40)};
  std::array<mutable_buffer, 2> pair{mutable_buffer(bytes, 7), mutable_buffer(bytes, 1)};
  std::list<const_buffer> listed{const_buffer(bytes, 9), const_buffer(bytes, 90)};
  EXPECT_EQ(proa::buffer_size(seq), 43u);
  EXPECT_EQ(proa::buffer_size(pair), 8u);
  EXPECT_EQ(proa::buffer_size(listed), 99u);
  EXPECT_EQ(proa::buffer_size(mutable_buffer(bytes, 17)), 17u);
  EXPECT_EQ(proa::buffer_size(std::vector<mutable_buffer>{}), 0u);
}

// Splits `storage` into consecutive buffers of the given sizes.
std::vector<mutable_buffer> split(std::vector<unsigned char>& storage,
                                  const std::vector<std::size_t>& sizes) {
  std::vector<mutable_buffer> out;
  std::size_t offset = 0;
  for (std::size_t n : sizes) {
    out.emplace_back(storage.data() + offset, n);
    offset += n;
  }
  return out;
}

TEST(BufferCopy, UnevenSequencesKeepByteOrder) {
  auto source_bytes = pattern(16, 1);
  std::vector<unsigned char> target_bytes(16, 0);
  const auto source = split(source_bytes, {4, 0, 4, 4, 4});
  const auto target = split(target_bytes, {3, 5, 0, 1, 7});
  EXPECT_EQ(proa::buffer_copy(target, source), 16u);
  EXPECT_EQ(target_bytes, source_bytes);
}

TEST(BufferCopy, StopsAtShorterSide) {
  auto source_bytes = pattern(10, 1);
  std::vector<unsigned char> target_bytes(20, 0);
  const auto source = split(source_bytes, {6, 4});
  const auto target = split(target_bytes, {5, 5, 5, 5});
  EXPECT_EQ(proa::buffer_copy(target, source), 10u);
  EXPECT_TRUE(std::equal(source_bytes.begin(), source_bytes.end(), target_bytes.begin()));
  EXPECT_EQ(target_bytes[10], 0);

  std::vector<unsigned char> small(7, 0);
  EXPECT_EQ(proa::buffer_copy(split(small, {2, 2, 3}), source), 7u);
  EXPECT_TRUE(std::equal(small.begin(), small.end(), source_bytes.begin()));
}

TEST(BufferCopy, MaxBytesCapsMidElement) {
  auto source_bytes = pattern(16, 1);
  std::vector<unsigned char> target_bytes(16, 0);
  const auto source = split(source_bytes, {4, 4, 4, 4});
  const auto target = split(target_bytes, {3, 5, 8});
  EXPECT_EQ(proa::buffer_copy(target, source, 10), 10u);
  EXPECT_TRUE(std::equal(source_bytes.begin(), source_bytes.begin() + 10, target_bytes.begin()));
  EXPECT_EQ(target_bytes[10], 0);
  EXPECT_EQ(proa::buffer_copy(target, source, 0), 0u);
}

TEST(BufferCopy, SingleBuffersOnEitherSide) {
  auto source_bytes = pattern(12, 1);
  std::vector<unsigned char> flat(12, 0);
  const auto source = split(source_bytes, {5, 7});
  // Many into one.
  EXPECT_EQ(proa::buffer_copy(proa::buffer(flat), source), 12u);
  EXPECT_EQ(flat, source_bytes);
  // One into many.
  std::vector<unsigned char> scattered_bytes(12, 0);
  const auto scattered = split(scattered_bytes, {1, 2, 9});
  EXPECT_EQ(proa::buffer_copy(scattered, proa::buffer(source_bytes), 11), 11u);
  EXPECT_TRUE(std::equal(source_bytes.begin(), source_bytes.begin() + 11,
                         scattered_bytes.begin()));
  EXPECT_EQ(scattered_bytes[11], 0);
  // One into one.
  char small[3] = {};
  EXPECT_EQ(proa::buffer_copy(proa::buffer(small), proa::buffer(source_bytes)), 3u);
  EXPECT_EQ(small[2], 3);
}

TEST(BufferCopy, EmptySequencesCopyNothing) {
  char bytes[4] = {};
  EXPECT_EQ(proa::buffer_copy(std::vector<mutable_buffer>{}, proa::buffer("xyz")), 0u);
  EXPECT_EQ(proa::buffer_copy(proa::buffer(bytes), std::vector<const_buffer>{}), 0u);
  EXPECT_EQ(proa::buffer_copy(mutable_buffer(), const_buffer()), 0u);
}

TEST(DynamicStringBuffer, PrepareCommitConsume) {
  std::string text;
  auto dynamic = proa::dynamic_buffer(text);
  EXPECT_EQ(dynamic.size(), 0u);

  auto out = dynamic.prepare(10);
  EXPECT_EQ(out.size(), 10u);
  std::memcpy(out.data(), "abcdefghij", 10);
  EXPECT_EQ(dynamic.size(), 0u) << "prepared bytes are not readable before commit";
  dynamic.commit(4);
  EXPECT_EQ(dynamic.size(), 4u);
  EXPECT_EQ(text, "abcd") << "uncommitted bytes are dropped from the string";
  EXPECT_EQ(std::string(static_cast<const char*>(dynamic.data().data()), dynamic.data().size()),
            "abcd");

  dynamic.consume(1);
  EXPECT_EQ(text, "bcd");
  dynamic.consume(100);
  EXPECT_EQ(text, "");
  EXPECT_EQ(dynamic.size(), 0u);
}

TEST(DynamicStringBuffer, SeesExistingContentAndCopiesShareIt) {
  std::string text = "existing";
  auto dynamic = proa::dynamic_buffer(text);
  EXPECT_EQ(dynamic.size(), 8u);
  auto copy = dynamic;
  auto out = copy.prepare(3);
  std::memcpy(out.data(), "!!!", 3);
  copy.commit(3);
  EXPECT_EQ(text, "existing!!!");
  EXPECT_EQ(dynamic.size(), 11u);
}

TEST(DynamicStringBuffer, SecondPrepareReplacesTheFirst) {
  std::string text = "ab";
  auto dynamic = proa::dynamic_buffer(text);
  (void)dynamic.prepare(100);
  auto out = dynamic.prepare(2);
  EXPECT_EQ(static_cast<char*>(out.data()), text.data() + 2);
  std::memcpy(out.data(), "cd", 2);
  dynamic.commit(50);  // more than prepared: keeps only what was prepared
  EXPECT_EQ(text, "abcd");
  dynamic.commit(5);  // nothing prepared any more
  EXPECT_EQ(text, "abcd");
}

TEST(DynamicStringBuffer, MaxSizeThrowsLengthError) {
  std::string text = "12345";
  auto dynamic = proa::dynamic_buffer(text, 8);
  EXPECT_EQ(dynamic.max_size(), 8u);
  EXPECT_LE(dynamic.capacity(), 8u);
  EXPECT_THROW((void)dynamic.prepare(4), std::length_error);
  EXPECT_EQ(text, "12345") << "a refused prepare changes nothing";
  EXPECT_EQ(dynamic.prepare(3).size(), 3u);
  dynamic.commit(3);
  EXPECT_EQ(dynamic.size(), 8u);
  EXPECT_THROW((void)dynamic.prepare(1), std::length_error);
  EXPECT_EQ(dynamic.prepare(0).size(), 0u);
}

TEST(DynamicVectorBuffer, WorksOverByteVectors) {
  std::vector<unsigned char> bytes{1, 2};
  auto dynamic = proa::dynamic_buffer(bytes, 6);
  auto out = dynamic.prepare(4);
  static_cast<unsigned char*>(out.data())[0] = 3;
  static_cast<unsigned char*>(out.data())[1] = 4;
  dynamic.commit(2);
  EXPECT_EQ(bytes, (std::vector<unsigned char>{1, 2, 3, 4}));
  EXPECT_EQ(flatten(dynamic.data()), bytes);
  dynamic.consume(3);
  EXPECT_EQ(bytes, (std::vector<unsigned char>{4}));
  EXPECT_THROW((void)dynamic.prepare(6), std::length_error);
}

TEST(DynamicBufferReadSize, BoundedByMaxSizeAndLimit) {
  std::string text;
  text.reserve(4000);
  auto roomy = proa::dynamic_buffer(text);
  EXPECT_EQ(proa::detail::dynamic_buffer_read_size(roomy, 65536), text.capacity());
  EXPECT_EQ(proa::detail::dynamic_buffer_read_size(roomy, 100), 100u);

  std::string small = "abc";
  auto capped = proa::dynamic_buffer(small, 10);
  EXPECT_EQ(proa::detail::dynamic_buffer_read_size(capped, 65536), 7u);
  std::string empty;
  EXPECT_EQ(proa::detail::dynamic_buffer_read_size(proa::dynamic_buffer(empty), 65536), 512u);
}

}  // namespace
