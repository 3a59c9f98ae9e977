// Load tests for the asynchronous socket layer, built against both Asio 1.22 and proa: an echo
// server on thread_pool(4) serving many clients without losing or reordering a byte, thousands
// of simultaneous connections, and an acceptor that survives running out of descriptors.
#include "tests/runtime_under_test.hpp"

#include <sys/resource.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace ip = rt::ip;
using namespace std::chrono_literals;

// One server-side connection: read whatever arrives, write all of it back, repeat until eof.
class echo_session : public std::enable_shared_from_this<echo_session> {
 public:
  explicit echo_session(ip::tcp::socket socket) : socket_(std::move(socket)) {}
  void start() { read(); }

 private:
  void read() {
    auto self = shared_from_this();
    socket_.async_read_some(rt::buffer(data_), [self](const rt_error_code& ec, std::size_t n) {
      if (!ec) self->write(0, n);
    });
  }
  void write(std::size_t offset, std::size_t end) {
    auto self = shared_from_this();
    socket_.async_write_some(rt::buffer(data_.data() + offset, end - offset),
                             [self, offset, end](const rt_error_code& ec, std::size_t n) {
                               if (ec) return;
                               if (offset + n < end)
                                 self->write(offset + n, end);
                               else
                                 self->read();
                             });
  }

  ip::tcp::socket socket_;
  std::array<char, 1024> data_;
};

// Accepts until the acceptor is closed. A failed accept (e.g. out of descriptors) is counted
// and retried after a pause, the way servers are expected to survive it.
class echo_server {
 public:
  template <typename Context>
  explicit echo_server(Context& context)
      : acceptor_(context, ip::tcp::endpoint(ip::address_v4::loopback(), 0)),
        retry_timer_(context) {
    accept();
  }

  ip::tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }
  int accept_errors() const { return accept_errors_.load(); }
  int accepted() const { return accepted_.load(); }
  void stop() {
    rt::post(acceptor_.get_executor(), [this] {
      acceptor_.close();
      retry_timer_.cancel();
    });
  }

 private:
  void accept() {
    acceptor_.async_accept([this](const rt_error_code& ec, ip::tcp::socket socket) {
      if (ec == rt::error::operation_aborted || !acceptor_.is_open()) return;
      if (ec) {
        ++accept_errors_;
        retry_timer_.expires_after(5ms);
        retry_timer_.async_wait([this](const rt_error_code& e) {
          if (!e && acceptor_.is_open()) accept();
        });
        return;
      }
      ++accepted_;
      std::make_shared<echo_session>(std::move(socket))->start();
      accept();
    });
  }

  ip::tcp::acceptor acceptor_;
  rt::steady_timer retry_timer_;
  std::atomic<int> accept_errors_{0};
  std::atomic<int> accepted_{0};
};

// A client that sends `messages` numbered messages one at a time and checks each echo.
class echo_client : public std::enable_shared_from_this<echo_client> {
 public:
  echo_client(rt::io_context& context, int id, int messages, std::atomic<int>& failures,
              std::atomic<int>& finished)
      : socket_(context), id_(id), left_(messages), failures_(failures), finished_(finished) {}

  void start(const ip::tcp::endpoint& server) {
    auto self = shared_from_this();
    socket_.async_connect(server, [self](const rt_error_code& ec) {
      if (ec) return self->fail();
      self->send();
    });
  }

 private:
  void send() {
    std::snprintf(out_.data(), out_.size(), "client %6d message %8d", id_, left_);
    write(0);
  }
  void write(std::size_t offset) {
    auto self = shared_from_this();
    socket_.async_write_some(rt::buffer(out_.data() + offset, out_.size() - offset),
                             [self, offset](const rt_error_code& ec, std::size_t n) {
                               if (ec) return self->fail();
                               if (offset + n < self->out_.size())
                                 self->write(offset + n);
                               else
                                 self->read(0);
                             });
  }
  void read(std::size_t offset) {
    auto self = shared_from_this();
    socket_.async_read_some(rt::buffer(in_.data() + offset, in_.size() - offset),
                            [self, offset](const rt_error_code& ec, std::size_t n) {
                              if (ec) return self->fail();
                              if (offset + n < self->in_.size()) return self->read(offset + n);
                              if (self->in_ != self->out_) return self->fail();
                              if (--self->left_ == 0) {
                                ++self->finished_;
                                self->socket_.close();
                                return;
                              }
                              self->send();
                            });
  }
  void fail() {
    ++failures_;
    socket_.close();
  }

  ip::tcp::socket socket_;
  int id_;
  int left_;
  std::atomic<int>& failures_;
  std::atomic<int>& finished_;
  std::array<char, 40> out_{};
  std::array<char, 40> in_{};
};

