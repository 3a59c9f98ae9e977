// Completion tokens and per-operation cancellation, checked against Asio 1.22 and proa alike:
// use_future on timers and sockets, as_tuple, redirect_error, deferred, detached, async_compose,
// and cancellation slots on socket reads and timer waits.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <future>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>

#if defined(PROA_TEST_AGAINST_ASIO)
// GCC (with the sanitizer builds' flags) misreads Asio 1.22's own use_future code
// (asio/impl/use_future.hpp) as using an uninitialised variable; the warning is about Asio.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "tests/runtime_under_test.hpp"

#if defined(PROA_TEST_AGAINST_ASIO)
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/deferred.hpp>
#endif

namespace {

using namespace std::chrono_literals;
using rt::ip::tcp;
using runtime_test::hang_watchdog;

// A connected loopback TCP pair on `ctx`, set up synchronously.
struct loopback_pair {
  explicit loopback_pair(rt::io_context& ctx) : client(ctx), server(ctx) {
    tcp::acceptor acceptor(ctx, tcp::endpoint(rt::ip::address_v4::loopback(), 0));
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }
  tcp::socket client;
  tcp::socket server;
};

// Runs the context on a thread of its own for the lifetime of the object, so futures can be
// waited on from the test's thread.
class background_run {
 public:
  explicit background_run(rt::io_context& ctx)
      : guard_(rt::make_work_guard(ctx)), thread_([&ctx] { ctx.run(); }) {}
  ~background_run() {
    guard_.reset();
    thread_.join();
  }

 private:
  rt::executor_work_guard<rt::io_context::executor_type> guard_;
  std::thread thread_;
};

// The error a use_future operation failed with (none if it succeeded). Waits first until the
// context has finished the completion, which a no-op posted after it proves: the thrown
// exception is shared with the promise the completion destroys, and that count lives inside
// libstdc++ where TSan cannot see it order the two threads' uses of the exception.
template <typename T>
rt_error_code future_error(std::future<T>& result, rt::io_context& ctx) {
  result.wait();
  rt::post(ctx, rt::use_future).wait();
  try {
    result.get();
  } catch (const std::system_error& e) {
    return e.code();
  }
  return {};
}

// ---- use_future ----

TEST(RuntimeTokens, UseFutureOnTimerWait) {
  hang_watchdog watchdog("UseFutureOnTimerWait");
  rt::io_context ctx;
  background_run runner(ctx);
  const auto start = std::chrono::steady_clock::now();
  rt::steady_timer timer(ctx, 5ms);
  std::future<void> done = timer.async_wait(rt::use_future);
  ASSERT_EQ(done.wait_for(runtime_test::hang_limit), std::future_status::ready);
  EXPECT_NO_THROW(done.get());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 5ms);

  timer.expires_after(10s);
  std::future<void> cancelled = timer.async_wait(rt::use_future);
  rt::post(ctx, [&timer] { timer.cancel(); });
  EXPECT_EQ(future_error(cancelled, ctx), rt::error::operation_aborted);
}

TEST(RuntimeTokens, UseFutureOnSocketConnectAcceptWriteRead) {
  hang_watchdog watchdog("UseFutureOnSocketConnectAcceptWriteRead");
  rt::io_context ctx;
  tcp::acceptor acceptor(ctx, tcp::endpoint(rt::ip::address_v4::loopback(), 0));
  tcp::socket client(ctx);
  background_run runner(ctx);

  std::future<tcp::socket> accepted = acceptor.async_accept(rt::use_future);
  std::future<void> connected = client.async_connect(acceptor.local_endpoint(), rt::use_future);
  ASSERT_EQ(connected.wait_for(runtime_test::hang_limit), std::future_status::ready);
  connected.get();
  tcp::socket server = accepted.get();
  ASSERT_TRUE(server.is_open());

  const std::string message = "hello, future";
  std::future<std::size_t> written = rt::async_write(client, rt::buffer(message), rt::use_future);
  EXPECT_EQ(written.get(), message.size());

  std::string received(message.size(), '\0');
  std::future<std::size_t> read = rt::async_read(server, rt::buffer(received), rt::use_future);
  EXPECT_EQ(read.get(), message.size());
  EXPECT_EQ(received, message);

  // A failure becomes the future's exception: the peer is gone, so a read ends with eof.
  server.close();
  std::array<char, 8> buffer;
  std::future<std::size_t> eof = client.async_read_some(rt::buffer(buffer), rt::use_future);
  EXPECT_EQ(future_error(eof, ctx), rt::error::eof);
}

