// Thread caches behind recycling_allocate/recycling_deallocate. Each block carries a small
// header naming the cache that allocated it; a block freed on a foreign thread is pushed onto
// that cache's lock-free return stack, so a producer thread whose operations are consumed
// elsewhere gets its memory back instead of calling malloc for every post.
#include "runtime/detail/recycling_allocator.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

namespace proa::detail {
namespace {

// Size classes are powers of two from 64 to recycling_max_block + header.
constexpr std::size_t header_size = 16;
constexpr std::size_t class_count = 6;  // 64, 128, 256, 512, 1024, 2048 (payload + header)
constexpr std::size_t cache_bytes_per_class = 128 * 1024;

constexpr std::size_t class_size(std::size_t index) { return std::size_t{64} << index; }

static_assert(class_size(class_count - 1) >= recycling_max_block + header_size);

inline std::size_t class_of(std::size_t bytes) {
  std::size_t total = bytes + header_size;
  std::size_t index = 0;
  while (class_size(index) < total) ++index;
  return index;
}

struct thread_cache;

struct block_header {
  thread_cache* owner;
  std::uint32_t size_class;
  std::uint32_t padding;
};
static_assert(sizeof(block_header) == header_size);

// A free block reuses its payload as the link.
struct free_block {
  free_block* next;
};

struct thread_cache {
  std::array<free_block*, class_count> free_lists{};
  std::array<std::size_t, class_count> free_counts{};
  std::size_t heap_allocations = 0;
  // Blocks freed by other threads; pushed with CAS, taken whole with exchange (no ABA since
  // the owner never pops a single node from it).
  alignas(64) std::atomic<block_header*> returned{nullptr};
};

inline free_block* payload_of(block_header* h) { return reinterpret_cast<free_block*>(h + 1); }
inline block_header* header_of(void* payload) { return static_cast<block_header*>(payload) - 1; }

// Caches outlive their threads: a block may be returned after its allocating thread exited.
// Retired caches are handed to new threads, and every cache stays reachable from here, so
// nothing leaks and no late return writes to freed memory.
struct cache_registry {
  std::mutex mutex;
  std::vector<thread_cache*> all;
  std::vector<thread_cache*> retired;
};

cache_registry& registry() {
  static cache_registry* instance = new cache_registry;  // never destroyed: see above
  return *instance;
}

thread_local thread_cache* current_cache = nullptr;

void release_free_lists(thread_cache& cache) {
  for (std::size_t c = 0; c < class_count; ++c) {
    while (free_block* b = cache.free_lists[c]) {
      cache.free_lists[c] = b->next;
      ::operator delete(reinterpret_cast<block_header*>(b) - 1);
    }
    cache.free_counts[c] = 0;
  }
}

struct cache_retirer {
  ~cache_retirer() {
    thread_cache* cache = current_cache;
    if (!cache) return;
    current_cache = nullptr;
    release_free_lists(*cache);
    auto& reg = registry();
    std::lock_guard lock(reg.mutex);
    reg.retired.push_back(cache);
  }
};
thread_local cache_retirer retirer;

thread_cache& this_thread_cache() {
  if (thread_cache* cache = current_cache) [[likely]]
    return *cache;
  auto& reg = registry();
  thread_cache* cache = nullptr;
  {
    std::lock_guard lock(reg.mutex);
    if (!reg.retired.empty()) {
      cache = reg.retired.back();
      reg.retired.pop_back();
      cache->heap_allocations = 0;  // the counter is per thread, not per cache
    } else {
      cache = new thread_cache;
      reg.all.push_back(cache);
    }
  }
  current_cache = cache;
  (void)&retirer;  // odr-use so the thread_local destructor is registered for this thread
  return *cache;
}

std::size_t cache_limit(std::size_t size_class) {
  return cache_bytes_per_class / class_size(size_class);
}

// Keeps a block in the local cache if there is room, else gives it back to the heap.
inline void keep_or_free(thread_cache& cache, block_header* h) {
  std::size_t c = h->size_class;
  if (cache.free_counts[c] < cache_limit(c)) {
    free_block* b = payload_of(h);
    b->next = cache.free_lists[c];
    cache.free_lists[c] = b;
    ++cache.free_counts[c];
  } else {
    ::operator delete(h);
  }
}

void reclaim_returned(thread_cache& cache) {
  block_header* h = cache.returned.exchange(nullptr, std::memory_order_acquire);
  while (h) {
    block_header* next = reinterpret_cast<block_header*>(payload_of(h)->next);
    keep_or_free(cache, h);
    h = next;
  }
}

}  // namespace

void* recycling_allocate(std::size_t bytes) {
  if (bytes > recycling_max_block) return ::operator new(bytes);
  thread_cache& cache = this_thread_cache();
  std::size_t c = class_of(bytes);
  free_block* b = cache.free_lists[c];
  if (!b && cache.returned.load(std::memory_order_relaxed)) {
    reclaim_returned(cache);
    b = cache.free_lists[c];
  }
  if (b) [[likely]] {
    cache.free_lists[c] = b->next;
    --cache.free_counts[c];
    return b;
  }
  ++cache.heap_allocations;
  auto* h = static_cast<block_header*>(::operator new(class_size(c)));
  h->owner = &cache;
  h->size_class = static_cast<std::uint32_t>(c);
  return payload_of(h);
}

void recycling_deallocate(void* block, std::size_t bytes) noexcept {
  if (!block) return;
  if (bytes > recycling_max_block) {
    ::operator delete(block);
    return;
  }
  block_header* h = header_of(block);
  thread_cache* owner = h->owner;
  if (owner == current_cache) [[likely]] {
    keep_or_free(*owner, h);
    return;
  }
  // Foreign block: send it home. Release ordering publishes the link for the owner's acquire.
  block_header* head = owner->returned.load(std::memory_order_relaxed);
  do {
    payload_of(h)->next = reinterpret_cast<free_block*>(head);
  } while (!owner->returned.compare_exchange_weak(head, h, std::memory_order_release,
                                                  std::memory_order_relaxed));
}

std::size_t recycling_heap_allocations_on_this_thread() noexcept {
  return current_cache ? current_cache->heap_allocations : 0;
}

}  // namespace proa::detail
