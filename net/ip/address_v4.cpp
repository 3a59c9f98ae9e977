// Text conversion for proa::ip::address_v4: parsing through the platform's inet_pton (so the
// accepted syntax matches Asio's on the same system) and dotted-decimal printing.
#include "net/ip/address_v4.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace proa::ip {

std::string address_v4::to_string() const {
  char text[INET_ADDRSTRLEN];
  char* end = text;
  const bytes_type bytes = to_bytes();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0) *end++ = '.';
    end = std::to_chars(end, text + sizeof(text), static_cast<unsigned>(bytes[i])).ptr;
  }
  return std::string(text, end);
}

address_v4 make_address_v4(std::string_view text, error_code& ec) noexcept {
  // Asio parses a C string, so anything after an embedded NUL never reaches the parser.
  text = text.substr(0, text.find('\0'));
  // The longest valid form, "255.255.255.255", fits with room to spare; anything longer is
  // invalid and must not be cut down to something valid.
  char terminated[INET_ADDRSTRLEN + 1];
  in_addr parsed{};
  if (text.size() >= sizeof(terminated)) {
    ec = error::invalid_argument;
    return address_v4();
  }
  std::memcpy(terminated, text.data(), text.size());
  terminated[text.size()] = '\0';
  if (::inet_pton(AF_INET, terminated, &parsed) != 1) {
    ec = error::invalid_argument;
    return address_v4();
  }
  address_v4::bytes_type bytes;
  std::memcpy(bytes.data(), &parsed.s_addr, bytes.size());
  ec.clear();
  return address_v4(bytes);
}

address_v4 make_address_v4(std::string_view text) {
  error_code ec;
  const address_v4 addr = make_address_v4(text, ec);
  detail::throw_error(ec);
  return addr;
}

}  // namespace proa::ip
