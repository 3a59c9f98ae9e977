// Asynchronous composed operations over real loopback sockets, built against both Asio 1.22 and
// proa (runtime_under_test.hpp): async_read/async_write of large transfers, eof mid-read,
// async_read_until line protocols, async_resolve feeding async_connect past a refusing endpoint,
// and strand-bound sessions on a thread pool.
#include "tests/runtime_under_test.hpp"

#include <array>
#include <functional>
#include <chrono>
#include <cstddef>
#include <future>
#include <istream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace ip = rt::ip;
using namespace std::chrono_literals;

using runtime_test::loopback_any_port;

std::string pattern(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>('a' + random() % 26);
  return bytes;
}

// A connected loopback pair made synchronously.
struct tcp_pair {
  explicit tcp_pair(rt::io_context& context)
      : acceptor(context, loopback_any_port()), client(context), server(context) {
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }

  ip::tcp::acceptor acceptor;
  ip::tcp::socket client;
  ip::tcp::socket server;
};

using runtime_test::refusing_port;

TEST(NetAsyncComposed, LargeTransferArrivesByteExact) {
  runtime_test::hang_watchdog watchdog("LargeTransferArrivesByteExact");
  rt::io_context context;
  tcp_pair pair(context);
  // Larger than the socket buffers: the write needs many partial steps.
  const std::string data = pattern(runtime_test::scaled(4 << 20, 1 << 20), 1);
  std::string head(1000, '\0');
  std::vector<char> rest(data.size() - head.size());
  const std::array<rt::mutable_buffer, 2> targets = {rt::buffer(head), rt::buffer(rest)};
  rt_error_code write_ec = rt::error::fault, read_ec = rt::error::fault;
  std::size_t written = 0, read = 0;
  rt::async_write(pair.client, rt::buffer(data), [&](const rt_error_code& ec, std::size_t n) {
    write_ec = ec;
    written = n;
  });
  rt::async_read(pair.server, targets, [&](const rt_error_code& ec, std::size_t n) {
    read_ec = ec;
    read = n;
  });
  EXPECT_EQ(write_ec, rt::error::fault) << "completed inside the initiating call";
  EXPECT_EQ(read_ec, rt::error::fault) << "completed inside the initiating call";
  context.run();
  EXPECT_FALSE(write_ec) << write_ec.message();
  EXPECT_FALSE(read_ec) << read_ec.message();
  EXPECT_EQ(written, data.size());
  EXPECT_EQ(read, data.size());
  EXPECT_TRUE(head + std::string(rest.begin(), rest.end()) == data);
}

TEST(NetAsyncComposed, EofMidReadReportsWhatArrived) {
  runtime_test::hang_watchdog watchdog("EofMidReadReportsWhatArrived");
  rt::io_context context;
  tcp_pair pair(context);
  const std::string data = "only these bytes";
  std::array<char, 100> target{};
  rt_error_code read_ec;
  std::size_t read = 0;
  rt::async_write(pair.client, rt::buffer(data), [&](const rt_error_code& ec, std::size_t) {
    EXPECT_FALSE(ec);
    pair.client.shutdown(ip::tcp::socket::shutdown_send);
  });
  rt::async_read(pair.server, rt::buffer(target), [&](const rt_error_code& ec, std::size_t n) {
    read_ec = ec;
    read = n;
  });
  context.run();
  EXPECT_EQ(read_ec, rt::error::eof);
  EXPECT_EQ(read, data.size());
  EXPECT_EQ(std::string(target.data(), read), data);
}

TEST(NetAsyncComposed, ReadUntilServesALineProtocol) {
  runtime_test::hang_watchdog watchdog("ReadUntilServesALineProtocol");
  rt::io_context context;
  tcp_pair pair(context);
  const std::vector<std::string> lines = {"first", "", "third line", pattern(5000, 2)};
  std::string all;
  for (const auto& line : lines) all += line + "\r\n";
  all += "unterminated";

  std::vector<std::string> received;
  rt::streambuf incoming;
  rt_error_code final_ec;
  std::function<void()> next_line = [&] {
    rt::async_read_until(pair.server, incoming, "\r\n",
                         [&](const rt_error_code& ec, std::size_t n) {
                           if (ec) {
                             final_ec = ec;
                             return;
                           }
                           std::string line(n, '\0');
                           std::istream(&incoming).read(line.data(), static_cast<std::streamsize>(n));
                           received.push_back(line.substr(0, n - 2));
                           next_line();
                         });
  };
  next_line();
  rt::async_write(pair.client, rt::buffer(all), [&](const rt_error_code& ec, std::size_t n) {
    EXPECT_FALSE(ec);
    EXPECT_EQ(n, all.size());
    pair.client.shutdown(ip::tcp::socket::shutdown_send);
  });
  context.run();
  EXPECT_EQ(received, lines);
  EXPECT_EQ(final_ec, rt::error::eof);
  // What followed the last delimiter is still buffered.
  EXPECT_EQ(incoming.size(), std::string("unterminated").size());
}

