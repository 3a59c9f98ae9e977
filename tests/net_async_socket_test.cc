// Asynchronous socket behaviour, built against both Asio 1.22 and proa (runtime_under_test.hpp):
// accept/connect/read/write on loopback, eof, refused connects, cancel and close completing
// pending operations with operation_aborted (also from another thread), UDP, async_wait,
// strands, and run() staying inside while an operation is pending.
#include "tests/runtime_under_test.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace ip = rt::ip;
using namespace std::chrono_literals;

using runtime_test::loopback_any_port;

// A connected loopback pair made synchronously, for tests about what happens after connecting.
struct tcp_pair {
  rt::io_context context;
  ip::tcp::acceptor acceptor{context, loopback_any_port()};
  ip::tcp::socket client{context};
  ip::tcp::socket server{context};

  tcp_pair() {
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }
};

TEST(NetAsyncSocket, AcceptConnectWriteReadOnOneContext) {
  runtime_test::hang_watchdog watchdog("AcceptConnectWriteReadOnOneContext");
  rt::io_context context;
  ip::tcp::acceptor acceptor(context, loopback_any_port());
  ip::tcp::socket client(context);
  std::optional<ip::tcp::socket> served;
  rt_error_code accept_ec = rt::error::fault, connect_ec = rt::error::fault;
  rt_error_code write_ec = rt::error::fault, read_ec = rt::error::fault;
  std::size_t written = 0, read = 0;
  const std::string message = "hello, proactor";
  std::array<char, 64> incoming{};

  acceptor.async_accept([&](const rt_error_code& ec, ip::tcp::socket peer) {
    accept_ec = ec;
    served.emplace(std::move(peer));
    served->async_read_some(rt::buffer(incoming), [&](const rt_error_code& ec2, std::size_t n) {
      read_ec = ec2;
      read = n;
    });
  });
  client.async_connect(acceptor.local_endpoint(), [&](const rt_error_code& ec) {
    connect_ec = ec;
    client.async_write_some(rt::buffer(message), [&](const rt_error_code& ec2, std::size_t n) {
      write_ec = ec2;
      written = n;
    });
  });
  // Nothing completes inside the initiating calls.
  EXPECT_EQ(accept_ec, rt::error::fault);
  EXPECT_EQ(connect_ec, rt::error::fault);
  context.run();
  EXPECT_FALSE(accept_ec);
  EXPECT_FALSE(connect_ec);
  EXPECT_FALSE(write_ec);
  EXPECT_FALSE(read_ec);
  EXPECT_EQ(written, message.size());
  EXPECT_EQ(std::string(incoming.data(), read), message);
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(served->remote_endpoint(), client.local_endpoint());
}

