// Counts heap allocations by interposing glibc's malloc family in the benchmark binary.
// Counting at the malloc level rather than operator new matters: Asio allocates handler memory
// with aligned_alloc directly, so an operator new counter would report zero for it.
#include "bench/allocation_counter.hpp"

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PROA_BENCH_COUNT_ALLOCATIONS 0
#else
#define PROA_BENCH_COUNT_ALLOCATIONS 1
#endif

namespace {

// Constant-initialised, so it is usable by allocations made before any constructor runs.
constinit std::atomic<std::uint64_t> allocation_count{0};

[[maybe_unused]] void count_one() noexcept {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

namespace bench {

bool heap_allocations_counted() noexcept { return PROA_BENCH_COUNT_ALLOCATIONS != 0; }

std::uint64_t heap_allocations() noexcept {
  return allocation_count.load(std::memory_order_relaxed);
}

}  // namespace bench

#if PROA_BENCH_COUNT_ALLOCATIONS
// glibc's own entry points; the definitions below count and forward to them. free needs no
// wrapper: the memory is still glibc's.
extern "C" {
void* __libc_malloc(std::size_t size) noexcept;
void* __libc_calloc(std::size_t count, std::size_t size) noexcept;
void* __libc_realloc(void* block, std::size_t size) noexcept;
void* __libc_memalign(std::size_t alignment, std::size_t size) noexcept;

void* malloc(std::size_t size) noexcept {
  count_one();
  return __libc_malloc(size);
}

void* calloc(std::size_t count, std::size_t size) noexcept {
  count_one();
  return __libc_calloc(count, size);
}

void* realloc(void* block, std::size_t size) noexcept {
  count_one();
  return __libc_realloc(block, size);
}

void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  count_one();
  return __libc_memalign(alignment, size);
}

void* memalign(std::size_t alignment, std::size_t size) noexcept {
  count_one();
  return __libc_memalign(alignment, size);
}

int posix_memalign(void** result, std::size_t alignment, std::size_t size) noexcept {
  // posix_memalign's own checks: a power of two, and a multiple of sizeof(void*).
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  count_one();
  void* block = __libc_memalign(alignment, size);
  if (block == nullptr) return ENOMEM;
  *result = block;
  return 0;
}
}  // extern "C"
#endif
