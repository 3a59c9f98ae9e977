// Unit tests for proa::detail::socket_address (the sockaddr behind IP endpoints) and the
// sockaddr_storage copy helpers the socket layer uses.
#include "net/detail/socket_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <compare>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include <gtest/gtest.h>

#include "net/ip/tcp.hpp"

namespace {

using proa::detail::socket_address;

static_assert(std::is_trivially_copyable_v<socket_address>);
static_assert(sizeof(socket_address) == sizeof(sockaddr_in6));

// True if the bytes of `object` from `begin` to its end are all zero.
bool zero_from(const socket_address& object, std::size_t begin) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(object.data());
  for (std::size_t i = begin; i < object.capacity(); ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

TEST(SocketAddress, DefaultIsZeroedIpv4) {
  const socket_address address;
  EXPECT_EQ(address.family(), AF_INET);
  EXPECT_TRUE(address.is_v4());
  EXPECT_EQ(address.size(), sizeof(sockaddr_in));
  EXPECT_EQ(address.capacity(), sizeof(sockaddr_in6));
  EXPECT_EQ(address.port(), 0);
  EXPECT_TRUE(zero_from(address, sizeof(sa_family_t)));
}

TEST(SocketAddress, FamilyConstructor) {
  const socket_address v4(AF_INET, 7);
  EXPECT_TRUE(v4.is_v4());
  EXPECT_EQ(v4.port(), 7);
  const socket_address v6(AF_INET6, 8);
  EXPECT_EQ(v6.family(), AF_INET6);
  EXPECT_EQ(v6.port(), 8);
  EXPECT_TRUE(v6.address().is_v6());
  EXPECT_TRUE(v6.address().is_unspecified());
  // As in Asio, every family other than AF_INET means IPv6.
  EXPECT_EQ(socket_address(AF_UNIX, 1).family(), AF_INET6);
}

TEST(SocketAddress, SwitchingToIpv4ClearsTheIpv6Tail) {
  proa::ip::address_v6 v6 = proa::ip::make_address_v6("2001:db8::ffff:ffff");
  v6.scope_id(0xFFFFFFFFu);
  socket_address address(v6, 0xFFFF);
  address.address(proa::ip::make_address_v4("0.0.0.0"));
  EXPECT_TRUE(address.is_v4());
  EXPECT_EQ(address.port(), 0xFFFF);
  // Nothing of the old address may survive past the port.
  EXPECT_TRUE(zero_from(address, offsetof(sockaddr_in, sin_addr)));
}

TEST(SocketAddress, ToStringFormats) {
  EXPECT_EQ(socket_address(proa::ip::make_address("1.2.3.4"), 0).to_string(), "1.2.3.4:0");
  EXPECT_EQ(socket_address(proa::ip::make_address("::"), 65535).to_string(), "[::]:65535");
  EXPECT_EQ(socket_address(proa::ip::make_address("::1%9"), 80).to_string(), "[::1%9]:80");
}

TEST(SocketAddress, ComparisonIgnoresFlowInfo) {
  socket_address a(proa::ip::make_address("2001:db8::1"), 80);
  socket_address b = a;
  reinterpret_cast<sockaddr_in6*>(b.data())->sin6_flowinfo = htonl(0x12345);
  EXPECT_TRUE(a == b);
  EXPECT_EQ(a <=> b, std::strong_ordering::equal);
  b.port(81);
  EXPECT_TRUE(a < b);
}

TEST(SocketAddress, ResizeThrowsPastSockaddrStorage) {
  socket_address address;
  EXPECT_NO_THROW(address.resize(sizeof(sockaddr_storage)));
  EXPECT_THROW(address.resize(sizeof(sockaddr_storage) + 1), proa::system_error);
}

TEST(SockaddrStorage, EndpointRoundTrip) {
  const proa::ip::tcp::endpoint original(proa::ip::make_address("fe80::7%3"), 4242);
  sockaddr_storage storage;
  std::memset(&storage, 0xAB, sizeof(storage));
  const socklen_t length = proa::detail::to_sockaddr_storage(original, storage);
  EXPECT_EQ(length, sizeof(sockaddr_in6));
  EXPECT_EQ(storage.ss_family, AF_INET6);
  EXPECT_EQ(reinterpret_cast<const sockaddr_in6&>(storage).sin6_port, htons(4242));

  proa::ip::tcp::endpoint copy;
  proa::error_code ec = proa::error::invalid_argument;
  proa::detail::from_sockaddr_storage(storage, length, copy, ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(copy, original);
  EXPECT_EQ(copy.address().to_v6().scope_id(), 3u);
}

TEST(SockaddrStorage, Ipv4FromKernelStyleStorage) {
  sockaddr_storage storage{};
  auto& v4 = reinterpret_cast<sockaddr_in&>(storage);
  v4.sin_family = AF_INET;
  v4.sin_port = htons(53);
  v4.sin_addr.s_addr = htonl(0x7F000001u);
  proa::ip::tcp::endpoint endpoint(proa::ip::make_address("::1"), 1);
  proa::error_code ec;
  proa::detail::from_sockaddr_storage(storage, sizeof(sockaddr_in), endpoint, ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(endpoint.address().to_string(), "127.0.0.1");
  EXPECT_EQ(endpoint.port(), 53);
  EXPECT_EQ(endpoint.size(), sizeof(sockaddr_in));
}

TEST(SockaddrStorage, TooLongForTheEndpointIsRejectedUntouched) {
  sockaddr_storage storage{};
  storage.ss_family = AF_UNIX;
  const proa::ip::tcp::endpoint before(proa::ip::make_address("10.0.0.1"), 99);
  proa::ip::tcp::endpoint endpoint = before;
  proa::error_code ec;
  proa::detail::from_sockaddr_storage(storage, sizeof(sockaddr_un), endpoint, ec);
  EXPECT_EQ(ec, proa::error::invalid_argument);
  EXPECT_EQ(endpoint, before);
}

}  // namespace
