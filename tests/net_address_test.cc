// Behaviour of ip::address_v4/address_v6/address, ip::tcp/udp and their endpoints, built
// against both Asio 1.22 and proa (see runtime_under_test.hpp): parsing, printing, ordering,
// hashing and the sockaddr layout the socket layer hands to the kernel.
#include "tests/runtime_under_test.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace ip = rt::ip;

// The loopback interface's index, or 0 if this machine has no interface called "lo".
unsigned loopback_interface_index() { return ::if_nametoindex("lo"); }

// ---- address_v4 -------------------------------------------------------------------------------

TEST(NetAddressV4, DottedDecimalRoundTrips) {
  for (const char* text : {"0.0.0.0", "1.2.3.4", "10.0.0.255", "127.0.0.1", "192.168.100.200",
                           "255.255.255.255"}) {
    rt_error_code ec = rt::error::invalid_argument;
    const ip::address_v4 addr = ip::make_address_v4(text, ec);
    EXPECT_FALSE(ec) << text;
    EXPECT_EQ(addr.to_string(), text);
    EXPECT_EQ(ip::make_address_v4(addr.to_bytes()), addr) << text;
    EXPECT_EQ(ip::make_address_v4(addr.to_uint()), addr) << text;
  }
}

TEST(NetAddressV4, BytesAreNetworkOrderAndUintIsHostOrder) {
  const ip::address_v4 addr = ip::make_address_v4("192.168.1.20");
  const ip::address_v4::bytes_type expected_bytes = {192, 168, 1, 20};
  EXPECT_EQ(addr.to_bytes(), expected_bytes);
  EXPECT_EQ(addr.to_uint(), 0xC0A80114u);
  EXPECT_EQ(ip::address_v4(0x01020304u).to_string(), "1.2.3.4");
  EXPECT_EQ(ip::address_v4(ip::address_v4::bytes_type{4, 3, 2, 1}).to_string(), "4.3.2.1");
}

TEST(NetAddressV4, RejectsMalformedTextWithInvalidArgument) {
  for (const char* text : {"", "256.1.1.1", "1.2.3.256", "01.2.3.4", "1.2.3.04", "1.2.3",
                           "1.2.3.4.5", " 1.2.3.4", "1.2.3.4 ", "0x1.2.3.4", "1.2.3.4%1", "::1",
                           "1..2.3", "a.b.c.d", "-1.2.3.4", "1.2.3.4:80"}) {
    rt_error_code ec;
    const ip::address_v4 addr = ip::make_address_v4(text, ec);
    EXPECT_EQ(ec, rt::error::invalid_argument) << '"' << text << '"';
    EXPECT_EQ(addr, ip::address_v4::any()) << '"' << text << '"';
  }
}

TEST(NetAddressV4, ThrowingOverloadsThrowSystemError) {
  try {
    (void)ip::make_address_v4("256.1.1.1");
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), rt::error::invalid_argument);
  }
  EXPECT_THROW((void)ip::make_address_v4(std::string("1.2.3")), std::system_error);
  EXPECT_THROW((void)ip::make_address_v4(std::string_view("")), std::system_error);
  EXPECT_EQ(ip::make_address_v4(std::string("8.8.4.4")).to_uint(), 0x08080404u);
}

TEST(NetAddressV4, ErrorCodeIsClearedOnSuccess) {
  rt_error_code ec = rt::error::invalid_argument;
  (void)ip::make_address_v4("1.1.1.1", ec);
  EXPECT_FALSE(ec);
}

TEST(NetAddressV4, StringViewIsParsedByLengthAndStopsAtNul) {
  const std::string text = "1.2.3.45";
  rt_error_code ec;
  EXPECT_EQ(ip::make_address_v4(std::string_view(text.data(), 7), ec).to_string(), "1.2.3.4");
  EXPECT_FALSE(ec);
  // Asio parses a C string, so an embedded NUL ends the text.
  EXPECT_EQ(ip::make_address_v4(std::string_view("1.2.3.4\0junk", 12), ec).to_string(), "1.2.3.4");
  EXPECT_FALSE(ec);
}

