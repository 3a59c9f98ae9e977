// A memory barrier on every running thread of this process at once (Linux membarrier(2)).
// It lets a hot path that runs on one thread skip its own fence: the rare side that needs the
// ordering pays for both, with one system call.
#pragma once

namespace proa::detail {

// Whether process_wide_barrier() works here (registers this process on the first call). False
// where the kernel or a seccomp policy refuses membarrier; callers then keep their fences.
bool process_wide_barrier_available() noexcept;

// Returns once every other thread of the process has executed a full memory barrier (or was
// not running, which is one too). Only after process_wide_barrier_available() returned true.
void process_wide_barrier() noexcept;

}  // namespace proa::detail
