// proa::ip::bad_address_cast: thrown when an ip::address is read as the version it does not
// hold (to_v4() on an IPv6 address and the like), as in Asio.
#pragma once

#include <typeinfo>

namespace proa::ip {

// Derives from std::bad_cast so handlers written for Asio's class catch ours the same way.
class bad_address_cast : public std::bad_cast {
 public:
  bad_address_cast() noexcept = default;

  const char* what() const noexcept override { return "bad address cast"; }
};

}  // namespace proa::ip
