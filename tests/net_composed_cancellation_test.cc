// Cancellation of composed operations (async_read, async_write, async_read_until, range
// async_connect) through their handler's slot when the emit lands between two steps, where no
// step is pending to receive it. Built against both Asio 1.22 and proa: Asio's composed
// operations remember such an emit and stop before the next step.
#include "tests/runtime_under_test.hpp"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace ip = rt::ip;

// A stream whose every read or write moves at most 4 bytes and completes through the context.
// It ignores cancellation slots, so an emit made while a step is queued reaches only the
// composed operation. `between_steps` runs right after each step is queued.
class scripted_stream {
 public:
  using executor_type = rt::io_context::executor_type;
  static constexpr std::size_t bytes_per_step = 4;

  explicit scripted_stream(rt::io_context& context) : executor_(context.get_executor()) {}
  executor_type get_executor() noexcept { return executor_; }

  template <typename MutableBuffers, typename Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    std::size_t n = 0;
    for (auto it = rt::buffer_sequence_begin(buffers); it != rt::buffer_sequence_end(buffers);
         ++it) {
      rt::mutable_buffer b(*it);
      const std::size_t take = std::min(b.size(), bytes_per_step - n);
      std::fill_n(static_cast<char*>(b.data()), take, 'x');
      n += take;
      if (n == bytes_per_step) break;
    }
    complete_later(std::forward<Handler>(handler), n);
  }

  template <typename ConstBuffers, typename Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    complete_later(std::forward<Handler>(handler),
                   std::min(rt::buffer_size(buffers), bytes_per_step));
  }

  int steps = 0;
  std::function<void(int)> between_steps;

 private:
  template <typename Handler>
  void complete_later(Handler&& handler, std::size_t n) {
    ++steps;
    rt::post(executor_, [h = std::forward<Handler>(handler), n]() mutable {
      std::move(h)(rt_error_code(), n);
    });
    if (between_steps) between_steps(steps);
  }

  executor_type executor_;
};

struct io_result {
  int calls = 0;
  rt_error_code ec;
  std::size_t bytes = 0;
};

auto record(io_result& r) {
  return [&r](const rt_error_code& ec, std::size_t bytes) {
    ++r.calls;
    r.ec = ec;
    r.bytes = bytes;
  };
}

TEST(NetComposedCancellation, AsyncReadStopsAfterTheStepDuringWhichCancellationWasRequested) {
  runtime_test::hang_watchdog watchdog("AsyncReadStopsAfterTheStepDuringWhichCancellationWasRequested");
  rt::io_context context;
  scripted_stream stream(context);
  rt::cancellation_signal signal;
  stream.between_steps = [&](int step) {
    if (step == 2) signal.emit(rt::cancellation_type::partial);
  };
  char data[40];
  io_result result;
  rt::async_read(stream, rt::buffer(data),
                 rt::bind_cancellation_slot(signal.slot(), record(result)));
  context.run();
  EXPECT_EQ(result.calls, 1);
  EXPECT_EQ(result.ec, rt::error::operation_aborted);
  EXPECT_EQ(result.bytes, 2 * scripted_stream::bytes_per_step) << "what the two steps read";
  EXPECT_EQ(stream.steps, 2) << "no step after the cancellation";
}

TEST(NetComposedCancellation, AsyncReadIntoADynamicBufferStopsToo) {
  runtime_test::hang_watchdog watchdog("AsyncReadIntoADynamicBufferStopsToo");
  rt::io_context context;
  scripted_stream stream(context);
  rt::cancellation_signal signal;
  stream.between_steps = [&](int step) {
    if (step == 1) signal.emit(rt::cancellation_type::terminal);
  };
  std::string data;
  io_result result;
  rt::async_read(stream, rt::dynamic_buffer(data, 40), rt::transfer_exactly(40),
                 rt::bind_cancellation_slot(signal.slot(), record(result)));
  context.run();
  EXPECT_EQ(result.ec, rt::error::operation_aborted);
  EXPECT_EQ(result.bytes, scripted_stream::bytes_per_step);
  EXPECT_EQ(data.size(), scripted_stream::bytes_per_step);
  EXPECT_EQ(stream.steps, 1);
}

