// Example: a blocking TCP echo client on proa, the synchronous counterpart of the echo server.
// Usage: blocking_tcp_echo_client <host> <port>
// Sends each line of standard input, prints each echoed line; exits 1 if an echo differs.
#include <proa.hpp>

#include <iostream>
#include <string>
#include <system_error>

int main(int argc, char* argv[]) {
  if (argc != 3) {
    std::cerr << "Usage: blocking_tcp_echo_client <host> <port>\n";
    return 2;
  }

  try {
    proa::io_context context;
    proa::ip::tcp::resolver resolver(context);
    proa::ip::tcp::socket socket(context);
    // connect() tries every address the name resolves to until one accepts.
    proa::connect(socket, resolver.resolve(argv[1], argv[2]));

    // Bytes the server sends past the current line stay in `received` for the next read_until.
    std::string received;
    std::string line;
    while (std::getline(std::cin, line)) {
      std::string request = line + '\n';
      proa::write(socket, proa::buffer(request));

      std::size_t reply_length = proa::read_until(socket, proa::dynamic_buffer(received), '\n');
      std::string reply = received.substr(0, reply_length - 1);
      received.erase(0, reply_length);

      std::cout << "echo: " << reply << "\n";
      if (reply != line) {
        std::cerr << "blocking_tcp_echo_client: the echo differs from the line sent\n";
        return 1;
      }
    }
  } catch (const std::system_error& e) {
    std::cerr << "blocking_tcp_echo_client: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
