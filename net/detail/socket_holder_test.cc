// Unit tests of detail::socket_holder: descriptor ownership (close, release, moves), the
// socket_ops state flags each operation sets or reads, and the iovec gathering.
#include "net/detail/socket_holder.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "net/detail/socket_option.hpp"
#include "net/socket_base.hpp"
#include "platform/socket_ops.hpp"
#include "runtime/io_context.hpp"

namespace {

using proa::error_code;
using proa::socket_base;
using proa::detail::descriptor_state;
using proa::detail::scheduler;
using proa::detail::socket_holder;
namespace socket_ops = proa::detail::socket_ops;

bool descriptor_is_valid(int fd) { return ::fcntl(fd, F_GETFD) != -1 || errno != EBADF; }
bool descriptor_is_non_blocking(int fd) { return (::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }

// A TCP listener on 127.0.0.1 with a kernel-chosen port.
struct loopback_listener {
  socket_holder socket;
  sockaddr_in address{};

  loopback_listener() {
    error_code ec;
    socket.open(AF_INET, SOCK_STREAM, 0, ec);
    EXPECT_FALSE(ec);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socket.bind(reinterpret_cast<const sockaddr*>(&address), sizeof(address), ec);
    EXPECT_FALSE(ec);
    socket.listen(8, ec);
    EXPECT_FALSE(ec);
    std::size_t length = sizeof(address);
    socket.local_address(reinterpret_cast<sockaddr*>(&address), length, ec);
    EXPECT_FALSE(ec);
  }
};

TEST(SocketHolder, OpenCreatesANonBlockingCloseOnExecDescriptor) {
  socket_holder stream;
  EXPECT_FALSE(stream.is_open());
  error_code ec;
  stream.open(AF_INET, SOCK_STREAM, 0, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(stream.is_open());
  EXPECT_TRUE(descriptor_is_non_blocking(stream.fd));
  EXPECT_TRUE(::fcntl(stream.fd, F_GETFD) & FD_CLOEXEC);
  EXPECT_EQ(stream.state, socket_ops::stream_oriented | socket_ops::internal_non_blocking);
  EXPECT_TRUE(stream.native_non_blocking());
  EXPECT_FALSE(stream.user_non_blocking());
  EXPECT_EQ(stream.reactor_descriptor, nullptr);

  socket_holder datagram;
  datagram.open(AF_INET6, SOCK_DGRAM, 0, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(datagram.state, socket_ops::datagram_oriented | socket_ops::internal_non_blocking);

  const int first_fd = stream.fd;
  stream.open(AF_INET, SOCK_STREAM, 0, ec);
  EXPECT_EQ(ec, proa::error::already_open);
  EXPECT_EQ(stream.fd, first_fd);
}

TEST(SocketHolder, FailedOpenLeavesItClosed) {
  socket_holder holder;
  error_code ec;
  holder.open(-1, SOCK_STREAM, 0, ec);
  EXPECT_TRUE(ec);
  EXPECT_FALSE(holder.is_open());
  EXPECT_EQ(holder.state, 0);
}

TEST(SocketHolder, CloseReleasesTheDescriptorAndResetsState) {
  socket_holder holder;
  error_code ec;
  holder.open(AF_INET, SOCK_STREAM, 0, ec);
  ASSERT_FALSE(ec);
  const int fd = holder.fd;
  proa::io_context context;
  auto& owner = proa::use_service<scheduler>(context);
  ASSERT_NE(holder.registration(owner, ec), nullptr);
  ASSERT_FALSE(ec);
  holder.close(ec);
  EXPECT_FALSE(ec);
  EXPECT_FALSE(holder.is_open());
  EXPECT_EQ(holder.state, 0);
  EXPECT_EQ(holder.reactor_descriptor, nullptr);
  EXPECT_EQ(holder.reactor_owner, nullptr);
  EXPECT_FALSE(descriptor_is_valid(fd));
  // Closing a closed socket is not an error.
  ec = proa::error::fault;
  holder.close(ec);
  EXPECT_FALSE(ec);
}

TEST(SocketHolder, DestructorClosesTheDescriptor) {
  int fd = -1;
  {
    socket_holder holder;
    error_code ec;
    holder.open(AF_INET, SOCK_DGRAM, 0, ec);
    ASSERT_FALSE(ec);
    fd = holder.fd;
    EXPECT_TRUE(descriptor_is_valid(fd));
  }
  EXPECT_FALSE(descriptor_is_valid(fd));
}

TEST(SocketHolder, ReleaseHandsTheDescriptorOver) {
  socket_holder holder;
  error_code ec;
  holder.open(AF_INET, SOCK_STREAM, 0, ec);
  ASSERT_FALSE(ec);
  const int fd = holder.fd;
  EXPECT_EQ(holder.release(ec), fd);
  EXPECT_FALSE(ec);
  EXPECT_FALSE(holder.is_open());
  EXPECT_TRUE(descriptor_is_valid(fd));
  ::close(fd);
  EXPECT_EQ(holder.release(ec), socket_ops::invalid_socket);
  EXPECT_EQ(ec, proa::error::bad_descriptor);
}

TEST(SocketHolder, CancelNeedsAnOpenSocket) {
  socket_holder holder;
  error_code ec;
  holder.cancel(ec);
  EXPECT_EQ(ec, proa::error::bad_descriptor);
  holder.open(AF_INET, SOCK_STREAM, 0, ec);
  ASSERT_FALSE(ec);
  ec = proa::error::fault;
  holder.cancel(ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(holder.is_open());
}

TEST(SocketHolder, MovesCarryDescriptorStateAndRegistration) {
  socket_holder first;
  error_code ec;
  first.open(AF_INET, SOCK_STREAM, 0, ec);
  ASSERT_FALSE(ec);
  proa::io_context context;
  auto& owner = proa::use_service<scheduler>(context);
  descriptor_state* registered = first.registration(owner, ec);
  ASSERT_NE(registered, nullptr);
  const int fd = first.fd;
  const auto state = first.state;

  socket_holder second(std::move(first));
  EXPECT_FALSE(first.is_open());  // moved-from: closed
  EXPECT_EQ(first.state, 0);
  EXPECT_EQ(first.reactor_descriptor, nullptr);
  EXPECT_EQ(second.fd, fd);
  EXPECT_EQ(second.state, state);
  EXPECT_EQ(second.reactor_descriptor, registered);
  EXPECT_EQ(second.registration(owner, ec), registered);  // not registered twice

  // Move assignment closes what the target held.
  socket_holder third;
  third.open(AF_INET, SOCK_DGRAM, 0, ec);
  ASSERT_FALSE(ec);
  const int replaced_fd = third.fd;
  third = std::move(second);
  EXPECT_EQ(third.fd, fd);
  EXPECT_EQ(third.reactor_descriptor, registered);
  EXPECT_FALSE(second.is_open());
  EXPECT_FALSE(descriptor_is_valid(replaced_fd));
  EXPECT_TRUE(descriptor_is_valid(fd));
}

TEST(SocketHolder, AssignKeepsTheDescriptorsMode) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  socket_holder holder;
  error_code ec;
  holder.assign(SOCK_STREAM, fd, ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(holder.fd, fd);
  EXPECT_EQ(holder.state, socket_ops::stream_oriented);
  EXPECT_FALSE(descriptor_is_non_blocking(fd));
  holder.assign(SOCK_STREAM, fd, ec);
  EXPECT_EQ(ec, proa::error::already_open);

  socket_holder negative;
  negative.assign(SOCK_STREAM, -1, ec);
  EXPECT_EQ(ec, proa::error::bad_descriptor);
  EXPECT_FALSE(negative.is_open());
}

TEST(SocketHolder, OpenPairGivesTwoConnectedNonBlockingSockets) {
  socket_holder first;
  socket_holder second;
  error_code ec;
  socket_holder::open_pair(AF_UNIX, SOCK_STREAM, 0, first, second, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(descriptor_is_non_blocking(first.fd));
  EXPECT_TRUE(descriptor_is_non_blocking(second.fd));
  EXPECT_EQ(first.state, socket_ops::stream_oriented | socket_ops::internal_non_blocking);
  EXPECT_EQ(second.state, first.state);

  char byte = 'x';
  iovec out{&byte, 1};
  EXPECT_EQ(first.send(&out, 1, 0, ec), 1u);
  char received = 0;
  iovec in{&received, 1};
  EXPECT_EQ(second.receive(&in, 1, 0, ec), 1u);
  EXPECT_EQ(received, 'x');

  socket_holder::open_pair(AF_UNIX, SOCK_STREAM, 0, first, second, ec);
  EXPECT_EQ(ec, proa::error::already_open);
}

TEST(SocketHolder, CustomLevelOptionsStayInTheState) {
  socket_holder holder;
  error_code ec;
  int on = 1;
  holder.set_option(proa::detail::custom_socket_option_level,
                    proa::detail::enable_connection_aborted_option, &on, sizeof(on), ec);
  EXPECT_EQ(ec, proa::error::bad_descriptor);

  holder.open(AF_INET, SOCK_STREAM, 0, ec);
  ASSERT_FALSE(ec);
  holder.set_option(proa::detail::custom_socket_option_level,
                    proa::detail::enable_connection_aborted_option, &on, sizeof(on), ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(holder.state & socket_ops::enable_connection_aborted);
  int value = 0;
  std::size_t size = sizeof(value);
  holder.get_option(proa::detail::custom_socket_option_level,
                    proa::detail::enable_connection_aborted_option, &value, size, ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(value, 1);

  int off = 0;
  holder.set_option(proa::detail::custom_socket_option_level,
                    proa::detail::enable_connection_aborted_option, &off, sizeof(off), ec);
  EXPECT_FALSE(holder.state & socket_ops::enable_connection_aborted);

  // Unknown custom names and wrong sizes are invalid_argument, never a syscall.
  holder.set_option(proa::detail::custom_socket_option_level, 99, &on, sizeof(on), ec);
  EXPECT_EQ(ec, proa::error::invalid_argument);
  char small = 1;
  holder.set_option(proa::detail::custom_socket_option_level,
                    proa::detail::enable_connection_aborted_option, &small, 1, ec);
  EXPECT_EQ(ec, proa::error::invalid_argument);
}

TEST(SocketHolder, SettingLingerIsRemembered) {
  socket_holder holder;
  error_code ec;
  holder.open(AF_INET, SOCK_STREAM, 0, ec);
  ASSERT_FALSE(ec);
  EXPECT_FALSE(holder.state & socket_ops::user_set_linger);
  ::linger value{1, 0};
  holder.set_option(SOL_SOCKET, SO_LINGER, &value, sizeof(value), ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(holder.state & socket_ops::user_set_linger);
}

TEST(SocketHolder, NonBlockingModesFollowSocketOps) {
  socket_holder holder;
  error_code ec;
  holder.open(AF_INET, SOCK_STREAM, 0, ec);
  ASSERT_FALSE(ec);

  holder.set_user_non_blocking(true, ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(holder.user_non_blocking());
  // The descriptor cannot become blocking while the user wants non-blocking behaviour.
  holder.set_native_non_blocking(false, ec);
  EXPECT_EQ(ec, proa::error::invalid_argument);
  EXPECT_TRUE(descriptor_is_non_blocking(holder.fd));

  // Clearing the user mode makes the descriptor really blocking.
  holder.set_user_non_blocking(false, ec);
  EXPECT_FALSE(ec);
  EXPECT_FALSE(holder.user_non_blocking());
  EXPECT_FALSE(holder.native_non_blocking());
  EXPECT_FALSE(descriptor_is_non_blocking(holder.fd));

  holder.set_native_non_blocking(true, ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(holder.native_non_blocking());
  EXPECT_TRUE(descriptor_is_non_blocking(holder.fd));
}

TEST(SocketHolder, IoControlFionbioUpdatesTheUserMode) {
  socket_holder holder;
  error_code ec;
  holder.open(AF_INET, SOCK_STREAM, 0, ec);
  ASSERT_FALSE(ec);
  proa::detail::io_control::non_blocking_io command(true);
  holder.io_control(command.name(), command.data(), ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(holder.user_non_blocking());
  command.set(false);
  holder.io_control(command.name(), command.data(), ec);
  EXPECT_FALSE(holder.user_non_blocking());
  EXPECT_FALSE(descriptor_is_non_blocking(holder.fd));

  socket_base::bytes_readable readable;
  // Any other request goes to ioctl(2): an unconnected TCP socket has nothing to read.
  readable.set(99);
  holder.io_control(readable.name(), readable.data(), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(readable.get(), 0u);
}

TEST(SocketHolder, WaitInNonBlockingModeOnlyLooks) {
  loopback_listener listener;
  error_code ec;
  listener.socket.set_user_non_blocking(true, ec);
  ASSERT_FALSE(ec);
  listener.socket.wait(socket_base::wait_read, ec);
  EXPECT_EQ(ec, proa::error::would_block);
  listener.socket.wait(77, ec);
  EXPECT_EQ(ec, proa::error::invalid_argument);

  socket_holder closed;
  closed.wait(socket_base::wait_write, ec);
  EXPECT_EQ(ec, proa::error::bad_descriptor);
}

TEST(SocketHolder, AcceptGivesANonBlockingPeerAndRefusesAnOpenOne) {
  loopback_listener listener;
  socket_holder client;
  error_code ec;
  client.open(AF_INET, SOCK_STREAM, 0, ec);
  ASSERT_FALSE(ec);
  client.connect(reinterpret_cast<const sockaddr*>(&listener.address), sizeof(listener.address),
                 ec);
  ASSERT_FALSE(ec) << ec.message();

  socket_holder peer;
  sockaddr_in peer_address{};
  std::size_t length = sizeof(peer_address);
  listener.socket.accept(SOCK_STREAM, peer, reinterpret_cast<sockaddr*>(&peer_address), &length,
                         ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(length, sizeof(sockaddr_in));
  EXPECT_EQ(peer_address.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  EXPECT_TRUE(descriptor_is_non_blocking(peer.fd));
  EXPECT_EQ(peer.state, socket_ops::stream_oriented | socket_ops::internal_non_blocking);

  listener.socket.accept(SOCK_STREAM, peer, nullptr, nullptr, ec);
  EXPECT_EQ(ec, proa::error::already_open);
}

TEST(SocketHolder, ClosedSocketOperationsReportBadDescriptor) {
  socket_holder holder;
  error_code ec;
  std::array<char, 4> bytes{};
  iovec buffer{bytes.data(), bytes.size()};
  EXPECT_EQ(holder.receive(&buffer, 1, 0, ec), 0u);
  EXPECT_EQ(ec, proa::error::bad_descriptor);
  // Even a zero-byte stream transfer, which is a no-op on an open socket.
  ec.clear();
  EXPECT_EQ(holder.send(&buffer, 0, 0, ec), 0u);
  EXPECT_EQ(ec, proa::error::bad_descriptor);
  ec.clear();
  EXPECT_EQ(holder.available(ec), 0u);
  EXPECT_EQ(ec, proa::error::bad_descriptor);
  ec.clear();
  holder.shutdown(SHUT_RDWR, ec);
  EXPECT_EQ(ec, proa::error::bad_descriptor);
  ec.clear();
  EXPECT_FALSE(holder.at_mark(ec));
  EXPECT_EQ(ec, proa::error::bad_descriptor);
  ec.clear();
  holder.set_user_non_blocking(true, ec);
  EXPECT_EQ(ec, proa::error::bad_descriptor);
  EXPECT_FALSE(holder.user_non_blocking());
}

TEST(GatherIovecs, SkipsEmptyBuffersAndCapsTheCount) {
  char a[3] = {};
  char b[5] = {};
  const std::array<proa::const_buffer, 3> sequence{proa::const_buffer(a, sizeof(a)),
                                                   proa::const_buffer(),
                                                   proa::const_buffer(b, sizeof(b))};
  const proa::detail::prepared_iovecs gathered = proa::detail::gather_iovecs(sequence);
  ASSERT_EQ(gathered.count, 2u);
  EXPECT_EQ(gathered.total_bytes, 8u);
  EXPECT_EQ(gathered.entries[0].iov_base, static_cast<void*>(a));
  EXPECT_EQ(gathered.entries[1].iov_len, sizeof(b));

  std::vector<char> storage(200);
  std::vector<proa::mutable_buffer> many;
  for (std::size_t i = 0; i < storage.size(); ++i) many.emplace_back(&storage[i], 1);
  const proa::detail::prepared_iovecs capped = proa::detail::gather_iovecs(many);
  EXPECT_EQ(capped.count, proa::detail::max_iovec_entries);
  EXPECT_EQ(capped.total_bytes, proa::detail::max_iovec_entries);

  const proa::detail::prepared_iovecs single =
      proa::detail::gather_iovecs(proa::mutable_buffer(a, 2));
  ASSERT_EQ(single.count, 1u);
  EXPECT_EQ(single.entries[0].iov_len, 2u);
}

}  // namespace
