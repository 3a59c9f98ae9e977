// The getaddrinfo / getnameinfo calls behind ip::basic_resolver, their error translation, and
// the lookup thread of async_resolve.
#include "net/detail/name_lookup.hpp"

#include <cerrno>
#include <utility>

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

name_lookup_service::name_lookup_service(execution_context& owner)
    : execution_context_service_base<name_lookup_service>(owner) {}

name_lookup_service::~name_lookup_service() { shutdown(); }

void name_lookup_service::start(std::unique_ptr<lookup_operation> operation) {
  std::lock_guard lock(mutex_);
  if (shut_down_) return;
  queue_.push_back(std::move(operation));
  if (!paused_ && !thread_.joinable()) thread_ = std::thread([this] { run_lookups(); });
  wakeup_.notify_one();
}

void name_lookup_service::shutdown() {
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
  }
  pause();
  // Destroyed outside the lock: a handler's destructor may do anything, even start a lookup.
  std::deque<std::unique_ptr<lookup_operation>> abandoned;
  {
    std::lock_guard lock(mutex_);
    abandoned.swap(queue_);
  }
}

void name_lookup_service::notify_fork(execution_context::fork_event event) {
  // A thread does not survive fork, and one mid-lookup could leave the resolver library's locks
  // held in the child: no thread runs across the fork.
  if (event == execution_context::fork_prepare)
    pause();
  else
    resume();
}

void name_lookup_service::pause() {
  std::thread finishing;
  {
    std::lock_guard lock(mutex_);
    paused_ = true;
    finishing = std::move(thread_);
  }
  wakeup_.notify_all();
  if (finishing.joinable()) finishing.join();
}

void name_lookup_service::resume() {
  std::lock_guard lock(mutex_);
  if (shut_down_) return;
  paused_ = false;
  if (!queue_.empty() && !thread_.joinable()) thread_ = std::thread([this] { run_lookups(); });
}

void name_lookup_service::run_lookups() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wakeup_.wait(lock, [this] { return paused_ || !queue_.empty(); });
    if (paused_) return;
    std::unique_ptr<lookup_operation> operation = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    operation->perform();
    operation.reset();
    lock.lock();
  }
}

}  // namespace proa::detail