TEST(RuntimeTokens, UseFutureOnRefusedConnect) {
  hang_watchdog watchdog("UseFutureOnRefusedConnect");
  rt::io_context ctx;
  tcp::endpoint closed_port;
  {
    tcp::acceptor probe(ctx, tcp::endpoint(rt::ip::address_v4::loopback(), 0));
    closed_port = probe.local_endpoint();
  }
  background_run runner(ctx);
  tcp::socket client(ctx);
  std::future<void> connected = client.async_connect(closed_port, rt::use_future);
  EXPECT_EQ(future_error(connected, ctx), rt::error::connection_refused);
}

// ---- adapters: as_tuple, redirect_error ----

TEST(RuntimeTokens, AsTuplePacksErrorAndBytes) {
  hang_watchdog watchdog("AsTuplePacksErrorAndBytes");
  rt::io_context ctx;
  loopback_pair pair(ctx);
  const std::string message = "tuple";
  rt::write(pair.server, rt::buffer(message));
  std::array<char, 16> buffer{};
  rt_error_code got_ec = rt::error::operation_aborted;
  std::size_t got_bytes = 0;
  pair.client.async_read_some(
      rt::buffer(buffer), rt::experimental::as_tuple([&](std::tuple<rt_error_code, std::size_t> r) {
        std::tie(got_ec, got_bytes) = r;
      }));
  ctx.run();
  EXPECT_FALSE(got_ec);
  EXPECT_EQ(got_bytes, message.size());
  EXPECT_EQ(std::string(buffer.data(), got_bytes), message);
}

TEST(RuntimeTokens, RedirectErrorStoresTheError) {
  hang_watchdog watchdog("RedirectErrorStoresTheError");
  rt::io_context ctx;
  loopback_pair pair(ctx);
  pair.server.close();
  std::array<char, 16> buffer{};
  rt_error_code ec;
  std::size_t got_bytes = 99;
  bool called = false;
  pair.client.async_read_some(rt::buffer(buffer), rt::redirect_error(
                                                      [&](std::size_t n) {
                                                        called = true;
                                                        got_bytes = n;
                                                      },
                                                      ec));
  ctx.run();
  EXPECT_TRUE(called);
  EXPECT_EQ(ec, rt::error::eof);
  EXPECT_EQ(got_bytes, 0u);
}

TEST(RuntimeTokens, RedirectErrorWithUseFutureNeverThrows) {
  hang_watchdog watchdog("RedirectErrorWithUseFutureNeverThrows");
  rt::io_context ctx;
  rt::steady_timer timer(ctx, 10s);
  background_run runner(ctx);
  rt_error_code ec;
  std::future<void> done = timer.async_wait(rt::redirect_error(rt::use_future, ec));
  rt::post(ctx, [&timer] { timer.cancel(); });
  EXPECT_NO_THROW(done.get());
  EXPECT_EQ(ec, rt::error::operation_aborted);
}

// ---- deferred, detached ----

TEST(RuntimeTokens, DeferredStartsOnlyWhenLaunched) {
  hang_watchdog watchdog("DeferredStartsOnlyWhenLaunched");
  rt::io_context ctx;
  loopback_pair pair(ctx);
  const std::string message = "later";
  auto write_op = rt::async_write(pair.client, rt::buffer(message), rt::experimental::deferred);
  ctx.run();
  std::array<char, 16> buffer{};
  rt_error_code ec;
  pair.server.non_blocking(true);
  pair.server.read_some(rt::buffer(buffer), ec);
  EXPECT_EQ(ec, rt::error::would_block) << "nothing may be written before the launch";
  pair.server.non_blocking(false);

  std::size_t written = 0;
  std::move(write_op)([&](rt_error_code e, std::size_t n) {
    EXPECT_FALSE(e);
    written = n;
  });
  ctx.restart();
  ctx.run();
  EXPECT_EQ(written, message.size());
  const std::size_t n = rt::read(pair.server, rt::buffer(buffer.data(), message.size()));
  EXPECT_EQ(std::string(buffer.data(), n), message);
}

TEST(RuntimeTokens, DeferredLaunchedWithUseFuture) {
  hang_watchdog watchdog("DeferredLaunchedWithUseFuture");
  rt::io_context ctx;
  rt::steady_timer timer(ctx, 1ms);
  auto wait = timer.async_wait(rt::experimental::deferred);
  background_run runner(ctx);
  std::future<void> done = std::move(wait)(rt::use_future);
  EXPECT_EQ(done.wait_for(runtime_test::hang_limit), std::future_status::ready);
}

