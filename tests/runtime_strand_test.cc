// strand<Executor>: handlers of one strand never overlap, each producer's handlers keep their
// order, dispatch from inside the strand runs inline, running_in_this_thread() tells the truth.
#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime_under_test.hpp"

namespace {

constexpr int kStrands = 3;
constexpr int kProducers = 4;
constexpr int kPerStrand = runtime_test::scaled(100'000, 10'000);
static_assert(kPerStrand % kProducers == 0);
constexpr int kPerProducerPerStrand = kPerStrand / kProducers;

// Everything one strand's handlers observe. The plain fields are touched only from inside the
// strand, so they double as a data-race probe for ThreadSanitizer.
template <typename Strand>
struct strand_probe {
  explicit strand_probe(Strand s) : strand(std::move(s)), last_sequence(kProducers, -1) {}

  void on_handler(int producer, int sequence) {
    const int concurrent = inside.fetch_add(1, std::memory_order_acq_rel) + 1;
    if (concurrent > 1) overlaps.fetch_add(1, std::memory_order_relaxed);
    if (!strand.running_in_this_thread()) ++not_in_strand;
    if (sequence <= last_sequence[producer]) ++order_violations;
    last_sequence[producer] = sequence;
    ++handled;
    inside.fetch_sub(1, std::memory_order_acq_rel);
  }

  Strand strand;
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::vector<int> last_sequence;
  int order_violations = 0;
  int not_in_strand = 0;
  int handled = 0;
};

// Producer p submits its handlers through a different operation each, so post, dispatch,
// defer and an executor bound with bind_executor all get the same ordering check.
template <typename Strand>
void submit(strand_probe<Strand>& probe, int producer, int sequence) {
  auto handler = [&probe, producer, sequence] { probe.on_handler(producer, sequence); };
  switch (producer % 4) {
    case 0: rt::post(probe.strand, handler); break;
    case 1: rt::dispatch(probe.strand, handler); break;
    case 2: rt::defer(probe.strand, handler); break;
    default: rt::post(rt::bind_executor(probe.strand, handler)); break;
  }
}

template <typename Strand>
void produce(std::vector<std::unique_ptr<strand_probe<Strand>>>& probes) {
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&probes, p] {
      for (int i = 0; i < kPerProducerPerStrand; ++i)
        for (auto& probe : probes) submit(*probe, p, i);
    });
  }
  for (auto& producer : producers) producer.join();
}

template <typename Strand>
void expect_serialised_and_ordered(std::vector<std::unique_ptr<strand_probe<Strand>>>& probes) {
  for (std::size_t s = 0; s < probes.size(); ++s) {
    const auto& probe = *probes[s];
    EXPECT_EQ(probe.handled, kPerStrand) << "strand " << s;
    EXPECT_EQ(probe.overlaps.load(), 0) << "strand " << s << " ran handlers concurrently";
    EXPECT_EQ(probe.order_violations, 0) << "strand " << s << " reordered a producer";
    EXPECT_EQ(probe.not_in_strand, 0) << "strand " << s;
  }
}

TEST(RuntimeStrand, IoContextStrandsSerialiseAndKeepProducerOrder) {
  runtime_test::hang_watchdog watchdog("IoContextStrandsSerialiseAndKeepProducerOrder",
                                       runtime_test::hang_limit * 4);
  using strand_type = rt::strand<rt::io_context::executor_type>;
  rt::io_context ctx;
  std::vector<std::unique_ptr<strand_probe<strand_type>>> probes;
  for (int s = 0; s < kStrands; ++s)
    probes.push_back(std::make_unique<strand_probe<strand_type>>(rt::make_strand(ctx)));

  auto guard = rt::make_work_guard(ctx);
  std::vector<std::thread> runners;
  for (int t = 0; t < 4; ++t) runners.emplace_back([&ctx] { ctx.run(); });
  produce(probes);
  guard.reset();
  for (auto& runner : runners) runner.join();
  expect_serialised_and_ordered(probes);
}

TEST(RuntimeStrand, ThreadPoolStrandsSerialiseAndKeepProducerOrder) {
  runtime_test::hang_watchdog watchdog("ThreadPoolStrandsSerialiseAndKeepProducerOrder",
                                       runtime_test::hang_limit * 4);
  using strand_type = rt::strand<rt::thread_pool::executor_type>;
  rt::thread_pool pool(4);
  std::vector<std::unique_ptr<strand_probe<strand_type>>> probes;
  for (int s = 0; s < kStrands; ++s)
    probes.push_back(std::make_unique<strand_probe<strand_type>>(rt::make_strand(pool)));
  produce(probes);
  pool.join();  // waits until the pool has no outstanding work
  expect_serialised_and_ordered(probes);
}

TEST(RuntimeStrand, MakeStrandTypesAndIdentity) {
  rt::io_context ctx;
  auto a = rt::make_strand(ctx);
  auto b = rt::make_strand(ctx.get_executor());
  static_assert(std::is_same_v<decltype(a), rt::strand<rt::io_context::executor_type>>);
  static_assert(std::is_same_v<decltype(b), rt::strand<rt::io_context::executor_type>>);
  auto a_copy = a;
  EXPECT_TRUE(a == a_copy) << "copies share the strand";
  EXPECT_FALSE(a != a_copy);
  EXPECT_TRUE(a != b) << "each make_strand makes a new strand";
  EXPECT_TRUE(a.get_inner_executor() == ctx.get_executor());
  EXPECT_EQ(&a.context(), &ctx);
}

