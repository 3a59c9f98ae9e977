// Unit tests of proa's coroutine machinery: nested awaitables, exception propagation, frame
// recycling (no heap allocation per co_await in steady state), constant stack depth over long
// and deep chains, abandoned threads, and cross-thread resumption races on a pool.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/any_io_executor.hpp"
#include "runtime/async_result.hpp"
#include "runtime/awaitable.hpp"
#include "runtime/basic_waitable_timer.hpp"
#include "runtime/co_spawn.hpp"
#include "runtime/detached.hpp"
#include "runtime/detail/recycling_allocator.hpp"
#include "runtime/dispatch.hpp"
#include "runtime/io_context.hpp"
#include "runtime/post.hpp"
#include "runtime/strand.hpp"
#include "runtime/this_coro.hpp"
#include "runtime/thread_pool.hpp"
#include "runtime/use_awaitable.hpp"

// Counts every operator new in this binary, so a test can assert that a steady-state loop
// allocates nothing.
namespace {
constinit std::atomic<std::uint64_t> heap_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  heap_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
// Out of line, or GCC's -Wmismatched-new-delete pairs the inlined free() with `new`.
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif

using proa::awaitable;
using proa::co_spawn;
using proa::use_awaitable;

// What a co_spawn handler received.
template <typename T>
struct outcome {
  bool delivered = false;
  std::exception_ptr error;
  T value{};
};

awaitable<int> leaf(int x) { co_return x * 2; }

awaitable<int> middle(int x) {
  int a = co_await leaf(x);
  int b = co_await leaf(a);
  co_return a + b;
}

awaitable<int> top(int x) {
  int sum = 0;
  for (int i = 0; i < x; ++i) sum += co_await middle(i);
  co_return sum;
}

TEST(Awaitable, NestedAwaitablesReturnValues) {
  proa::io_context io;
  outcome<int> result;
  co_spawn(io, top(10), [&](std::exception_ptr e, int v) {
    result.delivered = true;
    result.error = e;
    result.value = v;
  });
  io.run();
  ASSERT_TRUE(result.delivered);
  EXPECT_FALSE(result.error);
  // middle(i) = 2i + 4i = 6i; sum over 0..9 = 6 * 45.
  EXPECT_EQ(result.value, 270);
}

awaitable<int> thrower(int depth) {
  if (depth == 0) throw std::runtime_error("from the bottom");
  co_return co_await thrower(depth - 1) + 1;
}

TEST(Awaitable, ExceptionPropagatesThroughNestedAwaitsToTheHandler) {
  proa::io_context io;
  outcome<int> result;
  co_spawn(io, thrower(5), [&](std::exception_ptr e, int v) {
    result.delivered = true;
    result.error = e;
    result.value = v;
  });
  io.run();
  ASSERT_TRUE(result.delivered);
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.value, 0);  // a default-constructed T accompanies the exception
  try {
    std::rethrow_exception(result.error);
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "from the bottom");
  }
}

awaitable<std::string> catcher() {
  try {
    co_await thrower(3);
  } catch (const std::runtime_error& e) {
    co_return std::string("caught: ") + e.what();
  }
  co_return "not thrown";
}

TEST(Awaitable, CallerCatchesCalleeException) {
  proa::io_context io;
  std::string text;
  co_spawn(io, catcher(), [&](std::exception_ptr e, std::string s) {
    EXPECT_FALSE(e);
    text = std::move(s);
  });
  io.run();
  EXPECT_EQ(text, "caught: from the bottom");
}

TEST(Awaitable, VoidCoroutineReportsExceptionPtrOnly) {
  proa::io_context io;
  int calls = 0;
  std::exception_ptr error;
  co_spawn(
      io,
      []() -> awaitable<void> {
        co_await proa::post(use_awaitable);
        throw std::logic_error("void fails");
      },
      [&](std::exception_ptr e) {
        ++calls;
        error = e;
      });
  io.run();
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(error);
  EXPECT_THROW(std::rethrow_exception(error), std::logic_error);
}

TEST(Awaitable, ErrorCodeBecomesSystemError) {
  proa::io_context io;
  std::error_code caught;
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto ex = co_await proa::this_coro::executor;
        proa::steady_timer timer(ex, std::chrono::hours(1));
        proa::post(ex, [&timer] { timer.cancel(); });
        try {
          co_await timer.async_wait(use_awaitable);
        } catch (const std::system_error& e) {
          caught = e.code();
        }
      },
      proa::detached);
  io.run();
  EXPECT_EQ(caught, std::error_code(proa::error::operation_aborted));
}

