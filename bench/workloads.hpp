// Runtime-core workloads, each written once as a template over a runtime traits struct
// (asio_runtime or proa_runtime) so both runtimes run exactly the same code.
#pragma once

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "bench/allocation_counter.hpp"

namespace bench {

// Handlers posted per batch; the last handler of a batch posts the next one.
inline constexpr std::size_t batch_size = 1024;
// Batches per benchmark iteration: 16 Ki handlers, a few milliseconds of work.
inline constexpr std::size_t batches_per_iteration = 16;
inline constexpr std::size_t handlers_per_iteration = batch_size * batches_per_iteration;
// Handlers posted from outside run() per iteration of post_batch_then_run.
inline constexpr std::size_t outside_posts_per_iteration = 10'000;
// Timers armed per round, and rounds per iteration, of the timer workloads.
inline constexpr std::size_t timers_per_round = 1000;
inline constexpr std::size_t timer_rounds_per_iteration = 8;

// Lets the benchmark thread sleep until handlers running on other threads say they are done.
class completion_latch {
 public:
  void reset(int count) { remaining_.store(count, std::memory_order_relaxed); }

  void arrive() {
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) remaining_.notify_all();
  }

  void wait() {
    for (int seen = remaining_.load(std::memory_order_acquire); seen != 0;
         seen = remaining_.load(std::memory_order_acquire)) {
      remaining_.wait(seen, std::memory_order_acquire);
    }
  }

 private:
  std::atomic<int> remaining_{0};
};

// Threads that sit in io_context::run(), kept busy-able by a work guard until destruction.
template <typename Runtime>
class run_threads {
 public:
  run_threads(typename Runtime::io_context& context, int count)
      : guard_(Runtime::make_work_guard(context)) {
    for (int i = 0; i < count; ++i) threads_.emplace_back([&context] { context.run(); });
  }
  run_threads(const run_threads&) = delete;
  run_threads& operator=(const run_threads&) = delete;
  ~run_threads() {
    guard_.reset();
    for (auto& thread : threads_) thread.join();
  }

 private:
  decltype(Runtime::make_work_guard(std::declval<typename Runtime::io_context&>())) guard_;
  std::vector<std::thread> threads_;
};

// Runs `iteration` (which returns the number of items it processed) once untimed to warm up
// the runtime's caches, then under the benchmark loop; reports items/s and heap allocations
// per item (where they are counted), and fails the run if any iteration did not process `expected_per_iteration` items.
template <typename Iteration>
void measure(benchmark::State& state, std::size_t expected_per_iteration, Iteration&& iteration) {
  if (iteration() != expected_per_iteration) {
    state.SkipWithError("warm-up iteration processed the wrong number of items");
    return;
  }
  std::uint64_t items = 0;
  bool all_complete = true;
  const std::uint64_t allocations_before = heap_allocations();
  for (auto _ : state) {
    const std::size_t processed = iteration();
    all_complete = all_complete && processed == expected_per_iteration;
    items += processed;
  }
  const std::uint64_t allocations = heap_allocations() - allocations_before;
  if (!all_complete) {
    state.SkipWithError("an iteration processed the wrong number of items");
    return;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(items));
  if (heap_allocations_counted() && items != 0) {
    state.counters["allocs_per_item"] =
        static_cast<double>(allocations) / static_cast<double>(items);
  }
}

// Posts `batches` batches to `executor` from inside its own handlers, one batch at a time: the
// last handler of each batch posts the next. Handlers on one thread (or one strand) only, so
// the counters are plain.
template <typename Runtime, typename Executor>
class batch_poster {
 public:
  explicit batch_poster(Executor executor) : executor_(std::move(executor)) {}

  // Posts a seed handler that posts the first batch; `finished` (optional) is told when the
  // last batch has run.
  void start(std::size_t batches, completion_latch* finished = nullptr) {
    handlers_run_ = 0;
    batches_left_ = batches;
    finished_ = finished;
    Runtime::post(executor_, [this] { post_batch(); });
  }

  std::size_t handlers_run() const { return handlers_run_; }

