// Unit tests of the socket option and I/O control classes (net/detail/socket_option.hpp) and of
// socket_base's constants: values, the level/name/data/size contract, resize() checks.
#include "net/detail/socket_option.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>
#include <stdexcept>

#include <gtest/gtest.h>

#include "net/ip/tcp.hpp"
#include "net/ip/udp.hpp"
#include "net/socket_base.hpp"

namespace {

using proa::socket_base;
using proa::ip::tcp;

TEST(SocketOption, BooleanHoldsAnIntForTheKernel) {
  socket_base::keep_alive option;
  EXPECT_FALSE(option.value());
  EXPECT_FALSE(static_cast<bool>(option));
  EXPECT_TRUE(!option);
  option = true;
  EXPECT_TRUE(option.value());
  EXPECT_FALSE(!option);
  EXPECT_EQ(option.level(tcp::v4()), SOL_SOCKET);
  EXPECT_EQ(option.name(tcp::v4()), SO_KEEPALIVE);
  EXPECT_EQ(option.size(tcp::v4()), sizeof(int));
  EXPECT_EQ(*option.data(tcp::v4()), 1);
  // What getsockopt writes through data() is what value() reports.
  *option.data(tcp::v6()) = 0;
  EXPECT_FALSE(option.value());
  *option.data(tcp::v6()) = 5;
  EXPECT_TRUE(option.value());
}

TEST(SocketOption, BooleanAcceptsAOneByteAnswer) {
  socket_base::broadcast option(false);
  // Simulate a kernel that wrote one byte of "true" over the int.
  unsigned char one = 1;
  std::memcpy(option.data(tcp::v4()), &one, 1);
  option.resize(tcp::v4(), 1);
  EXPECT_TRUE(option.value());
  option.resize(tcp::v4(), sizeof(int));
  EXPECT_TRUE(option.value());
  EXPECT_THROW(option.resize(tcp::v4(), 2), std::length_error);
  EXPECT_THROW(option.resize(tcp::v4(), 0), std::length_error);
}

TEST(SocketOption, IntegerRoundTripsAndChecksLength) {
  socket_base::receive_buffer_size option(4096);
  EXPECT_EQ(option.value(), 4096);
  option = 8192;
  EXPECT_EQ(option.value(), 8192);
  EXPECT_EQ(*option.data(tcp::v4()), 8192);
  EXPECT_EQ(option.level(tcp::v4()), SOL_SOCKET);
  EXPECT_EQ(option.name(tcp::v4()), SO_RCVBUF);
  EXPECT_EQ(option.size(tcp::v4()), sizeof(int));
  EXPECT_NO_THROW(option.resize(tcp::v4(), sizeof(int)));
  EXPECT_THROW(option.resize(tcp::v4(), 1), std::length_error);
  EXPECT_EQ(socket_base::receive_buffer_size().value(), 0);
}

TEST(SocketOption, LingerExposesOnOffAndTimeout) {
  socket_base::linger option(true, 7);
  EXPECT_TRUE(option.enabled());
  EXPECT_EQ(option.timeout(), 7);
  EXPECT_EQ(option.data(tcp::v4())->l_onoff, 1);
  EXPECT_EQ(option.data(tcp::v4())->l_linger, 7);
  EXPECT_EQ(option.size(tcp::v4()), sizeof(::linger));
  option.enabled(false);
  option.timeout(0);
  EXPECT_FALSE(option.enabled());
  EXPECT_EQ(option.timeout(), 0);
  EXPECT_THROW(option.resize(tcp::v4(), sizeof(int)), std::length_error);
  const socket_base::linger off;
  EXPECT_FALSE(off.enabled());
  EXPECT_EQ(off.timeout(), 0);
}

TEST(SocketOption, NamesMatchTheKernelConstants) {
  const auto p = tcp::v4();
  EXPECT_EQ(socket_base::broadcast().name(p), SO_BROADCAST);
  EXPECT_EQ(socket_base::debug().name(p), SO_DEBUG);
  EXPECT_EQ(socket_base::do_not_route().name(p), SO_DONTROUTE);
  EXPECT_EQ(socket_base::send_buffer_size().name(p), SO_SNDBUF);
  EXPECT_EQ(socket_base::send_low_watermark().name(p), SO_SNDLOWAT);
  EXPECT_EQ(socket_base::receive_low_watermark().name(p), SO_RCVLOWAT);
  EXPECT_EQ(socket_base::reuse_address().name(p), SO_REUSEADDR);
  EXPECT_EQ(socket_base::linger().name(p), SO_LINGER);
  EXPECT_EQ(socket_base::out_of_band_inline().name(p), SO_OOBINLINE);
  EXPECT_EQ(tcp::no_delay().level(p), IPPROTO_TCP);
  EXPECT_EQ(tcp::no_delay().name(p), TCP_NODELAY);
  // proa handles this one itself; its level must be one no kernel protocol uses.
  EXPECT_EQ(socket_base::enable_connection_aborted().level(p),
            proa::detail::custom_socket_option_level);
  EXPECT_NE(proa::detail::custom_socket_option_level, SOL_SOCKET);
  EXPECT_GT(proa::detail::custom_socket_option_level, IPPROTO_MAX);
}

TEST(SocketOption, SocketBaseConstantsAreTheOsValues) {
  EXPECT_EQ(socket_base::shutdown_receive, SHUT_RD);
  EXPECT_EQ(socket_base::shutdown_send, SHUT_WR);
  EXPECT_EQ(socket_base::shutdown_both, SHUT_RDWR);
  EXPECT_EQ(socket_base::message_peek, MSG_PEEK);
  EXPECT_EQ(socket_base::message_out_of_band, MSG_OOB);
  EXPECT_EQ(socket_base::message_do_not_route, MSG_DONTROUTE);
  EXPECT_EQ(socket_base::message_end_of_record, MSG_EOR);
  EXPECT_EQ(socket_base::max_listen_connections, SOMAXCONN);
  EXPECT_NE(socket_base::wait_read, socket_base::wait_write);
  EXPECT_NE(socket_base::wait_write, socket_base::wait_error);
}

TEST(IoControl, BytesReadableAndNonBlockingCommands) {
  socket_base::bytes_readable readable(12);
  EXPECT_EQ(readable.name(), static_cast<int>(FIONREAD));
  EXPECT_EQ(readable.get(), 12u);
  *readable.data() = 40;
  EXPECT_EQ(readable.get(), 40u);
  readable.set(3);
  EXPECT_EQ(*readable.data(), 3);

  proa::detail::io_control::non_blocking_io mode(true);
  EXPECT_EQ(mode.name(), static_cast<int>(FIONBIO));
  EXPECT_TRUE(mode.get());
  EXPECT_EQ(*mode.data(), 1);
  mode.set(false);
  EXPECT_EQ(*mode.data(), 0);
}

}  // namespace
