// Synchronous ip::tcp/udp::resolver and range connect, built against both Asio 1.22 and proa
// (see runtime_under_test.hpp): loopback lookups, flags, error mapping, reverse lookups, and
// connect() over resolver results and endpoint lists.
#include "tests/runtime_under_test.hpp"

#include <string>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace ip = rt::ip;

using runtime_test::loopback_any_port;

// A loopback port nothing listens on: bound once to reserve a number, then released.
ip::tcp::endpoint refusing_endpoint(rt::io_context& context) {
  ip::tcp::acceptor reserved(context, loopback_any_port());
  const ip::tcp::endpoint endpoint = reserved.local_endpoint();
  reserved.close();
  return endpoint;
}

TEST(NetResolver, LocalhostGivesLoopbackEntriesWithTheRequestedPort) {
  rt::io_context context;
  ip::tcp::resolver resolver(context);
  const ip::tcp::resolver::results_type results = resolver.resolve("localhost", "80");
  ASSERT_FALSE(results.empty());
  std::size_t walked = 0;
  for (const auto& entry : results) {
    ++walked;
    EXPECT_TRUE(entry.endpoint().address().is_loopback()) << entry.endpoint();
    EXPECT_EQ(entry.endpoint().port(), 80);
    EXPECT_EQ(entry.host_name(), "localhost");
    EXPECT_EQ(entry.service_name(), "80");
  }
  EXPECT_EQ(walked, results.size());
}

TEST(NetResolver, PortZeroAndProtocolFamilyRestriction) {
  rt::io_context context;
  ip::tcp::resolver resolver(context.get_executor());
  const auto results = resolver.resolve(ip::tcp::v4(), "localhost", "0");
  ASSERT_FALSE(results.empty());
  for (auto it = results.cbegin(); it != results.cend(); ++it) {
    EXPECT_TRUE(it->endpoint().address().is_v4());
    EXPECT_EQ(it->endpoint().address(), ip::address(ip::address_v4::loopback()));
    EXPECT_EQ(it->endpoint().port(), 0);
  }
}

TEST(NetResolver, EntryConvertsToItsEndpoint) {
  rt::io_context context;
  ip::udp::resolver resolver(context);
  const auto results = resolver.resolve("127.0.0.1", "5353");
  ASSERT_EQ(results.size(), 1u);
  const ip::udp::endpoint endpoint = *results.begin();
  EXPECT_EQ(endpoint, ip::udp::endpoint(ip::address_v4::loopback(), 5353));
}

TEST(NetResolver, NumericFlagsAcceptNumbers) {
  rt::io_context context;
  ip::tcp::resolver resolver(context);
  const auto results = resolver.resolve(
      "127.0.0.1", "8080", ip::tcp::resolver::numeric_host | ip::tcp::resolver::numeric_service);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results.begin()->endpoint(),
            ip::tcp::endpoint(ip::make_address("127.0.0.1"), 8080));
}

TEST(NetResolver, NumericHostRejectsANameWithHostNotFound) {
  rt::io_context context;
  ip::tcp::resolver resolver(context);
  rt_error_code ec;
  const auto results = resolver.resolve("localhost", "80", ip::tcp::resolver::numeric_host, ec);
  EXPECT_EQ(ec, rt::error::host_not_found) << ec.message();
  EXPECT_TRUE(results.empty());
}

TEST(NetResolver, NumericServiceRejectsAServiceName) {
  rt::io_context context;
  ip::tcp::resolver resolver(context);
  rt_error_code ec;
  const auto results =
      resolver.resolve("127.0.0.1", "http", ip::tcp::resolver::numeric_service, ec);
  // glibc reports EAI_NONAME here, which Asio maps to host_not_found.
  EXPECT_EQ(ec, rt::error::host_not_found) << ec.message();
  EXPECT_TRUE(results.empty());
}

TEST(NetResolver, ServiceNamesResolveToTheirPort) {
  rt::io_context context;
  ip::tcp::resolver resolver(context);
  const auto results = resolver.resolve("127.0.0.1", "http");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results.begin()->endpoint().port(), 80);
  EXPECT_EQ(results.begin()->service_name(), "http");
}

TEST(NetResolver, UnknownHostGivesHostNotFound) {
  rt::io_context context;
  ip::tcp::resolver resolver(context);
  rt_error_code ec;
  const auto results = resolver.resolve("no-such-host.invalid", "80", ec);
  EXPECT_EQ(ec, rt::error::host_not_found) << ec.message();
  EXPECT_TRUE(results.empty());
  EXPECT_EQ(results.begin(), results.end());
}

TEST(NetResolver, UnknownHostThrowsSystemError) {
  rt::io_context context;
  ip::tcp::resolver resolver(context);
  try {
    resolver.resolve("not-an-address", "80", ip::tcp::resolver::numeric_host);
    FAIL() << "resolve did not throw";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), rt::error::host_not_found);
  }
}

TEST(NetResolver, UnknownServiceGivesServiceNotFound) {
  rt::io_context context;
  ip::tcp::resolver resolver(context);
  rt_error_code ec;
  const auto results = resolver.resolve("127.0.0.1", "no-such-service-proa", ec);
  EXPECT_EQ(ec, rt::error::service_not_found) << ec.message();
  EXPECT_TRUE(results.empty());
  EXPECT_THROW(resolver.resolve("127.0.0.1", "no-such-service-proa"), std::system_error);
}

TEST(NetResolver, ReverseLookupNamesTheEndpoint) {
  rt::io_context context;
  ip::tcp::resolver resolver(context);
  const ip::tcp::endpoint endpoint(ip::address_v4::loopback(), 80);
  const auto results = resolver.resolve(endpoint);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results.begin()->endpoint(), endpoint);
  EXPECT_FALSE(results.begin()->host_name().empty());
  EXPECT_EQ(results.begin()->service_name(), "http");
}

