// latency_histogram: percentiles land within the bucket precision of the exact ones.
#include "bench/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

TEST(LatencyHistogram, EmptyHasNoPercentiles) {
  bench::latency_histogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.percentile(0.5), 0);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  bench::latency_histogram histogram;
  for (std::uint64_t value = 1; value <= 100; ++value) histogram.record(value);
  EXPECT_EQ(histogram.count(), 100u);
  EXPECT_EQ(histogram.percentile(0.5), 50);
  EXPECT_EQ(histogram.percentile(0.99), 99);
  EXPECT_EQ(histogram.percentile(1.0), 100);
}

TEST(LatencyHistogram, LargeValuesWithinTwoPercent) {
  bench::latency_histogram histogram;
  // 1 us .. 10 ms in 1 us steps: the exact p50 is 5,000 us, the p99 9,900 us.
  for (std::uint64_t us = 1; us <= 10'000; ++us) histogram.record(us * 1000);
  EXPECT_NEAR(histogram.percentile(0.5), 5'000'000.0, 5'000'000.0 * 0.02);
  EXPECT_NEAR(histogram.percentile(0.99), 9'900'000.0, 9'900'000.0 * 0.02);
  EXPECT_LE(histogram.percentile(0.5), histogram.percentile(0.99));
}

TEST(LatencyHistogram, HugeValuesDoNotOverflow) {
  bench::latency_histogram histogram;
  histogram.record(~std::uint64_t{0});
  histogram.record(std::uint64_t{1} << 62);
  EXPECT_GT(histogram.percentile(1.0), 4e18);
}

TEST(LatencyHistogram, MergeAddsCounts) {
  bench::latency_histogram first, second;
  first.record(10);
  second.record(30);
  second.record(30);
  first.merge(second);
  EXPECT_EQ(first.count(), 3u);
  EXPECT_EQ(first.percentile(0.5), 30);
}

}  // namespace