 private:
  void post_batch() {
    for (std::size_t i = 0; i + 1 < batch_size; ++i) {
      Runtime::post(executor_, [this] { ++handlers_run_; });
    }
    Runtime::post(executor_, [this] {
      ++handlers_run_;
      if (--batches_left_ != 0) {
        post_batch();
      } else if (finished_ != nullptr) {
        finished_->arrive();
      }
    });
  }

  Executor executor_;
  std::size_t handlers_run_ = 0;
  std::size_t batches_left_ = 0;
  completion_latch* finished_ = nullptr;
};

// Like batch_poster, for handlers that may run on several threads at once: the handler that
// completes a batch (not the one posted last) posts the next.
template <typename Runtime, typename Executor>
class concurrent_batch_poster {
 public:
  explicit concurrent_batch_poster(Executor executor) : executor_(std::move(executor)) {}

  void start(std::size_t batches, completion_latch& finished) {
    handlers_run_ = 0;
    batches_left_ = batches;
    finished_ = &finished;
    Runtime::post(executor_, [this] { post_batch(); });
  }

  std::size_t handlers_run() const { return handlers_run_; }

 private:
  void post_batch() {
    pending_in_batch_.store(batch_size, std::memory_order_relaxed);
    for (std::size_t i = 0; i < batch_size; ++i) {
      Runtime::post(executor_, [this] { on_handler(); });
    }
  }

  void on_handler() {
    if (pending_in_batch_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    // Only the batch's last handler gets here, after every other one of the batch.
    handlers_run_ += batch_size;
    if (--batches_left_ != 0) {
      post_batch();
    } else {
      finished_->arrive();
    }
  }

  Executor executor_;
  std::size_t handlers_run_ = 0;
  std::size_t batches_left_ = 0;
  completion_latch* finished_ = nullptr;
  // On its own cache line: the posters of different seeds must not share one.
  alignas(64) std::atomic<std::size_t> pending_in_batch_{0};
};

// 1. One thread in run(); handlers post the follow-up batches.
template <typename Runtime>
void post_1thread(benchmark::State& state) {
  typename Runtime::io_context context;
  batch_poster<Runtime, typename Runtime::io_context::executor_type> poster(
      context.get_executor());
  measure(state, handlers_per_iteration, [&] {
    poster.start(batches_per_iteration);
    context.run();
    context.restart();
    return poster.handlers_run();
  });
}

// 1b. Everything posted from outside run(), then drained by one run().
template <typename Runtime>
void post_batch_then_run(benchmark::State& state) {
  typename Runtime::io_context context;
  std::size_t handlers_run = 0;
  measure(state, outside_posts_per_iteration, [&] {
    handlers_run = 0;
    for (std::size_t i = 0; i < outside_posts_per_iteration; ++i) {
      Runtime::post(context, [&handlers_run] { ++handlers_run; });
    }
    context.run();
    context.restart();
    return handlers_run;
  });
}

// 2. Two threads in run() of one context; two seeds each keep posting their own batches.
template <typename Runtime>
void post_2threads(benchmark::State& state) {
  using executor = typename Runtime::io_context::executor_type;
  typename Runtime::io_context context;
  std::deque<concurrent_batch_poster<Runtime, executor>> posters;
  posters.emplace_back(context.get_executor());
  posters.emplace_back(context.get_executor());
  completion_latch finished;
  run_threads<Runtime> threads(context, 2);
  // Each seed posts half the iteration's batches.
  measure(state, handlers_per_iteration, [&] {
    finished.reset(2);
    for (auto& poster : posters) poster.start(batches_per_iteration / 2, finished);
    finished.wait();
    return posters[0].handlers_run() + posters[1].handlers_run();
  });
}

// 3. One thread in run(); the benchmark thread posts every handler from outside.
template <typename Runtime>
void post_foreign(benchmark::State& state) {
  typename Runtime::io_context context;
  completion_latch finished;
  // Touched only by the run() thread until `finished` releases it to the benchmark thread.
  std::size_t handlers_run = 0;
  run_threads<Runtime> threads(context, 1);
  measure(state, handlers_per_iteration, [&] {
    handlers_run = 0;
    finished.reset(1);
    for (std::size_t i = 0; i < handlers_per_iteration; ++i) {
      Runtime::post(context, [&] {
        if (++handlers_run == handlers_per_iteration) finished.arrive();
      });
    }
    finished.wait();
    return handlers_run;
  });
}

// 4. One strand, one thread in run(); strand handlers post the follow-up batches to the strand.
template <typename Runtime>
void strand(benchmark::State& state) {
  typename Runtime::io_context context;
  using strand_type = decltype(Runtime::make_strand(context));
  batch_poster<Runtime, strand_type> poster(Runtime::make_strand(context));
  measure(state, handlers_per_iteration, [&] {
    poster.start(batches_per_iteration);
    context.run();
    context.restart();
    return poster.handlers_run();
  });
}

// 4b. Four strands fed like (4), two threads in run().
template <typename Runtime>
void strand_2threads(benchmark::State& state) {
  constexpr int strand_count = 4;
  typename Runtime::io_context context;
  using strand_type = decltype(Runtime::make_strand(context));
  std::deque<batch_poster<Runtime, strand_type>> posters;
  for (int i = 0; i < strand_count; ++i) posters.emplace_back(Runtime::make_strand(context));
  completion_latch finished;
  run_threads<Runtime> threads(context, 2);
  measure(state, handlers_per_iteration, [&] {
    finished.reset(strand_count);
    for (auto& poster : posters) poster.start(batches_per_iteration / strand_count, &finished);
    finished.wait();
    std::size_t handlers_run = 0;
    for (const auto& poster : posters) handlers_run += poster.handlers_run();
    return handlers_run;
  });
}

// Rounds of `timers_per_round` timers armed from a handler; the last completion of a round
// arms the next. Either every timer expires at once, or every timer is armed an hour ahead
// and cancelled straight away.
template <typename Runtime>
class timer_rounds {
 public:
  enum class mode { fire, cancel };

