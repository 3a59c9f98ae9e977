// The asynchronous composed operations (async_read, async_write, async_read_until,
// async_connect) against in-memory streams and sockets that complete in random short steps and
// can fail on cue, and async_resolve against the system resolver; on io_context and on a
// two-thread pool with strand-bound handlers.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "net/buffer.hpp"
#include "net/connect.hpp"
#include "net/detail/async_operation.hpp"
#include "net/ip/tcp.hpp"
#include "net/read.hpp"
#include "net/read_until.hpp"
#include "net/streambuf.hpp"
#include "net/write.hpp"
#include "platform/error.hpp"
#include "runtime/any_io_executor.hpp"
#include "runtime/associated_allocator.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/bind_executor.hpp"
#include "runtime/io_context.hpp"
#include "runtime/post.hpp"
#include "runtime/strand.hpp"
#include "runtime/thread_pool.hpp"

namespace {

using proa::error_code;
using namespace std::chrono_literals;

// ---- an in-memory AsyncReadStream / AsyncWriteStream -------------------------------------------
// Moves between 1 and max_step bytes per call (random, seeded), ends the incoming data with
// `end_error` (eof unless told otherwise), can fail a read or write once a byte count is reached,
// and completes every call through the handler's associated executor, as a socket does.
class fake_stream {
 public:
  using executor_type = proa::any_io_executor;

  fake_stream(executor_type executor, std::string incoming, unsigned seed = 1)
      : executor_(std::move(executor)), incoming_(std::move(incoming)), random_(seed) {}

  executor_type get_executor() noexcept { return executor_; }

  std::size_t max_step = 7;
  error_code end_error = proa::error::eof;
  // Once this many bytes were read (written), the next read (write) fails with read_error
  // (write_error).
  std::size_t read_error_after = static_cast<std::size_t>(-1);
  error_code read_error = proa::error::connection_reset;
  std::size_t write_error_after = static_cast<std::size_t>(-1);
  error_code write_error = proa::error::broken_pipe;
  // Called at every async_read_some/async_write_some, e.g. to check which strand runs the step.
  std::function<void()> on_step;

  std::string written;
  int read_calls = 0;
  int write_calls = 0;
  std::size_t read_position = 0;

  template <typename MutableBufferSequence, typename ReadHandler>
  void async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    ++read_calls;
    if (on_step) on_step();
    error_code ec;
    std::size_t bytes = 0;
    const std::size_t room = proa::buffer_size(buffers);
    if (room == 0) {
      // A zero-size read completes at once with nothing, as on a socket.
    } else if (read_position >= read_error_after) {
      ec = read_error;
    } else if (read_position == incoming_.size()) {
      ec = end_error;
    } else {
      bytes = std::min({room, incoming_.size() - read_position, next_step(),
                        read_error_after - read_position});
      proa::buffer_copy(buffers, proa::buffer(incoming_.data() + read_position, bytes));
      read_position += bytes;
    }
    complete(std::forward<ReadHandler>(handler), ec, bytes);
  }

  template <typename ConstBufferSequence, typename WriteHandler>
  void async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    ++write_calls;
    if (on_step) on_step();
    error_code ec;
    std::size_t bytes = 0;
    const std::size_t size = proa::buffer_size(buffers);
    if (size != 0 && written.size() >= write_error_after) {
      ec = write_error;
    } else if (size != 0) {
      bytes = std::min({size, next_step(), write_error_after - written.size()});
      std::string chunk(bytes, '\0');
      proa::buffer_copy(proa::buffer(chunk), buffers, bytes);
      written += chunk;
    }
    complete(std::forward<WriteHandler>(handler), ec, bytes);
  }

 private:
  std::size_t next_step() {
    return std::uniform_int_distribution<std::size_t>(1, max_step)(random_);
  }

  template <typename Handler>
  void complete(Handler&& handler, error_code ec, std::size_t bytes) {
    auto handler_executor = proa::get_associated_executor(handler, executor_);
    proa::post(handler_executor,
               [handler = std::forward<Handler>(handler), ec, bytes]() mutable {
                 std::move(handler)(ec, bytes);
               });
  }

  executor_type executor_;
  std::string incoming_;
  std::mt19937 random_;
};

std::string pattern(std::size_t size, unsigned seed = 7) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>('a' + random() % 26);
  return bytes;
}

// What a handler saw.
struct outcome {
  bool called = false;
  error_code ec;
  std::size_t bytes = 0;
};

auto record(outcome& result) {
  return [&result](const error_code& ec, std::size_t bytes) {
    EXPECT_FALSE(result.called) << "handler called twice";
    result.called = true;
    result.ec = ec;
    result.bytes = bytes;
  };
}

// ---- async_read --------------------------------------------------------------------------------

TEST(AsyncRead, FillsABufferSequenceFromShortReads) {
  proa::io_context context;
  const std::string data = pattern(1000);
  fake_stream stream(context.get_executor(), data);
  std::array<char, 100> first{};
  std::array<char, 1> second{};
  std::vector<char> third(400);
  const std::array<proa::mutable_buffer, 4> buffers = {
      proa::buffer(first), proa::mutable_buffer(), proa::buffer(second), proa::buffer(third)};
  outcome result;
  proa::async_read(stream, buffers, record(result));
  EXPECT_FALSE(result.called) << "ran inside the initiating call";
  context.run();
  ASSERT_TRUE(result.called);
  EXPECT_FALSE(result.ec) << result.ec.message();
  EXPECT_EQ(result.bytes, 501u);
  EXPECT_GT(stream.read_calls, 1);
  EXPECT_EQ(std::string(first.begin(), first.end()) + second[0] +
                std::string(third.begin(), third.end()),
            data.substr(0, 501));
  EXPECT_EQ(stream.read_position, 501u);
}

