// Runtime-core workloads, each written once as a template over a runtime traits struct
// (asio_runtime or proa_runtime) so both runtimes run exactly the same code. How an iteration is
// timed is the caller's: a workload hands its iteration to a Measure (see measure_policy below).
#pragma once

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

// What every workload needs from the code that times it: `measure(expected, iteration)` sets the
// workload up once, then calls `iteration()` (which returns the number of items it processed) as
// often as the Measure likes, and fails the run if it ever processed other than `expected`.
// bench/runtime_bench.cpp adapts Google Benchmark to it, bench/compare.cpp its own timer.
template <typename Measure>
concept measure_policy = requires(Measure& measure, std::size_t (*iteration)()) {
  measure(std::size_t{}, iteration);
};

// Posts `batches` batches to `executor` from inside its own handlers, one batch at a time: the
// last handler of each batch posts the next. Handlers on one thread (or one strand) only, so
// the counters are plain.
template <typename Runtime, typename Executor>
class batch_poster {
 public:
  explicit batch_poster(Executor executor, std::size_t handlers_per_batch = batch_size)
      : executor_(std::move(executor)), handlers_per_batch_(handlers_per_batch) {}

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
    for (std::size_t i = 0; i + 1 < handlers_per_batch_; ++i) {
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
  std::size_t handlers_per_batch_;
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
template <typename Runtime, measure_policy Measure>
void post_1thread(Measure& measure) {
  typename Runtime::io_context context;
  batch_poster<Runtime, typename Runtime::io_context::executor_type> poster(
      context.get_executor());
  measure(handlers_per_iteration, [&] {
    poster.start(batches_per_iteration);
    context.run();
    context.restart();
    return poster.handlers_run();
  });
}

// 1b. Everything posted from outside run(), then drained by one run().
template <typename Runtime, measure_policy Measure>
void post_batch_then_run(Measure& measure) {
  typename Runtime::io_context context;
  std::size_t handlers_run = 0;
  measure(outside_posts_per_iteration, [&] {
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
template <typename Runtime, measure_policy Measure>
void post_2threads(Measure& measure) {
  using executor = typename Runtime::io_context::executor_type;
  typename Runtime::io_context context;
  std::deque<concurrent_batch_poster<Runtime, executor>> posters;
  posters.emplace_back(context.get_executor());
  posters.emplace_back(context.get_executor());
  completion_latch finished;
  run_threads<Runtime> threads(context, 2);
  // Each seed posts half the iteration's batches.
  measure(handlers_per_iteration, [&] {
    finished.reset(2);
    for (auto& poster : posters) poster.start(batches_per_iteration / 2, finished);
    finished.wait();
    return posters[0].handlers_run() + posters[1].handlers_run();
  });
}

// 3. One thread in run(); the benchmark thread posts every handler from outside.
template <typename Runtime, measure_policy Measure>
void post_foreign(Measure& measure) {
  typename Runtime::io_context context;
  completion_latch finished;
  // Touched only by the run() thread until `finished` releases it to the benchmark thread.
  std::size_t handlers_run = 0;
  run_threads<Runtime> threads(context, 1);
  measure(handlers_per_iteration, [&] {
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
template <typename Runtime, measure_policy Measure>
void strand(Measure& measure) {
  typename Runtime::io_context context;
  using strand_type = decltype(Runtime::make_strand(context));
  batch_poster<Runtime, strand_type> poster(Runtime::make_strand(context));
  measure(handlers_per_iteration, [&] {
    poster.start(batches_per_iteration);
    context.run();
    context.restart();
    return poster.handlers_run();
  });
}

// 4b. Four strands fed like (4), two threads in run().
template <typename Runtime, measure_policy Measure>
void strand_2threads(Measure& measure) {
  constexpr int strand_count = 4;
  typename Runtime::io_context context;
  using strand_type = decltype(Runtime::make_strand(context));
  std::deque<batch_poster<Runtime, strand_type>> posters;
  for (int i = 0; i < strand_count; ++i) posters.emplace_back(Runtime::make_strand(context));
  completion_latch finished;
  run_threads<Runtime> threads(context, 2);
  measure(handlers_per_iteration, [&] {
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

template <typename Runtime, measure_policy Measure>
void run_timer_rounds(Measure& measure, typename timer_rounds<Runtime>::mode how) {
  typename Runtime::io_context context;
  timer_rounds<Runtime> rounds(context, how);
  measure(timers_per_round * timer_rounds_per_iteration, [&] {
    rounds.start(timer_rounds_per_iteration);
    context.run();
    context.restart();
    return rounds.completed_as_expected();
  });
}

// 6. Arm already-due timers and let them fire.
template <typename Runtime, measure_policy Measure>
void timer(Measure& measure) {
  run_timer_rounds<Runtime>(measure, timer_rounds<Runtime>::mode::fire);
}

// 6b. Arm timers an hour ahead and cancel them.
template <typename Runtime, measure_policy Measure>
void timer_cancel(Measure& measure) {
  run_timer_rounds<Runtime>(measure, timer_rounds<Runtime>::mode::cancel);
}


// 1c. dispatch() from inside a handler running on the context: both runtimes run the function
// inline, so this measures the "inside run() on this context?" check and the call.
template <typename Runtime, measure_policy Measure>
void dispatch_in_handler(Measure& measure) {
  typename Runtime::io_context context;
  auto executor = context.get_executor();
  std::size_t handlers_run = 0;
  measure(handlers_per_iteration, [&] {
    handlers_run = 0;
    for (std::size_t batch = 0; batch < batches_per_iteration; ++batch) {
      Runtime::post(context, [&] {
        for (std::size_t i = 0; i < batch_size; ++i) {
          Runtime::dispatch(executor, [&handlers_run] { ++handlers_run; });
        }
      });
    }
    context.run();
    context.restart();
    return handlers_run;
  });
}

// 1d. Like post_2threads, on each runtime's thread_pool with two threads.
template <typename Runtime, measure_policy Measure>
void thread_pool_post(Measure& measure) {
  typename Runtime::thread_pool pool(2);
  using executor = decltype(pool.get_executor());
  // Declared after the pool: destroyed before it joins, when no handler touches them any more.
  std::deque<concurrent_batch_poster<Runtime, executor>> posters;
  posters.emplace_back(pool.get_executor());
  posters.emplace_back(pool.get_executor());
  completion_latch finished;
  measure(handlers_per_iteration, [&] {
    finished.reset(2);
    for (auto& poster : posters) poster.start(batches_per_iteration / 2, finished);
    finished.wait();
    return posters[0].handlers_run() + posters[1].handlers_run();
  });
}

// 2b. Many strands over one context run by two threads: 256 strands, each running one batch of
// 64 handlers per iteration, so the threads keep switching between strands.
template <typename Runtime, measure_policy Measure>
void many_strands(Measure& measure) {
  constexpr std::size_t strand_count = 256;
  constexpr std::size_t handlers_per_strand = handlers_per_iteration / strand_count;
  typename Runtime::io_context context;
  using strand_type = decltype(Runtime::make_strand(context));
  std::deque<batch_poster<Runtime, strand_type>> posters;
  for (std::size_t i = 0; i < strand_count; ++i) {
    posters.emplace_back(Runtime::make_strand(context), handlers_per_strand);
  }
  completion_latch finished;
  run_threads<Runtime> threads(context, 2);
  measure(handlers_per_iteration, [&] {
    finished.reset(static_cast<int>(strand_count));
    for (auto& poster : posters) poster.start(1, &finished);
    finished.wait();
    std::size_t handlers_run = 0;
    for (const auto& poster : posters) handlers_run += poster.handlers_run();
    return handlers_run;
  });
}

// Posts batches of handlers into one strand from a plain handler of the context that re-posts
// itself (to the context, not the strand) until its batches are done. Two feeders on a context
// run by two threads keep both threads pushing into the strand while it runs.
template <typename Runtime, typename Context, typename Strand>
class strand_feeder {
 public:
  strand_feeder(Context& context, Strand& strand, std::size_t& strand_handlers_run,
                std::size_t strand_handlers_expected, completion_latch& finished)
      : context_(context),
        strand_(strand),
        strand_handlers_run_(strand_handlers_run),
        strand_handlers_expected_(strand_handlers_expected),
        finished_(finished) {}

  void start(std::size_t batches) {
    batches_left_ = batches;
    Runtime::post(context_, [this] { feed(); });
  }

 private:
  void feed() {
    // Decided before posting: once the last batch is posted, the iteration may finish and the
    // benchmark thread start() the next one before this call returns.
    const bool more = --batches_left_ != 0;
    for (std::size_t i = 0; i < batch_size; ++i) {
      // Runs on the strand: the shared counter needs no atomics.
      Runtime::post(strand_, [this] {
        if (++strand_handlers_run_ == strand_handlers_expected_) finished_.arrive();
      });
    }
    if (more) Runtime::post(context_, [this] { feed(); });
  }

  Context& context_;
  Strand& strand_;
  std::size_t& strand_handlers_run_;
  std::size_t strand_handlers_expected_;
  completion_latch& finished_;
  std::size_t batches_left_ = 0;
};

// 2c. One hot strand, two threads in run(): both threads post into the same strand while it
// runs its handlers.
template <typename Runtime, measure_policy Measure>
void hot_strand(Measure& measure) {
  using context_type = typename Runtime::io_context;
  context_type context;
  auto strand = Runtime::make_strand(context);
  using feeder = strand_feeder<Runtime, context_type, decltype(strand)>;
  std::size_t strand_handlers_run = 0;
  completion_latch finished;
  std::deque<feeder> feeders;
  for (int i = 0; i < 2; ++i) {
    feeders.emplace_back(context, strand, strand_handlers_run, handlers_per_iteration, finished);
  }
  run_threads<Runtime> threads(context, 2);
  measure(handlers_per_iteration, [&] {
    // The previous iteration's last strand handler arrived before wait() returned.
    strand_handlers_run = 0;
    finished.reset(1);
    for (auto& each : feeders) each.start(batches_per_iteration / 2);
    finished.wait();
    return strand_handlers_run;
  });
}

// 3b. Arms `count` timers at once, from one handler, with distinct already-past expiry times in
// scrambled order (so the timer queue really has to order them), then lets them all fire.
template <typename Runtime, measure_policy Measure>
void timer_bulk(Measure& measure, std::size_t count) {
  typename Runtime::io_context context;
  std::deque<typename Runtime::steady_timer> timers;
  std::vector<std::chrono::nanoseconds> ages(count);
  std::uint64_t state = 0x9e3779b97f4a7c15u;
  for (auto& age : ages) {
    // xorshift64: a fixed pseudo-random sequence, the same for both runtimes.
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    age = std::chrono::nanoseconds(state % 1'000'000'000u);
  }
  for (std::size_t i = 0; i < count; ++i) timers.emplace_back(context);
  std::size_t fired = 0;
  measure(count, [&] {
    fired = 0;
    Runtime::post(context, [&] {
      const auto now = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < count; ++i) {
        timers[i].expires_at(now - ages[i]);
        timers[i].async_wait([&fired](const std::error_code& error) {
          if (!error) ++fired;
        });
      }
    });
    context.run();
    context.restart();
    return fired;
  });
}

}  // namespace bench
