// proa::ip::basic_resolver_entry<InternetProtocol>: one resolved endpoint together with the host
// and service names it was resolved from, as in Asio 1.22.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace proa::ip {

template <typename InternetProtocol>
class basic_resolver_entry {
 public:
  using protocol_type = InternetProtocol;
  using endpoint_type = typename InternetProtocol::endpoint;

  basic_resolver_entry() = default;

  basic_resolver_entry(const endpoint_type& ep, std::string_view host, std::string_view service)
      : endpoint_(ep), host_name_(host), service_name_(service) {}

  endpoint_type endpoint() const { return endpoint_; }

  // Lets an entry go wherever an endpoint is expected, e.g. socket.connect(*results.begin()).
  operator endpoint_type() const { return endpoint_; }

  // The canonical name when canonical_name was asked for and known, else the name looked up.
  std::string host_name() const { return host_name_; }
  std::string service_name() const { return service_name_; }

 private:
  endpoint_type endpoint_;
  std::string host_name_;
  std::string service_name_;
};

}  // namespace proa::ip
