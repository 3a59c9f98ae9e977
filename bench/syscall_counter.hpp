// Counts the system calls one thread makes, through the kernel's raw_syscalls:sys_enter
// tracepoint (perf events): exact, costs the counted thread nothing measurable, and neutral
// between the runtimes. Needs tracefs and permission for perf events (root, or a low
// perf_event_paranoid); where either is missing the counter says so and counts nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace bench {

class syscall_counter {
 public:
  // A counter that counts nothing (available() is false).
  syscall_counter() = default;
  syscall_counter(syscall_counter&& other) noexcept;
  syscall_counter& operator=(syscall_counter&& other) noexcept;
  syscall_counter(const syscall_counter&) = delete;
  syscall_counter& operator=(const syscall_counter&) = delete;
  ~syscall_counter();

  // Starts counting the system calls the calling thread enters from now on. Any thread may
  // read() the count.
  static syscall_counter for_calling_thread();

  bool available() const { return descriptor_ >= 0; }
  // Why counting is unavailable, once for_calling_thread() has failed; empty otherwise.
  static std::string unavailable_reason();

  std::optional<std::uint64_t> read() const;

 private:
  explicit syscall_counter(int descriptor) : descriptor_(descriptor) {}
  int descriptor_ = -1;
};

}  // namespace bench
