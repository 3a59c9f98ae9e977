// Unit tests for net/detail/consuming_buffers.hpp: iovec preparation capped by bytes and by
// entry count, partial consumes landing mid-element, and real writev/readv through a pipe.
#include "net/detail/consuming_buffers.hpp"

#include <gtest/gtest.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <numeric>
#include <utility>
#include <vector>

namespace {

using proa::const_buffer;
using proa::mutable_buffer;
using proa::detail::consuming_buffers;
using proa::detail::max_iovec_entries;
using proa::detail::prepared_iovecs;

std::vector<unsigned char> pattern(std::size_t n) {
  std::vector<unsigned char> bytes(n);
  std::iota(bytes.begin(), bytes.end(), static_cast<unsigned char>(1));
  return bytes;
}

// Consecutive buffers of `storage`, each `sizes[i]` long.
template <typename Buffer, typename Byte>
std::vector<Buffer> split(std::vector<Byte>& storage, const std::vector<std::size_t>& sizes) {
  std::vector<Buffer> out;
  std::size_t offset = 0;
  for (std::size_t n : sizes) {
    out.emplace_back(storage.data() + offset, n);
    offset += n;
  }
  return out;
}

// Concatenated bytes the iovecs point at.
std::vector<unsigned char> gather(const prepared_iovecs& iovecs) {
  std::vector<unsigned char> out;
  for (const iovec& entry : iovecs) {
    const auto* p = static_cast<const unsigned char*>(entry.iov_base);
    out.insert(out.end(), p, p + entry.iov_len);
  }
  return out;
}

TEST(ConsumingBuffers, PrepareCapsBytesAndSkipsEmptyElements) {
  auto bytes = pattern(12);
  const auto buffers = split<const_buffer>(bytes, {4, 0, 5, 3});
  consuming_buffers<std::vector<const_buffer>> walker(buffers);
  EXPECT_FALSE(walker.empty());

  const prepared_iovecs all = walker.prepare(1000);
  ASSERT_EQ(all.count, 3u) << "the empty element gets no entry";
  EXPECT_EQ(all.iovcnt(), 3);
  EXPECT_EQ(all.total_bytes, 12u);
  EXPECT_EQ(gather(all), bytes);

  const prepared_iovecs capped = walker.prepare(6);
  ASSERT_EQ(capped.count, 2u);
  EXPECT_EQ(capped.entries[0].iov_len, 4u);
  EXPECT_EQ(capped.entries[1].iov_len, 2u) << "the last entry is cut to the byte cap";
  EXPECT_EQ(capped.total_bytes, 6u);

  EXPECT_EQ(walker.prepare(0).count, 0u);
  EXPECT_EQ(walker.total_consumed(), 0u) << "prepare does not move the position";
}

TEST(ConsumingBuffers, PartialConsumesLandMidElement) {
  auto bytes = pattern(12);
  const auto buffers = split<const_buffer>(bytes, {4, 0, 5, 3});
  consuming_buffers<std::vector<const_buffer>> walker(buffers);

  walker.consume(3);
  prepared_iovecs next = walker.prepare(1000);
  ASSERT_EQ(next.count, 3u);
  EXPECT_EQ(next.entries[0].iov_base, bytes.data() + 3);
  EXPECT_EQ(next.entries[0].iov_len, 1u);
  EXPECT_EQ(gather(next), std::vector<unsigned char>(bytes.begin() + 3, bytes.end()));

  walker.consume(1);  // exactly to the element boundary
  next = walker.prepare(1000);
  ASSERT_EQ(next.count, 2u);
  EXPECT_EQ(next.entries[0].iov_base, bytes.data() + 4);

  walker.consume(6);  // across a boundary, into the last element
  EXPECT_EQ(walker.total_consumed(), 10u);
  next = walker.prepare(1000);
  ASSERT_EQ(next.count, 1u);
  EXPECT_EQ(next.entries[0].iov_base, bytes.data() + 10);
  EXPECT_EQ(next.entries[0].iov_len, 2u);
  EXPECT_FALSE(walker.empty());

  walker.consume(50);  // more than remains: stops at the end
  EXPECT_TRUE(walker.empty());
  EXPECT_EQ(walker.total_consumed(), 12u);
  EXPECT_EQ(walker.prepare(1000).count, 0u);
}

TEST(ConsumingBuffers, SplitsLongSequencesIntoBatchesOf64) {
  constexpr std::size_t element_count = 150;
  constexpr std::size_t element_size = 3;
  auto bytes = pattern(element_count * element_size);
  const auto buffers =
      split<const_buffer>(bytes, std::vector<std::size_t>(element_count, element_size));
  consuming_buffers<std::vector<const_buffer>> walker(buffers);

  prepared_iovecs first = walker.prepare(1 << 20);
  EXPECT_EQ(first.count, max_iovec_entries);
  EXPECT_EQ(first.total_bytes, max_iovec_entries * element_size);

  // A short write that ends inside element 33.
  walker.consume(100);
  prepared_iovecs second = walker.prepare(1 << 20);
  EXPECT_EQ(second.count, max_iovec_entries);
  EXPECT_EQ(second.entries[0].iov_base, bytes.data() + 100);
  EXPECT_EQ(second.entries[0].iov_len, 2u);
  EXPECT_EQ(second.entries[63].iov_base, bytes.data() + (33 + 63) * element_size);
  EXPECT_EQ(second.total_bytes, 2 + 63 * element_size);

  // Draining batch by batch yields every byte once, in order.
  std::vector<unsigned char> seen(bytes.begin(), bytes.begin() + 100);
  int batches = 0;
  while (!walker.empty()) {
    const prepared_iovecs batch = walker.prepare(1 << 20);
    ASSERT_GT(batch.count, 0u);
    ASSERT_LE(batch.count, max_iovec_entries);
    const auto batch_bytes = gather(batch);
    seen.insert(seen.end(), batch_bytes.begin(), batch_bytes.end());
    walker.consume(batch.total_bytes);
    ++batches;
  }
  EXPECT_EQ(seen, bytes);
  EXPECT_EQ(batches, 2);  // elements 33..149 are left: one batch of 64, one of 53
}

TEST(ConsumingBuffers, SingleBufferSequence) {
  auto bytes = pattern(10);
  consuming_buffers<mutable_buffer> walker(proa::buffer(bytes));
  walker.consume(7);
  const prepared_iovecs rest = walker.prepare(100);
  ASSERT_EQ(rest.count, 1u);
  EXPECT_EQ(rest.entries[0].iov_base, bytes.data() + 7);
  EXPECT_EQ(rest.entries[0].iov_len, 3u);
  walker.consume(3);
  EXPECT_TRUE(walker.empty());
}

TEST(ConsumingBuffers, EmptySequenceIsEmptyFromTheStart) {
  consuming_buffers<std::vector<const_buffer>> none(std::vector<const_buffer>{});
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.prepare(100).count, 0u);
  consuming_buffers<std::array<const_buffer, 2>> zero_sized(std::array<const_buffer, 2>{});
  EXPECT_TRUE(zero_sized.empty());
}