  timer_rounds(typename Runtime::io_context& context, mode how) : context_(context), mode_(how) {
    for (std::size_t i = 0; i < timers_per_round; ++i) timers_.emplace_back(context);
  }

  void start(std::size_t rounds) {
    rounds_left_ = rounds;
    completed_as_expected_ = 0;
    completed_in_round_ = 0;
    Runtime::post(context_, [this] { arm_round(); });
  }

  std::size_t completed_as_expected() const { return completed_as_expected_; }

 private:
  void arm_round() {
    if (mode_ == mode::fire) {
      const auto now = std::chrono::steady_clock::now();
      for (auto& timer : timers_) {
        timer.expires_at(now);
        timer.async_wait([this](const std::error_code& error) { on_completion(error); });
      }
    } else {
      for (auto& timer : timers_) {
        timer.expires_after(std::chrono::hours(1));
        timer.async_wait([this](const std::error_code& error) { on_completion(error); });
      }
      for (auto& timer : timers_) timer.cancel();
    }
  }

  void on_completion(const std::error_code& error) {
    const bool expected =
        mode_ == mode::fire ? !error : error == Runtime::operation_aborted();
    if (expected) ++completed_as_expected_;
    if (++completed_in_round_ != timers_per_round) return;
    completed_in_round_ = 0;
    if (--rounds_left_ != 0) arm_round();
  }

  typename Runtime::io_context& context_;
  mode mode_;
  std::deque<typename Runtime::steady_timer> timers_;
  std::size_t rounds_left_ = 0;
  std::size_t completed_as_expected_ = 0;
  std::size_t completed_in_round_ = 0;
};

template <typename Runtime>
void run_timer_rounds(benchmark::State& state, typename timer_rounds<Runtime>::mode how) {
  typename Runtime::io_context context;
  timer_rounds<Runtime> rounds(context, how);
  measure(state, timers_per_round * timer_rounds_per_iteration, [&] {
    rounds.start(timer_rounds_per_iteration);
    context.run();
    context.restart();
    return rounds.completed_as_expected();
  });
}

// 6. Arm already-due timers and let them fire.
template <typename Runtime>
void timer(benchmark::State& state) {
  run_timer_rounds<Runtime>(state, timer_rounds<Runtime>::mode::fire);
}

// 6b. Arm timers an hour ahead and cancel them.
template <typename Runtime>
void timer_cancel(benchmark::State& state) {
  run_timer_rounds<Runtime>(state, timer_rounds<Runtime>::mode::cancel);
}

}  // namespace bench
