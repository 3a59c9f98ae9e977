// Integration test of the example server binary (proa or Asio build, given as argv[1]): starts
// it on a free port, talks HTTP over raw sockets, then stops it with a signal and expects a
// clean exit (which also surfaces sanitizer reports from the server process).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

std::string server_binary;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
// Only guards against hangs; a working server answers in milliseconds.
constexpr std::chrono::milliseconds hang_limit{sanitized ? 20000 : 5000};

// The server as a child process whose stdout tells the port it bound.
class running_server {
 public:
  explicit running_server(int threads) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return;
    stdout_fd_ = pipe_fds[0];
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    const std::string thread_count = std::to_string(threads);
    std::vector<char*> argv = {server_binary.data(), const_cast<char*>("0"),
                               const_cast<char*>(thread_count.c_str()),
                               const_cast<char*>("127.0.0.1"), nullptr};
    if (posix_spawn(&pid_, server_binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    if (pid_ > 0) port_ = read_port();
  }

  running_server(const running_server&) = delete;
  running_server& operator=(const running_server&) = delete;

  ~running_server() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_fd_ >= 0) close(stdout_fd_);
  }

  int port() const { return port_; }

  // Sends `signal` and returns the exit code, 128 + signal if a signal killed the server, or
  // -1 if it did not exit within the hang limit.
  int stop(int signal = SIGTERM) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + hang_limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return -1;
  }

 private:
  // Reads "listening on 127.0.0.1:<port> ..." from the server's stdout.
  int read_port() {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + hang_limit;
    while (line.find('\n') == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      pollfd readable{stdout_fd_, POLLIN, 0};
      if (poll(&readable, 1, 100) <= 0) continue;
      char bytes[256];
      const ssize_t n = read(stdout_fd_, bytes, sizeof bytes);
      if (n <= 0) break;
      line.append(bytes, static_cast<std::size_t>(n));
    }
    const std::string prefix = "listening on 127.0.0.1:";
    if (line.rfind(prefix, 0) != 0) return -1;
    return std::atoi(line.c_str() + prefix.size());
  }

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = -1;
};

struct response {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;

  bool has_header(const std::string& line) const {
    return head.find("\r\n" + line + "\r\n") != std::string::npos;
  }
};

