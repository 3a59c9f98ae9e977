// Unit tests for proa's ip::basic_endpoint with ip::tcp / ip::udp beyond the Asio behaviour
// tests: value-type properties, use as container keys, and the sockaddr layout as the kernel
// sees it (bind/getsockname on a loopback UDP socket).
#include "net/ip/basic_endpoint.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <sstream>
#include <type_traits>
#include <unordered_map>

#include <gtest/gtest.h>

#include "net/ip/tcp.hpp"
#include "net/ip/udp.hpp"

namespace {

using proa::ip::tcp;
using proa::ip::udp;

static_assert(std::is_trivially_copyable_v<tcp::endpoint>);
static_assert(sizeof(tcp::endpoint) == sizeof(sockaddr_in6));
static_assert(std::is_nothrow_default_constructible_v<udp::endpoint>);
static_assert(std::is_nothrow_constructible_v<tcp::endpoint, tcp, proa::ip::port_type>);
static_assert(std::is_nothrow_constructible_v<tcp::endpoint, proa::ip::address, proa::ip::port_type>);
static_assert(std::is_same_v<tcp::endpoint::data_type, sockaddr>);
static_assert(tcp::v4().family() == AF_INET && tcp::v6().family() == AF_INET6);
static_assert(udp::v6().type() == SOCK_DGRAM && udp::v6().protocol() == IPPROTO_UDP);
static_assert(tcp::v4() != tcp::v6() && udp::v4() == udp::v4());

// Closes the descriptor on scope exit.
struct socket_guard {
  int fd;
  ~socket_guard() {
    if (fd >= 0) ::close(fd);
  }
};

TEST(IpEndpoint, KernelAcceptsAndReportsTheLayout) {
  const udp::endpoint requested(proa::ip::address_v4::loopback(), 0);
  socket_guard socket{::socket(requested.protocol().family(), requested.protocol().type(),
                               requested.protocol().protocol())};
  ASSERT_GE(socket.fd, 0) << errno;
  ASSERT_EQ(::bind(socket.fd, requested.data(), static_cast<socklen_t>(requested.size())), 0)
      << errno;

  udp::endpoint bound(proa::ip::address_v6::any(), 1);
  socklen_t length = static_cast<socklen_t>(bound.capacity());
  ASSERT_EQ(::getsockname(socket.fd, bound.data(), &length), 0) << errno;
  bound.resize(length);
  EXPECT_EQ(length, sizeof(sockaddr_in));
  EXPECT_EQ(bound.address(), proa::ip::address(proa::ip::address_v4::loopback()));
  EXPECT_NE(bound.port(), 0);  // the kernel chose a port
  EXPECT_EQ(bound.protocol(), udp::v4());
}

TEST(IpEndpoint, KernelAcceptsIpv6Layout) {
  const udp::endpoint requested(proa::ip::address_v6::loopback(), 0);
  socket_guard socket{::socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)};
  if (socket.fd < 0) GTEST_SKIP() << "no IPv6 sockets here";
  if (::bind(socket.fd, requested.data(), static_cast<socklen_t>(requested.size())) != 0) {
    GTEST_SKIP() << "cannot bind ::1 here, errno " << errno;
  }
  udp::endpoint bound;
  socklen_t length = static_cast<socklen_t>(bound.capacity());
  ASSERT_EQ(::getsockname(socket.fd, bound.data(), &length), 0) << errno;
  bound.resize(length);
  EXPECT_EQ(length, sizeof(sockaddr_in6));
  EXPECT_TRUE(bound.address().is_loopback());
  EXPECT_TRUE(bound.address().is_v6());
  EXPECT_NE(bound.port(), 0);
}

TEST(IpEndpoint, WorksAsOrderedAndHashedKey) {
  std::map<tcp::endpoint, int> ordered;
  std::unordered_map<tcp::endpoint, int> hashed;
  const tcp::endpoint keys[] = {
      tcp::endpoint(proa::ip::make_address("::1"), 1),
      tcp::endpoint(proa::ip::make_address("1.1.1.1"), 2),
      tcp::endpoint(proa::ip::make_address("1.1.1.1"), 1),
  };
  for (int i = 0; i < 3; ++i) {
    ordered[keys[i]] = i;
    hashed[keys[i]] = i;
  }
  ordered[tcp::endpoint(proa::ip::make_address("1.1.1.1"), 2)] = 7;
  hashed[tcp::endpoint(proa::ip::make_address("1.1.1.1"), 2)] = 7;
  ASSERT_EQ(ordered.size(), 3u);
  EXPECT_EQ(hashed.size(), 3u);
  auto it = ordered.begin();
  EXPECT_EQ(it->second, 2);  // 1.1.1.1:1
  EXPECT_EQ((++it)->second, 7);  // 1.1.1.1:2
  EXPECT_EQ((++it)->second, 0);  // [::1]:1
  EXPECT_EQ(hashed.at(keys[1]), 7);
}

TEST(IpEndpoint, WideStream) {
  std::wostringstream out;
  out << udp::endpoint(proa::ip::make_address("::1"), 5353);
  EXPECT_EQ(out.str(), L"[::1]:5353");
}

}  // namespace