TEST(RuntimeTokens, DetachedRunsTheOperation) {
  hang_watchdog watchdog("DetachedRunsTheOperation");
  rt::io_context ctx;
  loopback_pair pair(ctx);
  const std::string message = "fire and forget";
  rt::async_write(pair.client, rt::buffer(message), rt::detached);
  const auto start = std::chrono::steady_clock::now();
  rt::steady_timer timer(ctx, 2ms);
  timer.async_wait(rt::detached);
  ctx.run();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 2ms);
  std::string received(message.size(), '\0');
  EXPECT_EQ(rt::read(pair.server, rt::buffer(received)), message.size());
  EXPECT_EQ(received, message);
}

// ---- async_compose ----

// Reads what arrives and writes it back; completes with the bytes echoed.
template <typename Socket>
struct echo_once {
  Socket& socket;
  std::array<char, 64>& buffer;
  enum { starting, reading, writing } state = starting;

  template <typename Self>
  void operator()(Self& self, rt_error_code ec = {}, std::size_t n = 0) {
    switch (state) {
      case starting:
        state = reading;
        socket.async_read_some(rt::buffer(buffer), std::move(self));
        return;
      case reading:
        if (ec) {
          self.complete(ec, 0);
          return;
        }
        state = writing;
        rt::async_write(socket, rt::buffer(buffer.data(), n), std::move(self));
        return;
      case writing:
        self.complete(ec, n);
        return;
    }
  }
};

template <typename Socket, typename CompletionToken>
auto async_echo_once(Socket& socket, std::array<char, 64>& buffer, CompletionToken&& token) {
  return rt::async_compose<CompletionToken, void(rt_error_code, std::size_t)>(
      echo_once<Socket>{socket, buffer}, token, socket);
}

TEST(RuntimeTokens, ComposedOperationWithCallback) {
  hang_watchdog watchdog("ComposedOperationWithCallback");
  rt::io_context ctx;
  loopback_pair pair(ctx);
  std::array<char, 64> buffer{};
  rt_error_code got_ec = rt::error::operation_aborted;
  std::size_t echoed = 0;
  async_echo_once(pair.server, buffer, [&](rt_error_code ec, std::size_t n) {
    got_ec = ec;
    echoed = n;
  });
  const std::string message = "ping";
  rt::write(pair.client, rt::buffer(message));
  ctx.run();
  EXPECT_FALSE(got_ec);
  EXPECT_EQ(echoed, message.size());
  std::string back(message.size(), '\0');
  rt::read(pair.client, rt::buffer(back));
  EXPECT_EQ(back, message);
}

TEST(RuntimeTokens, ComposedOperationWithUseFuture) {
  hang_watchdog watchdog("ComposedOperationWithUseFuture");
  rt::io_context ctx;
  loopback_pair pair(ctx);
  std::array<char, 64> buffer{};
  background_run runner(ctx);
  std::future<std::size_t> echoed = async_echo_once(pair.server, buffer, rt::use_future);
  const std::string message = "pong!";
  rt::write(pair.client, rt::buffer(message));
  EXPECT_EQ(echoed.get(), message.size());
  std::string back(message.size(), '\0');
  rt::read(pair.client, rt::buffer(back));
  EXPECT_EQ(back, message);

  // The peer leaving makes the composed operation fail, and the future throw.
  std::future<std::size_t> failed = async_echo_once(pair.server, buffer, rt::use_future);
  pair.client.close();
  EXPECT_TRUE(future_error(failed, ctx));
}

TEST(RuntimeTokens, ComposedOperationWithCoroutine) {
  hang_watchdog watchdog("ComposedOperationWithCoroutine");
  rt::io_context ctx;
  loopback_pair pair(ctx);
  std::array<char, 64> buffer{};
  std::size_t echoed = 0;
  bool failed_with_eof = false;
  rt::co_spawn(
      ctx,
      [&]() -> rt::awaitable<void> {
        echoed = co_await async_echo_once(pair.server, buffer, rt::use_awaitable);
        try {
          co_await async_echo_once(pair.server, buffer, rt::use_awaitable);
        } catch (const std::system_error& e) {
          failed_with_eof = e.code() == rt::error::eof;
        }
      },
      rt::detached);
  const std::string message = "coroutine";
  rt::write(pair.client, rt::buffer(message));
  ctx.run_one();  // at least the start of the coroutine
  while (echoed == 0 && ctx.run_one() > 0) {
  }
  std::string back(message.size(), '\0');
  rt::read(pair.client, rt::buffer(back));
  EXPECT_EQ(back, message);
  EXPECT_EQ(echoed, message.size());
  pair.client.close();  // the second echo fails: its error is thrown in the coroutine
  ctx.run();
  EXPECT_TRUE(failed_with_eof);
}

