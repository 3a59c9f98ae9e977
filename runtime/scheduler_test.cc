// Tests for the scheduler behind io_context and thread_pool: no heap allocation per post in
// steady state, idle workers that sleep, wakes that do not stampede, running_in_this_thread,
// nested run(), and run() returning once a handler-driven workload ends.
#include "runtime/detail/scheduler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/executor_work_guard.hpp"
#include "runtime/io_context.hpp"
#include "runtime/post.hpp"
#include "runtime/thread_pool.hpp"

// ---- heap allocation counting --------------------------------------------------------------
// This binary replaces the global operator new so that tests can see every heap allocation,
// process-wide and on the calling thread.
namespace {

std::atomic<std::uint64_t> heap_allocations{0};
thread_local std::uint64_t heap_allocations_on_this_thread = 0;

void* counted_allocate(std::size_t bytes) {
  heap_allocations.fetch_add(1, std::memory_order_relaxed);
  ++heap_allocations_on_this_thread;
  if (void* block = std::malloc(bytes == 0 ? 1 : bytes)) return block;
  throw std::bad_alloc();
}

void* counted_allocate_aligned(std::size_t bytes, std::align_val_t alignment) {
  heap_allocations.fetch_add(1, std::memory_order_relaxed);
  ++heap_allocations_on_this_thread;
  std::size_t align = static_cast<std::size_t>(alignment);
  if (align < sizeof(void*)) align = sizeof(void*);
  void* block = nullptr;
  if (::posix_memalign(&block, align, bytes == 0 ? 1 : bytes) == 0) return block;
  throw std::bad_alloc();
}

// Out of line: with free() inlined into operator delete, GCC pairs it with operator new at
// call sites and warns about a mismatch (-Wmismatched-new-delete) in optimised builds.
[[gnu::noinline]] void release(void* block) noexcept { std::free(block); }

}  // namespace