TEST(NetResolver, CopiedResultsShareTheirEntries) {
  rt::io_context context;
  ip::tcp::resolver resolver(context);
  const auto results = resolver.resolve("127.0.0.1", "80");
  const auto copy = results;
  ASSERT_EQ(copy.size(), results.size());
  EXPECT_EQ(&*copy.begin(), &*results.begin());
  // An iterator keeps the entries alive after the results it came from are gone.
  auto it = ip::tcp::resolver::results_type(results).begin();
  EXPECT_EQ(it->endpoint().port(), 80);
  ++it;
  EXPECT_EQ(it, results.end());
}

TEST(NetConnect, ConnectsToResolvedListenerAndReturnsItsEndpoint) {
  rt::io_context context;
  ip::tcp::acceptor acceptor(context, loopback_any_port());
  const ip::tcp::endpoint listening = acceptor.local_endpoint();
  ip::tcp::resolver resolver(context);
  ip::tcp::socket socket(context);
  socket.open(ip::tcp::v4());  // connect() closes it before trying
  const ip::tcp::endpoint connected =
      rt::connect(socket, resolver.resolve("127.0.0.1", std::to_string(listening.port())));
  EXPECT_EQ(connected, listening);
  EXPECT_EQ(socket.remote_endpoint(), listening);
  ip::tcp::socket server(context);
  acceptor.accept(server);
  EXPECT_EQ(server.remote_endpoint(), socket.local_endpoint());
}

TEST(NetConnect, SkipsARefusingEndpointAndConnectsToTheNext) {
  rt::io_context context;
  const ip::tcp::endpoint refusing = refusing_endpoint(context);
  ip::tcp::acceptor acceptor(context, loopback_any_port());
  const std::vector<ip::tcp::endpoint> endpoints{refusing, acceptor.local_endpoint()};
  ip::tcp::socket socket(context);
  rt_error_code ec;
  const ip::tcp::endpoint connected = rt::connect(socket, endpoints, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(connected, acceptor.local_endpoint());
  EXPECT_EQ(socket.remote_endpoint(), acceptor.local_endpoint());
}

TEST(NetConnect, AllRefusingReportsTheLastError) {
  rt::io_context context;
  const std::vector<ip::tcp::endpoint> endpoints{refusing_endpoint(context)};
  ip::tcp::socket socket(context);
  rt_error_code ec;
  const ip::tcp::endpoint connected = rt::connect(socket, endpoints, ec);
  EXPECT_EQ(ec, rt::error::connection_refused) << ec.message();
  EXPECT_EQ(connected, ip::tcp::endpoint());
}

TEST(NetConnect, IteratorRangeReturnsTheIteratorConnected) {
  rt::io_context context;
  const ip::tcp::endpoint refusing = refusing_endpoint(context);
  ip::tcp::acceptor acceptor(context, loopback_any_port());
  const std::vector<ip::tcp::endpoint> endpoints{refusing, acceptor.local_endpoint()};
  ip::tcp::socket socket(context);
  const auto connected = rt::connect(socket, endpoints.begin(), endpoints.end());
  EXPECT_EQ(connected, endpoints.begin() + 1);
}

TEST(NetConnect, ConditionSeesTheLastErrorAndCanSkipEndpoints) {
  rt::io_context context;
  const ip::tcp::endpoint refusing = refusing_endpoint(context);
  ip::tcp::acceptor acceptor(context, loopback_any_port());
  const std::vector<ip::tcp::endpoint> endpoints{refusing, refusing, acceptor.local_endpoint()};
  std::vector<rt_error_code> seen;
  int offered = 0;
  ip::tcp::socket socket(context);
  const ip::tcp::endpoint connected = rt::connect(
      socket, endpoints, [&](const rt_error_code& ec, const ip::tcp::endpoint&) {
        seen.push_back(ec);
        return offered++ != 1;  // skip the second (refusing) endpoint
      });
  EXPECT_EQ(connected, acceptor.local_endpoint());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_FALSE(seen[0]);
  EXPECT_EQ(seen[1], rt::error::connection_refused);
  EXPECT_EQ(seen[2], rt::error::connection_refused);
}

TEST(NetConnect, ConditionRejectingEverythingGivesNotFound) {
  rt::io_context context;
  ip::tcp::acceptor acceptor(context, loopback_any_port());
  const std::vector<ip::tcp::endpoint> endpoints{acceptor.local_endpoint()};
  ip::tcp::socket socket(context);
  rt_error_code ec;
  rt::connect(
      socket, endpoints, [](const rt_error_code&, const ip::tcp::endpoint&) { return false; }, ec);
  EXPECT_EQ(ec, rt::error::not_found);
}

TEST(NetConnect, EmptyRangeGivesNotFound) {
  rt::io_context context;
  ip::tcp::socket socket(context);
  rt_error_code ec;
  const ip::tcp::endpoint connected =
      rt::connect(socket, std::vector<ip::tcp::endpoint>{}, ec);
  EXPECT_EQ(ec, rt::error::not_found);
  EXPECT_EQ(connected, ip::tcp::endpoint());
  EXPECT_FALSE(socket.is_open());

  rt::connect(socket, ip::tcp::resolver::results_type(), ec);
  EXPECT_EQ(ec, rt::error::not_found);

  try {
    rt::connect(socket, std::vector<ip::tcp::endpoint>{});
    FAIL() << "connect did not throw";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), rt::error::not_found);
  }
}

}  // namespace