TEST(Awaitable, ThisCoroExecutorIsTheSpawnExecutor) {
  proa::io_context io;
  bool same = false;
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        proa::any_io_executor ex = co_await proa::this_coro::executor;
        same = (ex == proa::any_io_executor(io.get_executor()));
      },
      proa::detached);
  io.run();
  EXPECT_TRUE(same);
}

TEST(Awaitable, LambdaCapturesStayAliveWhileTheCoroutineRuns) {
  proa::io_context io;
  int result = 0;
  auto shared = std::make_shared<int>(41);
  co_spawn(
      io,
      [shared]() -> awaitable<int> {
        co_await proa::post(use_awaitable);
        co_await proa::post(use_awaitable);
        co_return *shared + 1;
      },
      [&](std::exception_ptr, int v) { result = v; });
  shared.reset();  // the spawned function's copy is now the only owner
  io.run();
  EXPECT_EQ(result, 42);
}

awaitable<int> spawn_child_and_wait() {
  auto ex = co_await proa::this_coro::executor;
  int v = co_await co_spawn(ex, middle(5), use_awaitable);
  co_return v;
}

TEST(Awaitable, CoSpawnWithUseAwaitableJoinsAChildThread) {
  proa::io_context io;
  int result = 0;
  co_spawn(io, spawn_child_and_wait(), [&](std::exception_ptr e, int v) {
    EXPECT_FALSE(e);
    result = v;
  });
  io.run();
  EXPECT_EQ(result, 30);
}

awaitable<void> child_that_throws() {
  co_await proa::post(use_awaitable);
  throw std::runtime_error("child");
}

TEST(Awaitable, ChildThreadExceptionIsRethrownInTheJoiningCoroutine) {
  proa::io_context io;
  std::string what;
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        try {
          co_await co_spawn(co_await proa::this_coro::executor, child_that_throws(),
                            use_awaitable);
        } catch (const std::runtime_error& e) {
          what = e.what();
        }
      },
      proa::detached);
  io.run();
  EXPECT_EQ(what, "child");
}

// ---- stack depth ----

// The frame address of a function called from the coroutine body: equal at the start and end
// of a loop means the loop did not nest resumptions on the stack.
[[gnu::noinline]] std::uintptr_t stack_position() {
  return reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
}

std::uintptr_t distance(std::uintptr_t a, std::uintptr_t b) { return a > b ? a - b : b - a; }

constexpr int million = 1'000'000;

TEST(Awaitable, MillionSynchronouslyCompletingOperationsRunInConstantStack) {
  proa::io_context io;
  int completed = 0;
  std::uintptr_t first = 0, last = 0;
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto ex = co_await proa::this_coro::executor;
        first = stack_position();
        for (int i = 0; i < million; ++i) {
          // dispatch runs the completion inside the initiating call.
          co_await proa::dispatch(ex, use_awaitable);
          ++completed;
        }
        last = stack_position();
      },
      proa::detached);
  io.run();
  EXPECT_EQ(completed, million);
  EXPECT_LT(distance(first, last), 4096u);
}

awaitable<int> returns_at_once(int i) { co_return i & 1; }

TEST(Awaitable, MillionNestedAwaitsRunInConstantStack) {
  proa::io_context io;
  long sum = 0;
  std::uintptr_t first = 0, last = 0;
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        first = stack_position();
        for (int i = 0; i < million; ++i) sum += co_await returns_at_once(i);
        last = stack_position();
      },
      proa::detached);
  io.run();
  EXPECT_EQ(sum, million / 2);
  EXPECT_LT(distance(first, last), 4096u);
}

std::uintptr_t deepest_position = 0;

awaitable<int> recurse(int depth) {
  if (depth == 0) {
    deepest_position = stack_position();
    co_return 0;
  }
  co_return 1 + co_await recurse(depth - 1);
}

TEST(Awaitable, DeepChainOfAwaitsRunsInConstantStack) {
  constexpr int depth = 100'000;
  proa::io_context io;
  int result = -1;
  std::uintptr_t top_position = 0;
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        top_position = stack_position();
        result = co_await recurse(depth);
      },
      proa::detached);
  io.run();
  EXPECT_EQ(result, depth);
  // Resumed by the pump, the innermost frame runs at the same depth as the outermost.
  EXPECT_LT(distance(top_position, deepest_position), 4096u);
}

// ---- allocation ----

