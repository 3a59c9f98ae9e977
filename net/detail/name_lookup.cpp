// The getaddrinfo / getnameinfo calls behind ip::basic_resolver and their error translation.
#include "net/detail/name_lookup.hpp"

#include <cerrno>

namespace proa::detail {

error_code addrinfo_error_code(int eai_value, int saved_errno) noexcept {
  switch (eai_value) {
    case 0:
      return error_code();
    case EAI_AGAIN:
      return error::host_not_found_try_again;
    case EAI_BADFLAGS:
      return error::invalid_argument;
    case EAI_FAIL:
      return error::no_recovery;
    case EAI_FAMILY:
      return error::address_family_not_supported;
    case EAI_MEMORY:
      return error::no_memory;
    case EAI_NONAME:
#if defined(EAI_ADDRFAMILY)
    case EAI_ADDRFAMILY:
#endif
#if defined(EAI_NODATA) && EAI_NODATA != EAI_NONAME
    case EAI_NODATA:
#endif
      return error::host_not_found;
    case EAI_SERVICE:
      return error::service_not_found;
    case EAI_SOCKTYPE:
      return error::socket_type_not_supported;
    default:
      // EAI_SYSTEM (or anything newer): the cause is in errno.
      return errno_error_code(saved_errno);
  }
}

addrinfo_list get_address_info(std::string_view host, std::string_view service, int flags,
                               int family, int socket_type, int protocol, error_code& ec) {
  // getaddrinfo needs NUL-terminated strings, which a string_view does not promise.
  const std::string host_string(host);
  const std::string service_string(service);

  addrinfo hints{};
  hints.ai_flags = flags;
  hints.ai_family = family;
  hints.ai_socktype = socket_type;
  hints.ai_protocol = protocol;

  addrinfo* list = nullptr;
  errno = 0;
  const int result = ::getaddrinfo(host.empty() ? nullptr : host_string.c_str(),
                                   service.empty() ? nullptr : service_string.c_str(), &hints,
                                   &list);
  ec = addrinfo_error_code(result, errno);
  return addrinfo_list(ec ? nullptr : list);
}

void get_name_info(const sockaddr* address, std::size_t address_size, int socket_type,
                   std::string& host, std::string& service, error_code& ec) {
  char host_buffer[NI_MAXHOST];
  char service_buffer[NI_MAXSERV];
  const int datagram_flag = socket_type == SOCK_DGRAM ? NI_DGRAM : 0;
  const socklen_t length = static_cast<socklen_t>(address_size);

  errno = 0;
  int result = ::getnameinfo(address, length, host_buffer, sizeof host_buffer, service_buffer,
                             sizeof service_buffer, datagram_flag);
  ec = addrinfo_error_code(result, errno);
  if (ec) {
    errno = 0;
    result = ::getnameinfo(address, length, host_buffer, sizeof host_buffer, service_buffer,
                           sizeof service_buffer, datagram_flag | NI_NUMERICSERV);
    ec = addrinfo_error_code(result, errno);
  }
  if (ec) return;
  host = host_buffer;
  service = service_buffer;
}

}  // namespace proa::detail
