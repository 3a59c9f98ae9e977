// The HTTP/1.1 plaintext example server: keep-alive, pipelining, bounded request parsing.
// Usage: http_server <port> [threads] [address]; port 0 picks a free one. Prints
// "listening on <address>:<port>" once ready and stops cleanly on SIGINT or SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "examples/http/request_parser.hpp"
#include "examples/http/responses.hpp"
#include "examples/http/runtime.hpp"

namespace http_example {
namespace {

using tcp = net::ip::tcp;

// Pipelined responses are flushed once this much is queued, so a client that pipelines
// without reading cannot make the server buffer without bound.
constexpr std::size_t output_flush_size = 64 * 1024;
constexpr std::size_t initial_input_size = 4096;
// After an error response the server reads (and drops) what the client still sends, so
// closing does not reset the connection before the client has read the response; this much,
// then it closes anyway.
constexpr std::size_t max_discard_after_error = 256 * 1024;

// One client connection. At most one operation is pending on it at any time (read, then
// answer every complete request in the input, then write, then read again), so its handlers
// never run concurrently and it needs no strand even with many threads in run().
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(tcp::socket socket, const parser_limits& limits)
      : socket_(std::move(socket)), parser_(limits), input_(initial_input_size) {
    output_.reserve(initial_input_size);
  }

  void start() { read_more(); }

 private:
  void read_more() {
    // Unconsumed input moves to the front; the parser's offsets are relative to it.
    if (input_begin_ > 0) {
      std::memmove(input_.data(), input_.data() + input_begin_, input_end_ - input_begin_);
      input_end_ -= input_begin_;
      input_begin_ = 0;
    }
    if (input_end_ == input_.size()) {
      // A request this large is complete or rejected by the parser before the buffer fills,
      // so this only grows the buffer for large requests and never past the limits.
      const std::size_t most = parser_.limits().max_request_size();
      if (input_.size() >= most) {
        fail(parse_error::headers_too_large);
        return;
      }
      input_.resize(std::min(input_.size() * 2, most));
    }
    socket_.async_read_some(
        net::buffer(input_.data() + input_end_, input_.size() - input_end_),
        [self = shared_from_this()](const std::error_code& error, std::size_t size) {
          self->on_read(error, size);
        });
  }

  void on_read(const std::error_code& error, std::size_t size) {
    if (error) return;  // peer gone: dropping the last reference closes the socket
    input_end_ += size;
    answer_buffered_requests();
  }

  // Answers every complete request in the input, in order, then writes or reads more.
  void answer_buffered_requests() {
    const std::string_view date = http_date_now();
    while (output_.size() < output_flush_size) {
      const std::string_view pending(input_.data() + input_begin_, input_end_ - input_begin_);
      const parse_status status = parser_.parse(pending);
      if (status == parse_status::incomplete) break;
      if (status == parse_status::failed) {
        append_error_response(parser_.error(), date, output_);
        closing_ = true;
        break;
      }
      const bool keep_alive = append_response(parser_.request(), date, output_);
      input_begin_ += parser_.request_size();
      parser_.reset();
      if (!keep_alive) {
        closing_ = true;
        break;
      }
    }
    if (!output_.empty()) {
      write_output();
    } else {
      read_more();
    }
  }

  void fail(parse_error error) {
    append_error_response(error, http_date_now(), output_);
    closing_ = true;
    write_output();
  }

  void write_output() {
    net::async_write(socket_, net::buffer(output_),
                     [self = shared_from_this()](const std::error_code& error, std::size_t) {
                       self->on_written(error);
                     });
  }

  void on_written(const std::error_code& error) {
    if (error) return;
    output_.clear();
    if (closing_) {
      close_after_response();
    } else {
      answer_buffered_requests();
    }
  }

  // Half-closes, then drains the client's remaining bytes until it closes too (or has sent
  // too much), so the kernel does not answer unread input with a reset that could destroy
  // the response in flight.
  void close_after_response() {
    std::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    discard_input();
  }

  void discard_input() {
    socket_.async_read_some(
        net::buffer(input_.data(), input_.size()),
        [self = shared_from_this()](const std::error_code& error, std::size_t size) {
          self->discarded_ += size;
          if (!error && self->discarded_ < max_discard_after_error) self->discard_input();
        });
  }

  tcp::socket socket_;
  request_parser parser_;
  std::vector<char> input_;
  std::size_t input_begin_ = 0;  // first byte of the request being parsed
  std::size_t input_end_ = 0;    // end of the bytes received
  std::string output_;
  bool closing_ = false;
  std::size_t discarded_ = 0;
};

class server {
 public:
  server(net::io_context& context, const tcp::endpoint& endpoint, const parser_limits& limits)
      : context_(context), acceptor_(context, endpoint), limits_(limits) {}

  tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  void start() { accept_next(); }

 private:
  void accept_next() {
    // Accepted sockets get the context's executor, not the acceptor's.
    acceptor_.async_accept(context_.get_executor(),
                           [this](const std::error_code& error, tcp::socket socket) {
                             if (error == net::error::operation_aborted) return;
                             if (!error) {
                               std::error_code ignored;
                               socket.set_option(tcp::no_delay(true), ignored);
                               std::make_shared<connection>(std::move(socket), limits_)->start();
                             }
                             accept_next();
                           });
  }

  net::io_context& context_;
  tcp::acceptor acceptor_;
  parser_limits limits_;
};

int usage(const char* program) {
  std::fprintf(stderr, "usage: %s <port> [threads] [address]\n", program);
  return 2;
}

int run_server(int argc, char** argv) {
  if (argc < 2 || argc > 4) return usage(argv[0]);
  const int port = std::atoi(argv[1]);
  const int threads = argc >= 3 ? std::atoi(argv[2]) : 1;
  const char* address_text = argc >= 4 ? argv[3] : "0.0.0.0";
  if (port < 0 || port > 65535 || threads < 1 || threads > 1024) return usage(argv[0]);
  std::error_code error;
  const net::ip::address address = net::ip::make_address(address_text, error);
  if (error) return usage(argv[0]);

  // A write to a peer that vanished must give an error, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  net::io_context context(threads);
  server http(context, tcp::endpoint(address, static_cast<unsigned short>(port)), {});
  net::signal_set stop_signals(context, SIGINT, SIGTERM);
  stop_signals.async_wait([&context](const std::error_code& wait_error, int signal_number) {
    if (wait_error) return;
    std::fprintf(stderr, "http_server: signal %d, stopping\n", signal_number);
    context.stop();
  });
  http.start();

  const tcp::endpoint local = http.local_endpoint();
  std::printf("listening on %s:%u runtime=%.*s threads=%d\n", local.address().to_string().c_str(),
              static_cast<unsigned>(local.port()), static_cast<int>(runtime_name.size()),
              runtime_name.data(), threads);
  std::fflush(stdout);

  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(threads - 1));
  for (int i = 1; i < threads; ++i) workers.emplace_back([&context] { context.run(); });
  context.run();
  for (std::thread& worker : workers) worker.join();
  // Destruction (signal set, acceptor, then the context with every pending connection
  // operation) happens here, with no thread left in run().
  return 0;
}

}  // namespace
}  // namespace http_example

int main(int argc, char** argv) {
  try {
    return http_example::run_server(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "http_server: %s\n", e.what());
    return 1;
  }
}
