// Behaviour of the buffer layer as Asio 1.22 defines it: buffer() sizes and const-ness,
// buffer_size / buffer_copy over uneven sequences, dynamic string/vector buffers, streambuf with
// iostreams, max_size errors and the transfer_* completion conditions. Built against proa and
// against Asio (see runtime_under_test.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <istream>
#include <numeric>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "tests/runtime_under_test.hpp"

namespace {

std::vector<unsigned char> pattern(std::size_t n) {
  std::vector<unsigned char> bytes(n);
  std::iota(bytes.begin(), bytes.end(), static_cast<unsigned char>(1));
  return bytes;
}

// Consecutive buffers over `storage`, of the given sizes.
template <typename Buffer, typename Byte>
std::vector<Buffer> split(std::vector<Byte>& storage, const std::vector<std::size_t>& sizes) {
  std::vector<Buffer> out;
  std::size_t offset = 0;
  for (std::size_t n : sizes) {
    out.push_back(Buffer(storage.data() + offset, n));
    offset += n;
  }
  return out;
}

template <typename ConstBuffers>
std::string as_string(const ConstBuffers& buffers) {
  std::string out;
  for (auto it = rt::buffer_sequence_begin(buffers); it != rt::buffer_sequence_end(buffers);
       ++it) {
    const rt::const_buffer b(*it);
    out.append(static_cast<const char*>(b.data()), b.size());
  }
  return out;
}

// What a composed read does with the DynamicBuffer it was handed by value.
template <typename DynamicBuffer>
void append_as_a_read_would(DynamicBuffer buffer, std::string_view bytes) {
  auto space = buffer.prepare(bytes.size() + 16);
  const std::size_t copied = rt::buffer_copy(space, rt::buffer(bytes));
  buffer.commit(copied);
}

TEST(NetBuffer, FactoriesCountBytesAndHonourMaxSize) {
  int ints[5] = {};
  std::array<std::uint16_t, 3> shorts{};
  std::vector<double> doubles(4);
  std::vector<double> no_doubles;
  std::string text = "hello";
  std::u32string wide = U"ab";
  std::string_view view = "a view";

  EXPECT_EQ(rt::buffer(ints).size(), sizeof ints);
  EXPECT_EQ(rt::buffer(ints, 7).size(), 7u);
  EXPECT_EQ(rt::buffer(ints, 1000).size(), sizeof ints);
  EXPECT_EQ(rt::buffer(shorts).size(), 6u);
  EXPECT_EQ(rt::buffer(doubles).size(), 32u);
  EXPECT_EQ(rt::buffer(doubles).data(), doubles.data());
  EXPECT_EQ(rt::buffer(no_doubles).size(), 0u);
  EXPECT_EQ(rt::buffer(text).size(), 5u);
  EXPECT_EQ(rt::buffer(text, 2).size(), 2u);
  EXPECT_EQ(rt::buffer(wide).size(), 8u);
  EXPECT_EQ(rt::buffer(view).size(), 6u);
  EXPECT_EQ(rt::buffer(view).data(), view.data());
  EXPECT_EQ(rt::buffer("lit").size(), 4u);
  EXPECT_EQ(rt::buffer(static_cast<void*>(ints), 3).size(), 3u);
  EXPECT_EQ(rt::buffer(rt::mutable_buffer(ints, 20), 8).size(), 8u);
  EXPECT_EQ(rt::buffer(rt::const_buffer(ints, 20), 80).size(), 20u);
}

TEST(NetBuffer, ConstSourcesGiveConstBuffers) {
  const std::string text = "x";
  const std::vector<char> chars(2);
  const char raw[3] = {};
  std::string mutable_text = "y";
  static_assert(!std::is_convertible_v<decltype(rt::buffer(text)), rt::mutable_buffer>);
  static_assert(!std::is_convertible_v<decltype(rt::buffer(chars)), rt::mutable_buffer>);
  static_assert(!std::is_convertible_v<decltype(rt::buffer(raw)), rt::mutable_buffer>);
  static_assert(
      !std::is_convertible_v<decltype(rt::buffer(std::string_view(text))), rt::mutable_buffer>);
  static_assert(std::is_convertible_v<decltype(rt::buffer(mutable_text)), rt::mutable_buffer>);
  static_assert(std::is_convertible_v<decltype(rt::buffer(mutable_text)), rt::const_buffer>);
}

TEST(NetBuffer, OffsetsClampAtTheEnd) {
  char bytes[6] = {};
  rt::mutable_buffer b(bytes, sizeof bytes);
  EXPECT_EQ((b + 4).size(), 2u);
  EXPECT_EQ((b + 4).data(), bytes + 4);
  EXPECT_EQ((b + 60).size(), 0u);
  EXPECT_EQ((b + 60).data(), bytes + 6);
  b += 5;
  EXPECT_EQ(b.size(), 1u);
  rt::const_buffer c(bytes, 3);
  c += 10;
  EXPECT_EQ(c.size(), 0u);
}

TEST(NetBuffer, SequenceTraits) {
  static_assert(rt::is_mutable_buffer_sequence<rt::mutable_buffer>::value);
  static_assert(!rt::is_mutable_buffer_sequence<rt::const_buffer>::value);
  static_assert(rt::is_const_buffer_sequence<rt::mutable_buffer>::value);
  static_assert(rt::is_const_buffer_sequence<std::vector<rt::mutable_buffer>>::value);
  static_assert(!rt::is_mutable_buffer_sequence<std::vector<rt::const_buffer>>::value);
  static_assert(rt::is_const_buffer_sequence<std::array<rt::const_buffer, 4>>::value);
  static_assert(!rt::is_const_buffer_sequence<std::string>::value);
  static_assert(!rt::is_const_buffer_sequence<int>::value);

  std::string text;
  std::vector<char> chars;
  static_assert(rt::is_dynamic_buffer<decltype(rt::dynamic_buffer(text))>::value);
  static_assert(rt::is_dynamic_buffer<decltype(rt::dynamic_buffer(chars))>::value);
  static_assert(rt::is_dynamic_buffer<rt::streambuf>::value);
  static_assert(!rt::is_dynamic_buffer<std::string>::value);
  static_assert(!rt::is_dynamic_buffer<rt::mutable_buffer>::value);
}

TEST(NetBuffer, BufferSizeSumsTheSequence) {
  char bytes[64] = {};
  std::vector<rt::const_buffer> seq{rt::const_buffer(bytes, 5), rt::const_buffer(),
                                    rt::const_buffer(bytes, 11)};
  EXPECT_EQ(rt::buffer_size(seq), 16u);
  EXPECT_EQ(rt::buffer_size(rt::buffer(bytes)), 64u);
  EXPECT_EQ(rt::buffer_size(std::vector<rt::mutable_buffer>()), 0u);
}

TEST(NetBuffer, CopyAcrossUnevenSequences) {
  auto source_bytes = pattern(20);
  std::vector<unsigned char> target_bytes(20, 0);
  const auto source = split<rt::const_buffer>(source_bytes, {7, 0, 6, 7});
  const auto target = split<rt::mutable_buffer>(target_bytes, {2, 9, 0, 4, 5});
  EXPECT_EQ(rt::buffer_copy(target, source), 20u);
  EXPECT_EQ(target_bytes, source_bytes);
}

TEST(NetBuffer, CopyStopsAtMaxOrShorterSide) {
  auto source_bytes = pattern(20);
  const auto source = split<rt::const_buffer>(source_bytes, {7, 6, 7});

  std::vector<unsigned char> capped(20, 0);
  EXPECT_EQ(rt::buffer_copy(split<rt::mutable_buffer>(capped, {3, 3, 14}), source, 9), 9u);
  EXPECT_TRUE(std::equal(capped.begin(), capped.begin() + 9, source_bytes.begin()));
  EXPECT_EQ(capped[9], 0);

  std::vector<unsigned char> short_target(8, 0);
  EXPECT_EQ(rt::buffer_copy(rt::buffer(short_target), source), 8u);
  EXPECT_TRUE(std::equal(short_target.begin(), short_target.end(), source_bytes.begin()));

  std::vector<unsigned char> long_target(30, 0);
  EXPECT_EQ(rt::buffer_copy(split<rt::mutable_buffer>(long_target, {10, 20}),
                            rt::buffer(source_bytes, 13)),
            13u);
  EXPECT_EQ(long_target[12], 13);
  EXPECT_EQ(long_target[13], 0);
}

TEST(NetBuffer, DynamicStringBufferPrepareCommitConsume) {
  std::string text = "ab";
  auto dynamic = rt::dynamic_buffer(text);
  EXPECT_EQ(dynamic.size(), 2u);
  auto space = dynamic.prepare(5);
  EXPECT_EQ(rt::buffer_size(space), 5u);
  std::memcpy(rt::mutable_buffer(space).data(), "cdefg", 5);
  EXPECT_EQ(dynamic.size(), 2u);
  dynamic.commit(3);
  EXPECT_EQ(text, "abcde");
  EXPECT_EQ(as_string(dynamic.data()), "abcde");
  dynamic.consume(2);
  EXPECT_EQ(text, "cde");
  EXPECT_EQ(dynamic.size(), 3u);
  dynamic.consume(99);
  EXPECT_EQ(text, "");
}

TEST(NetBuffer, DynamicBufferCopiesShareTheContainer) {
  std::string text = "GET ";
  append_as_a_read_would(rt::dynamic_buffer(text), "/index.html");
  EXPECT_EQ(text, "GET /index.html");

  std::vector<char> chars{'1'};
  append_as_a_read_would(rt::dynamic_buffer(chars), "23");
  EXPECT_EQ(std::string(chars.begin(), chars.end()), "123");
}

TEST(NetBuffer, DynamicBufferMaxSizeThrowsLengthError) {
  std::string text = "1234";
  auto dynamic = rt::dynamic_buffer(text, 6);
  EXPECT_EQ(dynamic.max_size(), 6u);
  EXPECT_THROW((void)dynamic.prepare(3), std::length_error);
  EXPECT_EQ(text, "1234");
  (void)dynamic.prepare(2);
  dynamic.commit(2);
  EXPECT_EQ(dynamic.size(), 6u);
  EXPECT_THROW((void)dynamic.prepare(1), std::length_error);

  std::vector<unsigned char> bytes;
  auto vector_dynamic = rt::dynamic_buffer(bytes, 3);
  EXPECT_THROW((void)vector_dynamic.prepare(4), std::length_error);
  EXPECT_EQ(rt::buffer_size(vector_dynamic.prepare(3)), 3u);
}

TEST(NetBuffer, StreambufWithIostreams) {
  rt::streambuf sb;
  std::ostream os(&sb);
  os << "GET /path HTTP/1.1\r\nHost: x\r\n";
  EXPECT_EQ(sb.size(), 29u);
  std::istream is(&sb);
  std::string method, path, version;
  is >> method >> path >> version;
  EXPECT_EQ(method, "GET");
  EXPECT_EQ(path, "/path");
  EXPECT_EQ(version, "HTTP/1.1");
  EXPECT_EQ(as_string(sb.data()), "\r\nHost: x\r\n");
  sb.consume(2);
  std::string header;
  std::getline(is, header);
  EXPECT_EQ(header, "Host: x\r");
  EXPECT_EQ(sb.size(), 0u) << "getline consumes the newline too";
}

TEST(NetBuffer, StreambufPrepareCommitThenRead) {
  rt::streambuf sb;
  auto space = sb.prepare(1000);
  EXPECT_EQ(rt::buffer_size(space), 1000u);
  const std::string payload = "42 words\n";
  rt::buffer_copy(space, rt::buffer(payload));
  sb.commit(payload.size());
  EXPECT_EQ(sb.size(), payload.size());
  std::istream is(&sb);
  int number = 0;
  std::string word;
  is >> number >> word;
  EXPECT_EQ(number, 42);
  EXPECT_EQ(word, "words");
  sb.consume(sb.size());
  EXPECT_EQ(sb.size(), 0u);
  EXPECT_GE(sb.capacity(), 1000u);
}

TEST(NetBuffer, StreambufMaxSize) {
  rt::streambuf sb(200);
  EXPECT_EQ(sb.max_size(), 200u);
  EXPECT_THROW((void)sb.prepare(201), std::length_error);
  std::ostream os(&sb);
  os << std::string(150, 'x');
  EXPECT_TRUE(os.good());
  EXPECT_THROW((void)sb.prepare(51), std::length_error);
  os << std::string(100, 'y');
  EXPECT_TRUE(os.bad());
  EXPECT_EQ(sb.size(), 200u);
  EXPECT_EQ(as_string(sb.data()), std::string(150, 'x') + std::string(50, 'y'));
  sb.consume(120);
  EXPECT_EQ(rt::buffer_size(sb.prepare(120)), 120u) << "consumed bytes free room again";
}

TEST(NetBuffer, CompletionConditions) {
  const rt_error_code ok;
  const rt_error_code failed = std::make_error_code(std::errc::connection_reset);
  auto all = rt::transfer_all();
  EXPECT_EQ(all(ok, 0), 65536u);
  EXPECT_EQ(all(ok, 1000000), 65536u);
  EXPECT_EQ(all(failed, 3), 0u);

  auto at_least = rt::transfer_at_least(10);
  EXPECT_EQ(at_least(ok, 9), 65536u);
  EXPECT_EQ(at_least(ok, 10), 0u);
  EXPECT_EQ(at_least(failed, 0), 0u);

  auto exactly = rt::transfer_exactly(70000);
  EXPECT_EQ(exactly(ok, 0), 65536u);
  EXPECT_EQ(exactly(ok, 69000), 1000u);
  EXPECT_EQ(exactly(ok, 70000), 0u);
  EXPECT_EQ(exactly(failed, 5), 0u);
}

}  // namespace