// ---- per-operation cancellation ----

TEST(RuntimeTokens, CancellingAPendingReadLeavesTheSocketUsable) {
  hang_watchdog watchdog("CancellingAPendingReadLeavesTheSocketUsable");
  rt::io_context ctx;
  loopback_pair pair(ctx);
  rt::cancellation_signal signal;
  std::array<char, 16> buffer{};
  rt_error_code first_ec;
  bool first_done = false;
  pair.client.async_read_some(rt::buffer(buffer),
                              rt::bind_cancellation_slot(signal.slot(), [&](rt_error_code ec,
                                                                            std::size_t) {
                                first_ec = ec;
                                first_done = true;
                              }));
  rt::post(ctx, [&] { signal.emit(rt::cancellation_type::terminal); });
  ctx.run();
  ASSERT_TRUE(first_done);
  EXPECT_EQ(first_ec, rt::error::operation_aborted);

  // The socket still works: the next read (same signal, now unused) gets the data.
  const std::string message = "still here";
  rt::write(pair.server, rt::buffer(message));
  std::size_t got = 0;
  pair.client.async_read_some(
      rt::buffer(buffer),
      rt::bind_cancellation_slot(signal.slot(), [&](rt_error_code ec, std::size_t n) {
        EXPECT_FALSE(ec);
        got = n;
      }));
  ctx.restart();
  ctx.run();
  EXPECT_EQ(std::string(buffer.data(), got), message);
}

TEST(RuntimeTokens, TimeoutWithATimerAndACancellationSignal) {
  hang_watchdog watchdog("TimeoutWithATimerAndACancellationSignal");
  rt::io_context ctx;
  loopback_pair pair(ctx);
  rt::cancellation_signal signal;
  const auto start = std::chrono::steady_clock::now();
  rt::steady_timer timeout(ctx, 20ms);
  std::array<char, 16> buffer{};
  rt_error_code read_ec;
  rt_error_code timer_ec = rt::error::operation_aborted;
  bool read_done = false;
  rt::async_read(pair.client, rt::buffer(buffer),
                 rt::bind_cancellation_slot(signal.slot(), [&](rt_error_code ec, std::size_t) {
                   read_ec = ec;
                   read_done = true;
                   timeout.cancel();
                 }));
  timeout.async_wait([&](rt_error_code ec) {
    timer_ec = ec;
    if (!ec) signal.emit(rt::cancellation_type::terminal);
  });
  ctx.run();
  ASSERT_TRUE(read_done);
  EXPECT_EQ(read_ec, rt::error::operation_aborted);
  EXPECT_FALSE(timer_ec);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
}

TEST(RuntimeTokens, CancellingOneTimerWaitLeavesTheOthers) {
  hang_watchdog watchdog("CancellingOneTimerWaitLeavesTheOthers");
  rt::io_context ctx;
  const auto start = std::chrono::steady_clock::now();
  rt::steady_timer timer(ctx, 30ms);
  rt::cancellation_signal signal;
  rt_error_code cancelled_ec, other_ec = rt::error::operation_aborted;
  std::chrono::steady_clock::duration cancelled_after{}, other_after{};
  timer.async_wait(rt::bind_cancellation_slot(signal.slot(), [&](rt_error_code ec) {
    cancelled_ec = ec;
    cancelled_after = std::chrono::steady_clock::now() - start;
  }));
  timer.async_wait([&](rt_error_code ec) {
    other_ec = ec;
    other_after = std::chrono::steady_clock::now() - start;
  });
  rt::post(ctx, [&] { signal.emit(rt::cancellation_type::terminal); });
  ctx.run();
  EXPECT_EQ(cancelled_ec, rt::error::operation_aborted);
  EXPECT_LT(cancelled_after, 30ms);
  EXPECT_FALSE(other_ec);
  EXPECT_GE(other_after, 30ms);
}

TEST(RuntimeTokens, CancellationSlotWrapsUseFuture) {
  hang_watchdog watchdog("CancellationSlotWrapsUseFuture");
  rt::io_context ctx;
  loopback_pair pair(ctx);
  rt::cancellation_signal signal;
  std::array<char, 16> buffer{};
  background_run runner(ctx);
  std::future<std::size_t> read = pair.client.async_read_some(
      rt::buffer(buffer), rt::bind_cancellation_slot(signal.slot(), rt::use_future));
  rt::post(ctx, [&] { signal.emit(rt::cancellation_type::terminal); });
  EXPECT_EQ(future_error(read, ctx), rt::error::operation_aborted);
}

}  // namespace
