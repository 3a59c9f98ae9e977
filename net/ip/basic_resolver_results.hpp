// proa::ip::basic_resolver_results<InternetProtocol>: the entries a resolve returned, as a
// forward range. Copies share one immutable entry list, so copying results or iterators is cheap
// and an iterator stays valid after the results object it came from is gone (as in Asio 1.22).
#pragma once

#include <netdb.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/ip/basic_resolver_entry.hpp"

namespace proa::ip {

template <typename InternetProtocol, typename Executor>
class basic_resolver;

template <typename InternetProtocol>
class basic_resolver_results {
  using entry_list = std::vector<basic_resolver_entry<InternetProtocol>>;

 public:
  using protocol_type = InternetProtocol;
  using endpoint_type = typename InternetProtocol::endpoint;
  using value_type = basic_resolver_entry<InternetProtocol>;
  using const_reference = const value_type&;
  using reference = value_type&;
  using difference_type = std::ptrdiff_t;
  using size_type = std::size_t;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = basic_resolver_entry<InternetProtocol>;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    // The end position of every range.
    const_iterator() = default;

    reference operator*() const { return (*entries_)[index_]; }
    pointer operator->() const { return &(*entries_)[index_]; }

    const_iterator& operator++() {
      ++index_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++index_;
      return before;
    }

    // Every past-the-end position equals the default-constructed one, as Asio's iterators do.
    friend bool operator==(const const_iterator& a, const const_iterator& b) noexcept {
      const bool a_at_end = a.at_end();
      const bool b_at_end = b.at_end();
      if (a_at_end || b_at_end) return a_at_end == b_at_end;
      return a.entries_ == b.entries_ && a.index_ == b.index_;
    }

   private:
    friend class basic_resolver_results;

    explicit const_iterator(std::shared_ptr<const entry_list> entries) noexcept
        : entries_(std::move(entries)) {}

    bool at_end() const noexcept { return !entries_ || index_ == entries_->size(); }

    std::shared_ptr<const entry_list> entries_;
    std::size_t index_ = 0;
  };
  using iterator = const_iterator;

  // Empty.
  basic_resolver_results() = default;

  size_type size() const noexcept { return entries_ ? entries_->size() : 0; }
  size_type max_size() const noexcept { return entry_list().max_size(); }
  bool empty() const noexcept { return size() == 0; }

  const_iterator begin() const { return empty() ? const_iterator() : const_iterator(entries_); }
  const_iterator end() const { return const_iterator(); }
  const_iterator cbegin() const { return begin(); }
  const_iterator cend() const { return end(); }

  void swap(basic_resolver_results& other) noexcept { entries_.swap(other.entries_); }

 private:
  template <typename, typename>
  friend class basic_resolver;

  // The IPv4/IPv6 entries of a getaddrinfo list, named after the canonical name if it
  // reported one and after `host` otherwise.
  static basic_resolver_results from_address_info(const addrinfo* list, std::string_view host,
                                                  std::string_view service) {
    basic_resolver_results results;
    if (list == nullptr) return results;
    const std::string_view entry_host =
        list->ai_canonname != nullptr ? std::string_view(list->ai_canonname) : host;
    auto entries = std::make_shared<entry_list>();
    for (const addrinfo* item = list; item != nullptr; item = item->ai_next) {
      if (item->ai_family != AF_INET && item->ai_family != AF_INET6) continue;
      endpoint_type endpoint;
      endpoint.resize(item->ai_addrlen);
      std::memcpy(endpoint.data(), item->ai_addr, item->ai_addrlen);
      entries->emplace_back(endpoint, entry_host, service);
    }
    results.entries_ = std::move(entries);
    return results;
  }

  static basic_resolver_results from_entry(const endpoint_type& endpoint, std::string_view host,
                                           std::string_view service) {
    basic_resolver_results results;
    auto entries = std::make_shared<entry_list>();
    entries->emplace_back(endpoint, host, service);
    results.entries_ = std::move(entries);
    return results;
  }

  std::shared_ptr<const entry_list> entries_;
};

}  // namespace proa::ip