TEST(AsyncRead, FillsASingleBufferExactly) {
  proa::io_context context;
  const std::string data = pattern(300);
  fake_stream stream(context.get_executor(), data, 3);
  stream.max_step = 13;
  std::string target(256, '\0');
  outcome result;
  proa::async_read(stream, proa::buffer(target), record(result));
  context.run();
  ASSERT_TRUE(result.called);
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.bytes, 256u);
  EXPECT_EQ(target, data.substr(0, 256));
}

TEST(AsyncRead, CompletionConditionsStopEarly) {
  proa::io_context context;
  const std::string data = pattern(200);
  fake_stream stream(context.get_executor(), data);
  stream.max_step = 3;
  std::array<char, 100> target{};
  outcome at_least;
  proa::async_read(stream, proa::buffer(target), proa::transfer_at_least(10), record(at_least));
  context.run();
  ASSERT_TRUE(at_least.called);
  EXPECT_FALSE(at_least.ec);
  EXPECT_GE(at_least.bytes, 10u);
  EXPECT_LT(at_least.bytes, 13u);  // steps are at most 3 bytes
  EXPECT_EQ(std::string(target.data(), at_least.bytes), data.substr(0, at_least.bytes));

  const std::size_t before = stream.read_position;
  outcome exactly;
  context.restart();
  proa::async_read(stream, proa::buffer(target), proa::transfer_exactly(17), record(exactly));
  context.run();
  EXPECT_FALSE(exactly.ec);
  EXPECT_EQ(exactly.bytes, 17u);
  EXPECT_EQ(std::string(target.data(), 17), data.substr(before, 17));

  // An old-style condition returning bool: true means done.
  outcome boolean;
  context.restart();
  proa::async_read(
      stream, proa::buffer(target), [](const error_code& ec, std::size_t n) { return ec || n >= 5; },
      record(boolean));
  context.run();
  EXPECT_FALSE(boolean.ec);
  EXPECT_GE(boolean.bytes, 5u);
  EXPECT_LT(boolean.bytes, 8u);
}

TEST(AsyncRead, EofMidReadReportsTheBytesBeforeIt) {
  proa::io_context context;
  const std::string data = pattern(50);
  fake_stream stream(context.get_executor(), data);
  std::array<char, 100> target{};
  outcome result;
  proa::async_read(stream, proa::buffer(target), record(result));
  context.run();
  ASSERT_TRUE(result.called);
  EXPECT_EQ(result.ec, proa::error::eof);
  EXPECT_EQ(result.bytes, 50u);
  EXPECT_EQ(std::string(target.data(), 50), data);
}

TEST(AsyncRead, StreamErrorStopsTheRead) {
  proa::io_context context;
  fake_stream stream(context.get_executor(), pattern(100));
  stream.read_error_after = 20;
  std::array<char, 100> target{};
  outcome result;
  proa::async_read(stream, proa::buffer(target), record(result));
  context.run();
  EXPECT_EQ(result.ec, proa::error::connection_reset);
  EXPECT_EQ(result.bytes, 20u);
}

TEST(AsyncRead, NothingToReadCompletesLaterWithZero) {
  proa::io_context context;
  fake_stream stream(context.get_executor(), "");  // would report eof if asked
  outcome empty;
  proa::async_read(stream, proa::mutable_buffer(), record(empty));
  outcome exactly_zero;
  std::array<char, 8> target{};
  proa::async_read(stream, proa::buffer(target), proa::transfer_exactly(0), record(exactly_zero));
  EXPECT_FALSE(empty.called);
  EXPECT_FALSE(exactly_zero.called);
  context.run();
  ASSERT_TRUE(empty.called);
  EXPECT_FALSE(empty.ec);
  EXPECT_EQ(empty.bytes, 0u);
  ASSERT_TRUE(exactly_zero.called);
  EXPECT_FALSE(exactly_zero.ec);
  EXPECT_EQ(exactly_zero.bytes, 0u);
}

TEST(AsyncRead, DynamicBufferGrowsInSteps) {
  proa::io_context context;
  const std::string data = pattern(3000);
  fake_stream stream(context.get_executor(), data);
  stream.max_step = 700;
  std::string target;
  outcome exactly;
  proa::async_read(stream, proa::dynamic_buffer(target), proa::transfer_exactly(2000),
                   record(exactly));
  context.run();
  EXPECT_FALSE(exactly.ec);
  EXPECT_EQ(exactly.bytes, 2000u);
  EXPECT_EQ(target, data.substr(0, 2000));

  // Reading to the end appends the rest and reports eof.
  outcome rest;
  context.restart();
  proa::async_read(stream, proa::dynamic_buffer(target), record(rest));
  context.run();
  EXPECT_EQ(rest.ec, proa::error::eof);
  EXPECT_EQ(rest.bytes, 1000u);
  EXPECT_EQ(target, data);
}

TEST(AsyncRead, DynamicBufferStopsAtMaxSizeWithoutError) {
  proa::io_context context;
  const std::string data = pattern(500);
  fake_stream stream(context.get_executor(), data);
  std::string target;
  outcome result;
  proa::async_read(stream, proa::dynamic_buffer(target, 100), record(result));
  context.run();
  EXPECT_FALSE(result.ec) << result.ec.message();
  EXPECT_EQ(result.bytes, 100u);
  EXPECT_EQ(target, data.substr(0, 100));
}