TEST(NetAsyncSocket, RunBlocksWhileAReadIsPendingAndReturnsAfterIt) {
  runtime_test::hang_watchdog watchdog("RunBlocksWhileAReadIsPending");
  tcp_pair pair;
  std::array<char, 8> buffer{};
  rt_error_code ec = rt::error::fault;
  std::size_t n = 0;
  pair.server.async_read_some(rt::buffer(buffer), [&](const rt_error_code& e, std::size_t bytes) {
    ec = e;
    n = bytes;
  });
  std::atomic<bool> returned{false};
  std::thread runner([&] {
    pair.context.run();
    returned = true;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(returned.load());  // the pending read is work
  pair.client.write_some(rt::buffer("abc", 3));
  runner.join();
  EXPECT_TRUE(returned.load());
  EXPECT_FALSE(ec);
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(std::string(buffer.data(), n), "abc");
}

TEST(NetAsyncSocket, PeerCloseGivesEof) {
  tcp_pair pair;
  std::array<char, 8> buffer{};
  rt_error_code ec;
  std::size_t n = 99;
  pair.server.async_read_some(rt::buffer(buffer), [&](const rt_error_code& e, std::size_t bytes) {
    ec = e;
    n = bytes;
  });
  pair.client.close();
  pair.context.run();
  EXPECT_EQ(ec, rt::error::eof);
  EXPECT_EQ(n, 0u);
}

TEST(NetAsyncSocket, DataAndShutdownArrivingTogetherEndInEof) {
  runtime_test::hang_watchdog watchdog("DataAndShutdownArrivingTogetherEndInEof");
  // Reads smaller than the data, so the last data read is short with the peer's FIN already
  // seen: once with the reads started before anything arrives, once after.
  for (int read_first = 0; read_first < 2; ++read_first) {
    tcp_pair pair;
    std::array<char, 8> buffer{};
    std::string received;
    rt_error_code final_ec;
    std::function<void()> read_next = [&] {
      pair.server.async_read_some(rt::buffer(buffer), [&](const rt_error_code& e, std::size_t n) {
        received.append(buffer.data(), n);
        if (e)
          final_ec = e;
        else
          read_next();
      });
    };
    if (read_first) {
      read_next();
      pair.context.poll();  // the read is now waiting for the reactor
    }
    pair.client.write_some(rt::buffer("twelve bytes", 12));
    pair.client.shutdown(ip::tcp::socket::shutdown_send);
    if (!read_first) read_next();
    pair.context.run();
    EXPECT_EQ(received, "twelve bytes");
    EXPECT_EQ(final_ec, rt::error::eof);
  }
}

TEST(NetAsyncSocket, HalfCloseStillDeliversTheOtherDirection) {
  tcp_pair pair;
  pair.client.shutdown(ip::tcp::socket::shutdown_send);
  std::array<char, 8> buffer{};
  rt_error_code read_ec, write_ec;
  pair.server.async_read_some(rt::buffer(buffer),
                              [&](const rt_error_code& e, std::size_t) { read_ec = e; });
  pair.server.async_write_some(rt::buffer("xyz", 3),
                               [&](const rt_error_code& e, std::size_t) { write_ec = e; });
  pair.context.run();
  EXPECT_EQ(read_ec, rt::error::eof);
  EXPECT_FALSE(write_ec);
  std::array<char, 3> got{};
  pair.client.read_some(rt::buffer(got));
  EXPECT_EQ(std::string(got.data(), 3), "xyz");
}

TEST(NetAsyncSocket, ConnectToAClosedPortIsRefused) {
  rt::io_context context;
  ip::tcp::endpoint closed_port;
  {
    ip::tcp::acceptor probe(context, loopback_any_port());
    closed_port = probe.local_endpoint();
  }
  ip::tcp::socket socket(context);
  rt_error_code ec;
  socket.async_connect(closed_port, [&](const rt_error_code& e) { ec = e; });
  context.run();
  EXPECT_EQ(ec, rt::error::connection_refused);
  EXPECT_TRUE(socket.is_open());  // opened by async_connect, left open like Asio
}

TEST(NetAsyncSocket, CancelCompletesPendingOperationsWithOperationAborted) {
  tcp_pair pair;
  std::array<char, 8> buffer{};
  rt_error_code read_ec, wait_ec;
  pair.server.async_read_some(rt::buffer(buffer),
                              [&](const rt_error_code& e, std::size_t) { read_ec = e; });
  pair.server.async_wait(ip::tcp::socket::wait_read, [&](const rt_error_code& e) { wait_ec = e; });
  pair.context.poll();
  pair.server.cancel();
  pair.context.run();
  EXPECT_EQ(read_ec, rt::error::operation_aborted);
  EXPECT_EQ(wait_ec, rt::error::operation_aborted);
  // The socket still works afterwards.
  pair.client.write_some(rt::buffer("q", 1));
  rt_error_code again = rt::error::fault;
  pair.server.async_read_some(rt::buffer(buffer),
                              [&](const rt_error_code& e, std::size_t) { again = e; });
  pair.context.restart();
  pair.context.run();
  EXPECT_FALSE(again);
}

TEST(NetAsyncSocket, CloseFromAnotherThreadAbortsAPendingRead) {
  runtime_test::hang_watchdog watchdog("CloseFromAnotherThreadAbortsAPendingRead");
  for (int round = 0; round < runtime_test::scaled(50, 10); ++round) {
    tcp_pair pair;
    std::array<char, 8> buffer{};
    std::atomic<bool> done{false};
    rt_error_code ec;
    pair.server.async_read_some(rt::buffer(buffer), [&](const rt_error_code& e, std::size_t) {
      ec = e;
      done = true;
    });
    std::thread runner([&] { pair.context.run(); });
    if (round % 2) std::this_thread::sleep_for(1ms);
    rt::post(pair.context, [&] { pair.server.close(); });
    runner.join();
    EXPECT_TRUE(done.load());
    EXPECT_EQ(ec, rt::error::operation_aborted);
  }
}

TEST(NetAsyncSocket, DestroyingASocketWithAPendingReadAbortsIt) {
  rt::io_context context;
  ip::tcp::acceptor acceptor(context, loopback_any_port());
  ip::tcp::socket client(context);
  client.connect(acceptor.local_endpoint());
  auto server = std::make_unique<ip::tcp::socket>(context);
  acceptor.accept(*server);
  std::array<char, 8> buffer{};
  rt_error_code ec;
  server->async_read_some(rt::buffer(buffer), [&](const rt_error_code& e, std::size_t) { ec = e; });
  context.poll();
  server.reset();
  context.run();
  EXPECT_EQ(ec, rt::error::operation_aborted);
}

TEST(NetAsyncSocket, AcceptIntoAnOpenSocketIsAlreadyOpen) {
  rt::io_context context;
  ip::tcp::acceptor acceptor(context, loopback_any_port());
  ip::tcp::socket peer(context, ip::tcp::v4());
  rt_error_code ec;
  acceptor.async_accept(peer, [&](const rt_error_code& e) { ec = e; });
  context.run();
  EXPECT_EQ(ec, rt::error::already_open);
}

TEST(NetAsyncSocket, AcceptIntoASocketFillsThePeerEndpoint) {
  rt::io_context context;
  ip::tcp::acceptor acceptor(context, loopback_any_port());
  ip::tcp::socket peer(context), client(context);
  ip::tcp::endpoint peer_endpoint;
  rt_error_code accept_ec = rt::error::fault, connect_ec = rt::error::fault;
  acceptor.async_accept(peer, peer_endpoint, [&](const rt_error_code& e) { accept_ec = e; });
  client.async_connect(acceptor.local_endpoint(),
                       [&](const rt_error_code& e) { connect_ec = e; });
  context.run();
  EXPECT_FALSE(accept_ec);
  EXPECT_FALSE(connect_ec);
  EXPECT_TRUE(peer.is_open());
  EXPECT_EQ(peer_endpoint, client.local_endpoint());
}

TEST(NetAsyncSocket, OperationsOnAClosedSocketReportBadDescriptor) {
  rt::io_context context;
  ip::tcp::socket socket(context);
  std::array<char, 4> buffer{};
  rt_error_code read_ec, write_ec;
  socket.async_read_some(rt::buffer(buffer), [&](const rt_error_code& e, std::size_t) { read_ec = e; });
  socket.async_write_some(rt::buffer(buffer), [&](const rt_error_code& e, std::size_t) { write_ec = e; });
  context.run();
  EXPECT_EQ(read_ec, rt::error::bad_descriptor);
  EXPECT_EQ(write_ec, rt::error::bad_descriptor);
}

TEST(NetAsyncSocket, LargeWriteCompletesPartiallyAndTheRestArrives) {
  runtime_test::hang_watchdog watchdog("LargeWriteCompletesPartially");
  tcp_pair pair;
  const std::size_t total = 8 << 20;  // far beyond the socket buffers
  std::vector<char> out(total), in(total);
  for (std::size_t i = 0; i < total; ++i) out[i] = static_cast<char>(i * 7);
  std::size_t sent = 0, received = 0;
  std::function<void()> send_more = [&] {
    pair.client.async_write_some(rt::buffer(out.data() + sent, total - sent),
                                 [&](const rt_error_code& e, std::size_t n) {
                                   ASSERT_FALSE(e);
                                   sent += n;
                                   if (sent < total) send_more();
                                 });
  };
  std::function<void()> receive_more = [&] {
    pair.server.async_read_some(rt::buffer(in.data() + received, total - received),
                                [&](const rt_error_code& e, std::size_t n) {
                                  ASSERT_FALSE(e);
                                  received += n;
                                  if (received < total) receive_more();
                                });
  };
  send_more();
  receive_more();
  pair.context.run();
  EXPECT_EQ(sent, total);
  EXPECT_EQ(received, total);
  EXPECT_TRUE(in == out);
}

TEST(NetAsyncSocket, UdpSendToAndReceiveFrom) {
  rt::io_context context;
  ip::udp::socket receiver(context, ip::udp::endpoint(ip::address_v4::loopback(), 0));
  ip::udp::socket sender(context, ip::udp::endpoint(ip::address_v4::loopback(), 0));
  std::array<char, 32> buffer{};
  ip::udp::endpoint from;
  rt_error_code receive_ec = rt::error::fault, send_ec = rt::error::fault;
  std::size_t received = 0, sent = 0;
  receiver.async_receive_from(rt::buffer(buffer), from,
                              [&](const rt_error_code& e, std::size_t n) {
                                receive_ec = e;
                                received = n;
                              });
  sender.async_send_to(rt::buffer("datagram", 8), receiver.local_endpoint(),
                       [&](const rt_error_code& e, std::size_t n) {
                         send_ec = e;
                         sent = n;
                       });
  context.run();
  EXPECT_FALSE(receive_ec);
  EXPECT_FALSE(send_ec);
  EXPECT_EQ(sent, 8u);
  EXPECT_EQ(std::string(buffer.data(), received), "datagram");
  EXPECT_EQ(from, sender.local_endpoint());
}

TEST(NetAsyncSocket, ConnectedUdpAsyncSendAndReceive) {
  rt::io_context context;
  ip::udp::socket a(context, ip::udp::endpoint(ip::address_v4::loopback(), 0));
  ip::udp::socket b(context, ip::udp::endpoint(ip::address_v4::loopback(), 0));
  a.connect(b.local_endpoint());
  b.connect(a.local_endpoint());
  std::array<char, 16> buffer{};
  std::size_t received = 0;
  b.async_receive(rt::buffer(buffer), [&](const rt_error_code& e, std::size_t n) {
    EXPECT_FALSE(e);
    received = n;
  });
  a.async_send(rt::buffer("ping", 4), [&](const rt_error_code& e, std::size_t) { EXPECT_FALSE(e); });
  context.run();
  EXPECT_EQ(std::string(buffer.data(), received), "ping");
}

TEST(NetAsyncSocket, AsyncWaitReadCompletesWhenDataArrives) {
  tcp_pair pair;
  rt_error_code ec = rt::error::fault;
  pair.server.async_wait(ip::tcp::socket::wait_read, [&](const rt_error_code& e) { ec = e; });
  pair.context.poll();
  EXPECT_EQ(ec, rt::error::fault);  // nothing to read yet
  pair.client.write_some(rt::buffer("z", 1));
  pair.context.run();
  EXPECT_FALSE(ec);
  EXPECT_EQ(pair.server.available(), 1u);  // waiting consumed nothing
}


TEST(NetAsyncSocket, SocketOnAStrandCompletesOnTheStrand) {
  runtime_test::hang_watchdog watchdog("SocketOnAStrandCompletesOnTheStrand");
  rt::thread_pool pool(2);
  auto strand = rt::make_strand(pool);
  ip::tcp::acceptor acceptor(pool, loopback_any_port());
  ip::tcp::socket client(strand);
  client.connect(acceptor.local_endpoint());
  ip::tcp::socket server(pool);
  acceptor.accept(server);

  const int rounds = runtime_test::scaled(200, 50);
  std::atomic<int> completions{0}, off_strand{0};
  runtime_test::notification finished;
  std::array<char, 1> byte{};
  std::function<void(int)> read_next = [&](int left) {
    client.async_read_some(rt::buffer(byte), [&, left](const rt_error_code& e, std::size_t) {
      if (!strand.running_in_this_thread()) ++off_strand;
      ++completions;
      if (e || left == 1)
        finished.notify();
      else
        read_next(left - 1);
    });
  };
  rt::post(strand, [&] { read_next(rounds); });
  for (int i = 0; i < rounds; ++i) server.write_some(rt::buffer("x", 1));
  ASSERT_TRUE(finished.wait_for());
  EXPECT_EQ(completions.load(), rounds);
  EXPECT_EQ(off_strand.load(), 0);
  pool.join();
}

TEST(NetAsyncSocket, PeerResetMidWriteFailsTheWrite) {
  runtime_test::hang_watchdog watchdog("PeerResetMidWriteFailsTheWrite");
  tcp_pair pair;
  const std::size_t total = 32 << 20;  // cannot fit in the socket buffers
  std::vector<char> data(total, 'r');
  std::size_t sent = 0;
  rt_error_code final_ec;
  std::function<void()> send_more = [&] {
    pair.server.async_write_some(rt::buffer(data.data() + sent, total - sent),
                                 [&](const rt_error_code& e, std::size_t n) {
                                   sent += n;
                                   if (e)
                                     final_ec = e;
                                   else if (sent < total)
                                     send_more();
                                 });
  };
  send_more();
  pair.context.poll();  // fill the buffers: the write is now waiting
  ASSERT_LT(sent, total);
  // An abortive close: the peer answers further data with RST.
  pair.client.set_option(rt::socket_base::linger(true, 0));
  pair.client.close();
  pair.context.run();
  EXPECT_TRUE(final_ec == rt::error::connection_reset || final_ec == rt::error::broken_pipe)
      << final_ec.message();
  EXPECT_LT(sent, total);
}

TEST(NetAsyncSocket, LocalStreamSocketsEchoAsynchronously) {
  rt::io_context context;
  rt::local::stream_protocol::socket a(context), b(context);
  rt::local::connect_pair(a, b);
  std::array<char, 16> buffer{};
  std::size_t received = 0;
  rt_error_code write_ec = rt::error::fault, read_ec = rt::error::fault;
  b.async_read_some(rt::buffer(buffer), [&](const rt_error_code& e, std::size_t n) {
    read_ec = e;
    received = n;
  });
  a.async_write_some(rt::buffer("unix", 4), [&](const rt_error_code& e, std::size_t) { write_ec = e; });
  context.run();
  EXPECT_FALSE(write_ec);
  EXPECT_FALSE(read_ec);
  EXPECT_EQ(std::string(buffer.data(), received), "unix");
}

TEST(NetAsyncSocket, ThreadPoolSocketCompletesOnAPoolThread) {
  runtime_test::hang_watchdog watchdog("ThreadPoolSocketCompletesOnAPoolThread");
  rt::thread_pool pool(2);
  ip::tcp::acceptor acceptor(pool, loopback_any_port());
  ip::tcp::socket client(pool), server(pool);
  client.connect(acceptor.local_endpoint());
  acceptor.accept(server);
  std::array<char, 4> buffer{};
  runtime_test::notification done;
  std::atomic<bool> on_pool{false};
  const auto caller = std::this_thread::get_id();
  std::atomic<bool> on_caller{true};
  server.async_read_some(rt::buffer(buffer), [&](const rt_error_code& e, std::size_t) {
    on_pool = !e && pool.get_executor().running_in_this_thread();
    on_caller = std::this_thread::get_id() == caller;
    done.notify();
  });
  client.write_some(rt::buffer("pool", 4));
  ASSERT_TRUE(done.wait_for());
  EXPECT_TRUE(on_pool.load());
  EXPECT_FALSE(on_caller.load());
  pool.join();
}

TEST(NetAsyncSocket, SwitchingBackToBlockingModeDoesNotBlockAsyncReads) {
  runtime_test::hang_watchdog watchdog("SwitchingBackToBlockingModeDoesNotBlockAsyncReads");
  tcp_pair pair;
  // First asynchronous use: the socket is now known to the reactor.
  rt_error_code wait_ec = rt::error::fault;
  pair.server.async_wait(ip::tcp::socket::wait_write, [&](const rt_error_code& e) { wait_ec = e; });
  pair.context.run();
  ASSERT_FALSE(wait_ec);
  // non_blocking(false) really clears O_NONBLOCK on the descriptor.
  pair.server.non_blocking(true);
  pair.server.non_blocking(false);
  std::array<char, 4> buffer{};
  rt_error_code read_ec = rt::error::fault;
  std::size_t n = 0;
  // Nothing to read yet: starting the read must not block this thread.
  pair.server.async_read_some(rt::buffer(buffer), [&](const rt_error_code& e, std::size_t bytes) {
    read_ec = e;
    n = bytes;
  });
  pair.client.write_some(rt::buffer("late", 4));
  pair.context.restart();
  pair.context.run();
  EXPECT_FALSE(read_ec);
  EXPECT_EQ(std::string(buffer.data(), n), "late");
}

TEST(NetAsyncSocket, AHandlerMayBlockOnAReadAnotherThreadCompletes) {
  runtime_test::hang_watchdog watchdog("AHandlerMayBlockOnAReadAnotherThreadCompletes");
  rt::thread_pool pool(2);
  ip::tcp::acceptor acceptor(pool, loopback_any_port());
  ip::tcp::socket client(pool), server(pool);
  client.connect(acceptor.local_endpoint());
  acceptor.accept(server);
  std::array<char, 4> buffer{};
  std::promise<std::size_t> read_done;
  std::future<std::size_t> outcome = read_done.get_future();
  runtime_test::notification handler_finished;
  bool completed_in_time = false;
  // The handler starts a read and then blocks until another pool thread has completed it:
  // its own thread cannot, so whatever watches the socket must not depend on it.
  rt::post(pool, [&] {
    server.async_read_some(rt::buffer(buffer), [&](const rt_error_code& e, std::size_t n) {
      read_done.set_value(e ? 0 : n);
    });
    client.write_some(rt::buffer("wait", 4));
    completed_in_time = outcome.wait_for(runtime_test::hang_limit) == std::future_status::ready;
    handler_finished.notify();
  });
  ASSERT_TRUE(handler_finished.wait_for(runtime_test::hang_limit * 2));
  EXPECT_TRUE(completed_in_time);
  pool.join();
}

TEST(NetAsyncSocket, APendingErrorWaitDoesNotHoldUpReads) {
  runtime_test::hang_watchdog watchdog("APendingErrorWaitDoesNotHoldUpReads");
  tcp_pair pair;
  rt_error_code wait_ec = rt::error::fault, read_ec = rt::error::fault;
  std::array<char, 4> buffer{};
  std::size_t n = 0;
  pair.server.async_wait(ip::tcp::socket::wait_error, [&](const rt_error_code& e) { wait_ec = e; });
  pair.server.async_read_some(rt::buffer(buffer), [&](const rt_error_code& e, std::size_t bytes) {
    read_ec = e;
    n = bytes;
    pair.server.cancel();  // ends the error wait
  });
  pair.context.poll();
  pair.client.write_some(rt::buffer("data", 4));
  pair.context.run();
  EXPECT_FALSE(read_ec);
  EXPECT_EQ(std::string(buffer.data(), n), "data");
  EXPECT_EQ(wait_ec, rt::error::operation_aborted);
}

}  // namespace
