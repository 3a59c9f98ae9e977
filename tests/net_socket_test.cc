// Synchronous socket behaviour (tcp/udp/local stream sockets and acceptors), built against both
// Asio 1.22 and proa (see runtime_under_test.hpp): echo between threads, connection errors, eof,
// broken pipes without SIGPIPE, options, modes, moves, release and close-on-destruction.
#include "tests/runtime_under_test.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace ip = rt::ip;
using clock_type = std::chrono::steady_clock;

bool descriptor_is_valid(int fd) { return ::fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

using runtime_test::loopback_any_port;

// A connected loopback TCP pair and the acceptor that made it.
struct tcp_connection {
  rt::io_context context;
  ip::tcp::acceptor acceptor{context, loopback_any_port()};
  ip::tcp::socket client{context};
  ip::tcp::socket server{context};

  tcp_connection() {
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }
};

// Writes all of `data` with write_some, however many calls it takes.
template <typename Socket>
void write_all(Socket& socket, const char* data, std::size_t size) {
  while (size > 0) {
    const std::size_t n = socket.write_some(rt::buffer(data, size));
    data += n;
    size -= n;
  }
}

// Reads exactly `size` bytes with read_some.
template <typename Socket>
void read_exactly(Socket& socket, char* data, std::size_t size) {
  while (size > 0) {
    const std::size_t n = socket.read_some(rt::buffer(data, size));
    data += n;
    size -= n;
  }
}

// ---- tcp: data transfer ----------------------------------------------------------------------

TEST(NetSocket, TcpEchoBetweenThreads) {
  runtime_test::hang_watchdog watchdog("TcpEchoBetweenThreads");
  rt::io_context context;
  ip::tcp::acceptor acceptor(context, loopback_any_port());
  const ip::tcp::endpoint server_endpoint = acceptor.local_endpoint();

  rt_error_code server_end;
  std::size_t echoed = 0;
  std::thread server([&] {
    ip::tcp::socket peer = acceptor.accept();
    // Without it, Nagle's algorithm and delayed acks stall every small echo for ~40 ms.
    peer.set_option(ip::tcp::no_delay(true));
    std::array<char, 3000> chunk;
    for (;;) {
      rt_error_code ec;
      const std::size_t n = peer.read_some(rt::buffer(chunk), ec);
      if (ec) {
        server_end = ec;
        return;
      }
      write_all(peer, chunk.data(), n);
      echoed += n;
    }
  });

  const std::size_t total = runtime_test::scaled(1 << 20, 1 << 18);
  std::vector<char> sent(total);
  for (std::size_t i = 0; i < total; ++i) sent[i] = static_cast<char>((i * 131) ^ (i >> 9));
  std::vector<char> received(total);

  ip::tcp::socket client(context);
  client.connect(server_endpoint);
  client.set_option(ip::tcp::no_delay(true));
  EXPECT_EQ(client.remote_endpoint(), server_endpoint);
  // Chunks of varying size, each read back before the next, so neither side can fill both
  // socket buffers and deadlock.
  std::size_t offset = 0;
  for (std::size_t step = 1; offset < total; step = step * 7 % 9001 + 1) {
    const std::size_t n = std::min(step, total - offset);
    write_all(client, sent.data() + offset, n);
    read_exactly(client, received.data() + offset, n);
    offset += n;
  }
  client.shutdown(rt::socket_base::shutdown_send);
  server.join();
  EXPECT_EQ(server_end, rt::error::eof);
  EXPECT_EQ(echoed, total);
  EXPECT_TRUE(received == sent);
}

TEST(NetSocket, ScatterGatherTransfers) {
  tcp_connection connection;
  const std::string first = "scatter";
  const std::string second = "/";
  const std::string third = "gather";
  const std::vector<rt::const_buffer> pieces{rt::buffer(first), rt::const_buffer(),
                                             rt::buffer(second), rt::buffer(third)};
  EXPECT_EQ(connection.client.send(pieces), 14u);

  // A 14-byte sendmsg arrives as one segment on loopback, so once readable it is all queued.
  connection.server.wait(rt::socket_base::wait_read);
  ASSERT_EQ(connection.server.available(), 14u);
  std::array<char, 4> head{};
  std::array<char, 10> tail{};
  const std::array<rt::mutable_buffer, 2> targets{rt::buffer(head), rt::buffer(tail)};
  EXPECT_EQ(connection.server.receive(targets), 14u);
  EXPECT_EQ(std::string(head.data(), head.size()), "scat");
  EXPECT_EQ(std::string(tail.data(), tail.size()), "ter/gather");
}

TEST(NetSocket, ZeroByteStreamTransfersCompleteAtOnce) {
  tcp_connection connection;
  rt_error_code ec = rt::error::fault;
  // Nothing is readable, yet an empty read neither waits nor reports anything.
  EXPECT_EQ(connection.server.read_some(rt::mutable_buffer(), ec), 0u);
  EXPECT_FALSE(ec) << ec.message();
  ec = rt::error::fault;
  EXPECT_EQ(connection.client.write_some(rt::const_buffer(), ec), 0u);
  EXPECT_FALSE(ec) << ec.message();
}

TEST(NetSocket, PeekLeavesDataQueued) {
  tcp_connection connection;
  write_all(connection.client, "peek", 4);
  connection.server.wait(rt::socket_base::wait_read);
  std::array<char, 4> bytes{};
  EXPECT_EQ(connection.server.receive(rt::buffer(bytes), rt::socket_base::message_peek), 4u);
  EXPECT_EQ(connection.server.available(), 4u);
  bytes.fill(0);
  EXPECT_EQ(connection.server.receive(rt::buffer(bytes)), 4u);
  EXPECT_EQ(std::string(bytes.data(), 4), "peek");
  EXPECT_EQ(connection.server.available(), 0u);
}

// ---- tcp: connection errors -----------------------------------------------------------------

TEST(NetSocket, ConnectToAPortNobodyListensOnIsRefused) {
  rt::io_context context;
  // Bound but not listening: the port stays ours, and the kernel refuses connections to it.
  ip::tcp::socket placeholder(context, loopback_any_port());
  const ip::tcp::endpoint target = placeholder.local_endpoint();
  ASSERT_NE(target.port(), 0);

  ip::tcp::socket client(context);
  rt_error_code ec;
  client.connect(target, ec);
  EXPECT_EQ(ec, rt::error::connection_refused);
  // connect() opened the socket, and a failed connect leaves it open.
  EXPECT_TRUE(client.is_open());

  ip::tcp::socket throwing(context);
  try {
    throwing.connect(target);
    FAIL() << "connect to a closed port succeeded";
  } catch (const rt::system_error& e) {
    EXPECT_EQ(e.code(), rt::error::connection_refused);
  }
}

TEST(NetSocket, ReadAfterPeerCloseDrainsThenReportsEof) {
  tcp_connection connection;
  write_all(connection.server, "bye", 3);
  connection.server.close();

  std::array<char, 8> bytes{};
  rt_error_code ec;
  std::size_t got = 0;
  while (got < 3 && !ec) {
    got += connection.client.read_some(rt::buffer(bytes.data() + got, bytes.size() - got), ec);
  }
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(std::string(bytes.data(), got), "bye");

  EXPECT_EQ(connection.client.read_some(rt::buffer(bytes), ec), 0u);
  EXPECT_EQ(ec, rt::error::eof);
  try {
    connection.client.read_some(rt::buffer(bytes));
    FAIL() << "read_some after eof did not throw";
  } catch (const rt::system_error& e) {
    EXPECT_EQ(e.code(), rt::error::eof);
  }
  EXPECT_THROW(connection.client.receive(rt::buffer(bytes)), rt::system_error);
}

TEST(NetSocket, WriteToClosedPeerFailsWithoutSigpipe) {
  tcp_connection connection;
  connection.server.close();
  // The first writes may still be accepted (the peer answers them with a reset); a later one must
  // fail. A SIGPIPE would kill the test binary here.
  const std::string chunk(4096, 'w');
  rt_error_code ec;
  for (int attempt = 0; attempt < 1000 && !ec; ++attempt) {
    connection.client.write_some(rt::buffer(chunk), ec);
    if (!ec) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(ec == rt::error::broken_pipe || ec == rt::error::connection_reset) << ec.message();
  // Once broken it stays broken, and the throwing form reports it too.
  EXPECT_THROW(connection.client.send(rt::buffer(chunk)), rt::system_error);
}

TEST(NetSocket, ShutdownSendGivesPeerEofButKeepsTheOtherDirection) {
  tcp_connection connection;
  connection.client.shutdown(rt::socket_base::shutdown_send);
  std::array<char, 4> bytes{};
  rt_error_code ec;
  connection.server.read_some(rt::buffer(bytes), ec);
  EXPECT_EQ(ec, rt::error::eof);

  write_all(connection.server, "back", 4);
  read_exactly(connection.client, bytes.data(), 4);
  EXPECT_EQ(std::string(bytes.data(), 4), "back");

  connection.client.write_some(rt::buffer(bytes), ec);
  EXPECT_EQ(ec, rt::error::broken_pipe);
}

// ---- acceptors ------------------------------------------------------------------------------

TEST(NetSocket, AcceptorConstructorOpensBindsAndListens) {
  rt::io_context context;
  ip::tcp::acceptor acceptor(context, loopback_any_port());
  EXPECT_TRUE(acceptor.is_open());
  const ip::tcp::endpoint local = acceptor.local_endpoint();
  EXPECT_NE(local.port(), 0);
  EXPECT_EQ(local.address(), ip::address_v4::loopback());
  rt::socket_base::reuse_address reuse;
  acceptor.get_option(reuse);
  EXPECT_TRUE(reuse.value());

  // No listen() call needed before a client can connect.
  ip::tcp::socket client(context);
  client.connect(local);
  ip::tcp::endpoint peer_endpoint;
  ip::tcp::socket server = acceptor.accept(peer_endpoint);
  EXPECT_TRUE(server.is_open());
  EXPECT_EQ(peer_endpoint, client.local_endpoint());
  EXPECT_EQ(server.remote_endpoint(), client.local_endpoint());
  EXPECT_EQ(server.local_endpoint(), local);

  ip::tcp::acceptor without_reuse(context, loopback_any_port(), false);
  without_reuse.get_option(reuse);
  EXPECT_FALSE(reuse.value());
}

TEST(NetSocket, AcceptorStepByStep) {
  rt::io_context context;
  ip::tcp::acceptor acceptor(context);
  EXPECT_FALSE(acceptor.is_open());
  acceptor.open(ip::tcp::v4());
  rt_error_code ec;
  acceptor.open(ip::tcp::v4(), ec);
  EXPECT_EQ(ec, rt::error::already_open);
  acceptor.bind(loopback_any_port());
  acceptor.listen();
  ip::tcp::socket client(context);
  client.connect(acceptor.local_endpoint());

  ip::tcp::socket server(context);
  ip::tcp::endpoint peer_endpoint;
  acceptor.accept(server, peer_endpoint);
  EXPECT_EQ(peer_endpoint, client.local_endpoint());
  // Accepting into a socket that is already open is refused before any connection is taken.
  acceptor.accept(server, ec);
  EXPECT_EQ(ec, rt::error::already_open);
  EXPECT_THROW(acceptor.accept(server), rt::system_error);
}

TEST(NetSocket, SecondAcceptorOnTheSamePortIsAddressInUse) {
  rt::io_context context;
  ip::tcp::acceptor first(context, loopback_any_port());
  try {
    ip::tcp::acceptor second(context, first.local_endpoint());
    FAIL() << "two listeners bound the same port";
  } catch (const rt::system_error& e) {
    EXPECT_EQ(e.code(), rt::error::address_in_use);
  }
  ip::tcp::acceptor third(context, ip::tcp::v4());
  rt_error_code ec;
  third.bind(first.local_endpoint(), ec);
  EXPECT_EQ(ec, rt::error::address_in_use);
}

TEST(NetSocket, ReuseAddressAllowsRebindingOverTimeWait) {
  rt::io_context context;
  ip::tcp::endpoint endpoint;
  {
    tcp_connection connection;
    endpoint = connection.acceptor.local_endpoint();
    // The server side closes first, so its end of the connection (on the listening port) goes
    // into TIME_WAIT.
    connection.server.close();
    std::array<char, 1> byte{};
    rt_error_code ec;
    connection.client.read_some(rt::buffer(byte), ec);
    EXPECT_EQ(ec, rt::error::eof);
  }
  try {
    ip::tcp::acceptor without_reuse(context, endpoint, false);
    FAIL() << "bound over a TIME_WAIT connection without reuse_address";
  } catch (const rt::system_error& e) {
    EXPECT_EQ(e.code(), rt::error::address_in_use);
  }
  ip::tcp::acceptor with_reuse(context, endpoint);
  EXPECT_EQ(with_reuse.local_endpoint(), endpoint);
}

TEST(NetSocket, NonBlockingAcceptReportsWouldBlock) {
  rt::io_context context;
  ip::tcp::acceptor acceptor(context, loopback_any_port());
  EXPECT_FALSE(acceptor.non_blocking());
  acceptor.non_blocking(true);
  EXPECT_TRUE(acceptor.non_blocking());
  rt_error_code ec;
  ip::tcp::socket peer = acceptor.accept(ec);
  EXPECT_EQ(ec, rt::error::would_block);
  EXPECT_FALSE(peer.is_open());
  acceptor.wait(rt::socket_base::wait_read, ec);
  EXPECT_EQ(ec, rt::error::would_block);

  ip::tcp::socket client(context);
  client.connect(acceptor.local_endpoint());
  acceptor.non_blocking(false);
  acceptor.wait(rt::socket_base::wait_read);
  acceptor.non_blocking(true);
  ip::tcp::socket server = acceptor.accept();
  EXPECT_TRUE(server.is_open());
}

// ---- options, modes and state ----------------------------------------------------------------

TEST(NetSocket, OptionsRoundTrip) {
  tcp_connection connection;
  ip::tcp::socket& socket = connection.client;

  ip::tcp::no_delay no_delay;
  socket.get_option(no_delay);
  EXPECT_FALSE(no_delay.value());
  socket.set_option(ip::tcp::no_delay(true));
  socket.get_option(no_delay);
  EXPECT_TRUE(no_delay.value());

  rt::socket_base::keep_alive keep_alive;
  socket.set_option(rt::socket_base::keep_alive(true));
  socket.get_option(keep_alive);
  EXPECT_TRUE(keep_alive.value());
  socket.set_option(rt::socket_base::keep_alive(false));
  socket.get_option(keep_alive);
  EXPECT_FALSE(keep_alive.value());

  rt::socket_base::linger linger;
  socket.get_option(linger);
  EXPECT_FALSE(linger.enabled());
  socket.set_option(rt::socket_base::linger(true, 5));
  socket.get_option(linger);
  EXPECT_TRUE(linger.enabled());
  EXPECT_EQ(linger.timeout(), 5);

  // Linux doubles buffer sizes on set; both libraries halve them on get.
  for (const int size : {16384, 32768}) {
    socket.set_option(rt::socket_base::receive_buffer_size(size));
    rt::socket_base::receive_buffer_size receive_size;
    socket.get_option(receive_size);
    EXPECT_EQ(receive_size.value(), size);
    socket.set_option(rt::socket_base::send_buffer_size(size));
    rt::socket_base::send_buffer_size send_size;
    socket.get_option(send_size);
    EXPECT_EQ(send_size.value(), size);
  }

  socket.set_option(rt::socket_base::receive_low_watermark(10));
  rt::socket_base::receive_low_watermark low_watermark;
  socket.get_option(low_watermark);
  EXPECT_EQ(low_watermark.value(), 10);
  // Linux does not let SO_SNDLOWAT be changed.
  rt_error_code ec;
  socket.set_option(rt::socket_base::send_low_watermark(10), ec);
  EXPECT_EQ(ec, rt::error::no_protocol_option);
  EXPECT_THROW(socket.set_option(rt::socket_base::send_low_watermark(10)), rt::system_error);

  rt::socket_base::reuse_address reuse;
  socket.set_option(rt::socket_base::reuse_address(true));
  socket.get_option(reuse);
  EXPECT_TRUE(reuse.value());

  rt::socket_base::out_of_band_inline inline_oob;
  socket.set_option(rt::socket_base::out_of_band_inline(true));
  socket.get_option(inline_oob);
  EXPECT_TRUE(inline_oob.value());

  // Kept by the library, not the kernel.
  rt::socket_base::enable_connection_aborted aborted;
  connection.acceptor.get_option(aborted);
  EXPECT_FALSE(aborted.value());
  connection.acceptor.set_option(rt::socket_base::enable_connection_aborted(true));
  connection.acceptor.get_option(aborted);
  EXPECT_TRUE(aborted.value());

  ip::tcp::socket closed(connection.context);
  closed.set_option(ip::tcp::no_delay(true), ec);
  EXPECT_EQ(ec, rt::error::bad_descriptor);
  closed.get_option(no_delay, ec);
  EXPECT_EQ(ec, rt::error::bad_descriptor);
}

TEST(NetSocket, AvailableAndBytesReadable) {
  tcp_connection connection;
  EXPECT_EQ(connection.server.available(), 0u);
  write_all(connection.client, "12345", 5);
  connection.server.wait(rt::socket_base::wait_read);
  EXPECT_EQ(connection.server.available(), 5u);
  rt::socket_base::bytes_readable readable;
  connection.server.io_control(readable);
  EXPECT_EQ(readable.get(), 5u);

  ip::tcp::socket closed(connection.context);
  rt_error_code ec;
  EXPECT_EQ(closed.available(ec), 0u);
  EXPECT_EQ(ec, rt::error::bad_descriptor);
  EXPECT_THROW(closed.available(), rt::system_error);
}

TEST(NetSocket, NonBlockingReadReportsWouldBlock) {
  tcp_connection connection;
  EXPECT_FALSE(connection.server.non_blocking());
  connection.server.non_blocking(true);
  EXPECT_TRUE(connection.server.non_blocking());

  std::array<char, 8> bytes{};
  rt_error_code ec;
  EXPECT_EQ(connection.server.read_some(rt::buffer(bytes), ec), 0u);
  EXPECT_EQ(ec, rt::error::would_block);
  try {
    connection.server.read_some(rt::buffer(bytes));
    FAIL() << "a non-blocking read with nothing queued did not throw";
  } catch (const rt::system_error& e) {
    EXPECT_EQ(e.code(), rt::error::would_block);
  }
  connection.server.wait(rt::socket_base::wait_read, ec);
  EXPECT_EQ(ec, rt::error::would_block);

  write_all(connection.client, "ready", 5);
  connection.server.non_blocking(false);
  connection.server.wait(rt::socket_base::wait_read);
  connection.server.non_blocking(true);
  EXPECT_EQ(connection.server.read_some(rt::buffer(bytes)), 5u);

  // A full send buffer makes a non-blocking write report would_block instead of waiting.
  connection.client.non_blocking(true);
  const std::string chunk(65536, 'f');
  std::size_t written = 0;
  ec.clear();
  for (int i = 0; i < 10000 && !ec; ++i) {
    written += connection.client.write_some(rt::buffer(chunk), ec);
  }
  EXPECT_EQ(ec, rt::error::would_block);
  EXPECT_GT(written, 0u);
}

TEST(NetSocket, WaitForWritabilityAndReadability) {
  tcp_connection connection;
  connection.client.wait(rt::socket_base::wait_write);
  std::thread writer([&connection] {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    write_all(connection.client, "x", 1);
  });
  connection.server.wait(rt::socket_base::wait_read);
  writer.join();
  EXPECT_EQ(connection.server.available(), 1u);
}

TEST(NetSocket, OpenCloseAndStateErrors) {
  rt::io_context context;
  ip::tcp::socket socket(context);
  EXPECT_FALSE(socket.is_open());
  rt_error_code ec;
  socket.cancel(ec);
  EXPECT_EQ(ec, rt::error::bad_descriptor);
  EXPECT_THROW(socket.cancel(), rt::system_error);
  socket.close(ec);  // closing a closed socket is fine
  EXPECT_FALSE(ec);

  socket.open(ip::tcp::v4());
  EXPECT_TRUE(socket.is_open());
  socket.open(ip::tcp::v4(), ec);
  EXPECT_EQ(ec, rt::error::already_open);
  EXPECT_THROW(socket.open(ip::tcp::v6()), rt::system_error);
  socket.cancel(ec);
  EXPECT_FALSE(ec);
  socket.remote_endpoint(ec);
  EXPECT_EQ(ec, rt::error::not_connected);
  EXPECT_THROW(socket.remote_endpoint(), rt::system_error);
  socket.close();
  EXPECT_FALSE(socket.is_open());

  // The endpoint constructor opens and binds.
  ip::tcp::socket bound(context, loopback_any_port());
  EXPECT_TRUE(bound.is_open());
  EXPECT_NE(bound.local_endpoint().port(), 0);
  EXPECT_EQ(bound.local_endpoint().address(), ip::address_v4::loopback());

  ip::tcp::socket v6(context, ip::tcp::v6());
  EXPECT_TRUE(v6.is_open());
}

TEST(NetSocket, AtMarkIsFalseWithoutUrgentData) {
  tcp_connection connection;
  EXPECT_FALSE(connection.server.at_mark());
  ip::tcp::socket closed(connection.context);
  rt_error_code ec;
  EXPECT_FALSE(closed.at_mark(ec));
  EXPECT_EQ(ec, rt::error::bad_descriptor);
}

// ---- ownership --------------------------------------------------------------------------------

TEST(NetSocket, MoveTransfersTheDescriptor) {
  tcp_connection connection;
  const int fd = connection.client.native_handle();
  ip::tcp::socket moved(std::move(connection.client));
  EXPECT_EQ(moved.native_handle(), fd);
  EXPECT_TRUE(moved.is_open());
  EXPECT_FALSE(connection.client.is_open());
  write_all(moved, "m", 1);
  char byte = 0;
  read_exactly(connection.server, &byte, 1);
  EXPECT_EQ(byte, 'm');

  // The moved-from socket is reusable.
  connection.client.open(ip::tcp::v4());
  EXPECT_TRUE(connection.client.is_open());

  // Move assignment closes what the target held.
  const int replaced = connection.client.native_handle();
  connection.client = std::move(moved);
  EXPECT_EQ(connection.client.native_handle(), fd);
  EXPECT_FALSE(moved.is_open());
  EXPECT_FALSE(descriptor_is_valid(replaced));

  const int acceptor_fd = connection.acceptor.native_handle();
  ip::tcp::acceptor moved_acceptor(std::move(connection.acceptor));
  EXPECT_EQ(moved_acceptor.native_handle(), acceptor_fd);
  EXPECT_FALSE(connection.acceptor.is_open());
}

TEST(NetSocket, ReleaseGivesUpOwnership) {
  rt::io_context context;
  ip::tcp::socket socket(context, ip::tcp::v4());
  const int fd = socket.native_handle();
  EXPECT_EQ(socket.release(), fd);
  EXPECT_FALSE(socket.is_open());
  EXPECT_TRUE(descriptor_is_valid(fd));

  rt_error_code ec;
  socket.release(ec);
  EXPECT_EQ(ec, rt::error::bad_descriptor);
  EXPECT_THROW(socket.release(), rt::system_error);

  // The descriptor can be handed to another socket object, which then owns it.
  {
    ip::tcp::socket adopted(context, ip::tcp::v4(), fd);
    EXPECT_EQ(adopted.native_handle(), fd);
    adopted.assign(ip::tcp::v4(), fd, ec);
    EXPECT_EQ(ec, rt::error::already_open);
  }
  EXPECT_FALSE(descriptor_is_valid(fd));
}

TEST(NetSocket, DestructionClosesTheDescriptor) {
  int socket_fd = -1;
  int acceptor_fd = -1;
  int datagram_fd = -1;
  {
    rt::io_context context;
    ip::tcp::socket socket(context, ip::tcp::v4());
    ip::tcp::acceptor acceptor(context, loopback_any_port());
    ip::udp::socket datagram(context, ip::udp::v4());
    socket_fd = socket.native_handle();
    acceptor_fd = acceptor.native_handle();
    datagram_fd = datagram.native_handle();
    EXPECT_TRUE(descriptor_is_valid(socket_fd));
  }
  EXPECT_FALSE(descriptor_is_valid(socket_fd));
  EXPECT_FALSE(descriptor_is_valid(acceptor_fd));
  EXPECT_FALSE(descriptor_is_valid(datagram_fd));
}

TEST(NetSocket, DestructorDoesNotWaitForLinger) {
  runtime_test::hang_watchdog watchdog("DestructorDoesNotWaitForLinger");
  tcp_connection connection;
  // Fill the path to a peer that never reads, so closing with lingering on would wait.
  connection.server.set_option(rt::socket_base::receive_buffer_size(4096));
  connection.client.set_option(rt::socket_base::send_buffer_size(4096));
  connection.client.non_blocking(true);
  const std::string chunk(16384, 'l');
  rt_error_code ec;
  for (int i = 0; i < 10000 && !ec; ++i) connection.client.write_some(rt::buffer(chunk), ec);
  ASSERT_EQ(ec, rt::error::would_block);
  connection.client.set_option(rt::socket_base::linger(true, 3));

  const auto start = clock_type::now();
  { ip::tcp::socket doomed(std::move(connection.client)); }
  const auto elapsed = clock_type::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(1500));
}

// ---- udp ------------------------------------------------------------------------------------

TEST(NetSocket, UdpSendToReceiveFrom) {
  rt::io_context context;
  const ip::udp::endpoint any_port(ip::address_v4::loopback(), 0);
  ip::udp::socket sender(context, any_port);
  ip::udp::socket receiver(context, any_port);

  EXPECT_EQ(sender.send_to(rt::buffer(std::string("datagram")), receiver.local_endpoint()), 8u);
  std::array<char, 32> bytes{};
  ip::udp::endpoint source;
  const std::size_t n = receiver.receive_from(rt::buffer(bytes), source);
  EXPECT_EQ(std::string(bytes.data(), n), "datagram");
  EXPECT_EQ(source, sender.local_endpoint());

  // An empty datagram is a message of its own, not end of stream.
  EXPECT_EQ(sender.send_to(rt::const_buffer(), receiver.local_endpoint()), 0u);
  rt_error_code ec = rt::error::fault;
  EXPECT_EQ(receiver.receive_from(rt::buffer(bytes), source, 0, ec), 0u);
  EXPECT_FALSE(ec) << ec.message();

  // A datagram longer than the buffer is truncated to it.
  sender.send_to(rt::buffer(std::string("0123456789")), receiver.local_endpoint());
  EXPECT_EQ(receiver.receive_from(rt::buffer(bytes.data(), 4), source), 4u);
  EXPECT_EQ(std::string(bytes.data(), 4), "0123");

  // Connected datagram sockets use send/receive.
  sender.connect(receiver.local_endpoint());
  EXPECT_EQ(sender.send(rt::buffer(std::string("hi"))), 2u);
  EXPECT_EQ(receiver.receive(rt::buffer(bytes)), 2u);
  EXPECT_EQ(std::string(bytes.data(), 2), "hi");

  rt::socket_base::broadcast broadcast;
  sender.set_option(rt::socket_base::broadcast(true));
  sender.get_option(broadcast);
  EXPECT_TRUE(broadcast.value());

  receiver.non_blocking(true);
  receiver.receive(rt::buffer(bytes), 0, ec);
  EXPECT_EQ(ec, rt::error::would_block);
}

// ---- local stream sockets -------------------------------------------------------------------

TEST(NetSocket, LocalConnectPairEcho) {
  runtime_test::hang_watchdog watchdog("LocalConnectPairEcho");
  rt::io_context context;
  rt::local::stream_protocol::socket first(context);
  rt::local::stream_protocol::socket second(context);
  rt::local::connect_pair(first, second);
  EXPECT_TRUE(first.is_open());
  EXPECT_TRUE(second.is_open());

  std::thread echo([&second] {
    std::array<char, 64> bytes{};
    for (;;) {
      rt_error_code ec;
      const std::size_t n = second.read_some(rt::buffer(bytes), ec);
      if (ec) return;
      write_all(second, bytes.data(), n);
    }
  });
  for (const std::string& message : {std::string("one"), std::string("two and three"),
                                    std::string(50, 'z')}) {
    write_all(first, message.data(), message.size());
    std::string back(message.size(), '\0');
    read_exactly(first, back.data(), back.size());
    EXPECT_EQ(back, message);
  }
  first.shutdown(rt::socket_base::shutdown_send);
  echo.join();

  // A socket that is already open cannot be paired.
  rt::local::stream_protocol::socket fresh(context);
  rt_error_code ec;
  rt::local::connect_pair(first, fresh, ec);
  EXPECT_EQ(ec, rt::error::already_open);
  EXPECT_THROW(rt::local::connect_pair(first, fresh), rt::system_error);
}

TEST(NetSocket, LocalAcceptorOnAPath) {
  char directory[] = "/tmp/proa_net_socket_XXXXXX";
  ASSERT_NE(::mkdtemp(directory), nullptr);
  const std::string path = std::string(directory) + "/listener";
  {
    rt::io_context context;
    using unix_stream = rt::local::stream_protocol;
    unix_stream::acceptor acceptor(context, unix_stream::endpoint(path));
    EXPECT_EQ(acceptor.local_endpoint().path(), path);

    unix_stream::socket client(context);
    client.connect(unix_stream::endpoint(path));
    unix_stream::socket server = acceptor.accept();
    EXPECT_EQ(client.remote_endpoint().path(), path);
    EXPECT_EQ(server.local_endpoint().path(), path);
    EXPECT_EQ(client.local_endpoint().path(), "");  // unbound client

    write_all(client, "unix", 4);
    std::array<char, 4> bytes{};
    read_exactly(server, bytes.data(), 4);
    EXPECT_EQ(std::string(bytes.data(), 4), "unix");

    // The path stays taken while the socket file exists.
    rt_error_code ec;
    unix_stream::acceptor second(context, unix_stream());
    second.bind(unix_stream::endpoint(path), ec);
    EXPECT_EQ(ec, rt::error::address_in_use);
  }
  ::unlink(path.c_str());
  ::rmdir(directory);
}

}  // namespace