TEST(AsyncRead, IntoAStreambuf) {
  proa::io_context context;
  const std::string data = pattern(64);
  fake_stream stream(context.get_executor(), data);
  proa::streambuf streambuf;
  outcome result;
  proa::async_read(stream, streambuf, proa::transfer_at_least(40), record(result));
  context.run();
  EXPECT_FALSE(result.ec);
  EXPECT_GE(result.bytes, 40u);
  EXPECT_EQ(streambuf.size(), result.bytes);
  const auto readable = streambuf.data();
  EXPECT_EQ(std::string(static_cast<const char*>(readable.data()), readable.size()),
            data.substr(0, result.bytes));
}

// ---- async_write -------------------------------------------------------------------------------

TEST(AsyncWrite, ContinuesPartialWritesOfABufferSequence) {
  proa::io_context context;
  fake_stream stream(context.get_executor(), "");
  const std::string a = pattern(300, 1);
  const std::string b = pattern(1, 2);
  const std::string c = pattern(777, 3);
  const std::vector<proa::const_buffer> buffers = {proa::buffer(a), proa::const_buffer(),
                                                   proa::buffer(b), proa::buffer(c)};
  outcome result;
  proa::async_write(stream, buffers, record(result));
  EXPECT_FALSE(result.called);
  context.run();
  ASSERT_TRUE(result.called);
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.bytes, a.size() + b.size() + c.size());
  EXPECT_EQ(stream.written, a + b + c);
  EXPECT_GT(stream.write_calls, 100);
}

TEST(AsyncWrite, ErrorReportsTheBytesWrittenBeforeIt) {
  proa::io_context context;
  fake_stream stream(context.get_executor(), "");
  stream.write_error_after = 42;
  const std::string data = pattern(100);
  outcome result;
  proa::async_write(stream, proa::buffer(data), record(result));
  context.run();
  EXPECT_EQ(result.ec, proa::error::broken_pipe);
  EXPECT_EQ(result.bytes, 42u);
  EXPECT_EQ(stream.written, data.substr(0, 42));
}

TEST(AsyncWrite, CompletionConditionLimitsTheWrite) {
  proa::io_context context;
  fake_stream stream(context.get_executor(), "");
  const std::string data = pattern(100);
  outcome result;
  proa::async_write(stream, proa::buffer(data), proa::transfer_exactly(30), record(result));
  context.run();
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.bytes, 30u);
  EXPECT_EQ(stream.written, data.substr(0, 30));
}

TEST(AsyncWrite, DynamicBufferLosesWhatWasWritten) {
  proa::io_context context;
  fake_stream stream(context.get_executor(), "");
  const std::string data = pattern(200);
  std::string source = data;
  outcome whole;
  proa::async_write(stream, proa::dynamic_buffer(source), record(whole));
  context.run();
  EXPECT_FALSE(whole.ec);
  EXPECT_EQ(whole.bytes, 200u);
  EXPECT_TRUE(source.empty());
  EXPECT_EQ(stream.written, data);

  // Cut short by an error: only what went out is consumed.
  stream.written.clear();
  stream.write_error_after = 50;
  source = data;
  outcome partial;
  context.restart();
  proa::async_write(stream, proa::dynamic_buffer(source), record(partial));
  context.run();
  EXPECT_EQ(partial.ec, proa::error::broken_pipe);
  EXPECT_EQ(partial.bytes, 50u);
  EXPECT_EQ(source, data.substr(50));
}

TEST(AsyncWrite, FromAStreambuf) {
  proa::io_context context;
  fake_stream stream(context.get_executor(), "");
  proa::streambuf streambuf;
  const std::string data = pattern(90);
  {
    std::ostream out(&streambuf);
    out << data;
  }
  outcome result;
  proa::async_write(stream, streambuf, record(result));
  context.run();
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.bytes, 90u);
  EXPECT_EQ(streambuf.size(), 0u);
  EXPECT_EQ(stream.written, data);
}

TEST(AsyncWrite, NothingToWriteCompletesLaterWithZero) {
  proa::io_context context;
  fake_stream stream(context.get_executor(), "");
  std::string empty;
  outcome result;
  proa::async_write(stream, proa::dynamic_buffer(empty), record(result));
  EXPECT_FALSE(result.called);
  context.run();
  ASSERT_TRUE(result.called);
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.bytes, 0u);
}

// ---- async_read_until --------------------------------------------------------------------------

TEST(AsyncReadUntil, CharDelimiterLeavesLaterDataInTheBuffer) {
  proa::io_context context;
  fake_stream stream(context.get_executor(), "hello\nworld\nand the rest");
  stream.max_step = 20;
  std::string buffered;
  outcome first;
  proa::async_read_until(stream, proa::dynamic_buffer(buffered), '\n', record(first));
  context.run();
  ASSERT_TRUE(first.called);
  EXPECT_FALSE(first.ec);
  EXPECT_EQ(first.bytes, 6u);
  EXPECT_EQ(buffered.substr(0, first.bytes), "hello\n");
  buffered.erase(0, first.bytes);

  // The next line may already be buffered; the handler still runs later, never inline.
  outcome second;
  context.restart();
  proa::async_read_until(stream, proa::dynamic_buffer(buffered), '\n', record(second));
  EXPECT_FALSE(second.called);
  context.run();
  ASSERT_TRUE(second.called);
  EXPECT_FALSE(second.ec);
  EXPECT_EQ(buffered.substr(0, second.bytes), "world\n");
  buffered.erase(0, second.bytes);

  // No more delimiters: eof, with 0 bytes, and everything read stays buffered.
  outcome third;
  context.restart();
  proa::async_read_until(stream, proa::dynamic_buffer(buffered), '\n', record(third));
  context.run();
  EXPECT_EQ(third.ec, proa::error::eof);
  EXPECT_EQ(third.bytes, 0u);
  EXPECT_EQ(buffered, "and the rest");
}

