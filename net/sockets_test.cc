// proa-specific socket semantics that the Asio comparison tests (tests/net_socket_test.cc) cannot
// share: descriptors are non-blocking underneath from open/accept/connect_pair on, what assign()
// and the mode setters do to that, the state kept in the socket_holder, and executor rebinding.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <type_traits>

#include <gtest/gtest.h>

#include "net/basic_datagram_socket.hpp"
#include "net/basic_socket_acceptor.hpp"
#include "net/basic_stream_socket.hpp"
#include "net/detail/socket_holder.hpp"
#include "net/ip/tcp.hpp"
#include "net/ip/udp.hpp"
#include "net/local/connect_pair.hpp"
#include "net/local/stream_protocol.hpp"
#include "platform/socket_ops.hpp"
#include "runtime/any_io_executor.hpp"
#include "runtime/io_context.hpp"

namespace {

using proa::error_code;
using proa::ip::tcp;
using proa::ip::udp;
namespace socket_ops = proa::detail::socket_ops;

bool descriptor_is_non_blocking(int fd) { return (::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }

template <typename Socket>
socket_ops::state_type state_of(const Socket& socket) {
  return proa::detail::socket_access::holder(socket).state;
}

tcp::endpoint loopback(proa::ip::port_type port = 0) {
  return tcp::endpoint(proa::ip::address_v4::loopback(), port);
}

static_assert(std::is_same_v<tcp::socket, proa::basic_stream_socket<tcp, proa::any_io_executor>>);
static_assert(std::is_same_v<tcp::acceptor, proa::basic_socket_acceptor<tcp>>);
static_assert(std::is_same_v<udp::socket, proa::basic_datagram_socket<udp>>);
static_assert(std::is_same_v<tcp::socket::native_handle_type, int>);
static_assert(std::is_same_v<tcp::socket::rebind_executor<proa::io_context::executor_type>::other,
                             proa::basic_stream_socket<tcp, proa::io_context::executor_type>>);
static_assert(!std::is_copy_constructible_v<tcp::socket>);
static_assert(std::is_nothrow_move_constructible_v<tcp::socket>);
static_assert(std::is_nothrow_destructible_v<tcp::socket>);
// A basic_socket is only a base class; it cannot be destroyed (so not declared) on its own.
static_assert(!std::is_destructible_v<proa::basic_socket<tcp>>);

TEST(ProaSockets, OpenedSocketsAreNonBlockingUnderneath) {
  proa::io_context context;
  tcp::socket stream(context, tcp::v4());
  EXPECT_TRUE(descriptor_is_non_blocking(stream.native_handle()));
  EXPECT_TRUE(stream.native_non_blocking());
  EXPECT_FALSE(stream.non_blocking());
  EXPECT_EQ(state_of(stream), socket_ops::stream_oriented | socket_ops::internal_non_blocking);

  udp::socket datagram(context, udp::endpoint(proa::ip::address_v4::loopback(), 0));
  EXPECT_TRUE(descriptor_is_non_blocking(datagram.native_handle()));
  EXPECT_EQ(state_of(datagram),
            socket_ops::datagram_oriented | socket_ops::internal_non_blocking);

  tcp::acceptor acceptor(context, loopback());
  EXPECT_TRUE(descriptor_is_non_blocking(acceptor.native_handle()));
  EXPECT_TRUE(acceptor.native_non_blocking());
}

TEST(ProaSockets, AcceptedAndPairedSocketsAreNonBlockingUnderneath) {
  proa::io_context context;
  tcp::acceptor acceptor(context, loopback());
  tcp::socket client(context);
  client.connect(acceptor.local_endpoint());
  tcp::socket server = acceptor.accept();
  EXPECT_TRUE(descriptor_is_non_blocking(server.native_handle()));
  EXPECT_TRUE(server.native_non_blocking());
  EXPECT_EQ(state_of(server), socket_ops::stream_oriented | socket_ops::internal_non_blocking);

  proa::local::stream_protocol::socket first(context);
  proa::local::stream_protocol::socket second(context);
  proa::local::connect_pair(first, second);
  EXPECT_TRUE(descriptor_is_non_blocking(first.native_handle()));
  EXPECT_TRUE(descriptor_is_non_blocking(second.native_handle()));
  EXPECT_TRUE(second.native_non_blocking());
}

TEST(ProaSockets, SyncOperationsWaitOnAnInternallyNonBlockingSocket) {
  proa::io_context context;
  tcp::acceptor acceptor(context, loopback());
  tcp::socket client(context);
  client.connect(acceptor.local_endpoint());
  tcp::socket server = acceptor.accept();

  // The reader waits (poll) although the descriptor is O_NONBLOCK; the writer comes later.
  std::thread writer([&client] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    client.write_some(proa::buffer(std::string("late")));
  });
  char bytes[8] = {};
  error_code ec;
  const std::size_t n = server.read_some(proa::buffer(bytes), ec);
  writer.join();
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(std::string(bytes, n), "late");
}

TEST(ProaSockets, AssignLeavesTheModeAlone) {
  proa::io_context context;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  tcp::socket socket(context, tcp::v4(), fd);
  EXPECT_EQ(socket.native_handle(), fd);
  EXPECT_FALSE(socket.native_non_blocking());
  EXPECT_FALSE(descriptor_is_non_blocking(fd));
  socket.native_non_blocking(true);
  EXPECT_TRUE(descriptor_is_non_blocking(fd));
}

TEST(ProaSockets, ClearingNativeModeMakesTheDescriptorBlockingAndSyncStillWorks) {
  proa::io_context context;
  proa::local::stream_protocol::socket first(context);
  proa::local::stream_protocol::socket second(context);
  proa::local::connect_pair(first, second);
  second.native_non_blocking(false);
  EXPECT_FALSE(second.native_non_blocking());
  EXPECT_FALSE(descriptor_is_non_blocking(second.native_handle()));

  first.write_some(proa::buffer(std::string("abc")));
  char bytes[3] = {};
  EXPECT_EQ(second.read_some(proa::buffer(bytes)), 3u);

  // User non-blocking mode wins over the native one and cannot be undercut.
  second.non_blocking(true);
  EXPECT_TRUE(descriptor_is_non_blocking(second.native_handle()));
  error_code ec;
  second.native_non_blocking(false, ec);
  EXPECT_EQ(ec, proa::error::invalid_argument);
  EXPECT_THROW(second.native_non_blocking(false), proa::system_error);
  // Clearing the user mode clears both: the descriptor really is blocking afterwards.
  second.non_blocking(false);
  EXPECT_FALSE(second.native_non_blocking());
  EXPECT_FALSE(descriptor_is_non_blocking(second.native_handle()));
}

TEST(ProaSockets, IoControlNonBlockingCommandSetsTheUserMode) {
  proa::io_context context;
  tcp::socket socket(context, tcp::v4());
  proa::detail::io_control::non_blocking_io command(true);
  socket.io_control(command);
  EXPECT_TRUE(socket.non_blocking());
  command.set(false);
  socket.io_control(command);
  EXPECT_FALSE(socket.non_blocking());
}

TEST(ProaSockets, ReactorRegistrationTravelsWithMoves) {
  proa::io_context context;
  tcp::socket first(context, tcp::v4());
  std::error_code ec;
  auto* registered =
      const_cast<proa::detail::socket_holder&>(proa::detail::socket_access::holder(first))
          .registration(proa::use_service<proa::detail::scheduler>(context), ec);
  ASSERT_NE(registered, nullptr);
  tcp::socket second(std::move(first));
  EXPECT_EQ(proa::detail::socket_access::holder(second).reactor_descriptor, registered);
  EXPECT_EQ(proa::detail::socket_access::holder(first).reactor_descriptor, nullptr);
  second.close();
  EXPECT_EQ(proa::detail::socket_access::holder(second).reactor_descriptor, nullptr);
}

TEST(ProaSockets, ExecutorTypesRebindAndConvert) {
  proa::io_context context;
  using context_socket = proa::basic_stream_socket<tcp, proa::io_context::executor_type>;
  using context_acceptor = proa::basic_socket_acceptor<tcp, proa::io_context::executor_type>;
  context_acceptor acceptor(context, loopback());
  context_socket client(context);
  client.connect(acceptor.local_endpoint());

  // accept() returns the protocol's socket rebound to the acceptor's executor.
  auto accepted = acceptor.accept();
  static_assert(std::is_same_v<decltype(accepted), context_socket>);
  EXPECT_TRUE(accepted.is_open());
  EXPECT_TRUE(accepted.get_executor() == context.get_executor());

  // A socket on a concrete executor converts (by move) into the type-erased one.
  const int fd = accepted.native_handle();
  tcp::socket erased(std::move(accepted));
  EXPECT_EQ(erased.native_handle(), fd);
  EXPECT_FALSE(accepted.is_open());
  EXPECT_TRUE(erased.get_executor() == proa::any_io_executor(context.get_executor()));

  tcp::socket assigned(context);
  assigned = std::move(client);
  EXPECT_TRUE(assigned.is_open());

  // accept(context) and accept(executor) pick the socket type from their argument.
  tcp::acceptor erased_acceptor(std::move(acceptor));
  EXPECT_TRUE(erased_acceptor.is_open());
  tcp::socket third(context);
  third.connect(erased_acceptor.local_endpoint());
  auto from_context = erased_acceptor.accept(context);
  static_assert(std::is_same_v<decltype(from_context), context_socket>);
  EXPECT_TRUE(from_context.is_open());
  tcp::socket fourth(context);
  fourth.connect(erased_acceptor.local_endpoint());
  tcp::endpoint peer;
  auto from_executor = erased_acceptor.accept(context.get_executor(), peer);
  static_assert(std::is_same_v<decltype(from_executor), context_socket>);
  EXPECT_EQ(peer, fourth.local_endpoint());
}

}  // namespace