// Runs `clients` clients of `messages` messages each against a server on thread_pool(4), the
// clients on their own io_context run by `client_threads` threads.
void run_echo_load(int clients, int messages, int client_threads) {
  rt::thread_pool pool(4);
  echo_server server(pool);
  rt::io_context client_context;
  std::atomic<int> failures{0}, finished{0};
  for (int i = 0; i < clients; ++i)
    std::make_shared<echo_client>(client_context, i, messages, failures, finished)
        ->start(server.endpoint());
  std::vector<std::thread> threads;
  for (int i = 0; i < client_threads; ++i) threads.emplace_back([&] { client_context.run(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(finished.load(), clients);
  EXPECT_EQ(server.accepted(), clients);
  server.stop();
  pool.join();
}

TEST(NetEchoStress, ThreadPoolServerEchoesEveryMessageInOrder) {
  runtime_test::hang_watchdog watchdog("ThreadPoolServerEchoesEveryMessageInOrder",
                                       std::chrono::seconds(runtime_test::sanitized ? 240 : 60));
  // 200 clients x 1,000 messages; smaller under sanitizers, which slow syscalls-heavy code most.
  run_echo_load(runtime_test::scaled(200, 50), runtime_test::scaled(1000, 100), 2);
}

TEST(NetEchoStress, TwoThousandSimultaneousConnections) {
  runtime_test::hang_watchdog watchdog("TwoThousandSimultaneousConnections",
                                       std::chrono::seconds(runtime_test::sanitized ? 240 : 60));
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur < 4500 && limit.rlim_max >= 4500) {
    limit.rlim_cur = 4500;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
  }
  if (limit.rlim_cur < 4500) GTEST_SKIP() << "needs 4,500 descriptors; the hard limit is lower";

  rt::thread_pool pool(4);
  echo_server server(pool);
  rt::io_context client_context;
  const int connections = 2000;
  // Every client connects first; only when all are connected does any of them send.
  std::vector<std::unique_ptr<ip::tcp::socket>> clients;
  std::atomic<int> connected{0}, echoed{0}, failures{0};
  std::vector<std::array<char, 8>> replies(connections);
  for (int i = 0; i < connections; ++i) {
    clients.push_back(std::make_unique<ip::tcp::socket>(client_context));
    clients.back()->async_connect(server.endpoint(), [&](const rt_error_code& ec) {
      if (ec) ++failures;
      ++connected;
    });
  }
  client_context.run();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_EQ(connected.load(), connections);
  for (int i = 0; i < connections; ++i) {
    char message[12];
    std::snprintf(message, sizeof message, "%07d", i);
    rt::error_code ec;
    clients[i]->write_some(rt::buffer(message, 8), ec);
    ASSERT_FALSE(ec);
    clients[i]->async_read_some(rt::buffer(replies[i]), [&, i](const rt_error_code& e, std::size_t n) {
      char expected[12];
      std::snprintf(expected, sizeof expected, "%07d", i);
      if (e || n != 8 || std::memcmp(replies[i].data(), expected, 8) != 0)
        ++failures;
      else
        ++echoed;
    });
  }
  client_context.restart();
  client_context.run();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(echoed.load(), connections);
  EXPECT_EQ(server.accepted(), connections);
  clients.clear();
  server.stop();
  pool.join();
}

TEST(NetEchoStress, AcceptorSurvivesRunningOutOfDescriptors) {
  runtime_test::hang_watchdog watchdog("AcceptorSurvivesRunningOutOfDescriptors");
  rt::io_context context;
  echo_server server(context);
  // Use up the descriptor table down to a handful, then let clients connect: the kernel
  // completes their handshakes, but the server's accepts fail with EMFILE.
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  std::vector<int> hogs;
  std::vector<std::unique_ptr<ip::tcp::socket>> clients;
  const int client_count = 4;
  for (int i = 0; i < client_count; ++i) {
    clients.push_back(std::make_unique<ip::tcp::socket>(context));
    clients.back()->connect(server.endpoint());
  }
  for (;;) {
    int fd = ::dup(0);
    if (fd < 0) break;
    hogs.push_back(fd);
  }
  ASSERT_FALSE(hogs.empty());
  // Run until the server has hit the limit at least twice (it keeps retrying).
  while (server.accept_errors() < 2) context.run_one_for(50ms);
  EXPECT_EQ(server.accepted(), 0);
  for (int fd : hogs) ::close(fd);
  hogs.clear();
  while (server.accepted() < client_count) context.run_one_for(50ms);
  EXPECT_EQ(server.accepted(), client_count);
  // And the accepted connections are served.
  for (auto& client : clients) {
    client->write_some(rt::buffer("ok", 2));
    std::array<char, 2> reply{};
    std::size_t got = 0;
    while (got < 2) {
      context.poll();
      rt::error_code ec;
      client->non_blocking(true);
      got += client->read_some(rt::buffer(reply.data() + got, 2 - got), ec);
      if (ec && ec != rt::error::would_block) FAIL() << ec.message();
    }
    EXPECT_EQ(std::string(reply.data(), 2), "ok");
  }
  clients.clear();
  server.stop();
  context.run();
}

}  // namespace