TEST(Awaitable, SteadyStateAwaitsDoNotAllocate) {
  proa::io_context io;
  std::uint64_t during = ~std::uint64_t{0};
  std::size_t recycler_during = ~std::size_t{0};
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto ex = co_await proa::this_coro::executor;
        proa::steady_timer timer(ex);
        auto round = [&]() -> awaitable<void> {
          co_await proa::post(ex, use_awaitable);
          co_await proa::dispatch(ex, use_awaitable);
          co_await middle(3);
          timer.expires_after(std::chrono::seconds(0));
          co_await timer.async_wait(use_awaitable);
        };
        for (int i = 0; i < 100; ++i) co_await round();  // warm the recycler's caches
        const std::uint64_t before = heap_allocations.load();
        const std::size_t recycler_before =
            proa::detail::recycling_heap_allocations_on_this_thread();
        for (int i = 0; i < 1000; ++i) co_await round();
        during = heap_allocations.load() - before;
        recycler_during =
            proa::detail::recycling_heap_allocations_on_this_thread() - recycler_before;
      },
      proa::detached);
  io.run();
  EXPECT_EQ(during, 0u);
  EXPECT_EQ(recycler_during, 0u);
}

TEST(Awaitable, SpawningInSteadyStateDoesNotAllocate) {
  proa::io_context io;
  int finished = 0;
  auto spawn_batch = [&] {
    for (int i = 0; i < 100; ++i)
      co_spawn(io, middle(i), [&](std::exception_ptr, int) { ++finished; });
    io.restart();
    io.run();
  };
  spawn_batch();  // warm the recycler's caches
  const std::uint64_t before = heap_allocations.load();
  for (int round = 0; round < 10; ++round) spawn_batch();
  // Frames, thread state and queued completions all come from the recycler.
  EXPECT_EQ(heap_allocations.load() - before, 0u);
  EXPECT_EQ(finished, 1100);
}

// ---- abandonment ----

struct destruction_counter {
  int* count;
  ~destruction_counter() { ++*count; }
};

TEST(Awaitable, DestroyingTheContextDestroysSuspendedFramesWithoutCallingTheHandler) {
  int destroyed = 0;
  int handler_calls = 0;
  {
    proa::io_context io;
    co_spawn(
        io,
        [&]() -> awaitable<void> {
          destruction_counter outer{&destroyed};
          co_await [&]() -> awaitable<void> {
            destruction_counter inner{&destroyed};
            proa::steady_timer timer(co_await proa::this_coro::executor, std::chrono::hours(1));
            co_await timer.async_wait(use_awaitable);
          }();
        },
        [&](std::exception_ptr) { ++handler_calls; });
    io.run_for(std::chrono::milliseconds(20));
    EXPECT_EQ(destroyed, 0);
  }
  EXPECT_EQ(destroyed, 2);
  EXPECT_EQ(handler_calls, 0);
}

TEST(Awaitable, UnstartedCoroutineIsDestroyedWithItsContext) {
  int destroyed = 0;
  int handler_calls = 0;
  {
    proa::io_context io;
    co_spawn(
        io,
        [&, counter = std::make_shared<destruction_counter>(&destroyed)]() -> awaitable<void> {
          co_return;
        },
        [&](std::exception_ptr) { ++handler_calls; });
  }
  EXPECT_EQ(destroyed, 1);
  EXPECT_EQ(handler_calls, 0);
}

// An operation whose initiating function throws: the exception surfaces at the co_await.
template <typename Token>
auto async_failing_to_start(Token&& token) {
  return proa::async_initiate<Token, void(std::error_code)>(
      [](auto&&) { throw std::runtime_error("initiation failed"); }, token);
}

// An operation that drops its handler without calling it: the coroutine can never go on.
template <typename Token>
auto async_dropping_its_handler(Token&& token) {
  return proa::async_initiate<Token, void()>(
      [](auto&& handler) { auto dropped = std::move(handler); }, token);
}

// An operation completing later (through a post) with the given arguments.
template <typename Signature, typename Token, typename... Values>
auto async_complete_with(const proa::any_io_executor& ex, Token&& token, Values... values) {
  return proa::async_initiate<Token, Signature>(
      [ex](auto&& handler, auto... args) {
        proa::post(ex, [handler = std::move(handler), args...]() mutable {
          std::move(handler)(args...);
        });
      },
      token, values...);
}