TEST(ConsumingBuffers, MovedWalkerKeepsItsPosition) {
  auto bytes = pattern(8);
  std::array<mutable_buffer, 2> halves{mutable_buffer(bytes.data(), 4),
                                       mutable_buffer(bytes.data() + 4, 4)};
  consuming_buffers<std::array<mutable_buffer, 2>> walker(halves);
  walker.consume(5);
  auto moved = std::move(walker);
  const prepared_iovecs rest = moved.prepare(100);
  ASSERT_EQ(rest.count, 1u);
  EXPECT_EQ(rest.entries[0].iov_base, bytes.data() + 5);
  EXPECT_EQ(moved.total_consumed(), 5u);
}

// Drives a gathered write and a scattered read of 200 pieces of 1 to 7 bytes through a
// pipe in capped steps, as the composed operations will.
TEST(ConsumingBuffers, DrivesWritevAndReadvThroughAPipe) {
  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < 200; ++i) sizes.push_back(1 + i % 7);
  const std::size_t total = std::accumulate(sizes.begin(), sizes.end(), std::size_t{0});
  auto source = pattern(total);
  std::vector<unsigned char> target(total, 0);

  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  consuming_buffers<std::vector<const_buffer>> writer(split<const_buffer>(source, sizes));
  // Reads are scattered over a different split so boundaries do not line up.
  std::vector<std::size_t> read_sizes(total / 5, 5);
  read_sizes.push_back(total % 5);
  consuming_buffers<std::vector<mutable_buffer>> reader(split<mutable_buffer>(target, read_sizes));

  while (!writer.empty()) {
    const prepared_iovecs out = writer.prepare(97);
    const ssize_t written = ::writev(fds[1], out.begin(), out.iovcnt());
    ASSERT_GT(written, 0) << errno;
    writer.consume(static_cast<std::size_t>(written));
    while (reader.total_consumed() < writer.total_consumed()) {
      const prepared_iovecs in = reader.prepare(61);
      const ssize_t got = ::readv(fds[0], in.begin(), in.iovcnt());
      ASSERT_GT(got, 0) << errno;
      reader.consume(static_cast<std::size_t>(got));
    }
  }
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_TRUE(reader.empty());
  EXPECT_EQ(reader.total_consumed(), total);
  EXPECT_EQ(target, source);
}

}  // namespace