TEST(NetAddressV4, Classification) {
  EXPECT_TRUE(ip::make_address_v4("127.0.0.1").is_loopback());
  EXPECT_TRUE(ip::make_address_v4("127.255.0.9").is_loopback());
  EXPECT_FALSE(ip::make_address_v4("128.0.0.1").is_loopback());
  EXPECT_TRUE(ip::address_v4().is_unspecified());
  EXPECT_FALSE(ip::make_address_v4("0.0.0.1").is_unspecified());
  EXPECT_TRUE(ip::make_address_v4("224.0.0.1").is_multicast());
  EXPECT_TRUE(ip::make_address_v4("239.255.255.255").is_multicast());
  EXPECT_FALSE(ip::make_address_v4("223.255.255.255").is_multicast());
  EXPECT_FALSE(ip::make_address_v4("240.0.0.0").is_multicast());
  EXPECT_EQ(ip::address_v4::any().to_string(), "0.0.0.0");
  EXPECT_EQ(ip::address_v4::loopback().to_string(), "127.0.0.1");
  EXPECT_EQ(ip::address_v4::broadcast().to_string(), "255.255.255.255");
}

TEST(NetAddressV4, OrdersNumericallyNotTextually) {
  const ip::address_v4 nine = ip::make_address_v4("9.0.0.0");
  const ip::address_v4 ten = ip::make_address_v4("10.0.0.0");
  EXPECT_TRUE(nine < ten);  // "9..." > "10..." as text
  EXPECT_TRUE(ten > nine);
  EXPECT_TRUE(nine <= ten);
  EXPECT_TRUE(ten >= nine);
  EXPECT_TRUE(nine != ten);
  EXPECT_FALSE(nine == ten);
  EXPECT_TRUE(nine <= ip::make_address_v4("9.0.0.0"));
  EXPECT_TRUE(nine >= ip::make_address_v4("9.0.0.0"));
  EXPECT_TRUE(ip::make_address_v4("1.2.3.255") < ip::make_address_v4("1.2.4.0"));

  std::vector<ip::address_v4> sorted = {ip::address_v4::broadcast(), ten, ip::address_v4::any(),
                                        nine, ip::address_v4::loopback()};
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> texts;
  for (const auto& addr : sorted) texts.push_back(addr.to_string());
  EXPECT_EQ(texts, (std::vector<std::string>{"0.0.0.0", "9.0.0.0", "10.0.0.0", "127.0.0.1",
                                             "255.255.255.255"}));
}

TEST(NetAddressV4, HashesEqualAddressesAlike) {
  std::unordered_set<ip::address_v4> set;
  set.insert(ip::make_address_v4("10.1.2.3"));
  set.insert(ip::address_v4(0x0A010203u));
  set.insert(ip::make_address_v4("10.1.2.4"));
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(std::hash<ip::address_v4>()(ip::make_address_v4("10.1.2.3")),
            std::hash<ip::address_v4>()(ip::address_v4(0x0A010203u)));
}

TEST(NetAddressV4, StreamsAsDottedDecimal) {
  std::ostringstream out;
  out << ip::make_address_v4("172.16.0.1");
  EXPECT_EQ(out.str(), "172.16.0.1");
}

// ---- address_v6 -------------------------------------------------------------------------------

TEST(NetAddressV6, PrintsCanonicalCompressedForm) {
  const std::pair<const char*, const char*> cases[] = {
      {"::", "::"},
      {"0:0:0:0:0:0:0:0", "::"},
      {"::1", "::1"},
      {"0:0:0:0:0:0:0:1", "::1"},
      {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
      {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},
      {"2001:db8::", "2001:db8::"},
      {"2001:0DB8:0000:0000:0000:0000:0000:00FF", "2001:db8::ff"},
      {"FE80::ABCD", "fe80::abcd"},
      {"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
      {"::ffff:0102:0304", "::ffff:1.2.3.4"},
  };
  for (const auto& [input, expected] : cases) {
    rt_error_code ec = rt::error::invalid_argument;
    const ip::address_v6 addr = ip::make_address_v6(input, ec);
    EXPECT_FALSE(ec) << input;
    EXPECT_EQ(addr.to_string(), expected) << input;
    EXPECT_EQ(addr.scope_id(), 0u) << input;
    EXPECT_EQ(ip::make_address_v6(addr.to_string()), addr) << input;
  }
}

TEST(NetAddressV6, BytesAreNetworkOrder) {
  const ip::address_v6 addr = ip::make_address_v6("2001:db8::ff00:42");
  const ip::address_v6::bytes_type expected = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                               0,    0,    0,    0,    0xff, 0, 0, 0x42};
  EXPECT_EQ(addr.to_bytes(), expected);
  EXPECT_EQ(ip::make_address_v6(expected), addr);
  EXPECT_EQ(ip::address_v6(expected, 3).scope_id(), 3u);
}

TEST(NetAddressV6, RejectsMalformedTextWithInvalidArgument) {
  for (const char* text : {"", ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "g::1",
                           "1.2.3.4", "%1", "::1 ", " ::1", "[::1]", "::ffff:1.2.3.256",
                           "1:2:3:4:5:6:7"}) {
    rt_error_code ec;
    const ip::address_v6 addr = ip::make_address_v6(text, ec);
    EXPECT_EQ(ec, rt::error::invalid_argument) << '"' << text << '"';
    EXPECT_EQ(addr, ip::address_v6()) << '"' << text << '"';
  }
  try {
    (void)ip::make_address_v6("1::2::3");
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), rt::error::invalid_argument);
  }
}

