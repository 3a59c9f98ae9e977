// perf_event_open on the raw_syscalls:sys_enter tracepoint, one counter per thread.
#include "bench/syscall_counter.hpp"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <utility>

namespace bench {
namespace {

std::mutex reason_mutex;
std::string last_failure;

void remember_failure(std::string reason) {
  std::lock_guard lock(reason_mutex);
  last_failure = std::move(reason);
}

// The tracepoint's id, from tracefs where it is mounted (or its older debugfs place).
std::optional<std::uint64_t> sys_enter_tracepoint_id() {
  for (const char* path : {"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
                           "/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id"}) {
    std::ifstream file(path);
    std::uint64_t id = 0;
    if (file >> id) return id;
  }
  return std::nullopt;
}

}  // namespace

syscall_counter::syscall_counter(syscall_counter&& other) noexcept
    : descriptor_(std::exchange(other.descriptor_, -1)) {}

syscall_counter& syscall_counter::operator=(syscall_counter&& other) noexcept {
  if (this != &other) {
    if (descriptor_ >= 0) ::close(descriptor_);
    descriptor_ = std::exchange(other.descriptor_, -1);
  }
  return *this;
}

syscall_counter::~syscall_counter() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

syscall_counter syscall_counter::for_calling_thread() {
  static const std::optional<std::uint64_t> id = sys_enter_tracepoint_id();
  if (!id) {
    remember_failure("tracefs has no raw_syscalls:sys_enter tracepoint (not mounted?)");
    return {};
  }
  perf_event_attr attributes;
  std::memset(&attributes, 0, sizeof attributes);
  attributes.type = PERF_TYPE_TRACEPOINT;
  attributes.size = sizeof attributes;
  attributes.config = *id;
  // Counting only: no sampling, no inheritance by threads this one starts.
  const long descriptor = ::syscall(SYS_perf_event_open, &attributes, 0 /* this thread */,
                                    -1 /* any cpu */, -1 /* no group */, PERF_FLAG_FD_CLOEXEC);
  if (descriptor < 0) {
    remember_failure(std::string("perf_event_open: ") + std::strerror(errno));
    return {};
  }
  return syscall_counter(static_cast<int>(descriptor));
}

std::string syscall_counter::unavailable_reason() {
  std::lock_guard lock(reason_mutex);
  return last_failure;
}

std::optional<std::uint64_t> syscall_counter::read() const {
  if (descriptor_ < 0) return std::nullopt;
  std::uint64_t count = 0;
  if (::read(descriptor_, &count, sizeof count) != static_cast<ssize_t>(sizeof count)) {
    return std::nullopt;
  }
  return count;
}

}  // namespace bench
