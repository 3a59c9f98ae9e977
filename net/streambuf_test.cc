// Unit tests for net/streambuf.hpp: the DynamicBuffer_v1 side (prepare/commit/consume/data),
// the std::istream / std::ostream side, the two mixed, and max_size enforcement.
#include "net/streambuf.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <istream>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>

namespace {

std::string contents(const proa::streambuf& sb) {
  const proa::const_buffer readable = sb.data();
  return std::string(static_cast<const char*>(readable.data()), readable.size());
}

// Writes `text` the way a socket read would: prepare, fill, commit.
void receive(proa::streambuf& sb, const std::string& text) {
  proa::mutable_buffer space = sb.prepare(text.size());
  ASSERT_EQ(space.size(), text.size());
  std::memcpy(space.data(), text.data(), text.size());
  sb.commit(text.size());
}

TEST(Streambuf, StartsEmpty) {
  proa::streambuf sb;
  EXPECT_EQ(sb.size(), 0u);
  EXPECT_EQ(sb.data().size(), 0u);
  EXPECT_EQ(sb.max_size(), std::numeric_limits<std::size_t>::max());
  static_assert(proa::is_dynamic_buffer<proa::streambuf>::value);
  static_assert(proa::is_dynamic_buffer<proa::basic_streambuf_ref<>>::value);
}

TEST(Streambuf, PrepareCommitConsume) {
  proa::streambuf sb;
  proa::mutable_buffer space = sb.prepare(10);
  EXPECT_EQ(space.size(), 10u);
  std::memcpy(space.data(), "0123456789", 10);
  EXPECT_EQ(sb.size(), 0u) << "prepared bytes are not readable before commit";
  sb.commit(6);
  EXPECT_EQ(contents(sb), "012345");
  sb.commit(4);
  EXPECT_EQ(contents(sb), "0123456789");
  sb.consume(3);
  EXPECT_EQ(contents(sb), "3456789");
  sb.consume(1000);
  EXPECT_EQ(sb.size(), 0u);
}

TEST(Streambuf, OstreamAppendsAndIstreamReads) {
  proa::streambuf sb;
  std::ostream os(&sb);
  os << "hello " << 42 << ' ' << 2.5 << '\n';
  EXPECT_EQ(contents(sb), "hello 42 2.5\n");
  std::istream is(&sb);
  std::string word;
  int number = 0;
  double fraction = 0;
  is >> word >> number >> fraction;
  EXPECT_EQ(word, "hello");
  EXPECT_EQ(number, 42);
  EXPECT_EQ(fraction, 2.5);
  EXPECT_EQ(contents(sb), "\n") << "what the istream read is consumed";
}

TEST(Streambuf, IstreamSeesCommittedBytesAfterReachingEnd) {
  proa::streambuf sb;
  receive(sb, "first line\nsecond ");
  std::istream is(&sb);
  std::string line;
  ASSERT_TRUE(std::getline(is, line));
  EXPECT_EQ(line, "first line");
  // No newline yet: getline takes the partial line and reports end of input.
  ASSERT_TRUE(std::getline(is, line));
  EXPECT_EQ(line, "second ");
  EXPECT_TRUE(is.eof());
  EXPECT_EQ(sb.size(), 0u);
  is.clear();
  receive(sb, "half\n");
  ASSERT_TRUE(std::getline(is, line));
  EXPECT_EQ(line, "half");
  EXPECT_EQ(sb.size(), 0u);
}

TEST(Streambuf, LargeWritesAndReadsKeepOrder) {
  proa::streambuf sb;
  std::ostream os(&sb);
  std::string expected;
  for (int i = 0; i < 2000; ++i) {
    os << i << ',';
    expected += std::to_string(i) + ',';
  }
  EXPECT_EQ(contents(sb), expected);
  EXPECT_GE(sb.capacity(), expected.size());
  sb.consume(expected.size() - 5);
  // Reusing the consumed front must keep the unread tail intact.
  receive(sb, std::string(300, 'x'));
  EXPECT_EQ(contents(sb), expected.substr(expected.size() - 5) + std::string(300, 'x'));
}

TEST(Streambuf, PrepareSlidesReadableBytesOverConsumedOnes) {
  proa::streambuf sb(64);
  receive(sb, std::string(60, 'a'));
  sb.consume(50);
  // 10 readable + 50 new fits in max_size 64 only because the consumed 50 are reclaimed.
  proa::mutable_buffer space = sb.prepare(50);
  EXPECT_EQ(space.size(), 50u);
  std::memset(space.data(), 'b', 50);
  sb.commit(50);
  EXPECT_EQ(contents(sb), std::string(10, 'a') + std::string(50, 'b'));
}

TEST(Streambuf, PreparePastMaxSizeThrowsAndChangesNothing) {
  proa::streambuf sb(16);
  EXPECT_EQ(sb.max_size(), 16u);
  receive(sb, "0123456789");
  sb.consume(2);
  EXPECT_THROW((void)sb.prepare(9), std::length_error);
  EXPECT_EQ(contents(sb), "23456789");
  EXPECT_EQ(sb.prepare(8).size(), 8u);
  EXPECT_THROW((void)sb.prepare(std::numeric_limits<std::size_t>::max()), std::length_error);
}

TEST(Streambuf, OstreamPastMaxSizeStopsAtMaxSize) {
  proa::streambuf sb(200);
  std::ostream os(&sb);
  os << std::string(150, 'x');
  EXPECT_TRUE(os.good());
  os << std::string(100, 'y');
  EXPECT_TRUE(os.bad()) << "the length_error surfaces as badbit";
  EXPECT_EQ(sb.size(), 200u);
  EXPECT_EQ(contents(sb), std::string(150, 'x') + std::string(50, 'y'));
}

TEST(Streambuf, OstreamRethrowsLengthErrorWhenAsked) {
  proa::streambuf sb(10);
  std::ostream os(&sb);
  os.exceptions(std::ios::badbit);
  EXPECT_THROW(os << "more than ten bytes", std::length_error);
}

TEST(Streambuf, ZeroMaxSizeAcceptsNothing) {
  proa::streambuf sb(0);
  EXPECT_EQ(sb.prepare(0).size(), 0u);
  EXPECT_THROW((void)sb.prepare(1), std::length_error);
  std::ostream os(&sb);
  os << 'x';
  EXPECT_TRUE(os.bad());
}

TEST(StreambufRef, ForwardsToTheStreambuf) {
  proa::streambuf sb(100);
  proa::basic_streambuf_ref<> ref(sb);
  auto copy = ref;
  proa::mutable_buffer space = copy.prepare(3);
  std::memcpy(space.data(), "abc", 3);
  copy.commit(3);
  EXPECT_EQ(ref.size(), 3u);
  EXPECT_EQ(ref.max_size(), 100u);
  EXPECT_EQ(ref.capacity(), sb.capacity());
  EXPECT_EQ(ref.data().data(), sb.data().data());
  ref.consume(1);
  EXPECT_EQ(contents(sb), "bc");
}

}  // namespace