TEST(NetAddressV6, OverlongTextIsRejected) {
  rt_error_code ec;
  (void)ip::make_address_v6(std::string(1000, '0') + "%1", ec);
  EXPECT_EQ(ec, rt::error::invalid_argument);
  (void)ip::make_address_v6("::1" + std::string(1000, ' '), ec);
  EXPECT_EQ(ec, rt::error::invalid_argument);
  (void)ip::make_address_v4("1.2.3.4" + std::string(1000, ' '), ec);
  EXPECT_EQ(ec, rt::error::invalid_argument);
  // A long scope is not an interface name; its leading digits still count.
  EXPECT_EQ(ip::make_address_v6("fe80::1%" + std::string(500, '0') + "42").scope_id(), 42u);
}

TEST(NetAddressV6, NumericScopeIds) {
  rt_error_code ec;
  ip::address_v6 addr = ip::make_address_v6("::1%5", ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(addr.is_loopback());
  EXPECT_EQ(addr.scope_id(), 5u);
  EXPECT_EQ(addr.to_string(), "::1%5");

  // An empty scope means none.
  addr = ip::make_address_v6("::1%", ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(addr.scope_id(), 0u);
  EXPECT_EQ(addr.to_string(), "::1");

  // The scope is read like atoi(): leading digits only, names give 0 outside link-local.
  EXPECT_EQ(ip::make_address_v6("::1%12abc").scope_id(), 12u);
  EXPECT_EQ(ip::make_address_v6("::1%eth0").scope_id(), 0u);
  EXPECT_EQ(ip::make_address_v6("2001:db8::1%lo").scope_id(), 0u);
  EXPECT_EQ(ip::make_address_v6("::1%-1").scope_id(), 4294967295u);
  EXPECT_EQ(ip::make_address_v6("::1%4294967297").scope_id(), 1u);
  EXPECT_EQ(ip::make_address_v6("::1%99999999999").scope_id(), 1215752191u);
  EXPECT_EQ(ip::make_address_v6("::1%99999999999999999999999").scope_id(), 4294967295u);
  EXPECT_EQ(ip::make_address_v6("::1% 7").scope_id(), 7u);
  EXPECT_EQ(ip::make_address_v6("::1%+7").scope_id(), 7u);

  // A numeric scope on a link-local address names no interface, so it is taken as a number.
  addr = ip::make_address_v6("fe80::1%4000000000", ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(addr.is_link_local());
  EXPECT_EQ(addr.scope_id(), 4000000000u);
  EXPECT_EQ(addr.to_string(), "fe80::1%4000000000");
}

TEST(NetAddressV6, LinkLocalScopesUseInterfaceNames) {
  const unsigned lo = loopback_interface_index();
  if (lo == 0) GTEST_SKIP() << "no interface named lo";
  const std::string lo_number = std::to_string(lo);

  // A name is looked up for link-local unicast and link-local multicast addresses...
  EXPECT_EQ(ip::make_address_v6("fe80::1%lo").scope_id(), lo);
  EXPECT_EQ(ip::make_address_v6("ff02::1%lo").scope_id(), lo);
  // ...and printed back as the name, whether it was given as a name or a number.
  EXPECT_EQ(ip::make_address_v6("fe80::1%lo").to_string(), "fe80::1%lo");
  EXPECT_EQ(ip::make_address_v6("fe80::1%" + lo_number).to_string(), "fe80::1%lo");
  EXPECT_EQ(ip::make_address_v6("ff02::1%" + lo_number).to_string(), "ff02::1%lo");
  // Other addresses print the number even when it is an interface index.
  ip::address_v6 global = ip::make_address_v6("2001:db8::1");
  global.scope_id(lo);
  EXPECT_EQ(global.to_string(), "2001:db8::1%" + lo_number);
  EXPECT_EQ(ip::make_address_v6("fe80::1%no-such-if").scope_id(), 0u);
}

TEST(NetAddressV6, ScopeSetterAndComparisons) {
  ip::address_v6 a = ip::make_address_v6("fe80::1");
  ip::address_v6 b = a;
  EXPECT_EQ(a, b);
  b.scope_id(2);
  EXPECT_EQ(b.scope_id(), 2u);
  EXPECT_NE(a, b);  // scope ids take part in equality...
  EXPECT_TRUE(a < b);  // ...and order addresses that are otherwise equal
  EXPECT_TRUE(b > a);
  // but the address bytes decide first.
  ip::address_v6 c = ip::make_address_v6("fe80::2");
  EXPECT_TRUE(b < c);
  EXPECT_TRUE(c >= b);
  // Bytes compare as unsigned, most significant first.
  EXPECT_TRUE(ip::make_address_v6("7fff::") < ip::make_address_v6("8000::"));
  EXPECT_TRUE(ip::make_address_v6("::ffff") < ip::make_address_v6("1::"));
  EXPECT_TRUE(ip::make_address_v6("::1") <= ip::address_v6::loopback());
  EXPECT_TRUE(ip::address_v6::any() < ip::address_v6::loopback());
}

TEST(NetAddressV6, Classification) {
  EXPECT_TRUE(ip::address_v6::loopback().is_loopback());
  EXPECT_FALSE(ip::address_v6::loopback().is_unspecified());
  EXPECT_TRUE(ip::address_v6::any().is_unspecified());
  EXPECT_EQ(ip::address_v6::any().to_string(), "::");
  EXPECT_EQ(ip::address_v6::loopback().to_string(), "::1");
  EXPECT_FALSE(ip::make_address_v6("::2").is_loopback());
  EXPECT_FALSE(ip::make_address_v6("1::1").is_loopback());
  EXPECT_TRUE(ip::make_address_v6("fe80::1").is_link_local());
  EXPECT_TRUE(ip::make_address_v6("febf::1").is_link_local());
  EXPECT_FALSE(ip::make_address_v6("fec0::1").is_link_local());
  EXPECT_TRUE(ip::make_address_v6("fec0::1").is_site_local());
  EXPECT_TRUE(ip::make_address_v6("ff00::").is_multicast());
  EXPECT_FALSE(ip::make_address_v6("fe00::").is_multicast());
  EXPECT_TRUE(ip::make_address_v6("ff02::1").is_multicast_link_local());
  EXPECT_TRUE(ip::make_address_v6("ff01::1").is_multicast_node_local());
  EXPECT_TRUE(ip::make_address_v6("ff05::1").is_multicast_site_local());
  EXPECT_TRUE(ip::make_address_v6("ff08::1").is_multicast_org_local());
  EXPECT_TRUE(ip::make_address_v6("ff0e::1").is_multicast_global());
  EXPECT_FALSE(ip::make_address_v6("ff0e::1").is_multicast_link_local());
}

TEST(NetAddressV6, V4MappedConversions) {
  const ip::address_v4 v4 = ip::make_address_v4("1.2.3.4");
  const ip::address_v6 mapped = ip::make_address_v6(ip::v4_mapped, v4);
  EXPECT_TRUE(mapped.is_v4_mapped());
  EXPECT_EQ(mapped.to_string(), "::ffff:1.2.3.4");
  EXPECT_EQ(mapped, ip::make_address_v6("::ffff:1.2.3.4"));
  EXPECT_EQ(ip::make_address_v4(ip::v4_mapped, mapped), v4);
  EXPECT_EQ(ip::make_address_v4(ip::v4_mapped, ip::make_address_v6("::ffff:255.0.0.1")),
            ip::make_address_v4("255.0.0.1"));

  EXPECT_FALSE(ip::make_address_v6("::1.2.3.4").is_v4_mapped());
  EXPECT_FALSE(ip::make_address_v6("::fffe:1.2.3.4").is_v4_mapped());
  EXPECT_FALSE(ip::make_address_v6("1::ffff:1.2.3.4").is_v4_mapped());
  EXPECT_THROW((void)ip::make_address_v4(ip::v4_mapped, ip::make_address_v6("::1.2.3.4")),
               ip::bad_address_cast);
  EXPECT_THROW((void)ip::make_address_v4(ip::v4_mapped, ip::address_v6::loopback()),
               std::bad_cast);
}

TEST(NetAddressV6, HashesEqualAddressesAlikeAndSeesScope) {
  std::unordered_set<ip::address_v6> set;
  set.insert(ip::make_address_v6("fe80::1"));
  set.insert(ip::make_address_v6("FE80:0::1"));
  set.insert(ip::make_address_v6("fe80::1%7"));
  set.insert(ip::make_address_v6("fe80::2"));
  EXPECT_EQ(set.size(), 3u);
  EXPECT_EQ(std::hash<ip::address_v6>()(ip::make_address_v6("2001:db8::1")),
            std::hash<ip::address_v6>()(ip::make_address_v6("2001:DB8:0:0::1")));
}

TEST(NetAddressV6, StreamsWithScope) {
  std::ostringstream out;
  out << ip::make_address_v6("2001:db8::1%9");
  EXPECT_EQ(out.str(), "2001:db8::1%9");
}

// ---- address ----------------------------------------------------------------------------------

TEST(NetAddress, DefaultIsIpv4Unspecified) {
  const ip::address addr;
  EXPECT_TRUE(addr.is_v4());
  EXPECT_FALSE(addr.is_v6());
  EXPECT_TRUE(addr.is_unspecified());
  EXPECT_EQ(addr.to_string(), "0.0.0.0");
  EXPECT_EQ(addr, ip::address(ip::address_v4::any()));
}

TEST(NetAddress, MakeAddressPicksTheVersion) {
  rt_error_code ec = rt::error::invalid_argument;
  ip::address addr = ip::make_address("192.0.2.7", ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(addr.is_v4());
  EXPECT_EQ(addr.to_v4(), ip::make_address_v4("192.0.2.7"));
  EXPECT_EQ(addr.to_string(), "192.0.2.7");

  ec = rt::error::invalid_argument;
  addr = ip::make_address("2001:db8::7", ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(addr.is_v6());
  EXPECT_EQ(addr.to_v6(), ip::make_address_v6("2001:db8::7"));

  addr = ip::make_address("::ffff:192.0.2.7");
  EXPECT_TRUE(addr.is_v6());
  EXPECT_EQ(addr.to_string(), "::ffff:192.0.2.7");

  addr = ip::make_address("::1%3");
  EXPECT_TRUE(addr.is_v6());
  EXPECT_EQ(addr.to_v6().scope_id(), 3u);
  EXPECT_EQ(addr.to_string(), "::1%3");
}

TEST(NetAddress, AllStringFormsAgree) {
  const std::string text = "10.20.30.40";
  const std::string_view view = text;
  rt_error_code ec1, ec2, ec3;
  EXPECT_EQ(ip::make_address(text.c_str()), ip::make_address(text));
  EXPECT_EQ(ip::make_address(view), ip::make_address(text));
  EXPECT_EQ(ip::make_address(text.c_str(), ec1), ip::make_address(view, ec2));
  EXPECT_EQ(ip::make_address(text, ec3).to_string(), text);
  EXPECT_FALSE(ec1 || ec2 || ec3);
  // A view of part of a longer buffer is parsed by its length.
  const std::string longer = "::1234";
  EXPECT_EQ(ip::make_address(std::string_view(longer.data(), 4)).to_string(), "::12");
}

TEST(NetAddress, RejectsMalformedTextWithInvalidArgument) {
  for (const char* text : {"", "256.1.1.1", "1::2::3", "localhost", "1.2.3.4%1", "%1", "[::1]"}) {
    rt_error_code ec;
    const ip::address addr = ip::make_address(text, ec);
    EXPECT_EQ(ec, rt::error::invalid_argument) << '"' << text << '"';
    EXPECT_TRUE(addr.is_v4()) << '"' << text << '"';
    EXPECT_TRUE(addr.is_unspecified()) << '"' << text << '"';
  }
  try {
    (void)ip::make_address(std::string("not an address"));
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), rt::error::invalid_argument);
  }
  EXPECT_THROW((void)ip::make_address(std::string_view("1.2.3.4.5")), std::system_error);
}

TEST(NetAddress, WrongVersionCastThrowsBadAddressCast) {
  const ip::address v4 = ip::make_address("1.2.3.4");
  const ip::address v6 = ip::make_address("::1");
  EXPECT_THROW((void)v4.to_v6(), ip::bad_address_cast);
  EXPECT_THROW((void)v6.to_v4(), ip::bad_address_cast);
  // Even an IPv4-mapped address is not an IPv4 address.
  EXPECT_THROW((void)ip::make_address("::ffff:1.2.3.4").to_v4(), std::bad_cast);
  try {
    (void)v6.to_v4();
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "bad address cast");
  }
}

TEST(NetAddress, AssignmentSwitchesVersion) {
  ip::address addr = ip::make_address_v6("fe80::1%4");
  addr = ip::make_address_v4("5.6.7.8");
  EXPECT_TRUE(addr.is_v4());
  EXPECT_EQ(addr.to_string(), "5.6.7.8");
  addr = ip::address_v6::loopback();
  EXPECT_TRUE(addr.is_v6());
  EXPECT_TRUE(addr.is_loopback());
}

TEST(NetAddress, ClassificationFollowsTheHeldVersion) {
  EXPECT_TRUE(ip::make_address("127.0.0.2").is_loopback());
  EXPECT_TRUE(ip::make_address("::1").is_loopback());
  EXPECT_FALSE(ip::make_address("::ffff:127.0.0.1").is_loopback());
  EXPECT_TRUE(ip::make_address("::").is_unspecified());
  EXPECT_TRUE(ip::make_address("239.1.1.1").is_multicast());
  EXPECT_TRUE(ip::make_address("ff02::fb").is_multicast());
  EXPECT_FALSE(ip::make_address("10.0.0.1").is_multicast());
}

TEST(NetAddress, OrdersIpv4BeforeIpv6AndNeverEqualsAcrossVersions) {
  const ip::address top_v4 = ip::address_v4::broadcast();
  const ip::address bottom_v6 = ip::address_v6::any();
  EXPECT_TRUE(top_v4 < bottom_v6);
  EXPECT_TRUE(bottom_v6 > top_v4);
  EXPECT_TRUE(top_v4 <= bottom_v6);
  EXPECT_FALSE(top_v4 >= bottom_v6);
  EXPECT_NE(ip::make_address("1.2.3.4"), ip::make_address("::ffff:1.2.3.4"));
  EXPECT_NE(ip::address(ip::address_v4::any()), ip::address(ip::address_v6::any()));
  EXPECT_TRUE(ip::make_address("1.2.3.4") < ip::make_address("1.2.3.5"));
  EXPECT_TRUE(ip::make_address("::2") > ip::make_address("::1"));
  EXPECT_EQ(ip::make_address("::1"), ip::address(ip::address_v6::loopback()));
}

TEST(NetAddress, HashesByValue) {
  std::unordered_set<ip::address> set;
  set.insert(ip::make_address("1.2.3.4"));
  set.insert(ip::address(ip::make_address_v4("1.2.3.4")));
  set.insert(ip::make_address("::ffff:1.2.3.4"));
  set.insert(ip::make_address("::1"));
  set.insert(ip::make_address("0::1"));
  EXPECT_EQ(set.size(), 3u);
}

TEST(NetAddress, StreamsLikeToString) {
  std::ostringstream out;
  out << ip::make_address("10.9.8.7") << ' ' << ip::make_address("fe80::1%77");
  EXPECT_EQ(out.str(), "10.9.8.7 fe80::1%77");
}

// ---- tcp / udp --------------------------------------------------------------------------------

TEST(NetProtocols, TcpAndUdpDescribeTheirSockets) {
  EXPECT_EQ(ip::tcp::v4().family(), AF_INET);
  EXPECT_EQ(ip::tcp::v6().family(), AF_INET6);
  EXPECT_EQ(ip::tcp::v4().type(), SOCK_STREAM);
  EXPECT_EQ(ip::tcp::v6().protocol(), IPPROTO_TCP);
  EXPECT_EQ(ip::udp::v4().family(), AF_INET);
  EXPECT_EQ(ip::udp::v6().family(), AF_INET6);
  EXPECT_EQ(ip::udp::v4().type(), SOCK_DGRAM);
  EXPECT_EQ(ip::udp::v6().protocol(), IPPROTO_UDP);
  EXPECT_TRUE(ip::tcp::v4() == ip::tcp::v4());
  EXPECT_TRUE(ip::tcp::v4() != ip::tcp::v6());
  EXPECT_TRUE(ip::udp::v6() == ip::udp::v6());
  EXPECT_TRUE(ip::udp::v6() != ip::udp::v4());
  static_assert(std::is_same_v<ip::tcp::endpoint, ip::basic_endpoint<ip::tcp>>);
  static_assert(std::is_same_v<ip::udp::endpoint, ip::basic_endpoint<ip::udp>>);
  static_assert(std::is_same_v<ip::tcp::endpoint::protocol_type, ip::tcp>);
}

// ---- basic_endpoint ---------------------------------------------------------------------------

TEST(NetEndpoint, DefaultIsIpv4AnyPortZero) {
  const ip::tcp::endpoint endpoint;
  EXPECT_TRUE(endpoint.address().is_v4());
  EXPECT_TRUE(endpoint.address().is_unspecified());
  EXPECT_EQ(endpoint.port(), 0);
  EXPECT_EQ(endpoint.protocol(), ip::tcp::v4());
  EXPECT_EQ(endpoint.size(), sizeof(sockaddr_in));
  EXPECT_EQ(endpoint.data()->sa_family, AF_INET);
}

TEST(NetEndpoint, ProtocolConstructorGivesUnspecifiedAddressOfThatFamily) {
  const ip::tcp::endpoint v4(ip::tcp::v4(), 8080);
  EXPECT_EQ(v4.address(), ip::address(ip::address_v4::any()));
  EXPECT_EQ(v4.port(), 8080);
  EXPECT_EQ(v4.protocol(), ip::tcp::v4());

  const ip::udp::endpoint v6(ip::udp::v6(), 53);
  EXPECT_EQ(v6.address(), ip::address(ip::address_v6::any()));
  EXPECT_EQ(v6.port(), 53);
  EXPECT_EQ(v6.protocol(), ip::udp::v6());
  EXPECT_EQ(v6.size(), sizeof(sockaddr_in6));
}

TEST(NetEndpoint, Ipv4SockaddrLayout) {
  const ip::tcp::endpoint endpoint(ip::make_address("192.0.2.33"), 0x1234);
  ASSERT_EQ(endpoint.size(), sizeof(sockaddr_in));
  sockaddr_in raw;
  std::memcpy(&raw, endpoint.data(), sizeof(raw));
  EXPECT_EQ(raw.sin_family, AF_INET);
  EXPECT_EQ(raw.sin_port, htons(0x1234));  // network order
  const unsigned char* port_bytes = reinterpret_cast<const unsigned char*>(&raw.sin_port);
  EXPECT_EQ(port_bytes[0], 0x12);
  EXPECT_EQ(port_bytes[1], 0x34);
  EXPECT_EQ(raw.sin_addr.s_addr, htonl(0xC0000221u));
  const unsigned char* address_bytes = reinterpret_cast<const unsigned char*>(&raw.sin_addr);
  EXPECT_EQ(address_bytes[0], 192);
  EXPECT_EQ(address_bytes[3], 33);
  EXPECT_EQ(endpoint.port(), 0x1234);  // host order
}

TEST(NetEndpoint, Ipv6SockaddrLayout) {
  ip::address_v6 addr = ip::make_address_v6("2001:db8::5");
  addr.scope_id(6);
  const ip::udp::endpoint endpoint(addr, 443);
  ASSERT_EQ(endpoint.size(), sizeof(sockaddr_in6));
  sockaddr_in6 raw;
  std::memcpy(&raw, endpoint.data(), sizeof(raw));
  EXPECT_EQ(raw.sin6_family, AF_INET6);
  EXPECT_EQ(raw.sin6_port, htons(443));
  EXPECT_EQ(raw.sin6_scope_id, 6u);
  EXPECT_EQ(raw.sin6_flowinfo, 0u);
  EXPECT_EQ(std::memcmp(&raw.sin6_addr, addr.to_bytes().data(), 16), 0);
  EXPECT_EQ(endpoint.protocol(), ip::udp::v6());
}

TEST(NetEndpoint, CapacityHoldsEitherFamily) {
  ip::tcp::endpoint endpoint;
  EXPECT_EQ(endpoint.capacity(), sizeof(sockaddr_in6));
  EXPECT_GE(endpoint.capacity(), endpoint.size());
}

TEST(NetEndpoint, ReadsBackWhatTheKernelWouldWrite) {
  ip::tcp::endpoint endpoint;
  sockaddr_in6 written{};
  written.sin6_family = AF_INET6;
  written.sin6_port = htons(9000);
  ASSERT_EQ(::inet_pton(AF_INET6, "2001:db8::99", &written.sin6_addr), 1);
  written.sin6_scope_id = 3;
  ASSERT_GE(endpoint.capacity(), sizeof(written));
  std::memcpy(endpoint.data(), &written, sizeof(written));
  endpoint.resize(sizeof(written));
  EXPECT_EQ(endpoint.size(), sizeof(sockaddr_in6));
  EXPECT_EQ(endpoint.port(), 9000);
  EXPECT_EQ(endpoint.address().to_string(), "2001:db8::99%3");
  EXPECT_EQ(endpoint.protocol(), ip::tcp::v6());
}

TEST(NetEndpoint, ResizeRejectsOnlyLengthsNoSockaddrHas) {
  ip::udp::endpoint endpoint(ip::make_address("1.2.3.4"), 5);
  endpoint.resize(0);
  endpoint.resize(sizeof(sockaddr_storage));
  // The size follows the family, not the last resize.
  EXPECT_EQ(endpoint.size(), sizeof(sockaddr_in));
  EXPECT_EQ(endpoint.port(), 5);
  try {
    endpoint.resize(sizeof(sockaddr_storage) + 1);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), rt::error::invalid_argument);
  }
}

