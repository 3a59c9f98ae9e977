// Slow paths of the recycler: creating and retiring thread caches, refilling from blocks
// other threads returned, and sending a block home. Each block carries a header naming the
// cache that allocated it; a block freed on a foreign thread is pushed onto that cache's
// lock-free return stack, so a producer thread whose operations are consumed elsewhere gets
// its memory back instead of calling malloc for every post.
#include "runtime/detail/recycling_allocator.hpp"

#include <mutex>
#include <vector>

namespace proa::detail {
namespace recycling {

thread_local constinit thread_cache* current_cache = nullptr;

namespace {

inline free_block* payload_of(block_header* h) { return reinterpret_cast<free_block*>(h + 1); }

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
  if (thread_cache* cache = current_cache) return *cache;
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

void* allocate_slow(std::size_t c) {
  thread_cache& cache = this_thread_cache();
  if (!cache.free_lists[c] && cache.returned.load(std::memory_order_relaxed))
    reclaim_returned(cache);
  if (free_block* b = cache.free_lists[c]) {
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

void deallocate_slow(block_header* h) noexcept {
  thread_cache* owner = h->owner;
  if (owner == current_cache) {  // our own block, but the cache is full
    ::operator delete(h);
    return;
  }
  // Foreign block: send it home. Release ordering publishes the link for the owner's acquire.
  block_header* head = owner->returned.load(std::memory_order_relaxed);
  do {
    payload_of(h)->next = reinterpret_cast<free_block*>(head);
  } while (!owner->returned.compare_exchange_weak(head, h, std::memory_order_release,
                                                  std::memory_order_relaxed));
}

}  // namespace recycling

std::size_t recycling_heap_allocations_on_this_thread() noexcept {
  return recycling::current_cache ? recycling::current_cache->heap_allocations : 0;
}

}  // namespace proa::detail