TEST(RuntimeStrand, DispatchInsideTheStrandRunsInlinePostDoesNot) {
  runtime_test::hang_watchdog watchdog("DispatchInsideTheStrandRunsInlinePostDoesNot");
  rt::io_context ctx;
  auto strand = rt::make_strand(ctx);
  auto other_strand = rt::make_strand(ctx);
  std::vector<const char*> events;
  rt::post(strand, [&] {
    events.push_back("outer begin");
    rt::dispatch(strand, [&] { events.push_back("dispatched"); });
    rt::post(strand, [&] { events.push_back("posted"); });
    rt::defer(strand, [&] { events.push_back("deferred"); });
    rt::dispatch(other_strand, [&] { events.push_back("other strand"); });
    events.push_back("outer end");
  });
  ctx.run();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_STREQ(events[0], "outer begin");
  EXPECT_STREQ(events[1], "dispatched") << "dispatch from inside the strand runs inline";
  // Another strand that is idle runs inline too: the io_context executor beneath it may run
  // inline because this thread is inside run().
  EXPECT_STREQ(events[2], "other strand");
  EXPECT_STREQ(events[3], "outer end") << "post and defer queue";
  EXPECT_STREQ(events[4], "posted") << "one strand's post then defer keep their order";
  EXPECT_STREQ(events[5], "deferred");
}

TEST(RuntimeStrand, DispatchFromOutsideTheStrandQueues) {
  runtime_test::hang_watchdog watchdog("DispatchFromOutsideTheStrandQueues");
  rt::io_context ctx;
  auto strand = rt::make_strand(ctx);
  bool ran = false;
  rt::dispatch(strand, [&] { ran = true; });
  EXPECT_FALSE(ran) << "the caller is not running the context";
  bool dispatched_inline = false;
  bool idle_dispatch_ran = false;
  rt::post(ctx, [&] {
    rt::dispatch(strand, [&] { idle_dispatch_ran = true; });
    // Inside run() but outside the strand: an idle strand whose executor may run inline does.
    dispatched_inline = idle_dispatch_ran;
  });
  bool blocked_dispatch_inline = true;
  bool blocked_dispatch_ran = false;  // outlives the handler: the dispatch may run later
  rt::post(ctx, [&] {
    rt::post(strand, [] {});  // the strand now has queued work, so it is not idle
    rt::dispatch(strand, [&] { blocked_dispatch_ran = true; });
    blocked_dispatch_inline = blocked_dispatch_ran;
  });
  ctx.run();
  EXPECT_TRUE(ran);
  EXPECT_TRUE(dispatched_inline);
  EXPECT_FALSE(blocked_dispatch_inline) << "a busy strand queues dispatched work behind it";
  EXPECT_TRUE(blocked_dispatch_ran);
}

TEST(RuntimeStrand, RunningInThisThread) {
  runtime_test::hang_watchdog watchdog("RunningInThisThread");
  rt::io_context ctx;
  auto strand = rt::make_strand(ctx);
  auto other_strand = rt::make_strand(ctx);
  EXPECT_FALSE(strand.running_in_this_thread());
  EXPECT_FALSE(ctx.get_executor().running_in_this_thread());
  int checks = 0;
  rt::post(strand, [&] {
    EXPECT_TRUE(strand.running_in_this_thread());
    EXPECT_FALSE(other_strand.running_in_this_thread());
    EXPECT_TRUE(ctx.get_executor().running_in_this_thread());
    ++checks;
  });
  rt::post(ctx, [&] {
    EXPECT_FALSE(strand.running_in_this_thread());
    EXPECT_TRUE(ctx.get_executor().running_in_this_thread());
    ++checks;
  });
  rt::thread_pool pool(1);
  auto pool_strand = rt::make_strand(pool);
  runtime_test::notification pool_checked;
  rt::post(pool_strand, [&] {
    EXPECT_TRUE(pool_strand.running_in_this_thread());
    EXPECT_TRUE(pool.get_executor().running_in_this_thread());
    EXPECT_FALSE(strand.running_in_this_thread());
    pool_checked.notify();
  });
  ctx.run();
  EXPECT_EQ(checks, 2);
  EXPECT_TRUE(pool_checked.wait_for());
  pool.join();
}

TEST(RuntimeStrand, StrandOverAnyIoExecutorCopiesAndSerialises) {
  rt::io_context context;
  rt::strand<rt::any_io_executor> first(context.get_executor());
  rt::strand<rt::any_io_executor> copy(first);  // same strand, not a new one
  EXPECT_TRUE(copy == first);
  int order = 0;
  std::vector<int> seen;
  for (int i = 0; i < 4; ++i)
    rt::post(i % 2 ? first : copy, [&, i] {
      seen.push_back(i);
      EXPECT_TRUE(first.running_in_this_thread());
      ++order;
    });
  context.run();
  EXPECT_EQ(order, 4);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3}));
}

}  // namespace
