// make_address for proa::ip::address: IPv6 first, then IPv4, as Asio tries them.
#include "net/ip/address.hpp"

namespace proa::ip {

address make_address(std::string_view text, error_code& ec) noexcept {
  const address_v6 v6 = make_address_v6(text, ec);
  if (!ec) return address(v6);
  const address_v4 v4 = make_address_v4(text, ec);
  if (!ec) return address(v4);
  return address();
}

address make_address(std::string_view text) {
  error_code ec;
  const address addr = make_address(text, ec);
  detail::throw_error(ec);
  return addr;
}

}  // namespace proa::ip
