// Text conversion for proa::ip::address_v6: inet_pton/inet_ntop for the address itself (so the
// syntax matches Asio's on the same system) plus Asio's rules for the "%scope" suffix.
#include "net/ip/address_v6.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <charconv>
#include <climits>
#include <cstring>

namespace proa::ip {
namespace {

// Asio refuses an address part longer than this before looking at it; every valid IPv6 text
// ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" is the longest) is far shorter.
constexpr std::size_t max_address_text = INET6_ADDRSTRLEN + 1 + IF_NAMESIZE;

// What atoi() makes of `text`, kept to its low 32 bits as Asio's conversion to scope_id_type
// does: C-locale white space, an optional sign, then decimal digits up to the first non-digit,
// saturating at the limits of long like strtol.
scope_id_type scope_from_digits(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || (text[i] >= '\t' && text[i] <= '\r'))) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  unsigned long magnitude = 0;
  const unsigned long limit =
      negative ? static_cast<unsigned long>(LONG_MAX) + 1 : static_cast<unsigned long>(LONG_MAX);
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    const unsigned long digit = static_cast<unsigned long>(text[i] - '0');
    magnitude = magnitude > (limit - digit) / 10 ? limit : magnitude * 10 + digit;
  }
  // Two's complement wrap-around is exactly the truncation Asio's int -> unsigned long ->
  // uint_least32_t chain performs.
  const unsigned long value = negative ? 0 - magnitude : magnitude;
  return static_cast<scope_id_type>(value);
}

// The index of the interface called `name`, or 0 if there is none.
scope_id_type interface_index(std::string_view name) noexcept {
  char terminated[IF_NAMESIZE];
  // Names that cannot fit are not interface names; if_nametoindex would return 0 for them.
  if (name.size() >= sizeof(terminated)) return 0;
  std::memcpy(terminated, name.data(), name.size());
  terminated[name.size()] = '\0';
  return static_cast<scope_id_type>(::if_nametoindex(terminated));
}

}  // namespace

std::string address_v6::to_string() const {
  char text[INET6_ADDRSTRLEN];
  in6_addr raw;
  std::memcpy(&raw, bytes_.data(), bytes_.size());
  if (::inet_ntop(AF_INET6, &raw, text, sizeof(text)) == nullptr) {
    // Cannot happen with a correctly sized buffer; report it rather than print garbage.
    detail::throw_error(detail::last_errno_error_code());
  }
  std::string result(text);
  if (scope_id_ != 0) {
    result += '%';
    char name[IF_NAMESIZE];
    if ((is_link_local() || is_multicast_link_local()) &&
        ::if_indextoname(static_cast<unsigned>(scope_id_), name) != nullptr) {
      result += name;
    } else {
      char digits[16];
      const auto converted = std::to_chars(digits, digits + sizeof(digits), scope_id_);
      result.append(digits, converted.ptr);
    }
  }
  return result;
}

address_v6 make_address_v6(std::string_view text, error_code& ec) noexcept {
  // Asio parses a C string, so anything after an embedded NUL never reaches the parser.
  text = text.substr(0, text.find('\0'));
  const std::size_t percent = text.find('%');
  const std::string_view address_text = text.substr(0, percent);
  char terminated[max_address_text + 1];
  if (address_text.size() > max_address_text) {
    ec = error::invalid_argument;
    return address_v6();
  }
  std::memcpy(terminated, address_text.data(), address_text.size());
  terminated[address_text.size()] = '\0';
  in6_addr parsed;
  if (::inet_pton(AF_INET6, terminated, &parsed) != 1) {
    ec = error::invalid_argument;
    return address_v6();
  }
  address_v6::bytes_type bytes;
  std::memcpy(bytes.data(), &parsed, bytes.size());
  address_v6 result(bytes);
  if (percent != std::string_view::npos) {
    const std::string_view scope_text = text.substr(percent + 1);
    scope_id_type scope = 0;
    if (result.is_link_local() || result.is_multicast_link_local()) {
      scope = interface_index(scope_text);
    }
    if (scope == 0) scope = scope_from_digits(scope_text);
    result.scope_id(scope);
  }
  ec.clear();
  return result;
}

address_v6 make_address_v6(std::string_view text) {
  error_code ec;
  const address_v6 addr = make_address_v6(text, ec);
  detail::throw_error(ec);
  return addr;
}

}  // namespace proa::ip
