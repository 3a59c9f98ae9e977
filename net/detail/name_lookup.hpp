// The getaddrinfo / getnameinfo calls behind ip::basic_resolver, with their EAI_* results
// translated into proa's error codes the way Asio translates them.
#pragma once

#include <netdb.h>
#include <sys/socket.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "platform/error.hpp"

namespace proa::detail {

struct addrinfo_list_deleter {
  void operator()(addrinfo* list) const noexcept { ::freeaddrinfo(list); }
};

// The list getaddrinfo returned, freed with freeaddrinfo.
using addrinfo_list = std::unique_ptr<addrinfo, addrinfo_list_deleter>;

// An EAI_* value (0 for success) as an error_code; `saved_errno` is what EAI_SYSTEM refers to.
error_code addrinfo_error_code(int eai_value, int saved_errno) noexcept;

// Forward lookup. An empty host or service is passed as null, which getaddrinfo reads as
// "loopback (or any, with AI_PASSIVE)" and "port 0". Null list and `ec` set on failure.
addrinfo_list get_address_info(std::string_view host, std::string_view service, int flags,
                               int family, int socket_type, int protocol, error_code& ec);

// Reverse lookup of an IPv4/IPv6 socket address. The service is looked up by name first and
// given as a number when it has none, so only the host can make the lookup fail.
void get_name_info(const sockaddr* address, std::size_t address_size, int socket_type,
                   std::string& host, std::string& service, error_code& ec);

}  // namespace proa::detail
