// Unit tests for net/completion_condition.hpp: each condition's per-step byte budget, and the
// adapter that lets old-style bool conditions drive the same loop.
#include "net/completion_condition.hpp"

#include <gtest/gtest.h>

#include <system_error>

namespace {

using proa::detail::default_max_transfer_size;

const std::error_code no_error;
const std::error_code broken = std::make_error_code(std::errc::broken_pipe);

TEST(CompletionCondition, TransferAllStopsOnlyOnError) {
  auto condition = proa::transfer_all();
  EXPECT_EQ(condition(no_error, 0), default_max_transfer_size);
  EXPECT_EQ(condition(no_error, 1u << 30), default_max_transfer_size);
  EXPECT_EQ(condition(broken, 0), 0u);
}

TEST(CompletionCondition, TransferAtLeastStopsAtMinimum) {
  auto condition = proa::transfer_at_least(100);
  EXPECT_EQ(condition(no_error, 0), default_max_transfer_size);
  EXPECT_EQ(condition(no_error, 99), default_max_transfer_size);
  EXPECT_EQ(condition(no_error, 100), 0u);
  EXPECT_EQ(condition(no_error, 5000), 0u);
  EXPECT_EQ(condition(broken, 10), 0u);
  EXPECT_EQ(proa::transfer_at_least(0)(no_error, 0), 0u);
}

TEST(CompletionCondition, TransferExactlyAsksOnlyForWhatIsMissing) {
  auto condition = proa::transfer_exactly(100000);
  EXPECT_EQ(condition(no_error, 0), default_max_transfer_size);
  EXPECT_EQ(condition(no_error, 100000 - 70000), default_max_transfer_size);
  EXPECT_EQ(condition(no_error, 99990), 10u);
  EXPECT_EQ(condition(no_error, 100000), 0u);
  EXPECT_EQ(condition(no_error, 200000), 0u);
  EXPECT_EQ(condition(broken, 5), 0u);
  EXPECT_EQ(proa::transfer_exactly(7)(no_error, 3), 4u);
}

TEST(CompletionCondition, ConceptAcceptsSizeAndBoolConditions) {
  auto by_size = [](const std::error_code&, std::size_t n) -> std::size_t { return n; };
  auto by_bool = [](const std::error_code&, std::size_t n) { return n >= 3; };
  auto wrong = [](int) { return 0; };
  static_assert(proa::completion_condition<decltype(proa::transfer_all())>);
  static_assert(proa::completion_condition<decltype(by_size)>);
  static_assert(proa::completion_condition<decltype(by_bool)>);
  static_assert(!proa::completion_condition<decltype(wrong)>);
  static_assert(!proa::completion_condition<std::error_code>);
}

TEST(CompletionCondition, NextTransferSizeAdaptsBoolResults) {
  auto done_after_three = [](const std::error_code&, std::size_t n) { return n >= 3; };
  EXPECT_EQ(proa::detail::next_transfer_size(done_after_three, no_error, 2),
            default_max_transfer_size);
  EXPECT_EQ(proa::detail::next_transfer_size(done_after_three, no_error, 3), 0u);

  int calls = 0;
  auto counting = [&calls](const std::error_code&, std::size_t n) -> std::size_t {
    ++calls;
    return n + 1;
  };
  EXPECT_EQ(proa::detail::next_transfer_size(counting, no_error, 41), 42u);
  EXPECT_EQ(calls, 1);
}

}  // namespace
