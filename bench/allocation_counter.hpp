// Counts heap allocations in the benchmark binary, so each workload can report how many a
// runtime makes per item in steady state.
#pragma once

#include <cstdint>

namespace bench {

// False in sanitizer builds, where the sanitizer owns malloc and nothing is counted.
bool heap_allocations_counted() noexcept;

// Heap allocations (malloc, calloc, realloc and the aligned forms; operator new goes through
// them) since program start.
std::uint64_t heap_allocations() noexcept;

}  // namespace bench
