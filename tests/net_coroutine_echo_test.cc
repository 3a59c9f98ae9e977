// Coroutine echo over loopback TCP: a co_spawn'd listener and echo sessions, and coroutine
// clients, all with use_awaitable (async_accept, async_connect, async_read_some, async_read,
// async_read_until, async_write) on a thread_pool(4). Built against Asio too.
#include <atomic>
#include <cstddef>
#include <exception>
#include <string>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime_under_test.hpp"

namespace {

using rt::awaitable;
using rt::co_spawn;
using rt::use_awaitable;
using tcp = rt::ip::tcp;

struct echo_counters {
  std::atomic<int> sessions_ended{0};
  std::atomic<int> session_errors{0};
  std::atomic<long> bytes_echoed{0};
};

// Echoes until the peer closes; a clean close (eof) ends the session without an error.
awaitable<void> echo_session(tcp::socket socket, echo_counters& counters) {
  char data[512];
  try {
    for (;;) {
      std::size_t n = co_await socket.async_read_some(rt::buffer(data), use_awaitable);
      co_await rt::async_write(socket, rt::buffer(data, n), use_awaitable);
      counters.bytes_echoed += static_cast<long>(n);
    }
  } catch (const std::system_error& e) {
    if (e.code() != rt::error::eof) ++counters.session_errors;
  }
  ++counters.sessions_ended;
}

awaitable<void> listener(tcp::acceptor& acceptor, int connections, echo_counters& counters) {
  for (int i = 0; i < connections; ++i) {
    tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
    co_spawn(socket.get_executor(), echo_session(std::move(socket), counters), rt::detached);
  }
}

std::string message_for(int client, int index) {
  std::string text = "client " + std::to_string(client) + " message " + std::to_string(index);
  text.resize(48 + (index % 17), '.');  // varying lengths
  return text;
}

// Alternate clients read replies with async_read (exact length) and async_read_until.
awaitable<int> client(tcp::endpoint server, int id, int messages) {
  tcp::socket socket(co_await rt::this_coro::executor);
  co_await socket.async_connect(server, use_awaitable);
  int matched = 0;
  std::string pending;  // async_read_until may read past the delimiter
  for (int i = 0; i < messages; ++i) {
    const std::string message = message_for(id, i) + "\n";
    co_await rt::async_write(socket, rt::buffer(message), use_awaitable);
    std::string reply;
    if (id % 2 == 0) {
      reply.resize(message.size());
      std::size_t n = co_await rt::async_read(socket, rt::buffer(reply), use_awaitable);
      reply.resize(n);
    } else {
      std::size_t n =
          co_await rt::async_read_until(socket, rt::dynamic_buffer(pending), '\n', use_awaitable);
      reply = pending.substr(0, n);
      pending.erase(0, n);
    }
    if (reply == message) ++matched;
  }
  socket.shutdown(tcp::socket::shutdown_send);
  co_return matched;
}

TEST(NetCoroutineEcho, TenThousandMessagesOverFiftyConnectionsOnAPool) {
  runtime_test::hang_watchdog watchdog("TenThousandMessagesOverFiftyConnectionsOnAPool",
                                       runtime_test::hang_limit * 4);
  constexpr int connections = 50;
  constexpr int messages_per_connection = 200;  // 10,000 round trips in all
  rt::thread_pool pool(4);
  tcp::acceptor acceptor(pool, tcp::endpoint(rt::ip::address_v4::loopback(), 0));
  const tcp::endpoint server = acceptor.local_endpoint();

  echo_counters counters;
  std::atomic<int> listener_errors{0};
  co_spawn(pool, listener(acceptor, connections, counters), [&](std::exception_ptr e) {
    if (e) ++listener_errors;
  });

  std::atomic<int> matched{0};
  std::atomic<int> client_errors{0};
  runtime_test::countdown clients_done(connections);
  for (int c = 0; c < connections; ++c) {
    co_spawn(pool, client(server, c, messages_per_connection), [&](std::exception_ptr e, int n) {
      if (e) ++client_errors;
      matched += n;
      clients_done.arrive();
    });
  }
  ASSERT_TRUE(clients_done.wait_for(runtime_test::hang_limit * 2));
  pool.join();  // sessions end when their clients shut down; the listener after 50 accepts

  EXPECT_EQ(client_errors.load(), 0);
  EXPECT_EQ(listener_errors.load(), 0);
  EXPECT_EQ(matched.load(), connections * messages_per_connection);
  EXPECT_EQ(counters.sessions_ended.load(), connections);
  EXPECT_EQ(counters.session_errors.load(), 0);
  long expected_bytes = 0;
  for (int c = 0; c < connections; ++c)
    for (int i = 0; i < messages_per_connection; ++i)
      expected_bytes += static_cast<long>(message_for(c, i).size() + 1);
  EXPECT_EQ(counters.bytes_echoed.load(), expected_bytes);
}

// Large transfers split into many partial reads and writes, on one thread: exercises the
// operations that complete at once (data already there) as well as those that wait.
TEST(NetCoroutineEcho, LargeMessagesThroughPartialReadsAndWrites) {
  runtime_test::hang_watchdog watchdog("LargeMessagesThroughPartialReadsAndWrites");
  rt::io_context ctx;
  tcp::acceptor acceptor(ctx, tcp::endpoint(rt::ip::address_v4::loopback(), 0));
  echo_counters counters;
  co_spawn(ctx, listener(acceptor, 1, counters), rt::detached);

  constexpr std::size_t size = 1 << 20;
  std::string payload(size, '\0');
  for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 23);
  std::string received;
  bool finished = false;
  co_spawn(
      ctx,
      [&]() -> awaitable<void> {
        tcp::socket socket(co_await rt::this_coro::executor);
        co_await socket.async_connect(acceptor.local_endpoint(), use_awaitable);
        // Write and read concurrently: a second coroutine thread reads while this one writes,
        // so neither side's socket buffer fills up for good.
        co_spawn(
            socket.get_executor(),
            [&]() -> awaitable<void> {
              received.resize(size);
              co_await rt::async_read(socket, rt::buffer(received), use_awaitable);
              finished = true;
            },
            rt::detached);
        co_await rt::async_write(socket, rt::buffer(payload), use_awaitable);
        rt::steady_timer timer(socket.get_executor());
        while (!finished) {
          timer.expires_after(std::chrono::milliseconds(1));
          co_await timer.async_wait(use_awaitable);
        }
        socket.shutdown(tcp::socket::shutdown_send);
      },
      rt::detached);
  ctx.run();
  EXPECT_TRUE(finished);
  EXPECT_TRUE(received == payload);
  EXPECT_EQ(counters.sessions_ended.load(), 1);
  EXPECT_EQ(counters.session_errors.load(), 0);
  EXPECT_EQ(counters.bytes_echoed.load(), static_cast<long>(size));
}

}  // namespace