TEST(AsyncReadUntil, AlreadyBufferedDelimiterIsPostedWithoutReading) {
  proa::io_context context;
  fake_stream stream(context.get_executor(), "unused");
  std::string buffered = "ab|cd";
  outcome result;
  proa::async_read_until(stream, proa::dynamic_buffer(buffered), '|', record(result));
  EXPECT_FALSE(result.called);
  context.run();
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.bytes, 3u);
  EXPECT_EQ(stream.read_calls, 0);
}

TEST(AsyncReadUntil, StringDelimiterSplitAcrossReads) {
  proa::io_context context;
  const std::string data = "GET / HTTP/1.1\r\nHost: x\r\n\r\nbody\r";
  fake_stream stream(context.get_executor(), data);
  stream.max_step = 1;  // the delimiter always arrives in pieces
  proa::streambuf streambuf;
  outcome result;
  proa::async_read_until(stream, streambuf, "\r\n\r\n", record(result));
  context.run();
  ASSERT_TRUE(result.called);
  EXPECT_FALSE(result.ec);
  const std::size_t header_end = data.find("\r\n\r\n") + 4;
  EXPECT_EQ(result.bytes, header_end);
  const auto readable = streambuf.data();
  EXPECT_EQ(std::string(static_cast<const char*>(readable.data()), result.bytes),
            data.substr(0, header_end));

  // A false start ("\r" then not "\n") does not hide the real delimiter.
  std::string text;
  fake_stream tricky(context.get_executor(), "a\r\rb\r\r\nc");
  tricky.max_step = 2;
  outcome crlf;
  context.restart();
  proa::async_read_until(tricky, proa::dynamic_buffer(text), std::string("\r\n"), record(crlf));
  context.run();
  EXPECT_FALSE(crlf.ec);
  EXPECT_EQ(crlf.bytes, 7u);
}

TEST(AsyncReadUntil, FullBufferWithoutDelimiterIsNotFound) {
  proa::io_context context;
  fake_stream stream(context.get_executor(), pattern(100));  // letters only, no '\n'
  std::string buffered;
  outcome result;
  proa::async_read_until(stream, proa::dynamic_buffer(buffered, 16), '\n', record(result));
  context.run();
  ASSERT_TRUE(result.called);
  EXPECT_EQ(result.ec, proa::error::not_found);
  EXPECT_EQ(result.bytes, 0u);
  EXPECT_EQ(buffered.size(), 16u);

  // Already full at the start: reported (later) without reading.
  const int reads = stream.read_calls;
  outcome again;
  context.restart();
  proa::async_read_until(stream, proa::dynamic_buffer(buffered, 16), "zz\n", record(again));
  EXPECT_FALSE(again.called);
  context.run();
  EXPECT_EQ(again.ec, proa::error::not_found);
  EXPECT_EQ(stream.read_calls, reads);

  proa::streambuf small(8);
  outcome streambuf_result;
  context.restart();
  proa::async_read_until(stream, small, '\n', record(streambuf_result));
  context.run();
  EXPECT_EQ(streambuf_result.ec, proa::error::not_found);
  EXPECT_EQ(small.size(), 8u);
}

TEST(AsyncReadUntil, ReadErrorIsReported) {
  proa::io_context context;
  fake_stream stream(context.get_executor(), pattern(100));
  stream.read_error_after = 30;
  std::string buffered;
  outcome result;
  proa::async_read_until(stream, proa::dynamic_buffer(buffered), '\n', record(result));
  context.run();
  EXPECT_EQ(result.ec, proa::error::connection_reset);
  EXPECT_EQ(result.bytes, 0u);
  EXPECT_EQ(buffered.size(), 30u);
}

// ---- associations ------------------------------------------------------------------------------

// An allocator type a handler can name, to see it pass through the intermediate handlers.
template <typename T>
struct tagged_allocator : std::allocator<T> {
  tagged_allocator() = default;
  template <typename U>
  tagged_allocator(const tagged_allocator<U>&) noexcept {}
  template <typename U>
  struct rebind {
    using other = tagged_allocator<U>;
  };
};

struct handler_with_allocator {
  using allocator_type = tagged_allocator<void>;
  allocator_type get_allocator() const noexcept { return {}; }
  void operator()(const error_code&, std::size_t) {}
};