TEST(NetComposedCancellation, TotalCancellationAloneDoesNotStopAComposedRead) {
  runtime_test::hang_watchdog watchdog("TotalCancellationAloneDoesNotStopAComposedRead");
  rt::io_context context;
  scripted_stream stream(context);
  rt::cancellation_signal signal;
  stream.between_steps = [&](int step) {
    if (step == 1) signal.emit(rt::cancellation_type::total);
  };
  char data[12];
  io_result result;
  rt::async_read(stream, rt::buffer(data),
                 rt::bind_cancellation_slot(signal.slot(), record(result)));
  context.run();
  EXPECT_FALSE(result.ec) << "a composed read can only be cancelled partially or terminally";
  EXPECT_EQ(result.bytes, sizeof data);
}

TEST(NetComposedCancellation, AsyncWriteStopsAfterTheStepDuringWhichCancellationWasRequested) {
  runtime_test::hang_watchdog watchdog("AsyncWriteStopsAfterTheStepDuringWhichCancellationWasRequested");
  rt::io_context context;
  scripted_stream stream(context);
  rt::cancellation_signal signal;
  stream.between_steps = [&](int step) {
    if (step == 3) signal.emit(rt::cancellation_type::terminal);
  };
  const std::string data(40, 'y');
  io_result result;
  rt::async_write(stream, rt::buffer(data),
                  rt::bind_cancellation_slot(signal.slot(), record(result)));
  context.run();
  EXPECT_EQ(result.ec, rt::error::operation_aborted);
  EXPECT_EQ(result.bytes, 3 * scripted_stream::bytes_per_step);
  EXPECT_EQ(stream.steps, 3);
}

TEST(NetComposedCancellation, AsyncReadUntilStopsBeforeItsNextRead) {
  runtime_test::hang_watchdog watchdog("AsyncReadUntilStopsBeforeItsNextRead");
  rt::io_context context;
  scripted_stream stream(context);  // never sends the delimiter
  rt::cancellation_signal signal;
  stream.between_steps = [&](int step) {
    if (step == 2) signal.emit(rt::cancellation_type::partial);
  };
  std::string data;
  io_result result;
  // A limit, so that an operation that ignored the cancellation ends (with not_found).
  rt::async_read_until(stream, rt::dynamic_buffer(data, 64), '\n',
                       rt::bind_cancellation_slot(signal.slot(), record(result)));
  context.run();
  EXPECT_EQ(result.ec, rt::error::operation_aborted);
  EXPECT_EQ(result.bytes, 0u);
  EXPECT_EQ(stream.steps, 2);
}

TEST(NetComposedCancellation, WithoutAnEmitTheScriptedStreamRunsToTheEnd) {
  runtime_test::hang_watchdog watchdog("WithoutAnEmitTheScriptedStreamRunsToTheEnd");
  // The control: the same read, the same slot, no emit.
  rt::io_context context;
  scripted_stream stream(context);
  rt::cancellation_signal signal;
  char data[40];
  io_result result;
  rt::async_read(stream, rt::buffer(data),
                 rt::bind_cancellation_slot(signal.slot(), record(result)));
  context.run();
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.bytes, sizeof data);
  EXPECT_EQ(stream.steps, 10);
}

using runtime_test::refusing_port;

TEST(NetComposedCancellation, RangeConnectStopsBeforeItsNextAttempt) {
  runtime_test::hang_watchdog watchdog("RangeConnectStopsBeforeItsNextAttempt");
  rt::io_context context;
  const ip::tcp::endpoint refusing(ip::address_v4::loopback(), refusing_port(context));
  const std::vector<ip::tcp::endpoint> candidates = {refusing, refusing, refusing};
  ip::tcp::socket socket(context);
  rt::cancellation_signal signal;
  int attempts = 0;
  rt_error_code result_ec;
  ip::tcp::endpoint result_endpoint(ip::address_v4::loopback(), 1);
  // The condition runs before each attempt, while no attempt is pending.
  auto condition = [&](const rt_error_code&, const ip::tcp::endpoint&) {
    if (++attempts == 2) signal.emit(rt::cancellation_type::terminal);
    return true;
  };
  rt::async_connect(socket, candidates, condition,
                    rt::bind_cancellation_slot(
                        signal.slot(), [&](const rt_error_code& ec, const ip::tcp::endpoint& e) {
                          result_ec = ec;
                          result_endpoint = e;
                        }));
  context.run();
  EXPECT_EQ(result_ec, rt::error::operation_aborted);
  EXPECT_EQ(result_endpoint, ip::tcp::endpoint());
  EXPECT_EQ(attempts, 2) << "no third attempt after the cancellation";
}

}  // namespace
