// The netdb, addrinfo and misc error categories, and the out-of-line throw path.
// Names and messages follow Asio so logs and user comparisons read the same.
#include "platform/error.hpp"

#include <string>

namespace proa {
namespace {

class netdb_category final : public error_category {
 public:
  const char* name() const noexcept override { return "asio.netdb"; }

  std::string message(int value) const override {
    switch (value) {
      case error::host_not_found:
        return "Host not found (authoritative)";
      case error::host_not_found_try_again:
        return "Host not found (non-authoritative), try again later";
      case error::no_data:
        return "The query is valid, but it does not have associated data";
      case error::no_recovery:
        return "A non-recoverable error occurred during database lookup";
      default:
        return "asio.netdb error";
    }
  }
};

class addrinfo_category final : public error_category {
 public:
  const char* name() const noexcept override { return "asio.addrinfo"; }

  std::string message(int value) const override {
    switch (value) {
      case error::service_not_found:
        return "Service not found";
      case error::socket_type_not_supported:
        return "Socket type not supported";
      default:
        return "asio.addrinfo error";
    }
  }
};

class misc_category final : public error_category {
 public:
  const char* name() const noexcept override { return "asio.misc"; }

  std::string message(int value) const override {
    switch (value) {
      case error::already_open:
        return "Already open";
      case error::eof:
        return "End of file";
      case error::not_found:
        return "Element not found";
      case error::fd_set_failure:
        return "The descriptor does not fit into the select call's fd_set";
      default:
        return "asio.misc error";
    }
  }
};

// Constant-initialised, so they exist before any dynamic initialiser could ask for them and
// lookups need no guard variable.
constinit const netdb_category netdb_instance{};
constinit const addrinfo_category addrinfo_instance{};
constinit const misc_category misc_instance{};

}  // namespace

namespace error {

const error_category& get_netdb_category() noexcept { return netdb_instance; }
const error_category& get_addrinfo_category() noexcept { return addrinfo_instance; }
const error_category& get_misc_category() noexcept { return misc_instance; }

}  // namespace error

namespace detail {

void do_throw_error(const error_code& ec) { throw system_error(ec); }

void do_throw_error(const error_code& ec, const char* location) {
  throw system_error(ec, location);
}

}  // namespace detail
}  // namespace proa
