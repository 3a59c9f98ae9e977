// Unit tests for proa's ip::address_v4 / address_v6 / address beyond the Asio behaviour tests
// (tests/net_address_test.cc): compile-time use, value-type properties, the deprecated Asio
// API, parser buffer handling and error categories.
#include "net/ip/address.hpp"

#include <cerrno>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

#include <gtest/gtest.h>

namespace {

using proa::error_code;
using proa::ip::address;
using proa::ip::address_v4;
using proa::ip::address_v6;

// ---- compile-time properties ---------------------------------------------------------------

static_assert(std::is_trivially_copyable_v<address_v4>);
static_assert(std::is_trivially_copyable_v<address_v6>);
static_assert(std::is_trivially_copyable_v<address>);
static_assert(sizeof(address_v4) == 4);
static_assert(sizeof(address_v6) == 20);

static_assert(address_v4::loopback().to_uint() == 0x7F000001u);
static_assert(address_v4(address_v4::bytes_type{10, 0, 0, 1}).to_uint() == 0x0A000001u);
static_assert(address_v4(0xC0A80001u).to_bytes() == address_v4::bytes_type{192, 168, 0, 1});
static_assert(address_v4::loopback().is_loopback() && !address_v4::any().is_loopback());
static_assert(address_v4(0xE0000001u).is_multicast());
static_assert(address_v4::any() < address_v4::broadcast());
static_assert(address_v6::loopback().is_loopback() && address_v6::any().is_unspecified());
static_assert(proa::ip::make_address_v6(proa::ip::v4_mapped, address_v4::loopback()).is_v4_mapped());
static_assert(proa::ip::make_address_v4(proa::ip::v4_mapped,
                                        address_v6::v4_mapped(address_v4(0x01020304u))) ==
              address_v4(0x01020304u));
static_assert(address(address_v4::broadcast()) < address(address_v6::any()));
static_assert(address().is_v4() && address().is_unspecified());

static_assert(noexcept(proa::ip::make_address_v4(std::string_view(), std::declval<error_code&>())));
static_assert(noexcept(proa::ip::make_address_v6(std::string_view(), std::declval<error_code&>())));
static_assert(noexcept(proa::ip::make_address(std::string_view(), std::declval<error_code&>())));
static_assert(noexcept(proa::ip::make_address("", std::declval<error_code&>())));

// ---- parsing details ---------------------------------------------------------------------------

TEST(IpAddress, ErrorIsSystemCategoryEinval) {
  error_code ec;
  (void)proa::ip::make_address("nope", ec);
  EXPECT_EQ(ec.value(), EINVAL);
  EXPECT_EQ(&ec.category(), &std::system_category());
}

TEST(IpAddress, FailedParseOverwritesEarlierResult) {
  error_code ec;
  address_v6 addr = proa::ip::make_address_v6("fe80::1%3", ec);
  ASSERT_FALSE(ec);
  addr = proa::ip::make_address_v6("fe80::1%3x::", ec);
  EXPECT_FALSE(ec);  // the scope is read atoi-style, so trailing text is ignored
  EXPECT_EQ(addr.scope_id(), 3u);
  addr = proa::ip::make_address_v6("fe80:::1%3", ec);
  EXPECT_TRUE(ec);
  EXPECT_EQ(addr, address_v6());
}

TEST(IpAddress, ViewsOfLongerBuffersStopAtTheirLength) {
  const std::string text = "::1%12";
  EXPECT_EQ(proa::ip::make_address_v6(std::string_view(text.data(), 5)).scope_id(), 1u);
  EXPECT_EQ(proa::ip::make_address_v6(std::string_view(text.data(), 3)).scope_id(), 0u);
  const std::string v4 = "1.2.3.4";
  error_code ec;
  // "1.2.3." must not be read as "1.2.3.4" because the byte after it happens to be '4'.
  (void)proa::ip::make_address_v4(std::string_view(v4.data(), 6), ec);
  EXPECT_EQ(ec, proa::error::invalid_argument);
}

TEST(IpAddress, TextAtTheLengthLimitsIsHandled) {
  // 15 characters is the longest valid IPv4 text; one more is always invalid.
  EXPECT_EQ(proa::ip::make_address_v4("255.255.255.255").to_uint(), 0xFFFFFFFFu);
  error_code ec;
  (void)proa::ip::make_address_v4("255.255.255.2550", ec);
  EXPECT_EQ(ec, proa::error::invalid_argument);
  // The longest valid IPv6 text.
  const char* longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
  const address_v6 all_ones = proa::ip::make_address_v6(longest);
  for (unsigned char byte : all_ones.to_bytes()) EXPECT_EQ(byte, 0xFF);
  // An interface name one byte too long for IF_NAMESIZE is still read for digits.
  EXPECT_EQ(proa::ip::make_address_v6("fe80::1%1234567890123456").scope_id(),
            static_cast<proa::ip::scope_id_type>(1234567890123456ull));
}

TEST(IpAddress, ThrowingOverloadsCarryTheCode) {
  try {
    (void)proa::ip::make_address(std::string("1.2.3.4.5"));
    FAIL() << "no exception";
  } catch (const proa::system_error& e) {
    EXPECT_EQ(e.code(), proa::error::invalid_argument);
  }
}

// ---- Asio's deprecated-but-present API --------------------------------------------------------

TEST(IpAddress, DeprecatedFromStringForms) {
  error_code ec;
  EXPECT_EQ(address_v4::from_string("1.2.3.4").to_ulong(), 0x01020304ul);
  EXPECT_EQ(address_v4::from_string(std::string("1.2.3.4"), ec), address_v4(0x01020304u));
  EXPECT_FALSE(ec);
  (void)address_v4::from_string("x", ec);
  EXPECT_EQ(ec, proa::error::invalid_argument);
  EXPECT_THROW((void)address_v4::from_string(std::string("x")), proa::system_error);
  EXPECT_TRUE(address_v6::from_string("::1").is_loopback());
  EXPECT_TRUE(address_v6::from_string(std::string("::"), ec).is_unspecified());
  EXPECT_THROW((void)address_v6::from_string("::g"), proa::system_error);
  EXPECT_TRUE(address::from_string("::1").is_v6());
  EXPECT_TRUE(address::from_string(std::string("1.1.1.1"), ec).is_v4());
  EXPECT_FALSE(ec);
  EXPECT_EQ(address::from_string("1.1.1.1").to_string(ec), "1.1.1.1");
  EXPECT_FALSE(ec);
}

TEST(IpAddress, DeprecatedClassfulHelpers) {
  const address_v4 a = proa::ip::make_address_v4("10.1.2.3");
  const address_v4 b = proa::ip::make_address_v4("172.16.2.3");
  const address_v4 c = proa::ip::make_address_v4("192.168.2.3");
  const address_v4 d = proa::ip::make_address_v4("224.0.0.1");
  EXPECT_TRUE(a.is_class_a() && !a.is_class_b() && !a.is_class_c());
  EXPECT_TRUE(b.is_class_b() && !b.is_class_a() && !b.is_class_c());
  EXPECT_TRUE(c.is_class_c() && !c.is_class_a() && !c.is_class_b());
  EXPECT_EQ(address_v4::netmask(a).to_string(), "255.0.0.0");
  EXPECT_EQ(address_v4::netmask(b).to_string(), "255.255.0.0");
  EXPECT_EQ(address_v4::netmask(c).to_string(), "255.255.255.0");
  EXPECT_EQ(address_v4::netmask(d).to_string(), "255.255.255.255");
  EXPECT_EQ(address_v4::broadcast(c, address_v4::netmask(c)).to_string(), "192.168.2.255");
}

TEST(IpAddress, DeprecatedV6ToV4Conversions) {
  const address_v4 v4 = proa::ip::make_address_v4("9.8.7.6");
  const address_v6 compatible = address_v6::v4_compatible(v4);
  EXPECT_EQ(compatible.to_string(), "::9.8.7.6");
  EXPECT_TRUE(compatible.is_v4_compatible());
  EXPECT_FALSE(compatible.is_v4_mapped());
  EXPECT_EQ(compatible.to_v4(), v4);
  EXPECT_EQ(address_v6::v4_mapped(v4).to_v4(), v4);
  EXPECT_FALSE(address_v6::loopback().is_v4_compatible());
  EXPECT_FALSE(address_v6::any().is_v4_compatible());
  EXPECT_THROW((void)address_v6::loopback().to_v4(), proa::ip::bad_address_cast);
  EXPECT_THROW((void)proa::ip::make_address_v6("1::1.2.3.4").to_v4(), proa::ip::bad_address_cast);
}

// ---- printing ------------------------------------------------------------------------------

TEST(IpAddress, WideStreams) {
  std::wostringstream out;
  out << proa::ip::make_address("10.0.0.1") << L' ' << proa::ip::make_address_v6("::2")
      << L' ' << proa::ip::make_address_v4("1.0.0.0");
  EXPECT_EQ(out.str(), L"10.0.0.1 ::2 1.0.0.0");
}

TEST(IpAddress, EveryIpv4ByteValuePrintsAndParsesBack) {
  for (unsigned value = 0; value < 256; ++value) {
    const auto byte = static_cast<unsigned char>(value);
    const address_v4 addr(address_v4::bytes_type{byte, 0, byte, 255});
    const std::string text = addr.to_string();
    EXPECT_EQ(text, std::to_string(value) + ".0." + std::to_string(value) + ".255");
    EXPECT_EQ(proa::ip::make_address_v4(text), addr);
  }
}

}  // namespace