TEST(NetAsyncComposed, ReadUntilDynamicStringBufferAndMaxSize) {
  runtime_test::hang_watchdog watchdog("ReadUntilDynamicStringBufferAndMaxSize");
  rt::io_context context;
  tcp_pair pair(context);
  rt::write(pair.client, rt::buffer(std::string("key=value;0123456789abcdef")));
  std::string buffered;
  rt_error_code first_ec = rt::error::fault, second_ec = rt::error::fault;
  std::size_t first = 0, second = 0;
  rt::async_read_until(pair.server, rt::dynamic_buffer(buffered, 12), ';',
                       [&](const rt_error_code& ec, std::size_t n) {
                         first_ec = ec;
                         first = n;
                         buffered.erase(0, n);
                         // No ';' arrives any more: the buffer fills to max_size.
                         rt::async_read_until(pair.server, rt::dynamic_buffer(buffered, 12), ';',
                                              [&](const rt_error_code& ec2, std::size_t n2) {
                                                second_ec = ec2;
                                                second = n2;
                                              });
                       });
  context.run();
  EXPECT_FALSE(first_ec);
  EXPECT_EQ(first, 10u);
  EXPECT_EQ(second_ec, rt::error::not_found);
  EXPECT_EQ(second, 0u);
  EXPECT_EQ(buffered.size(), 12u);
}

TEST(NetAsyncComposed, ResolveThenConnectPastARefusingEndpoint) {
  runtime_test::hang_watchdog watchdog("ResolveThenConnectPastARefusingEndpoint");
  rt::io_context context;
  ip::tcp::acceptor acceptor(context, loopback_any_port());
  const unsigned short refused = refusing_port(context);
  ip::tcp::resolver resolver(context);
  ip::tcp::socket socket(context);
  std::optional<ip::tcp::socket> accepted;
  rt_error_code resolve_ec = rt::error::fault, connect_ec = rt::error::fault;
  ip::tcp::endpoint connected;
  std::vector<ip::tcp::endpoint> candidates;

  acceptor.async_accept([&](const rt_error_code& ec, ip::tcp::socket peer) {
    EXPECT_FALSE(ec);
    accepted.emplace(std::move(peer));
  });
  resolver.async_resolve(
      ip::tcp::v4(), "127.0.0.1", std::to_string(acceptor.local_endpoint().port()),
      [&](const rt_error_code& ec, ip::tcp::resolver::results_type results) {
        resolve_ec = ec;
        candidates.emplace_back(ip::address_v4::loopback(), refused);
        for (const auto& entry : results) candidates.push_back(entry.endpoint());
        rt::async_connect(socket, candidates,
                          [&](const rt_error_code& ec2, const ip::tcp::endpoint& e) {
                            connect_ec = ec2;
                            connected = e;
                          });
      });
  EXPECT_EQ(resolve_ec, rt::error::fault) << "completed inside the initiating call";
  context.run();
  EXPECT_FALSE(resolve_ec) << resolve_ec.message();
  EXPECT_FALSE(connect_ec) << connect_ec.message();
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(connected, acceptor.local_endpoint());
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(accepted->remote_endpoint(), socket.local_endpoint());
}

TEST(NetAsyncComposed, ConnectToNothingButRefusalsReportsTheRefusal) {
  runtime_test::hang_watchdog watchdog("ConnectToNothingButRefusalsReportsTheRefusal");
  rt::io_context context;
  const std::vector<ip::tcp::endpoint> candidates = {
      ip::tcp::endpoint(ip::address_v4::loopback(), refusing_port(context))};
  ip::tcp::socket socket(context);
  rt_error_code range_ec;
  ip::tcp::endpoint range_result(ip::address_v4::loopback(), 1);
  rt_error_code iterator_ec;
  bool iterator_at_end = false;
  rt::async_connect(socket, candidates, [&](const rt_error_code& ec, const ip::tcp::endpoint& e) {
    range_ec = ec;
    range_result = e;
    rt::async_connect(socket, candidates.begin(), candidates.end(),
                      [&](const rt_error_code& ec2,
                          std::vector<ip::tcp::endpoint>::const_iterator it) {
                        iterator_ec = ec2;
                        iterator_at_end = it == candidates.end();
                      });
  });
  context.run();
  EXPECT_EQ(range_ec, rt::error::connection_refused);
  EXPECT_EQ(range_result, ip::tcp::endpoint());
  EXPECT_EQ(iterator_ec, rt::error::connection_refused);
  EXPECT_TRUE(iterator_at_end);
}

