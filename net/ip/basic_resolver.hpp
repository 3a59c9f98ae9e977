// proa::ip::basic_resolver<InternetProtocol, Executor>: name resolution (host and service names
// to endpoints through getaddrinfo, endpoints back to names through getnameinfo) with Asio
// 1.22's names: synchronous throwing and error_code overloads, and async_resolve, whose lookups
// run on a private thread per execution context.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "net/detail/async_resolve.hpp"
#include "net/detail/name_lookup.hpp"
#include "net/ip/basic_resolver_entry.hpp"
#include "net/ip/basic_resolver_results.hpp"
#include "net/ip/resolver_base.hpp"
#include "platform/error.hpp"
#include "runtime/async_result.hpp"
#include "runtime/any_io_executor.hpp"
#include "runtime/execution.hpp"
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

  // Pending lookups move along: cancelling or destroying the new resolver aborts them.
  template <typename Executor1>
    requires std::is_convertible_v<Executor1, Executor>
  basic_resolver(basic_resolver<InternetProtocol, Executor1>&& other)
      : executor_(other.get_executor()),
        lookup_service_(other.lookup_service_),
        cancel_token_(std::move(other.cancel_token_)) {}

  basic_resolver(const basic_resolver&) = delete;
  basic_resolver& operator=(const basic_resolver&) = delete;

  // Destroying the resolver aborts its pending lookups, as cancel() does.
  ~basic_resolver() = default;

  executor_type get_executor() noexcept { return executor_; }

  // Completes every pending async_resolve with error::operation_aborted (one whose lookup has
  // already finished too, as long as its handler has not run). Later lookups are unaffected.
  void cancel() { cancel_token_.reset(); }

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
    return reverse_lookup(endpoint, ec);
  }

  // ---- asynchronous lookups: handler(error_code, results_type) ----
  // The lookup runs on the context's lookup thread; the handler runs on its associated executor
  // (the resolver's by default), never inside the call. A pending lookup keeps the context's
  // run() from returning.

  template <completion_token_for<void(error_code, results_type)> ResolveToken>
  auto async_resolve(std::string_view host, std::string_view service, ResolveToken&& token) {
    return async_resolve(host, service, resolver_base::flags(), std::forward<ResolveToken>(token));
  }

  template <completion_token_for<void(error_code, results_type)> ResolveToken>
  auto async_resolve(std::string_view host, std::string_view service,
                     resolver_base::flags resolve_flags, ResolveToken&& token) {
    return async_initiate<ResolveToken, void(error_code, results_type)>(
        initiate_async_resolve(this), token,
        forward_query{std::string(host), std::string(service), resolve_flags, AF_UNSPEC});
  }

  template <completion_token_for<void(error_code, results_type)> ResolveToken>
  auto async_resolve(const protocol_type& protocol, std::string_view host,
                     std::string_view service, ResolveToken&& token) {
    return async_resolve(protocol, host, service, resolver_base::flags(),
                         std::forward<ResolveToken>(token));
  }

  template <completion_token_for<void(error_code, results_type)> ResolveToken>
  auto async_resolve(const protocol_type& protocol, std::string_view host,
                     std::string_view service, resolver_base::flags resolve_flags,
                     ResolveToken&& token) {
    return async_initiate<ResolveToken, void(error_code, results_type)>(
        initiate_async_resolve(this), token,
        forward_query{std::string(host), std::string(service), resolve_flags,
                      protocol.family()});
  }

  template <completion_token_for<void(error_code, results_type)> ResolveToken>
  auto async_resolve(const endpoint_type& endpoint, ResolveToken&& token) {
    return async_initiate<ResolveToken, void(error_code, results_type)>(
        initiate_async_resolve(this), token, reverse_query{endpoint});
  }

 private:
  template <typename, typename>
  friend class basic_resolver;

  // A forward lookup as the lookup thread runs it: owns its strings, since the caller's views
  // may be gone by then.
  struct forward_query {
    using results_type = basic_resolver::results_type;
    std::string host;
    std::string service;
    resolver_base::flags resolve_flags;
    int family;

    results_type run(error_code& ec) const {
      return lookup(host, service, resolve_flags, family, ec);
    }
  };

  struct reverse_query {
    using results_type = basic_resolver::results_type;
    endpoint_type endpoint;

    results_type run(error_code& ec) const { return reverse_lookup(endpoint, ec); }
  };

  // The one place an asynchronous lookup starts: queued on the context's lookup thread with a
  // token that cancel() expires.
  class initiate_async_resolve {
   public:
    using executor_type = Executor;

    explicit initiate_async_resolve(basic_resolver* resolver) noexcept : resolver_(resolver) {}

    executor_type get_executor() const noexcept { return resolver_->get_executor(); }

    template <typename ResolveHandler, typename Query>
    void operator()(ResolveHandler&& handler, Query query) const {
      using operation = detail::resolve_operation<Query, std::decay_t<ResolveHandler>, Executor>;
      if (!resolver_->cancel_token_) resolver_->cancel_token_ = std::make_shared<char>();
      if (!resolver_->lookup_service_) {
        resolver_->lookup_service_ = &use_service<detail::name_lookup_service>(
            proa::query(resolver_->executor_, execution::context));
      }
      resolver_->lookup_service_->start(std::make_unique<operation>(
          std::move(query), std::forward<ResolveHandler>(handler), resolver_->executor_,
          std::weak_ptr<void>(resolver_->cancel_token_)));
    }

   private:
    basic_resolver* resolver_;
  };

  static results_type lookup(std::string_view host, std::string_view service,
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

  static results_type reverse_lookup(const endpoint_type& endpoint, error_code& ec) {
    std::string host;
    std::string service;
    detail::get_name_info(endpoint.data(), endpoint.size(), endpoint.protocol().type(), host,
                          service, ec);
    if (ec) return results_type();
    return results_type::from_entry(endpoint, host, service);
  }

  executor_type executor_;
  detail::name_lookup_service* lookup_service_ = nullptr;  // found at the first async_resolve
  std::shared_ptr<void> cancel_token_;  // pending lookups watch it; cancel() drops it
};

}  // namespace proa::ip