TEST(NetEndpoint, SettersKeepTheOtherHalf) {
  ip::tcp::endpoint endpoint(ip::make_address("10.0.0.1"), 80);
  endpoint.port(8443);
  EXPECT_EQ(endpoint.address().to_string(), "10.0.0.1");
  EXPECT_EQ(endpoint.port(), 8443);
  endpoint.address(ip::make_address("::1"));
  EXPECT_TRUE(endpoint.address().is_v6());
  EXPECT_EQ(endpoint.port(), 8443);
  EXPECT_EQ(endpoint.size(), sizeof(sockaddr_in6));
  EXPECT_EQ(endpoint.protocol(), ip::tcp::v6());
  endpoint.address(ip::make_address("10.0.0.2"));
  EXPECT_EQ(endpoint.port(), 8443);
  EXPECT_EQ(endpoint.size(), sizeof(sockaddr_in));
  EXPECT_EQ(endpoint.protocol(), ip::tcp::v4());
}

TEST(NetEndpoint, Streams) {
  std::ostringstream out;
  out << ip::tcp::endpoint(ip::make_address("127.0.0.1"), 80) << ' '
      << ip::tcp::endpoint(ip::make_address("::1"), 80) << ' '
      << ip::udp::endpoint(ip::udp::v6(), 65535) << ' '
      << ip::udp::endpoint(ip::make_address("2001:db8::1%12"), 1) << ' '
      << ip::tcp::endpoint(ip::make_address("::ffff:1.2.3.4"), 12345);
  EXPECT_EQ(out.str(), "127.0.0.1:80 [::1]:80 [::]:65535 [2001:db8::1%12]:1 [::ffff:1.2.3.4]:12345");
}