TEST(AsyncComposedAssociations, IntermediateHandlersLendTheUserHandlersAssociations) {
  using read_op = proa::detail::async_read_op<fake_stream, proa::mutable_buffer,
                                              proa::detail::transfer_all_t,
                                              handler_with_allocator>;
  static_assert(std::is_same_v<proa::associated_allocator_t<read_op>, tagged_allocator<void>>);

  proa::io_context context;
  auto strand = proa::make_strand(context);
  using bound = decltype(proa::bind_executor(strand, handler_with_allocator()));
  using write_op = proa::detail::async_write_op<
      fake_stream, proa::const_buffer, proa::detail::transfer_all_t,
      proa::detail::consume_written<proa::dynamic_string_buffer<char>, bound>>;
  static_assert(std::is_same_v<proa::associated_executor_t<write_op, proa::any_io_executor>,
                               decltype(strand)>);
  // A handler with no executor of its own lends none: the stream's own is used, unmarked.
  using plain_op = proa::detail::async_read_op<fake_stream, proa::mutable_buffer,
                                               proa::detail::transfer_all_t,
                                               std::function<void(error_code, std::size_t)>>;
  static_assert(!proa::detail::has_own_associated_executor<plain_op, proa::any_io_executor>);
  static_assert(proa::detail::has_own_associated_executor<write_op, proa::any_io_executor>);

  fake_stream stream(context.get_executor(), "");
  std::string data = "xyz";
  bool ran_on_strand = false;
  const write_op op(stream, proa::buffer(std::as_const(data)), {},
                    proa::detail::consume_written<proa::dynamic_string_buffer<char>, bound>(
                        proa::dynamic_buffer(data), proa::bind_executor(strand, handler_with_allocator())));
  proa::post(proa::get_associated_executor(op, stream.get_executor()),
             [&] { ran_on_strand = strand.running_in_this_thread(); });
  context.run();
  EXPECT_TRUE(ran_on_strand);
}

// Handlers only need to be movable: the operation state moves along with them, never copied.
TEST(AsyncComposedAssociations, MoveOnlyHandlers) {
  struct move_only_handler {
    std::unique_ptr<outcome> result;
    outcome* observed;
    void operator()(const error_code& ec, std::size_t bytes) {
      observed->called = true;
      observed->ec = ec;
      observed->bytes = bytes;
    }
  };
  proa::io_context context;
  const std::string data = pattern(40);
  fake_stream stream(context.get_executor(), data);
  outcome read_result;
  outcome write_result;
  std::array<char, 40> target{};
  proa::async_read(stream, proa::buffer(target),
                   move_only_handler{std::make_unique<outcome>(), &read_result});
  proa::async_write(stream, proa::buffer(data),
                    move_only_handler{std::make_unique<outcome>(), &write_result});
  fake_stream lines(context.get_executor(), "abc\ndef");
  std::string buffered;
  outcome until_result;
  proa::async_read_until(lines, proa::dynamic_buffer(buffered), '\n',
                         move_only_handler{std::make_unique<outcome>(), &until_result});
  context.run();
  EXPECT_EQ(read_result.bytes, 40u);
  EXPECT_EQ(std::string(target.data(), target.size()), data);
  EXPECT_EQ(write_result.bytes, 40u);
  EXPECT_EQ(stream.written, data);
  EXPECT_EQ(until_result.bytes, 4u);
}

// ---- strands on a thread pool ------------------------------------------------------------------

// One stream, one strand, one operation at a time: every step after the first and the final
// handler must run inside the strand.
struct strand_session {
  strand_session(proa::thread_pool& pool, std::string incoming, unsigned seed)
      : strand(proa::make_strand(pool)), stream(pool.get_executor(), std::move(incoming), seed) {
    stream.max_step = 5;
    stream.on_step = [this] {
      ++steps;
      if (strand.running_in_this_thread()) ++steps_on_strand;
    };
  }

  proa::strand<proa::thread_pool::executor_type> strand;
  fake_stream stream;
  int steps = 0;
  int steps_on_strand = 0;
  outcome result;
  bool handler_on_strand = false;
  std::promise<void> done;

  auto handler() {
    return proa::bind_executor(strand, [this](const error_code& ec, std::size_t bytes) {
      handler_on_strand = strand.running_in_this_thread();
      result.called = true;
      result.ec = ec;
      result.bytes = bytes;
      done.set_value();
    });
  }

  void wait() {
    ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  }
};

TEST(AsyncComposedOnStrand, EveryStepOfEachOperationRunsOnItsStrand) {
  proa::thread_pool pool(2);
  constexpr int sessions = 4;
  const std::string data = pattern(2000);
  std::vector<std::unique_ptr<strand_session>> reads;
  std::vector<std::unique_ptr<strand_session>> writes;
  std::vector<std::unique_ptr<strand_session>> lines;
  std::vector<std::string> read_targets(sessions, std::string(1500, '\0'));
  std::vector<std::string> line_buffers(sessions);
  for (int i = 0; i < sessions; ++i) {
    reads.push_back(std::make_unique<strand_session>(pool, data, 10 + i));
    writes.push_back(std::make_unique<strand_session>(pool, "", 20 + i));
    lines.push_back(std::make_unique<strand_session>(pool, data.substr(0, 700) + "\n" + "tail",
                                                     30 + i));
  }
  for (int i = 0; i < sessions; ++i) {
    proa::async_read(reads[i]->stream, proa::buffer(read_targets[i]), reads[i]->handler());
    proa::async_write(writes[i]->stream, proa::buffer(data), writes[i]->handler());
    proa::async_read_until(lines[i]->stream, proa::dynamic_buffer(line_buffers[i]), '\n',
                           lines[i]->handler());
  }
  for (int i = 0; i < sessions; ++i) {
    reads[i]->wait();
    writes[i]->wait();
    lines[i]->wait();
  }
  pool.join();
  for (int i = 0; i < sessions; ++i) {
    for (auto* session : {reads[i].get(), writes[i].get(), lines[i].get()}) {
      EXPECT_FALSE(session->result.ec) << session->result.ec.message();
      EXPECT_TRUE(session->handler_on_strand);
      EXPECT_GT(session->steps, 10);
      // The first step is started by the initiating call, on this thread.
      EXPECT_EQ(session->steps_on_strand, session->steps - 1);
    }
    EXPECT_EQ(reads[i]->result.bytes, 1500u);
    EXPECT_EQ(read_targets[i], data.substr(0, 1500));
    EXPECT_EQ(writes[i]->result.bytes, data.size());
    EXPECT_EQ(writes[i]->stream.written, data);
    EXPECT_EQ(lines[i]->result.bytes, 701u);
    EXPECT_EQ(line_buffers[i].substr(0, 701), data.substr(0, 700) + "\n");
  }
}