// Echo sessions on a two-thread pool, each with a strand-bound chain of async_read_until and
// async_write on sockets that use the pool's plain executor: only the handlers' strand keeps each
// session's steps and handlers serialised.
struct echo_session {
  explicit echo_session(rt::thread_pool& pool)
      : strand(rt::make_strand(pool)), client(pool), server(pool) {}

  rt::strand<rt::thread_pool::executor_type> strand;
  ip::tcp::socket client;
  ip::tcp::socket server;
  std::string server_buffer;
  std::string client_buffer;
  std::string line;  // the line in flight; the server echoes from its copy in server_buffer
  std::string echo;
  int rounds_left = 0;
  int completed_rounds = 0;
  int off_strand = 0;
  rt_error_code failure;
  std::promise<void> done;

  void check() {
    if (!strand.running_in_this_thread()) ++off_strand;
  }

  void finish(const rt_error_code& ec) {
    failure = ec;
    done.set_value();
  }

  // Server: echo each line back.
  void serve() {
    rt::async_read_until(server, rt::dynamic_buffer(server_buffer), '\n',
                         rt::bind_executor(strand, [this](const rt_error_code& ec, std::size_t n) {
                           check();
                           if (ec) return;  // the client finished
                           echo = server_buffer.substr(0, n);
                           server_buffer.erase(0, n);
                           rt::async_write(server, rt::buffer(echo),
                                           rt::bind_executor(strand, [this](const rt_error_code& ec2,
                                                                            std::size_t) {
                                             check();
                                             if (!ec2) serve();
                                           }));
                         }));
  }

  // Client: send a line, read exactly its echo, compare, repeat.
  void round() {
    line = pattern(100 + static_cast<std::size_t>(completed_rounds) * 37,
                   static_cast<unsigned>(completed_rounds)) +
           "\n";
    rt::async_write(
        client, rt::buffer(line),
        rt::bind_executor(strand, [this](const rt_error_code& ec, std::size_t) {
          check();
          if (ec) return finish(ec);
          rt::async_read(client, rt::dynamic_buffer(client_buffer),
                         rt::transfer_exactly(line.size()),
                         rt::bind_executor(strand, [this](const rt_error_code& ec2, std::size_t n) {
                           check();
                           if (ec2) return finish(ec2);
                           if (client_buffer != line || n != line.size())
                             return finish(rt::error::fault);
                           client_buffer.clear();
                           if (++completed_rounds == rounds_left) {
                             client.shutdown(ip::tcp::socket::shutdown_send);
                             return finish(rt_error_code());
                           }
                           round();
                         }));
        }));
  }
};

TEST(NetAsyncComposed, StrandBoundEchoSessionsOnAThreadPool) {
  runtime_test::hang_watchdog watchdog("StrandBoundEchoSessionsOnAThreadPool");
  rt::thread_pool pool(2);
  rt::io_context setup;
  constexpr int sessions = 4;
  const int rounds = runtime_test::scaled(50, 10);

  ip::tcp::acceptor acceptor(setup, loopback_any_port());
  std::vector<std::unique_ptr<echo_session>> all;
  for (int i = 0; i < sessions; ++i) {
    all.push_back(std::make_unique<echo_session>(pool));
    all.back()->rounds_left = rounds;
    all.back()->client.connect(acceptor.local_endpoint());
    acceptor.accept(all.back()->server);
  }
  for (auto& s : all) {
    rt::post(s->strand, [self = s.get()] {
      self->serve();
      self->round();
    });
  }
  for (auto& s : all) {
    ASSERT_EQ(s->done.get_future().wait_for(runtime_test::hang_limit), std::future_status::ready);
  }
  // Each server's last read ends with eof once its client has shut down; then the pool runs dry.
  pool.join();
  for (auto& s : all) {
    EXPECT_FALSE(s->failure) << s->failure.message();
    EXPECT_EQ(s->completed_rounds, rounds);
    EXPECT_EQ(s->off_strand, 0);
  }
}

}  // namespace