TEST(NetEndpoint, StreamsScopedLinkLocalWithInterfaceName) {
  const unsigned lo = loopback_interface_index();
  if (lo == 0) GTEST_SKIP() << "no interface named lo";
  std::ostringstream out;
  out << ip::tcp::endpoint(ip::make_address("fe80::1%lo"), 8080);
  EXPECT_EQ(out.str(), "[fe80::1%lo]:8080");
}

TEST(NetEndpoint, OrdersByAddressThenPort) {
  const ip::tcp::endpoint a(ip::make_address("1.2.3.4"), 9000);
  const ip::tcp::endpoint b(ip::make_address("1.2.3.5"), 80);
  const ip::tcp::endpoint c(ip::make_address("1.2.3.5"), 81);
  const ip::tcp::endpoint d(ip::make_address("::"), 1);
  EXPECT_TRUE(a < b);  // address decides before port
  EXPECT_TRUE(b < c);
  EXPECT_TRUE(c < d);  // IPv4 before IPv6
  EXPECT_TRUE(d > a);
  EXPECT_TRUE(b <= c);
  EXPECT_TRUE(c >= b);
  EXPECT_TRUE(b != c);
  EXPECT_TRUE(b == ip::tcp::endpoint(ip::make_address("1.2.3.5"), 80));
  EXPECT_NE(ip::tcp::endpoint(ip::make_address("fe80::1%1"), 1),
            ip::tcp::endpoint(ip::make_address("fe80::1%2"), 1));

  std::vector<ip::tcp::endpoint> sorted = {d, c, a, b};
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<ip::tcp::endpoint>{a, b, c, d}));
}

TEST(NetEndpoint, HashesByAddressAndPort) {
  std::unordered_set<ip::udp::endpoint> set;
  set.insert(ip::udp::endpoint(ip::make_address("1.2.3.4"), 1));
  set.insert(ip::udp::endpoint(ip::make_address("1.2.3.4"), 1));
  set.insert(ip::udp::endpoint(ip::make_address("1.2.3.4"), 2));
  set.insert(ip::udp::endpoint(ip::make_address("::ffff:1.2.3.4"), 1));
  EXPECT_EQ(set.size(), 3u);
}

}  // namespace