TEST(AsyncComposedOnStrand, InitiatedFromInsideTheStrandEveryStepStaysThere) {
  proa::thread_pool pool(2);
  const std::string data = pattern(1000);
  strand_session session(pool, data, 5);
  std::string target(1000, '\0');
  proa::post(session.strand, [&] {
    proa::async_read(session.stream, proa::buffer(target), session.handler());
  });
  session.wait();
  pool.join();
  EXPECT_FALSE(session.result.ec);
  EXPECT_EQ(target, data);
  EXPECT_EQ(session.steps_on_strand, session.steps);
  EXPECT_TRUE(session.handler_on_strand);
}

// ---- async_connect -----------------------------------------------------------------------------

// A socket whose async_connect refuses chosen ports, and whose open() fails for IPv6 when told
// to, completing through the handler's associated executor.
class fake_socket {
 public:
  using executor_type = proa::any_io_executor;
  using protocol_type = proa::ip::tcp;
  using endpoint_type = proa::ip::tcp::endpoint;

  explicit fake_socket(executor_type executor) : executor_(std::move(executor)) {}

  executor_type get_executor() noexcept { return executor_; }

  std::set<unsigned short> refusing;
  bool no_ipv6 = false;
  bool close_while_connecting = false;
  std::vector<endpoint_type> attempts;
  int closes = 0;
  int opens = 0;
  bool open_ = false;
  endpoint_type connected_to;

  bool is_open() const noexcept { return open_; }
  void close(error_code& ec) {
    ++closes;
    open_ = false;
    ec = error_code();
  }
  void open(const protocol_type& protocol, error_code& ec) {
    if (no_ipv6 && protocol == proa::ip::tcp::v6()) {
      ec = proa::error::address_family_not_supported;
      return;
    }
    ++opens;
    open_ = true;
    ec = error_code();
  }

  template <typename ConnectHandler>
  void async_connect(const endpoint_type& endpoint, ConnectHandler&& handler) {
    EXPECT_TRUE(open_) << "connect attempted on a closed socket";
    attempts.push_back(endpoint);
    error_code ec;
    if (close_while_connecting) {
      open_ = false;
      ec = proa::error::operation_aborted;
    } else if (refusing.count(endpoint.port())) {
      ec = proa::error::connection_refused;
    } else {
      connected_to = endpoint;
    }
    auto handler_executor = proa::get_associated_executor(handler, executor_);
    proa::post(handler_executor, [handler = std::forward<ConnectHandler>(handler), ec]() mutable {
      std::move(handler)(ec);
    });
  }

 private:
  executor_type executor_;
};

using endpoint = proa::ip::tcp::endpoint;

std::vector<endpoint> loopback_ports(std::initializer_list<unsigned short> ports) {
  std::vector<endpoint> endpoints;
  for (unsigned short port : ports)
    endpoints.emplace_back(proa::ip::make_address("127.0.0.1"), port);
  return endpoints;
}

struct connect_outcome {
  bool called = false;
  error_code ec;
  endpoint connected;
};

TEST(AsyncConnect, SkipsRefusingEndpointsAndReportsTheOneConnected) {
  proa::io_context context;
  fake_socket socket(context.get_executor());
  socket.refusing = {1, 2};
  const auto endpoints = loopback_ports({1, 2, 3, 4});
  connect_outcome result;
  proa::async_connect(socket, endpoints, [&](const error_code& ec, const endpoint& e) {
    result = {true, ec, e};
  });
  EXPECT_FALSE(result.called);
  context.run();
  ASSERT_TRUE(result.called);
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.connected.port(), 3);
  EXPECT_EQ(socket.attempts.size(), 3u);
  EXPECT_EQ(socket.closes, 3);  // closed before every attempt
}

TEST(AsyncConnect, AllRefusingReportsTheLastErrorAndADefaultEndpoint) {
  proa::io_context context;
  fake_socket socket(context.get_executor());
  socket.refusing = {1, 2};
  connect_outcome result;
  proa::async_connect(socket, loopback_ports({1, 2}), [&](const error_code& ec, endpoint e) {
    result = {true, ec, e};
  });
  context.run();
  EXPECT_EQ(result.ec, proa::error::connection_refused);
  EXPECT_EQ(result.connected, endpoint());
}

