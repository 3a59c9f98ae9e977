// Per-operation cancellation of socket operations: emit racing the operation's completion on a
// thread_pool (run under TSan/ASan to check the lifetime protocol), emit after the socket was
// closed, and cancelling one of two queued reads.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>

#include "net/basic_socket_acceptor.hpp"
#include "net/basic_stream_socket.hpp"
#include "net/buffer.hpp"
#include "net/ip/tcp.hpp"
#include "platform/error.hpp"
#include "runtime/bind_cancellation_slot.hpp"
#include "runtime/cancellation_signal.hpp"
#include "runtime/io_context.hpp"
#include "runtime/thread_pool.hpp"

namespace {

using proa::ip::tcp;

template <typename Context>
void connect_pair(Context& ctx, tcp::socket& client, tcp::socket& server) {
  tcp::acceptor acceptor(ctx, tcp::endpoint(proa::ip::address_v4::loopback(), 0));
  client.connect(acceptor.local_endpoint());
  acceptor.accept(server);
}

TEST(SocketCancellation, EmitRacingCompletionLosesNoDataAndTouchesNoFreedOperation) {
  proa::thread_pool pool(2);
  tcp::socket client(pool), server(pool);
  connect_pair(pool, client, server);
  proa::cancellation_signal signal;
  constexpr int rounds = 400;
  std::size_t written = 0;
  std::size_t received = 0;
  int aborted = 0;
  std::array<char, 4> buffer{};
  for (int i = 0; i < rounds; ++i) {
    std::atomic<bool> done{false};
    std::error_code result;
    std::size_t bytes = 0;
    client.async_read_some(proa::buffer(buffer),
                           proa::bind_cancellation_slot(signal.slot(),
                                                        [&](std::error_code ec, std::size_t n) {
                                                          result = ec;
                                                          bytes = n;
                                                          done.store(true,
                                                                     std::memory_order_release);
                                                        }));
    if (i % 2 == 0) written += server.write_some(proa::buffer("x", 1));
    if (i % 3 == 0) std::this_thread::yield();
    signal.emit(proa::cancellation_type::terminal);
    while (!done.load(std::memory_order_acquire)) std::this_thread::yield();
    if (result == proa::error::operation_aborted) {
      ++aborted;
      EXPECT_EQ(bytes, 0u);
    } else {
      ASSERT_FALSE(result) << result.message();
      received += bytes;
    }
  }
  // Whatever no read took is still in the socket.
  client.non_blocking(true);
  std::error_code ec;
  while (std::size_t n = client.read_some(proa::buffer(buffer), ec)) received += n;
  EXPECT_EQ(ec, proa::error::would_block);
  EXPECT_EQ(received, written);
  EXPECT_GT(aborted, 0);
  pool.join();
}

TEST(SocketCancellation, EmitAfterCloseIsHarmless) {
  proa::io_context ctx;
  tcp::socket client(ctx), server(ctx);
  connect_pair(ctx, client, server);
  proa::cancellation_signal signal;
  std::array<char, 4> buffer{};
  std::error_code result;
  client.async_read_some(
      proa::buffer(buffer),
      proa::bind_cancellation_slot(signal.slot(),
                                   [&](std::error_code ec, std::size_t) { result = ec; }));
  client.close();
  // The read is completed (queued) but has not run: its slot handler is still installed, and
  // its descriptor state may already serve another socket.
  tcp::socket other_client(ctx), other_server(ctx);
  connect_pair(ctx, other_client, other_server);
  bool other_done = false;
  other_client.async_read_some(proa::buffer(buffer), [&](std::error_code ec, std::size_t n) {
    EXPECT_FALSE(ec);
    EXPECT_EQ(n, 1u);
    other_done = true;
  });
  signal.emit(proa::cancellation_type::terminal);
  other_server.write_some(proa::buffer("y", 1));
  ctx.run();
  EXPECT_EQ(result, proa::error::operation_aborted);
  EXPECT_TRUE(other_done);
  EXPECT_FALSE(signal.slot().has_handler());
}

TEST(SocketCancellation, CancelsOnlyTheBoundOperationOfTwoQueued) {
  proa::io_context ctx;
  tcp::socket client(ctx), server(ctx);
  connect_pair(ctx, client, server);
  proa::cancellation_signal signal;
  std::array<char, 4> first{}, second{};
  std::error_code first_ec, second_ec = proa::error::operation_aborted;
  std::size_t second_bytes = 0;
  client.async_read_some(
      proa::buffer(first),
      [&](std::error_code ec, std::size_t) { first_ec = ec; });
  client.async_read_some(
      proa::buffer(second),
      proa::bind_cancellation_slot(signal.slot(), [&](std::error_code ec, std::size_t n) {
        second_ec = ec;
        second_bytes = n;
      }));
  signal.emit(proa::cancellation_type::partial);
  ctx.poll();
  EXPECT_EQ(second_ec, proa::error::operation_aborted);
  EXPECT_EQ(second_bytes, 0u);
  server.write_some(proa::buffer("z", 1));
  ctx.restart();
  ctx.run();
  EXPECT_FALSE(first_ec);
  EXPECT_EQ(first[0], 'z');
}

}  // namespace
