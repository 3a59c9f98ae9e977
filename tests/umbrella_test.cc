// Checks that <proa.hpp> is reachable through //:proa and exposes the public API.
#include <proa.hpp>

#include <gtest/gtest.h>

namespace {

TEST(UmbrellaHeader, VersionEncodesMajorMinorPatch) {
  constexpr int major = PROA_VERSION / 10000;
  constexpr int minor = PROA_VERSION / 100 % 100;
  constexpr int patch = PROA_VERSION % 100;
  EXPECT_EQ(major, 0);
  EXPECT_EQ(minor, 1);
  EXPECT_EQ(patch, 0);
}

}  // namespace