TEST(Awaitable, CompletionArgumentsMapToTheAwaitedValue) {
  proa::io_context io;
  std::vector<std::string> log;
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto ex = co_await proa::this_coro::executor;
        int plain = co_await async_complete_with<void(int)>(ex, use_awaitable, 7);
        std::tuple<int, std::string> both = co_await async_complete_with<void(int, std::string)>(
            ex, use_awaitable, 8, std::string("eight"));
        std::tuple<int, std::string> after_error =
            co_await async_complete_with<void(std::error_code, int, std::string)>(
                ex, use_awaitable, std::error_code(), 9, std::string("nine"));
        log.push_back(std::to_string(plain) + " " + std::to_string(std::get<0>(both)) +
                      std::get<1>(both) + " " + std::to_string(std::get<0>(after_error)) +
                      std::get<1>(after_error));
        try {
          co_await async_complete_with<void(std::exception_ptr, int)>(
              ex, use_awaitable, std::make_exception_ptr(std::out_of_range("ptr")), 1);
        } catch (const std::out_of_range& e) {
          log.push_back(e.what());
        }
        try {
          co_await async_complete_with<void(std::error_code, int)>(
              ex, use_awaitable, std::make_error_code(std::errc::timed_out), 1);
        } catch (const std::system_error& e) {
          log.push_back(e.code() == std::errc::timed_out ? "timed out" : "other");
        }
      },
      proa::detached);
  io.run();
  EXPECT_EQ(log, (std::vector<std::string>{"7 8eight 9nine", "ptr", "timed out"}));
}

TEST(Awaitable, ThrowingInitiationThrowsAtTheCoAwait) {
  proa::io_context io;
  std::string what;
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        try {
          co_await async_failing_to_start(use_awaitable);
        } catch (const std::runtime_error& e) {
          what = e.what();
        }
        co_await proa::post(use_awaitable);  // the thread is still usable
        what += " and recovered";
      },
      proa::detached);
  io.run();
  EXPECT_EQ(what, "initiation failed and recovered");
}

TEST(Awaitable, DroppedHandlerDestroysTheThreadWithoutCallingCoSpawnsHandler) {
  proa::io_context io;
  int destroyed = 0;
  int handler_calls = 0;
  bool resumed = false;
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        destruction_counter counter{&destroyed};
        co_await async_dropping_its_handler(use_awaitable);
        resumed = true;
      },
      [&](std::exception_ptr) { ++handler_calls; });
  io.run();  // returns: the thread's work was released with it
  EXPECT_FALSE(resumed);
  EXPECT_EQ(destroyed, 1);
  EXPECT_EQ(handler_calls, 0);
}

// ---- threads ----

TEST(Awaitable, ManyCoroutinesOnAPoolResumeSafelyAcrossThreads) {
  constexpr int coroutines = 64;
  constexpr int rounds = sanitized ? 200 : 2000;
  proa::thread_pool pool(4);
  std::atomic<int> finished{0};
  std::atomic<long> total{0};
  for (int c = 0; c < coroutines; ++c) {
    co_spawn(
        pool,
        [&]() -> awaitable<int> {
          auto ex = co_await proa::this_coro::executor;
          int n = 0;
          for (int i = 0; i < rounds; ++i) {
            co_await proa::post(ex, use_awaitable);  // may resume on another worker
            n += co_await leaf(1);
          }
          co_return n;
        },
        [&](std::exception_ptr e, int n) {
          EXPECT_FALSE(e);
          total += n;
          ++finished;
        });
  }
  pool.join();
  EXPECT_EQ(finished.load(), coroutines);
  EXPECT_EQ(total.load(), 2L * rounds * coroutines);
}

TEST(Awaitable, CoroutineOnAStrandStaysOnIt) {
  proa::thread_pool pool(4);
  auto strand = proa::make_strand(pool.get_executor());
  std::atomic<int> outside{0};
  std::atomic<int> finished{0};
  int unsynchronised_counter = 0;  // strand-protected: TSan would flag a data race
  for (int c = 0; c < 8; ++c) {
    co_spawn(
        strand,
        [&]() -> awaitable<void> {
          auto ex = co_await proa::this_coro::executor;
          for (int i = 0; i < 200; ++i) {
            co_await proa::post(pool.get_executor(), use_awaitable);
            if (!strand.running_in_this_thread()) ++outside;
            ++unsynchronised_counter;
            co_await proa::post(ex, use_awaitable);
            if (!strand.running_in_this_thread()) ++outside;
          }
          ++finished;
        },
        proa::detached);
  }
  pool.join();
  EXPECT_EQ(finished.load(), 8);
  EXPECT_EQ(outside.load(), 0);
  EXPECT_EQ(unsynchronised_counter, 8 * 200);
}

}  // namespace
