// membarrier(2) behind process_wide_barrier(): the private expedited command, which interrupts
// only the CPUs currently running this process's threads.
#include "platform/process_wide_barrier.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace proa::detail {
namespace {

long membarrier(int command) noexcept { return ::syscall(__NR_membarrier, command, 0, 0); }

bool register_process() noexcept {
  const long supported = membarrier(MEMBARRIER_CMD_QUERY);
  if (supported < 0 || !(supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return false;
  return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

}  // namespace

bool process_wide_barrier_available() noexcept {
  static const bool available = register_process();
  return available;
}

void process_wide_barrier() noexcept {
  // Cannot fail once registered (EINTR is not among its errors); a failure here would mean a
  // missing barrier, which would corrupt queues: stop instead.
  if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0) std::abort();
}

}  // namespace proa::detail