TEST(AsyncConnect, NothingToTryGivesNotFoundLater) {
  proa::io_context context;
  fake_socket socket(context.get_executor());
  connect_outcome empty;
  proa::async_connect(socket, std::vector<endpoint>(), [&](const error_code& ec, endpoint e) {
    empty = {true, ec, e};
  });
  connect_outcome rejected;
  proa::async_connect(
      socket, loopback_ports({1, 2}), [](const error_code&, const endpoint&) { return false; },
      [&](const error_code& ec, endpoint e) { rejected = {true, ec, e}; });
  EXPECT_FALSE(empty.called);
  EXPECT_FALSE(rejected.called);
  context.run();
  EXPECT_EQ(empty.ec, proa::error::not_found);
  EXPECT_EQ(rejected.ec, proa::error::not_found);
  EXPECT_TRUE(socket.attempts.empty());
}

TEST(AsyncConnect, IteratorRangeReportsTheIteratorAndTheConditionSeesLastError) {
  proa::io_context context;
  fake_socket socket(context.get_executor());
  socket.refusing = {1};
  const auto endpoints = loopback_ports({1, 2, 3});
  std::vector<std::pair<error_code, unsigned short>> asked;
  bool called = false;
  error_code result_ec;
  std::vector<endpoint>::const_iterator result_it;
  proa::async_connect(
      socket, endpoints.begin(), endpoints.end(),
      [&](const error_code& ec, const endpoint& e) {
        asked.emplace_back(ec, e.port());
        return e.port() != 2;  // skip port 2
      },
      [&](const error_code& ec, std::vector<endpoint>::const_iterator it) {
        called = true;
        result_ec = ec;
        result_it = it;
      });
  context.run();
  ASSERT_TRUE(called);
  EXPECT_FALSE(result_ec);
  EXPECT_EQ(result_it, endpoints.begin() + 2);
  ASSERT_EQ(asked.size(), 3u);
  EXPECT_FALSE(asked[0].first);
  EXPECT_EQ(asked[1].first, proa::error::connection_refused);
  EXPECT_EQ(asked[1].second, 2);

  // Failure reports `end`.
  socket.refusing = {1, 2, 3};
  called = false;
  context.restart();
  proa::async_connect(socket, endpoints.begin(), endpoints.end(),
                      [&](const error_code& ec, std::vector<endpoint>::const_iterator it) {
                        called = true;
                        result_ec = ec;
                        result_it = it;
                      });
  context.run();
  ASSERT_TRUE(called);
  EXPECT_EQ(result_ec, proa::error::connection_refused);
  EXPECT_EQ(result_it, endpoints.end());
}

TEST(AsyncConnect, UnopenableEndpointsAreSkippedAndAClosedSocketAborts) {
  proa::io_context context;
  fake_socket socket(context.get_executor());
  socket.no_ipv6 = true;
  std::vector<endpoint> endpoints = {endpoint(proa::ip::make_address("::1"), 1)};
  endpoints.push_back(loopback_ports({2})[0]);
  connect_outcome result;
  proa::async_connect(socket, endpoints, [&](const error_code& ec, endpoint e) {
    result = {true, ec, e};
  });
  context.run();
  EXPECT_FALSE(result.ec);
  EXPECT_EQ(result.connected.port(), 2);
  EXPECT_EQ(socket.attempts.size(), 1u);

  // Only IPv6, which cannot open: that error, posted.
  connect_outcome only_v6;
  context.restart();
  proa::async_connect(socket, std::vector<endpoint>(endpoints.begin(), endpoints.begin() + 1),
                      [&](const error_code& ec, endpoint e) { only_v6 = {true, ec, e}; });
  EXPECT_FALSE(only_v6.called);
  context.run();
  EXPECT_EQ(only_v6.ec, proa::error::address_family_not_supported);

  // The socket closed while connecting: operation_aborted, no further attempts.
  socket.close_while_connecting = true;
  socket.attempts.clear();
  connect_outcome aborted;
  context.restart();
  proa::async_connect(socket, loopback_ports({5, 6}), [&](const error_code& ec, endpoint e) {
    aborted = {true, ec, e};
  });
  context.run();
  EXPECT_EQ(aborted.ec, proa::error::operation_aborted);
  EXPECT_EQ(socket.attempts.size(), 1u);
}

TEST(AsyncConnect, OverResolverResultsOnAStrand) {
  proa::thread_pool pool(2);
  auto strand = proa::make_strand(pool);
  fake_socket socket(pool.get_executor());
  proa::ip::tcp::resolver resolver(pool);
  const auto results = resolver.resolve("127.0.0.1", "9");
  std::promise<std::pair<error_code, endpoint>> done;
  bool on_strand = false;
  proa::async_connect(socket, results,
                      proa::bind_executor(strand, [&](const error_code& ec, endpoint e) {
                        on_strand = strand.running_in_this_thread();
                        done.set_value({ec, e});
                      }));
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  pool.join();
  const auto [ec, connected] = future.get();
  EXPECT_FALSE(ec);
  EXPECT_EQ(connected, endpoint(proa::ip::make_address("127.0.0.1"), 9));
  EXPECT_TRUE(on_strand);
}

// ---- async_resolve -----------------------------------------------------------------------------

using resolver = proa::ip::tcp::resolver;
using results_type = resolver::results_type;

struct resolve_outcome {
  bool called = false;
  error_code ec;
  results_type results;
  std::thread::id thread;
};

auto record(resolve_outcome& outcome) {
  return [&outcome](const error_code& ec, results_type results) {
    outcome.called = true;
    outcome.ec = ec;
    outcome.results = std::move(results);
    outcome.thread = std::this_thread::get_id();
  };
}