// A blocking client socket with a receive timeout, so a silent server fails the test
// instead of hanging it.
class client {
 public:
  explicit client(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval timeout{};
    timeout.tv_sec = hang_limit.count() / 1000;
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  ~client() { close(fd_); }

  bool connected() const { return connected_; }

  bool send_all(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  void finish_sending() { shutdown(fd_, SHUT_WR); }

  // Reads one response; `head_request` says there is no body whatever Content-Length says.
  std::optional<response> read_response(bool head_request = false) {
    std::size_t head_end;
    while ((head_end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!receive_more()) return std::nullopt;
    }
    response result;
    result.head = pending_.substr(0, head_end + 2);
    if (result.head.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
    result.status = std::atoi(result.head.c_str() + 9);
    std::size_t body_size = 0;
    const std::size_t length_at = result.head.find("\r\nContent-Length: ");
    if (length_at != std::string::npos && !head_request) {
      body_size = std::strtoul(result.head.c_str() + length_at + 18, nullptr, 10);
    }
    const std::size_t body_begin = head_end + 4;
    while (pending_.size() < body_begin + body_size) {
      if (!receive_more()) return std::nullopt;
    }
    result.body = pending_.substr(body_begin, body_size);
    pending_.erase(0, body_begin + body_size);
    return result;
  }

  // True if the server closed the connection (EOF or reset) with no further bytes.
  bool closed_by_server() {
    if (!pending_.empty()) return false;
    char byte;
    const ssize_t n = recv(fd_, &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

  // Everything until the server closes (or the timeout).
  std::string read_until_closed() {
    while (receive_more()) {
    }
    return std::move(pending_);
  }

 private:
  bool receive_more() {
    char bytes[4096];
    const ssize_t n = recv(fd_, bytes, sizeof bytes, 0);
    if (n <= 0) return false;
    pending_.append(bytes, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

const std::string get_plaintext = "GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n";

class HttpServer : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GT(server_.port(), 0) << "server did not start: " << server_binary; }
  void TearDown() override { EXPECT_EQ(server_.stop(), 0) << "server did not stop cleanly"; }

  running_server server_{2};
};

void expect_plaintext(const std::optional<response>& r) {
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->head;
  EXPECT_EQ(r->body, "Hello, World!");
  EXPECT_TRUE(r->has_header("Content-Type: text/plain")) << r->head;
  EXPECT_TRUE(r->has_header("Content-Length: 13")) << r->head;
}

TEST_F(HttpServer, AnswersPipelinedKeepAliveRequestsInOrder) {
  client c(server_.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send_all(get_plaintext +
                         "HEAD /plaintext HTTP/1.1\r\nHost: test\r\n\r\n"
                         "GET /missing HTTP/1.1\r\nHost: test\r\n\r\n"
                         "POST /plaintext HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\n\r\nbody"
                         "GET /plaintext?x=1 HTTP/1.1\r\nHost: test\r\n\r\n"));
  expect_plaintext(c.read_response());
  const auto head = c.read_response(true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->has_header("Content-Length: 13"));
  const auto missing = c.read_response();
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);
  const auto post = c.read_response();
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(post->status, 405);
  EXPECT_TRUE(post->has_header("Allow: GET, HEAD"));
  expect_plaintext(c.read_response());

  // The connection stays open for more.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send_all(get_plaintext));
    expect_plaintext(c.read_response());
  }
  ASSERT_TRUE(c.send_all("GET /plaintext HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"));
  const auto last = c.read_response();
  expect_plaintext(last);
  EXPECT_TRUE(last->has_header("Connection: close"));
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServer, ManyPipelinedRequestsInOneWrite) {
  client c(server_.port());
  ASSERT_TRUE(c.connected());
  std::string batch;
  constexpr int count = 2000;  // more responses than one flush of the server's output
  for (int i = 0; i < count; ++i) batch += get_plaintext;
  std::thread sender([&] { EXPECT_TRUE(c.send_all(batch)); });
  int answered = 0;
  for (; answered < count; ++answered) {
    const auto r = c.read_response();
    if (!r || r->status != 200 || r->body != "Hello, World!") break;
  }
  sender.join();
  EXPECT_EQ(answered, count);
}

TEST_F(HttpServer, ReassemblesRequestsSplitAcrossWrites) {
  client c(server_.port());
  ASSERT_TRUE(c.connected());
  const std::string two = get_plaintext + "GET /missing HTTP/1.1\r\nHost: test\r\n\r\n";
  for (std::size_t at : {1ul, 5ul, 20ul, get_plaintext.size() + 3}) {
    ASSERT_TRUE(c.send_all(two.substr(0, at)));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(c.send_all(two.substr(at)));
    expect_plaintext(c.read_response());
    const auto missing = c.read_response();
    ASSERT_TRUE(missing.has_value());
    EXPECT_EQ(missing->status, 404);
  }
}

TEST_F(HttpServer, MalformedRequestGets400ThenClose) {
  client c(server_.port());
  ASSERT_TRUE(c.connected());
  // A good request first, then a header without a colon, then more bytes the server must
  // discard without resetting the connection before its 400 arrives.
  ASSERT_TRUE(c.send_all(get_plaintext + "GET / HTTP/1.1\r\nHost: test\r\nNoColon\r\n\r\n" +
                         std::string(10000, 'x')));
  expect_plaintext(c.read_response());
  const auto bad = c.read_response();
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(bad->head.starts_with("HTTP/1.1 400 Bad Request\r\n")) << bad->head;
  EXPECT_TRUE(bad->has_header("Connection: close"));
  EXPECT_EQ(bad->body, "Bad Request: malformed header field\n");
  c.finish_sending();
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServer, LimitsAndVersionsGetTheirStatus) {
  struct exchange {
    std::string request;
    int status;
  };
  const std::vector<exchange> cases = {
      {"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(9000, 'v') + "\r\n\r\n", 431},
      {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n", 414},
      {"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"GET / HTTP/1.1\r\n\r\n", 400},
      {"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 400},
  };
  for (const exchange& e : cases) {
    client c(server_.port());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send_all(e.request));
    const auto r = c.read_response();
    ASSERT_TRUE(r.has_value()) << e.request.substr(0, 40);
    EXPECT_EQ(r->status, e.status) << e.request.substr(0, 40);
    EXPECT_TRUE(r->has_header("Connection: close"));
    c.finish_sending();
    EXPECT_TRUE(c.closed_by_server());
  }
}

TEST_F(HttpServer, Http10ClosesUnlessAskedToKeepAlive) {
  client c(server_.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send_all("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  const auto kept = c.read_response();
  expect_plaintext(kept);
  EXPECT_TRUE(kept->has_header("Connection: keep-alive"));
  ASSERT_TRUE(c.send_all("GET /plaintext HTTP/1.0\r\n\r\n"));
  const auto closing = c.read_response();
  expect_plaintext(closing);
  EXPECT_TRUE(closing->has_header("Connection: close"));
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServer, SurvivesGarbageFromManyClients) {
  std::mt19937 random(7);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::string> inputs;
  for (int i = 0; i < 16; ++i) {
    std::string input(static_cast<std::size_t>(1 + byte(random) * 8), '\0');
    for (char& c : input) c = static_cast<char>(byte(random));
    // Some start like a real request so the parser gets past the request line.
    if (i % 2 == 1) input = "GET / HTTP/1.1\r\nHost: t\r\n" + input;
    inputs.push_back(std::move(input));
  }
  std::vector<std::thread> clients;
  for (const std::string& input : inputs) {
    clients.emplace_back([&, input] {
      client c(server_.port());
      ASSERT_TRUE(c.connected());
      c.send_all(input);
      c.finish_sending();
      // Whatever comes back is at most one error response, then the server closes.
      const std::string reply = c.read_until_closed();
      if (!reply.empty()) {
        EXPECT_TRUE(reply.starts_with("HTTP/1.1 4") || reply.starts_with("HTTP/1.1 5")) << reply;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  client after(server_.port());
  ASSERT_TRUE(after.send_all(get_plaintext));
  expect_plaintext(after.read_response());
}

TEST(HttpServerStop, StopsOnSigintWithConnectionsOpen) {
  running_server server(2);
  ASSERT_GT(server.port(), 0);
  client idle(server.port());
  client partial(server.port());
  client served(server.port());
  ASSERT_TRUE(idle.connected() && partial.connected() && served.connected());
  ASSERT_TRUE(partial.send_all("GET /plaintext HTTP/1.1\r\nHo"));
  ASSERT_TRUE(served.send_all(get_plaintext));
  expect_plaintext(served.read_response());
  EXPECT_EQ(server.stop(SIGINT), 0);
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_TRUE(partial.closed_by_server());
}

TEST(HttpServerStop, RunsWithOneThread) {
  running_server server(1);
  ASSERT_GT(server.port(), 0);
  client c(server.port());
  ASSERT_TRUE(c.send_all(get_plaintext + get_plaintext));
  expect_plaintext(c.read_response());
  expect_plaintext(c.read_response());
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <http_server binary>\n", argv[0]);
    return 2;
  }
  server_binary = argv[1];
  return RUN_ALL_TESTS();
}
