// proa::local::basic_endpoint<Protocol>: a Unix-domain socket address (a filesystem path) with
// Asio 1.22's interface, stored as the sockaddr_un the socket layer passes to the kernel.
#pragma once

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <compare>
#include <cstddef>
#include <cstring>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

#include "platform/error.hpp"

namespace proa::local {

template <typename Protocol>
class basic_endpoint {
 public:
  using protocol_type = Protocol;
  // What data() points at; it is really a sockaddr_un.
  using data_type = sockaddr;

  // The empty path: what an unbound socket reports.
  basic_endpoint() noexcept { set_path(std::string_view()); }

  // Throws system_error(name_too_long) for a path that does not fit sun_path with its
  // terminating zero (107 bytes on Linux).
  basic_endpoint(const char* path_name) { set_path(std::string_view(path_name)); }
  basic_endpoint(const std::string& path_name) { set_path(path_name); }
  basic_endpoint(std::string_view path_name) { set_path(path_name); }

  protocol_type protocol() const noexcept { return protocol_type(); }

  data_type* data() noexcept { return &storage_.base; }
  const data_type* data() const noexcept { return &storage_.base; }

  // The family plus the path bytes, without a terminating zero (Linux needs none).
  std::size_t size() const noexcept { return path_offset + path_length_; }

  // Takes the length the kernel reports after writing into data(). A trailing zero is not part
  // of the path. Throws system_error(invalid_argument) beyond capacity().
  void resize(std::size_t new_size) {
    if (new_size > capacity()) proa::detail::throw_error(error::invalid_argument);
    path_length_ = new_size > path_offset ? new_size - path_offset : 0;
    if (path_length_ > 0 && storage_.local.sun_path[path_length_ - 1] == '\0') --path_length_;
  }

  std::size_t capacity() const noexcept { return sizeof(sockaddr_un); }

  std::string path() const { return std::string(path_view()); }
  void path(const char* p) { set_path(std::string_view(p)); }
  void path(const std::string& p) { set_path(p); }

  // By path bytes.
  friend bool operator==(const basic_endpoint& a, const basic_endpoint& b) noexcept {
    return a.path_view() == b.path_view();
  }
  friend std::strong_ordering operator<=>(const basic_endpoint& a,
                                          const basic_endpoint& b) noexcept {
    return a.path_view() <=> b.path_view();
  }

 private:
  static constexpr std::size_t path_offset = offsetof(sockaddr_un, sun_path);

  std::string_view path_view() const noexcept {
    return std::string_view(storage_.local.sun_path, path_length_);
  }

  void set_path(std::string_view p) {
    // One byte stays free for the terminating zero some tools expect in sun_path.
    if (p.size() > sizeof(storage_.local.sun_path) - 1) {
      proa::detail::throw_error(error::name_too_long);
    }
    storage_ = {};
    storage_.local.sun_family = AF_UNIX;
    if (!p.empty()) std::memcpy(storage_.local.sun_path, p.data(), p.size());
    path_length_ = p.size();
  }

  // sockaddr_un first, so value-initialising the union zeroes all of it.
  union storage {
    sockaddr_un local;
    sockaddr base;
  };

  storage storage_{};
  std::size_t path_length_ = 0;
};

// Prints the path (up to any embedded zero byte on wide streams).
template <typename Elem, typename Traits, typename Protocol>
std::basic_ostream<Elem, Traits>& operator<<(std::basic_ostream<Elem, Traits>& os,
                                             const basic_endpoint<Protocol>& endpoint) {
  if constexpr (std::is_same_v<Elem, char>) {
    return os << endpoint.path();
  } else {
    return os << endpoint.path().c_str();
  }
}

}  // namespace proa::local