TEST(AsyncResolve, LocalhostResolvesAndRunWaitsForTheLookup) {
  proa::io_context context;
  resolver r(context);
  resolve_outcome result;
  r.async_resolve("localhost", "8080", record(result));
  EXPECT_FALSE(result.called);
  // Nothing else is queued: only the pending lookup keeps run() from returning at once.
  context.run();
  ASSERT_TRUE(result.called);
  EXPECT_FALSE(result.ec) << result.ec.message();
  EXPECT_FALSE(result.results.empty());
  for (const auto& entry : result.results) {
    EXPECT_TRUE(entry.endpoint().address().is_loopback()) << entry.endpoint();
    EXPECT_EQ(entry.endpoint().port(), 8080);
    EXPECT_EQ(entry.service_name(), "8080");
  }
  // The handler ran on the context's thread, not the lookup thread.
  EXPECT_EQ(result.thread, std::this_thread::get_id());
}

TEST(AsyncResolve, ProtocolAndFlagsRestrictTheLookup) {
  proa::io_context context;
  resolver r(context.get_executor());
  resolve_outcome numeric;
  r.async_resolve(proa::ip::tcp::v4(), "127.0.0.1", "80", resolver::numeric_host,
                  record(numeric));
  resolve_outcome rejected;
  r.async_resolve("localhost", "80", resolver::numeric_host, record(rejected));
  resolve_outcome v4_only;
  r.async_resolve(proa::ip::tcp::v4(), "localhost", "443", record(v4_only));
  context.run();
  EXPECT_FALSE(numeric.ec);
  ASSERT_EQ(numeric.results.size(), 1u);
  EXPECT_EQ(numeric.results.begin()->endpoint(),
            endpoint(proa::ip::make_address("127.0.0.1"), 80));
  EXPECT_EQ(rejected.ec, proa::error::host_not_found);
  EXPECT_TRUE(rejected.results.empty());
  EXPECT_FALSE(v4_only.ec);
  for (const auto& entry : v4_only.results) EXPECT_TRUE(entry.endpoint().address().is_v4());
}

TEST(AsyncResolve, UnknownHostErrorComesThroughTheHandler) {
  proa::io_context context;
  resolver r(context);
  resolve_outcome result;
  r.async_resolve("no-such-host.invalid", "80", record(result));
  context.run();
  ASSERT_TRUE(result.called);
  EXPECT_EQ(result.ec, proa::error::host_not_found) << result.ec.message();
  EXPECT_TRUE(result.results.empty());
}

TEST(AsyncResolve, ReverseLookupNamesTheEndpoint) {
  proa::io_context context;
  resolver r(context);
  resolve_outcome result;
  const endpoint target(proa::ip::make_address("127.0.0.1"), 80);
  r.async_resolve(target, record(result));
  context.run();
  EXPECT_FALSE(result.ec) << result.ec.message();
  ASSERT_EQ(result.results.size(), 1u);
  EXPECT_EQ(result.results.begin()->endpoint(), target);
  EXPECT_FALSE(result.results.begin()->host_name().empty());
}

TEST(AsyncResolve, CancelAbortsPendingLookups) {
  proa::io_context context;
  resolver r(context);
  std::vector<resolve_outcome> results(3);
  for (auto& result : results) r.async_resolve("localhost", "80", record(result));
  r.cancel();
  // A lookup started after cancel() is not affected.
  resolve_outcome later;
  r.async_resolve("127.0.0.1", "81", record(later));
  context.run();
  for (const auto& result : results) {
    ASSERT_TRUE(result.called);
    EXPECT_EQ(result.ec, proa::error::operation_aborted);
    EXPECT_TRUE(result.results.empty());
  }
  EXPECT_FALSE(later.ec);
  EXPECT_EQ(later.results.size(), 1u);
}

TEST(AsyncResolve, DestroyingTheResolverAbortsItsLookups) {
  proa::io_context context;
  resolve_outcome result;
  {
    resolver r(context);
    r.async_resolve("localhost", "80", record(result));
  }
  context.run();
  ASSERT_TRUE(result.called);
  EXPECT_EQ(result.ec, proa::error::operation_aborted);
}

TEST(AsyncResolve, ContextDestroyedWithALookupPendingDropsTheHandler) {
  auto alive = std::make_shared<int>(0);
  std::weak_ptr<int> watch = alive;
  bool called = false;
  {
    proa::io_context context;
    resolver r(context);
    r.async_resolve("localhost", "80",
                    [&called, alive = std::move(alive)](const error_code&, results_type) {
                      called = true;
                    });
  }
  EXPECT_FALSE(called);
  EXPECT_TRUE(watch.expired()) << "handler leaked";
}

TEST(AsyncResolve, StrandBoundHandlersOnAThreadPool) {
  proa::thread_pool pool(2);
  auto strand = proa::make_strand(pool);
  resolver r(pool);
  constexpr int lookups = 4;
  std::atomic<int> off_strand{0};
  std::atomic<int> failures{0};
  std::promise<void> all_done;
  int remaining = lookups;  // touched on the strand only
  for (int i = 0; i < lookups; ++i) {
    r.async_resolve("127.0.0.1", std::to_string(1000 + i),
                    proa::bind_executor(strand, [&](const error_code& ec, results_type results) {
                      if (!strand.running_in_this_thread()) ++off_strand;
                      if (ec || results.size() != 1) ++failures;
                      if (--remaining == 0) all_done.set_value();
                    }));
  }
  ASSERT_EQ(all_done.get_future().wait_for(10s), std::future_status::ready);
  pool.join();
  EXPECT_EQ(off_strand.load(), 0);
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
