// Example: an asynchronous TCP echo server in the style Asio programs are written, on proa.
// Usage: async_tcp_echo_server <port> [threads]   (port 0 picks a free port; SIGINT/SIGTERM stop)
// It prints "listening on port N" once it accepts connections, so scripts can pass port 0.
#include <proa.hpp>

#include <array>
#include <charconv>
#include <csignal>
#include <cstddef>
#include <iostream>
#include <memory>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace {

using proa::ip::tcp;

// One client connection. It keeps a single operation in flight (read, then write back what was
// read), so its handlers never run concurrently and need no lock even on many threads; the
// socket's strand executor (see echo_server::accept_next) keeps that true if more are added.
class echo_session : public std::enable_shared_from_this<echo_session> {
 public:
  explicit echo_session(tcp::socket socket) : socket_(std::move(socket)) {}

  void start() { read_some(); }

 private:
  void read_some() {
    // The handler owns a reference to the session: the session lives exactly as long as an
    // operation is pending on it, and is freed when the client leaves.
    socket_.async_read_some(
        proa::buffer(data_),
        [self = shared_from_this()](std::error_code error, std::size_t length) {
          if (!error) {
            self->write_back(length);
          } else if (error != proa::error::eof && error != proa::error::operation_aborted) {
            std::cerr << "read failed: " << error.message() << "\n";
          }
        });
  }

  void write_back(std::size_t length) {
    // async_write (not async_write_some) sends all `length` bytes before the handler runs.
    proa::async_write(socket_, proa::buffer(data_, length),
                      [self = shared_from_this()](std::error_code error, std::size_t) {
                        if (!error) {
                          self->read_some();
                        } else if (error != proa::error::operation_aborted) {
                          std::cerr << "write failed: " << error.message() << "\n";
                        }
                      });
  }

  tcp::socket socket_;
  std::array<char, 4096> data_;
};

// Accepts connections forever, giving each its own session.
class echo_server {
 public:
  echo_server(proa::io_context& context, unsigned short port)
      : context_(context), acceptor_(context, tcp::endpoint(tcp::v4(), port)) {
    accept_next();
  }

  unsigned short port() const { return acceptor_.local_endpoint().port(); }

  void stop_accepting() {
    std::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  void accept_next() {
    // Each accepted socket gets a strand of its own: with several threads running the context,
    // that is what serialises a connection's handlers in the general case.
    acceptor_.async_accept(proa::make_strand(context_),
                           [this](std::error_code error, tcp::socket socket) {
                             if (error == proa::error::operation_aborted) {
                               return;  // the acceptor was closed: we are shutting down
                             }
                             if (!error) {
                               std::make_shared<echo_session>(std::move(socket))->start();
                             } else {
                               std::cerr << "accept failed: " << error.message() << "\n";
                             }
                             accept_next();
                           });
  }

  proa::io_context& context_;
  tcp::acceptor acceptor_;
};

bool parse_number(std::string_view text, unsigned long max, unsigned long& value) {
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  return error == std::errc() && stop == end && value <= max;
}

}  // namespace

int main(int argc, char* argv[]) {
  unsigned long port = 0;
  unsigned long threads = 1;
  if (argc < 2 || argc > 3 || !parse_number(argv[1], 65535, port) ||
      (argc == 3 && (!parse_number(argv[2], 1024, threads) || threads == 0))) {
    std::cerr << "Usage: async_tcp_echo_server <port> [threads]\n";
    return 2;
  }

  try {
    proa::io_context context(static_cast<int>(threads));
    echo_server server(context, static_cast<unsigned short>(port));

    // Stop on Ctrl-C or a service manager's SIGTERM: no new connections, and run() returns on
    // every thread. Sessions still open are destroyed with the context, closing their sockets.
    proa::signal_set signals(context, SIGINT, SIGTERM);
    signals.async_wait([&](std::error_code error, int signal_number) {
      if (!error) {
        std::cout << "signal " << signal_number << " received, stopping" << std::endl;
        server.stop_accepting();
        context.stop();
      }
    });

    std::cout << "listening on port " << server.port() << " with " << threads << " thread"
              << (threads == 1 ? "" : "s") << std::endl;

    std::vector<std::thread> workers;
    for (unsigned long i = 1; i < threads; ++i) {
      workers.emplace_back([&context] { context.run(); });
    }
    context.run();
    for (std::thread& worker : workers) {
      worker.join();
    }
  } catch (const std::exception& e) {
    std::cerr << "async_tcp_echo_server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
