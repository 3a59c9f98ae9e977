// The getaddrinfo / getnameinfo calls behind ip::basic_resolver, with their EAI_* results
// translated into proa's error codes the way Asio translates them, and the per-context service
// whose private thread runs async_resolve's lookups.
#pragma once

#include <netdb.h>
#include <sys/socket.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "platform/error.hpp"
#include "runtime/execution_context.hpp"

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

// One async_resolve waiting for the lookup thread. perform() runs there: it does the blocking
// lookup and hands the result to the handler's side. An operation destroyed without perform()
// (the context shut down first) drops its handler uncalled, as Asio does.
class lookup_operation {
 public:
  lookup_operation(const lookup_operation&) = delete;
  lookup_operation& operator=(const lookup_operation&) = delete;
  virtual ~lookup_operation() = default;

  virtual void perform() = 0;

 protected:
  lookup_operation() = default;
};

// getaddrinfo and getnameinfo block and cannot be made asynchronous, so a context's async
// lookups run one after another on a private thread, never on the context's own workers. The
// thread starts with the first lookup and is joined when the context shuts down (or forks).
class name_lookup_service : public execution_context_service_base<name_lookup_service> {
 public:
  explicit name_lookup_service(execution_context& owner);
  ~name_lookup_service() override;

  // Queues the lookup, starting the thread if needed. After shutdown the operation is dropped.
  void start(std::unique_ptr<lookup_operation> operation);

 private:
  void shutdown() override;
  void notify_fork(execution_context::fork_event event) override;

  // Makes the thread exit after its current lookup and joins it; queued lookups stay queued.
  void pause();
  // Lets lookups run again, restarting the thread if some are queued.
  void resume();
  void run_lookups();

  std::mutex mutex_;
  std::condition_variable wakeup_;
  std::deque<std::unique_ptr<lookup_operation>> queue_;
  bool paused_ = false;     // no thread may run; set while one is being joined
  bool shut_down_ = false;  // no lookup runs any more
  std::thread thread_;
};

}  // namespace proa::detail
