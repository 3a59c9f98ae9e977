// IP multicast socket options (ip::multicast), built against both Asio 1.22 and proa: hops and
// enable_loopback read back what was set, and a datagram sent to a group over the loopback
// interface reaches a socket that joined it, and no longer once it left.
#include "tests/runtime_under_test.hpp"

#include <array>
#include <chrono>
#include <string>
#include <system_error>
#include <thread>

#include <gtest/gtest.h>

namespace {

namespace ip = rt::ip;
namespace multicast = rt::ip::multicast;

const ip::address_v4 group = ip::make_address_v4("239.255.0.77");

TEST(NetMulticast, HopsAndLoopbackReadBackWhatWasSet) {
  rt::io_context context;
  ip::udp::socket socket(context, ip::udp::v4());
  socket.set_option(multicast::hops(3));
  multicast::hops hops;
  socket.get_option(hops);
  EXPECT_EQ(hops.value(), 3);
  socket.set_option(multicast::enable_loopback(false));
  multicast::enable_loopback loopback(true);
  socket.get_option(loopback);
  EXPECT_FALSE(loopback.value());
  socket.set_option(multicast::enable_loopback(true));
  socket.get_option(loopback);
  EXPECT_TRUE(loopback);
}

TEST(NetMulticast, AGroupMemberReceivesWhatIsSentToTheGroupUntilItLeaves) {
  runtime_test::hang_watchdog watchdog("AGroupMemberReceivesWhatIsSentToTheGroupUntilItLeaves");
  rt::io_context context;
  ip::udp::socket receiver(context, ip::udp::v4());
  receiver.set_option(ip::udp::socket::reuse_address(true));
  receiver.bind(ip::udp::endpoint(ip::address_v4::any(), 0));
  const unsigned short port = receiver.local_endpoint().port();
  receiver.set_option(multicast::join_group(group, ip::address_v4::loopback()));

  ip::udp::socket sender(context, ip::udp::v4());
  sender.set_option(multicast::outbound_interface(ip::address_v4::loopback()));
  sender.set_option(multicast::hops(1));
  sender.set_option(multicast::enable_loopback(true));
  const ip::udp::endpoint destination(group, port);
  sender.send_to(rt::buffer(std::string("to the group")), destination);

  std::array<char, 64> data{};
  ip::udp::endpoint from;
  const std::size_t n = receiver.receive_from(rt::buffer(data), from);
  EXPECT_EQ(std::string(data.data(), n), "to the group");
  EXPECT_EQ(from.address(), ip::address(ip::address_v4::loopback()));

  receiver.set_option(multicast::leave_group(group, ip::address_v4::loopback()));
  sender.send_to(rt::buffer(std::string("after leaving")), destination);
  receiver.non_blocking(true);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  rt_error_code ec;
  receiver.receive_from(rt::buffer(data), from, 0, ec);
  EXPECT_EQ(ec, rt::error::would_block) << "a socket that left the group got its datagram";
}

TEST(NetMulticast, JoiningByAddressAloneUsesTheDefaultInterface) {
  rt::io_context context;
  ip::udp::socket socket(context, ip::udp::v4());
  rt_error_code ec;
  socket.set_option(multicast::join_group(ip::address(group)), ec);
  EXPECT_FALSE(ec) << ec.message();
  socket.set_option(multicast::leave_group(ip::address(group)), ec);
  EXPECT_FALSE(ec) << ec.message();
}

}  // namespace
