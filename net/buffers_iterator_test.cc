// Unit tests of buffers_iterator: walking, random access and writing across buffer boundaries,
// including empty buffers inside the sequence.
#include "net/buffers_iterator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <string>
#include <vector>

namespace {

static_assert(std::random_access_iterator<proa::buffers_iterator<std::vector<proa::const_buffer>>>);
static_assert(std::random_access_iterator<proa::buffers_iterator<proa::mutable_buffer>>);
static_assert(std::is_same_v<proa::buffers_iterator<proa::const_buffer>::reference, const char&>);
static_assert(std::is_same_v<proa::buffers_iterator<proa::mutable_buffer>::reference, char&>);

TEST(BuffersIterator, WalksBytesAcrossBuffersSkippingEmptyOnes) {
  const std::string a = "ab";
  const std::string c = "cde";
  const std::vector<proa::const_buffer> sequence = {
      proa::const_buffer(), proa::buffer(a), proa::const_buffer(), proa::buffer(c),
      proa::const_buffer()};
  EXPECT_EQ(std::string(proa::buffers_begin(sequence), proa::buffers_end(sequence)), "abcde");
  EXPECT_EQ(proa::buffers_end(sequence) - proa::buffers_begin(sequence), 5);

  std::string backwards;
  for (auto it = proa::buffers_end(sequence); it != proa::buffers_begin(sequence);) {
    backwards += *--it;
  }
  EXPECT_EQ(backwards, "edcba");
}

TEST(BuffersIterator, RandomAccessMatchesByteOffsets) {
  const std::string a = "0123";
  const std::string b = "45";
  const std::string c = "6789";
  const std::array<proa::const_buffer, 3> sequence = {proa::buffer(a), proa::buffer(b),
                                                      proa::buffer(c)};
  const auto begin = proa::buffers_begin(sequence);
  const auto end = proa::buffers_end(sequence);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(begin[i], static_cast<char>('0' + i)) << i;
    EXPECT_EQ(*(end - (10 - i)), static_cast<char>('0' + i)) << i;
    EXPECT_EQ((begin + i) - begin, i);
  }
  auto it = begin + 7;
  it -= 5;
  EXPECT_EQ(*it, '2');
  it += 4;
  EXPECT_EQ(*it, '6');
  EXPECT_TRUE(begin < it);
  EXPECT_EQ(begin + 10, end);
  EXPECT_EQ(std::find(begin, end, '5') - begin, 5);
}

TEST(BuffersIterator, WritesThroughMutableSequence) {
  char first[3] = {};
  char second[2] = {};
  const std::vector<proa::mutable_buffer> sequence = {proa::buffer(first), proa::buffer(second)};
  const std::string source = "hello";
  std::copy(source.begin(), source.end(), proa::buffers_begin(sequence));
  EXPECT_EQ(std::string(first, 3), "hel");
  EXPECT_EQ(std::string(second, 2), "lo");
}

TEST(BuffersIterator, EmptySequenceBeginEqualsEnd) {
  const std::vector<proa::const_buffer> sequence;
  EXPECT_EQ(proa::buffers_begin(sequence), proa::buffers_end(sequence));
}

}  // namespace