void* operator new(std::size_t bytes) { return counted_allocate(bytes); }
void* operator new[](std::size_t bytes) { return counted_allocate(bytes); }
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  try {
    return counted_allocate(bytes);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
  try {
    return counted_allocate(bytes);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t bytes, std::align_val_t alignment) {
  return counted_allocate_aligned(bytes, alignment);
}
void* operator new[](std::size_t bytes, std::align_val_t alignment) {
  return counted_allocate_aligned(bytes, alignment);
}
void* operator new(std::size_t bytes, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  try {
    return counted_allocate_aligned(bytes, alignment);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t bytes, std::align_val_t alignment,
                     const std::nothrow_t&) noexcept {
  try {
    return counted_allocate_aligned(bytes, alignment);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* block) noexcept { release(block); }
void operator delete[](void* block) noexcept { release(block); }
void operator delete(void* block, std::size_t) noexcept { release(block); }
void operator delete[](void* block, std::size_t) noexcept { release(block); }
void operator delete(void* block, const std::nothrow_t&) noexcept { release(block); }
void operator delete[](void* block, const std::nothrow_t&) noexcept { release(block); }
void operator delete(void* block, std::align_val_t) noexcept { release(block); }
void operator delete[](void* block, std::align_val_t) noexcept { release(block); }
void operator delete(void* block, std::size_t, std::align_val_t) noexcept { release(block); }
void operator delete[](void* block, std::size_t, std::align_val_t) noexcept { release(block); }
void operator delete(void* block, std::align_val_t, const std::nothrow_t&) noexcept {
  release(block);
}
void operator delete[](void* block, std::align_val_t, const std::nothrow_t&) noexcept {
  release(block);
}

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool under_sanitizer = true;
#else
constexpr bool under_sanitizer = false;
#endif

proa::detail::scheduler& scheduler_of(proa::execution_context& context) {
  return proa::use_service<proa::detail::scheduler>(context);
}

// Polls `done` until it is true or `limit` passes; returns its last answer. (A template, not
// std::function, so that waiting never allocates.)
template <typename Predicate>
bool wait_until(Predicate done, clock_type::duration limit = 10s) {
  const auto deadline = clock_type::now() + limit;
  while (!done()) {
    if (clock_type::now() >= deadline) return done();
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Waits until the scheduler's sleep count has not moved for `quiet` (or gives up after a few
// seconds, leaving the caller's assertion to fail) and returns it.
std::uint64_t settled_sleep_count(proa::detail::scheduler& s, clock_type::duration quiet = 60ms) {
  const auto deadline = clock_type::now() + 3s;
  std::uint64_t last = s.sleep_count();
  auto unchanged_since = clock_type::now();
  while (clock_type::now() < deadline) {
    std::this_thread::sleep_for(5ms);
    std::uint64_t now = s.sleep_count();
    if (now != last) {
      last = now;
      unchanged_since = clock_type::now();
    } else if (clock_type::now() - unchanged_since >= quiet) {
      break;
    }
  }
  return last;
}

// Runs ctx.run() on `threads` threads; returns the sum of their results. Fails the test (and
// stops the context so the threads can be joined) if they have not all returned in time.
std::size_t run_on_threads(proa::io_context& ctx, int threads, clock_type::duration limit = 10s) {
  std::atomic<std::size_t> handlers{0};
  std::atomic<int> returned{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i)
    pool.emplace_back([&] {
      handlers.fetch_add(ctx.run());
      returned.fetch_add(1);
    });
  if (!wait_until([&] { return returned.load() == threads; }, limit)) {
    ADD_FAILURE() << returned.load() << " of " << threads << " threads returned from run()";
    ctx.stop();
  }
  for (auto& t : pool) t.join();
  return handlers.load();
}

// ---- zero allocations per post ------------------------------------------------------------

// Handlers posted from inside the context, in batches: each batch's last handler starts the
// next batch. The heap counter is read when the measured batches start and end.
struct batch_chain {
  proa::io_context* ctx;
  int batch_size;
  int warmup_batches;
  int measured_batches;
  int batches_done = 0;
  int remaining_in_batch = 0;
  std::uint64_t handlers_run = 0;
  std::uint64_t heap_at_start = 0;
  std::uint64_t heap_at_end = 0;
};

void start_batch(batch_chain* chain);

void batch_member(batch_chain* chain) {
  ++chain->handlers_run;
  if (--chain->remaining_in_batch == 0) {
    ++chain->batches_done;
    start_batch(chain);
  }
}

void start_batch(batch_chain* chain) {
  if (chain->batches_done == chain->warmup_batches)
    chain->heap_at_start = heap_allocations.load(std::memory_order_relaxed);
  if (chain->batches_done == chain->warmup_batches + chain->measured_batches) {
    chain->heap_at_end = heap_allocations.load(std::memory_order_relaxed);
    return;
  }
  chain->remaining_in_batch = chain->batch_size;
  for (int i = 0; i < chain->batch_size; ++i)
    proa::post(*chain->ctx, [chain] { batch_member(chain); });
}

TEST(Scheduler, PostsFromAHandlerNeedNoHeapAllocationInSteadyState) {
  proa::io_context ctx;
  batch_chain chain{&ctx, 1000, 5, under_sanitizer ? 20 : 100};
  proa::post(ctx, [&chain] { start_batch(&chain); });
  run_on_threads(ctx, 1);

  ASSERT_EQ(chain.batches_done, chain.warmup_batches + chain.measured_batches);
  ASSERT_EQ(chain.handlers_run, std::uint64_t(chain.batch_size) *
                                    (chain.warmup_batches + chain.measured_batches));
  const std::uint64_t measured_posts = std::uint64_t(chain.batch_size) * chain.measured_batches;
  EXPECT_EQ(chain.heap_at_end - chain.heap_at_start, 0u)
      << "heap allocations during " << measured_posts << " posts and runs";
}

TEST(Scheduler, PostsFromAForeignThreadNeedNoHeapAllocationOnTheProducerInSteadyState) {
  constexpr int batch_size = 1000;
  constexpr int warmup_batches = 5;
  const int measured_batches = under_sanitizer ? 20 : 100;

  proa::io_context ctx;
  auto guard = proa::make_work_guard(ctx);
  std::atomic<std::uint64_t> ran{0};
  std::thread consumer([&] { ctx.run(); });

  std::uint64_t posted = 0;
  bool all_ran = true;
  auto post_batch = [&] {
    for (int i = 0; i < batch_size; ++i)
      proa::post(ctx, [counter = &ran] { counter->fetch_add(1, std::memory_order_release); });
    posted += batch_size;
  };
  // Waits until the consumer has run everything posted, so every block has gone home.
  auto wait_for_batch = [&] {
    const auto deadline = clock_type::now() + 10s;
    while (all_ran && ran.load(std::memory_order_acquire) < posted) {
      if (clock_type::now() >= deadline) all_ran = false;
      std::this_thread::yield();
    }
  };

  // Warm-up. How many blocks the producer needs is the most posts ever in flight at once, and
  // with a consumer running concurrently that depends on timing. So the first batch is posted
  // while the consumer is held in a gate handler: a whole batch is then in flight, and no
  // later batch can need more blocks than the producer's cache has seen.
  std::atomic<bool> gate_open{false};
  proa::post(ctx, [&gate_open] {
    while (!gate_open.load(std::memory_order_acquire)) std::this_thread::yield();
  });
  post_batch();
  gate_open.store(true, std::memory_order_release);
  wait_for_batch();
  for (int b = 1; b < warmup_batches && all_ran; ++b) {
    post_batch();
    wait_for_batch();
  }

  const std::uint64_t producer_before = heap_allocations_on_this_thread;
  const std::uint64_t all_before = heap_allocations.load(std::memory_order_relaxed);
  for (int b = 0; b < measured_batches && all_ran; ++b) {
    post_batch();
    wait_for_batch();
  }
  const std::uint64_t producer_allocations = heap_allocations_on_this_thread - producer_before;
  const std::uint64_t all_allocations =
      heap_allocations.load(std::memory_order_relaxed) - all_before;

  guard.reset();
  if (!all_ran) ctx.stop();  // else the queued handlers would keep run() going forever
  consumer.join();

  ASSERT_TRUE(all_ran) << "the consumer stopped running posted handlers";
  const double posts = double(batch_size) * measured_batches;
  EXPECT_EQ(producer_allocations, 0u)
      << producer_allocations / posts << " heap allocations per post on the producer";
  EXPECT_EQ(all_allocations, 0u) << all_allocations / posts
                                 << " heap allocations per post in the whole process";
}

// ---- sleeping and waking ------------------------------------------------------------------

TEST(Scheduler, IdleWorkersSleepInsteadOfSpinning) {
  proa::thread_pool pool(4);
  proa::detail::scheduler& s = scheduler_of(pool);
  ASSERT_TRUE(wait_until([&] { return s.sleep_count() >= 4; }))
      << "only " << s.sleep_count() << " sleeps";
  const std::uint64_t before = s.sleep_count();
  std::this_thread::sleep_for(200ms);
  const std::uint64_t after = s.sleep_count();
  EXPECT_LT(after, 50u);
  EXPECT_LT(after - before, 10u) << "idle workers kept waking up";
}

// With every worker asleep, one post must wake one worker. That worker goes back to sleep
// afterwards (one more sleep); a herd would show about one more sleep per worker.
TEST(Scheduler, APostFromOutsideWakesAtMostOneSleeper) {
  constexpr int workers = 4;
  constexpr int rounds = 5;
  proa::thread_pool pool(workers);
  proa::detail::scheduler& s = scheduler_of(pool);
  ASSERT_TRUE(wait_until([&] { return s.sleep_count() >= workers; }));

  std::set<std::thread::id> runners;
  std::uint64_t total_extra_sleeps = 0;
  for (int round = 0; round < rounds; ++round) {
    const std::uint64_t before = settled_sleep_count(s);
    std::atomic<bool> ran{false};
    std::thread::id runner;
    proa::post(pool, [&] {
      runner = std::this_thread::get_id();
      ran.store(true, std::memory_order_release);
    });
    ASSERT_TRUE(wait_until([&] { return ran.load(std::memory_order_acquire); }))
        << "round " << round << ": the post woke nobody";
    EXPECT_NE(runner, std::this_thread::get_id());
    runners.insert(runner);
    // The woken worker must go back to sleep...
    EXPECT_TRUE(wait_until([&] { return s.sleep_count() > before; }))
        << "round " << round << ": the woken worker never slept again";
    // ...and nobody else may have been woken.
    const std::uint64_t after = settled_sleep_count(s);
    ASSERT_LE(after - before, 2u) << "round " << round;
    total_extra_sleeps += after - before;
  }
  EXPECT_LE(total_extra_sleeps, std::uint64_t(rounds) * 2);
  RecordProperty("distinct_runner_threads", static_cast<int>(runners.size()));
  RecordProperty("extra_sleeps", static_cast<int>(total_extra_sleeps));
}

// Many foreign posts into a pool whose workers keep falling asleep: a lost wake-up would leave
// handlers queued with every worker asleep.
TEST(Scheduler, ForeignPostsIntoAnIdlingPoolAllRun) {
  constexpr int producers = 2;
  const int per_producer = under_sanitizer ? 5'000 : 50'000;
  proa::thread_pool pool(3);
  std::atomic<int> ran{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p)
    threads.emplace_back([&, p] {
      for (int i = 0; i < per_producer; ++i) {
        proa::post(pool, [&ran] { ran.fetch_add(1, std::memory_order_relaxed); });
        if ((i + p) % 97 == 0) std::this_thread::yield();  // let workers go idle now and then
      }
    });
  for (auto& t : threads) t.join();
  const bool all_ran = wait_until([&] { return ran.load() == producers * per_producer; });
  EXPECT_TRUE(all_ran) << ran.load() << " of " << producers * per_producer << " handlers ran";
  if (!all_ran) pool.stop();  // else join() would wait for the stuck handlers forever
  pool.join();
  EXPECT_EQ(ran.load(), producers * per_producer);
}

// Ping-pong with a single worker: each post arrives just as the worker runs out of work and
// heads for sleep, the moment a lost wake-up would strand the handler in the queue.
TEST(Scheduler, PostArrivingAsTheOnlyWorkerFallsAsleepIsNotLost) {
  const int exchanges = under_sanitizer ? 5'000 : 50'000;
  proa::io_context ctx;
  auto guard = proa::make_work_guard(ctx);
  std::atomic<int> ran{0};
  std::thread worker([&] { ctx.run(); });

  int stuck_at = -1;
  for (int i = 0; i < exchanges && stuck_at < 0; ++i) {
    proa::post(ctx, [&ran] { ran.fetch_add(1, std::memory_order_release); });
    const auto deadline = clock_type::now() + 5s;
    while (ran.load(std::memory_order_acquire) <= i) {
      if (clock_type::now() >= deadline) {
        stuck_at = i;
        break;
      }
    }
  }
  guard.reset();
  if (stuck_at >= 0) ctx.stop();
  worker.join();
  EXPECT_EQ(stuck_at, -1) << "handler " << stuck_at << " was left queued with the worker asleep";
  EXPECT_EQ(ran.load(), stuck_at < 0 ? exchanges : stuck_at);
}

// Handlers posted by one busy worker land in its own queue; idle workers must steal them.
TEST(Scheduler, WorkPostedFromOneWorkerSpreadsToIdleWorkers) {
  constexpr int handlers = 2000;
  proa::thread_pool pool(4);
  std::mutex mutex;
  std::set<std::thread::id> runners;
  std::atomic<int> ran{0};
  proa::post(pool, [&] {
    for (int i = 0; i < handlers; ++i)
      proa::post(pool, [&] {
        {
          std::lock_guard lock(mutex);
          runners.insert(std::this_thread::get_id());
        }
        std::this_thread::sleep_for(20us);  // long enough for a thief to get going
        ran.fetch_add(1);
      });
  });
  const bool all_ran = wait_until([&] { return ran.load() == handlers; });
  EXPECT_TRUE(all_ran) << ran.load() << " of " << handlers << " handlers ran";
  if (!all_ran) pool.stop();
  pool.join();
  std::lock_guard lock(mutex);
  EXPECT_GE(runners.size(), 2u) << "no other worker took any of the queued handlers";
}

// ---- running_in_this_thread and nesting -----------------------------------------------------

TEST(Scheduler, RunningInThisThreadOnlyInsideAHandler) {
  proa::io_context ctx, other;
  auto ex = ctx.get_executor();
  EXPECT_FALSE(ex.running_in_this_thread());
  EXPECT_FALSE(scheduler_of(ctx).running_in_this_thread());

  bool inside = false, scheduler_inside = false, other_inside = true;
  bool on_foreign_thread = true;
  proa::post(ctx, [&] {
    inside = ex.running_in_this_thread();
    scheduler_inside = scheduler_of(ctx).running_in_this_thread();
    other_inside = other.get_executor().running_in_this_thread();
    std::thread([&] { on_foreign_thread = ex.running_in_this_thread(); }).join();
  });
  EXPECT_EQ(run_on_threads(ctx, 1), 1u);
  EXPECT_TRUE(inside);
  EXPECT_TRUE(scheduler_inside);
  EXPECT_FALSE(other_inside);
  EXPECT_FALSE(on_foreign_thread);
  EXPECT_FALSE(ex.running_in_this_thread());
}

TEST(Scheduler, NestedRunOfAnotherContextInsideAHandler) {
  proa::io_context outer, inner;
  std::vector<std::string> events;
  bool inner_sees_outer = false, inner_sees_inner = false;
  bool outer_after_inner = false, inner_after_inner = true;
  bool from_inner_on_outer = false, from_inner_not_on_inner = false;
  std::size_t inner_handlers = 0;

  proa::post(outer, [&] {
    events.push_back("outer");
    proa::post(inner, [&] {
      events.push_back("inner 1");
      inner_sees_outer = outer.get_executor().running_in_this_thread();
      inner_sees_inner = inner.get_executor().running_in_this_thread();
      proa::post(outer, [&] {
        events.push_back("posted to outer from inner");
        from_inner_on_outer = outer.get_executor().running_in_this_thread();
        from_inner_not_on_inner = !inner.get_executor().running_in_this_thread();
      });
      proa::post(inner, [&] { events.push_back("inner 2"); });
    });
    inner_handlers = inner.run();
    events.push_back("outer after inner.run");
    outer_after_inner = outer.get_executor().running_in_this_thread();
    inner_after_inner = inner.get_executor().running_in_this_thread();
  });

  EXPECT_EQ(run_on_threads(outer, 1), 2u);
  EXPECT_EQ(inner_handlers, 2u);
  EXPECT_EQ(events, (std::vector<std::string>{"outer", "inner 1", "inner 2",
                                              "outer after inner.run",
                                              "posted to outer from inner"}));
  EXPECT_TRUE(inner_sees_outer);
  EXPECT_TRUE(inner_sees_inner);
  EXPECT_TRUE(outer_after_inner);
  EXPECT_FALSE(inner_after_inner);
  EXPECT_TRUE(from_inner_on_outer);
  EXPECT_TRUE(from_inner_not_on_inner);
}

// ---- run() ends when the work does ------------------------------------------------------------

constexpr int chain_length = 10'000;

// Each link posts the next until chain_length links have run.
struct chain_link {
  proa::io_context* ctx;
  std::atomic<int>* links_run;
  void operator()() const {
    if (links_run->fetch_add(1, std::memory_order_relaxed) + 1 < chain_length)
      proa::post(*ctx, *this);
  }
};

void check_chain_ends(int threads) {
  proa::io_context ctx;
  std::atomic<int> links_run{0};
  proa::post(ctx, chain_link{&ctx, &links_run});
  const std::size_t handlers = run_on_threads(ctx, threads);
  EXPECT_EQ(links_run.load(), chain_length);
  EXPECT_EQ(handlers, std::size_t(chain_length));
  EXPECT_TRUE(ctx.stopped());
}

TEST(Scheduler, RunReturnsWhenAHandlerChainEndsOnOneThread) { check_chain_ends(1); }
TEST(Scheduler, RunReturnsWhenAHandlerChainEndsOnFourThreads) { check_chain_ends(4); }

// Each handler above the leaves posts two children, so idle workers have something to steal.
struct tree_node {
  proa::io_context* ctx;
  std::atomic<int>* nodes_run;
  int depth;
  void operator()() const {
    nodes_run->fetch_add(1, std::memory_order_relaxed);
    if (depth > 0) {
      proa::post(*ctx, tree_node{ctx, nodes_run, depth - 1});
      proa::post(*ctx, tree_node{ctx, nodes_run, depth - 1});
    }
  }
};

TEST(Scheduler, RunReturnsWhenAFanOutOfHandlersEndsOnFourThreads) {
  const int depth = under_sanitizer ? 11 : 14;
  const int expected = (1 << (depth + 1)) - 1;
  for (int repeat = 0; repeat < 3; ++repeat) {
    proa::io_context ctx;
    std::atomic<int> nodes_run{0};
    proa::post(ctx, tree_node{&ctx, &nodes_run, depth});
    const std::size_t handlers = run_on_threads(ctx, 4);
    EXPECT_EQ(nodes_run.load(), expected) << "repeat " << repeat;
    EXPECT_EQ(handlers, std::size_t(expected)) << "repeat " << repeat;
  }
}

}  // namespace
