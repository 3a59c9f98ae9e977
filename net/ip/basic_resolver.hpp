// proa::ip::basic_resolver<InternetProtocol, Executor>: synchronous name resolution (host and
// service names to endpoints through getaddrinfo, endpoints back to names through getnameinfo)
// with Asio 1.22's names and both throwing and error_code overloads.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "net/detail/name_lookup.hpp"
#include "net/ip/basic_resolver_entry.hpp"
#include "net/ip/basic_resolver_results.hpp"
#include "net/ip/resolver_base.hpp"
#include "platform/error.hpp"
#include "runtime/any_io_executor.hpp"
#include "runtime/execution_context.hpp"

namespace proa::ip {

template <typename InternetProtocol, typename Executor = any_io_executor>
class basic_resolver : public resolver_base {
 public:
  using executor_type = Executor;

  template <typename Executor1>
  struct rebind_executor {
    using other = basic_resolver<InternetProtocol, Executor1>;
  };

  using protocol_type = InternetProtocol;
  using endpoint_type = typename InternetProtocol::endpoint;
  using results_type = basic_resolver_results<InternetProtocol>;

  explicit basic_resolver(const executor_type& ex) : executor_(ex) {}

  template <typename ExecutionContext>
    requires std::is_convertible_v<ExecutionContext&, execution_context&>
  explicit basic_resolver(ExecutionContext& context) : executor_(context.get_executor()) {}

  basic_resolver(basic_resolver&&) = default;
  basic_resolver& operator=(basic_resolver&&) = default;

  template <typename Executor1>
    requires std::is_convertible_v<Executor1, Executor>
  basic_resolver(basic_resolver<InternetProtocol, Executor1>&& other)
      : executor_(other.get_executor()) {}

  basic_resolver(const basic_resolver&) = delete;
  basic_resolver& operator=(const basic_resolver&) = delete;

  ~basic_resolver() = default;

  executor_type get_executor() noexcept { return executor_; }

  // Nothing to cancel yet: every resolve here is synchronous. Once async_resolve exists this
  // will make its pending operations complete with operation_aborted, as in Asio.
  void cancel() {}

  // async_resolve is not implemented yet; it needs a background lookup thread per context
  // (getaddrinfo cannot be made non-blocking) and will arrive with the asynchronous sockets.

  // ---- forward lookups: endpoints of any family the system offers ----

  // An empty host means the loopback address, or the unspecified one with `passive`; an empty
  // service means port 0.
  results_type resolve(std::string_view host, std::string_view service) {
    return resolve(host, service, resolver_base::flags());
  }
  results_type resolve(std::string_view host, std::string_view service, error_code& ec) {
    return resolve(host, service, resolver_base::flags(), ec);
  }
  results_type resolve(std::string_view host, std::string_view service,
                       resolver_base::flags resolve_flags) {
    error_code ec;
    results_type results = resolve(host, service, resolve_flags, ec);
    detail::throw_error(ec, "resolve");
    return results;
  }
  results_type resolve(std::string_view host, std::string_view service,
                       resolver_base::flags resolve_flags, error_code& ec) {
    return lookup(host, service, resolve_flags, AF_UNSPEC, ec);
  }

  // ---- forward lookups restricted to the protocol's family (tcp::v4() or tcp::v6()) ----

  results_type resolve(const protocol_type& protocol, std::string_view host,
                       std::string_view service) {
    return resolve(protocol, host, service, resolver_base::flags());
  }
  results_type resolve(const protocol_type& protocol, std::string_view host,
                       std::string_view service, error_code& ec) {
    return resolve(protocol, host, service, resolver_base::flags(), ec);
  }
  results_type resolve(const protocol_type& protocol, std::string_view host,
                       std::string_view service, resolver_base::flags resolve_flags) {
    error_code ec;
    results_type results = resolve(protocol, host, service, resolve_flags, ec);
    detail::throw_error(ec, "resolve");
    return results;
  }
  results_type resolve(const protocol_type& protocol, std::string_view host,
                       std::string_view service, resolver_base::flags resolve_flags,
                       error_code& ec) {
    return lookup(host, service, resolve_flags, protocol.family(), ec);
  }

  // ---- reverse lookup: one entry holding `endpoint` and its host and service names ----

  results_type resolve(const endpoint_type& endpoint) {
    error_code ec;
    results_type results = resolve(endpoint, ec);
    detail::throw_error(ec, "resolve");
    return results;
  }
  results_type resolve(const endpoint_type& endpoint, error_code& ec) {
    std::string host;
    std::string service;
    detail::get_name_info(endpoint.data(), endpoint.size(), endpoint.protocol().type(), host,
                          service, ec);
    if (ec) return results_type();
    return results_type::from_entry(endpoint, host, service);
  }

 private:
  results_type lookup(std::string_view host, std::string_view service,
                      resolver_base::flags resolve_flags, int family, error_code& ec) {
    // Asking for the protocol's socket type and number gives one entry per address instead of
    // one per socket type.
    const protocol_type any_family = protocol_type::v4();
    const detail::addrinfo_list list =
        detail::get_address_info(host, service, static_cast<int>(resolve_flags), family,
                                 any_family.type(), any_family.protocol(), ec);
    if (ec) return results_type();
    return results_type::from_address_info(list.get(), host, service);
  }

  executor_type executor_;
};

}  // namespace proa::ip
