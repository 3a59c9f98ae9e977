// proa's error codes: Asio-compatible error enums and categories over std::error_code,
// plus the errno -> error_code and throw-on-error helpers that synchronous operations use.
#pragma once

#include <cerrno>
#include <netdb.h>
#include <system_error>
#include <type_traits>

namespace proa {

using error_code = std::error_code;
using error_category = std::error_category;
using system_error = std::system_error;

inline const error_category& system_category() noexcept { return std::system_category(); }

namespace error {

// Values are the POSIX errno numbers, so these compare equal to codes built from errno.
enum basic_errors {
  access_denied = EACCES,
  address_family_not_supported = EAFNOSUPPORT,
  address_in_use = EADDRINUSE,
  already_connected = EISCONN,
  already_started = EALREADY,
  broken_pipe = EPIPE,
  connection_aborted = ECONNABORTED,
  connection_refused = ECONNREFUSED,
  connection_reset = ECONNRESET,
  bad_descriptor = EBADF,
  fault = EFAULT,
  host_unreachable = EHOSTUNREACH,
  in_progress = EINPROGRESS,
  interrupted = EINTR,
  invalid_argument = EINVAL,
  message_size = EMSGSIZE,
  name_too_long = ENAMETOOLONG,
  network_down = ENETDOWN,
  network_reset = ENETRESET,
  network_unreachable = ENETUNREACH,
  no_descriptors = EMFILE,
  no_buffer_space = ENOBUFS,
  no_memory = ENOMEM,
  no_permission = EPERM,
  no_protocol_option = ENOPROTOOPT,
  no_such_device = ENODEV,
  not_connected = ENOTCONN,
  not_socket = ENOTSOCK,
  operation_aborted = ECANCELED,
  operation_not_supported = EOPNOTSUPP,
  shut_down = ESHUTDOWN,
  timed_out = ETIMEDOUT,
  try_again = EAGAIN,
  would_block = EWOULDBLOCK,
};

// h_errno values from the resolver.
enum netdb_errors {
  host_not_found = HOST_NOT_FOUND,
  host_not_found_try_again = TRY_AGAIN,
  no_data = NO_DATA,
  no_recovery = NO_RECOVERY,
};

// getaddrinfo() return values.
enum addrinfo_errors {
  service_not_found = EAI_SERVICE,
  socket_type_not_supported = EAI_SOCKTYPE,
};

// Conditions with no errno equivalent; numbering starts at 1 because 0 means success.
enum misc_errors {
  already_open = 1,
  eof,
  not_found,
  fd_set_failure,
};

inline const error_category& get_system_category() noexcept { return std::system_category(); }
const error_category& get_netdb_category() noexcept;
const error_category& get_addrinfo_category() noexcept;
const error_category& get_misc_category() noexcept;

inline error_code make_error_code(basic_errors e) noexcept {
  return error_code(static_cast<int>(e), get_system_category());
}
inline error_code make_error_code(netdb_errors e) noexcept {
  return error_code(static_cast<int>(e), get_netdb_category());
}
inline error_code make_error_code(addrinfo_errors e) noexcept {
  return error_code(static_cast<int>(e), get_addrinfo_category());
}
inline error_code make_error_code(misc_errors e) noexcept {
  return error_code(static_cast<int>(e), get_misc_category());
}

}  // namespace error

namespace detail {

// An errno value as an error_code; 0 gives the success code.
inline error_code errno_error_code(int errno_value) noexcept {
  return error_code(errno_value, std::system_category());
}

// Read errno right after the failing call, before anything else can overwrite it.
inline error_code last_errno_error_code() noexcept { return errno_error_code(errno); }

// Out of line so the throwing path stays out of callers' hot code.
[[noreturn]] void do_throw_error(const error_code& ec);
[[noreturn]] void do_throw_error(const error_code& ec, const char* location);

inline void throw_error(const error_code& ec) {
  if (ec) do_throw_error(ec);
}

// what() becomes "location: message".
inline void throw_error(const error_code& ec, const char* location) {
  if (ec) do_throw_error(ec, location);
}

}  // namespace detail
}  // namespace proa

template <>
struct std::is_error_code_enum<proa::error::basic_errors> : std::true_type {};
template <>
struct std::is_error_code_enum<proa::error::netdb_errors> : std::true_type {};
template <>
struct std::is_error_code_enum<proa::error::addrinfo_errors> : std::true_type {};
template <>
struct std::is_error_code_enum<proa::error::misc_errors> : std::true_type {};
