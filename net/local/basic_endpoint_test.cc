// Unit tests of local::basic_endpoint: the sockaddr_un layout handed to the kernel, the lengths
// resize() takes back from it, path limits, comparison and printing.
#include "net/local/basic_endpoint.hpp"

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

#include <gtest/gtest.h>

#include "net/local/stream_protocol.hpp"

namespace {

using endpoint = proa::local::stream_protocol::endpoint;
constexpr std::size_t path_offset = offsetof(sockaddr_un, sun_path);

const sockaddr_un& as_unix(const endpoint& e) {
  return *reinterpret_cast<const sockaddr_un*>(e.data());
}

TEST(LocalEndpoint, DefaultIsTheEmptyPath) {
  const endpoint e;
  EXPECT_EQ(e.path(), "");
  EXPECT_EQ(e.size(), path_offset);
  EXPECT_EQ(as_unix(e).sun_family, AF_UNIX);
  EXPECT_EQ(e.capacity(), sizeof(sockaddr_un));
  EXPECT_EQ(e.protocol().family(), AF_UNIX);
  EXPECT_EQ(e.protocol().type(), SOCK_STREAM);
  EXPECT_EQ(e.protocol().protocol(), 0);
}

TEST(LocalEndpoint, PathIsStoredInSunPath) {
  const endpoint e("/tmp/proa.sock");
  EXPECT_EQ(e.path(), "/tmp/proa.sock");
  EXPECT_EQ(e.size(), path_offset + std::strlen("/tmp/proa.sock"));
  EXPECT_EQ(std::string_view(as_unix(e).sun_path), "/tmp/proa.sock");

  endpoint changed(std::string("a"));
  changed.path("/var/run/other");
  EXPECT_EQ(changed.path(), "/var/run/other");
  changed.path(std::string("x"));
  EXPECT_EQ(changed.path(), "x");
  // A shorter path leaves no bytes of the longer one behind.
  EXPECT_EQ(as_unix(changed).sun_path[1], '\0');

  const endpoint from_view(std::string_view("/tmp/abcdef").substr(0, 8));
  EXPECT_EQ(from_view.path(), "/tmp/abc");
}

TEST(LocalEndpoint, PathLengthLimit) {
  const std::size_t longest = sizeof(sockaddr_un{}.sun_path) - 1;
  const std::string fits(longest, 'p');
  EXPECT_EQ(endpoint(fits).path(), fits);
  try {
    endpoint too_long(fits + "p");
    FAIL() << "a path without room for its terminating zero was accepted";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), proa::error::name_too_long);
  }
}

TEST(LocalEndpoint, ResizeTakesTheKernelsLength) {
  endpoint e;
  // What getsockname writes for a bound socket: the path and its terminating zero.
  sockaddr_un written{};
  written.sun_family = AF_UNIX;
  std::strcpy(written.sun_path, "/tmp/s");
  std::memcpy(e.data(), &written, sizeof(written));
  e.resize(path_offset + 7);
  EXPECT_EQ(e.path(), "/tmp/s");
  EXPECT_EQ(e.size(), path_offset + 6);
  // Without the zero (as connect_pair peers or some kernels report it).
  e.resize(path_offset + 6);
  EXPECT_EQ(e.path(), "/tmp/s");
  // An unbound socket reports just the family; shorter lengths mean no path either.
  e.resize(sizeof(sa_family_t));
  EXPECT_EQ(e.path(), "");
  e.resize(0);
  EXPECT_EQ(e.path(), "");
  try {
    e.resize(sizeof(sockaddr_un) + 1);
    FAIL() << "resize beyond capacity was accepted";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), proa::error::invalid_argument);
  }
}

TEST(LocalEndpoint, ComparesByPath) {
  const endpoint a("/a");
  const endpoint b("/b");
  EXPECT_EQ(a, endpoint("/a"));
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
  EXPECT_GT(b, a);
  EXPECT_LE(a, a);
  EXPECT_GE(b, a);
  EXPECT_LT(endpoint(), a);

  endpoint copy = b;
  EXPECT_EQ(copy, b);
  copy = a;
  EXPECT_EQ(copy.path(), "/a");
}

TEST(LocalEndpoint, PrintsThePath) {
  std::ostringstream text;
  text << endpoint("/run/x.sock");
  EXPECT_EQ(text.str(), "/run/x.sock");
  std::wostringstream wide;
  wide << endpoint("/w");
  EXPECT_EQ(wide.str(), L"/w");
}

}  // namespace
