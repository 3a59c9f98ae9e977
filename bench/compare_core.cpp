// //bench:compare's runtime-core sections: handlers, strands and timers, from the shared
// workloads in workloads.hpp, each repeated and timed on proa and then on Asio.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "bench/allocation_counter.hpp"
#include "bench/asio_runtime.hpp"
#include "bench/compare_session.hpp"
#include "bench/proa_runtime.hpp"
#include "bench/workloads.hpp"

namespace bench {
namespace {

// The workloads' measure policy for compare: one untimed warm-up iteration, then
// `repetitions` windows of at least `seconds` each, every window giving one items/s sample and
// one allocations-per-item sample.
class repeated_measure {
 public:
  repeated_measure(int repetitions, double seconds) : repetitions_(repetitions), seconds_(seconds) {}

  template <typename Iteration>
  void operator()(std::size_t expected_per_iteration, Iteration&& iteration) {
    if (iteration() != expected_per_iteration) {
      error = "the warm-up iteration processed the wrong number of items";
      return;
    }
    for (int repetition = 0; repetition < repetitions_; ++repetition) {
      const std::uint64_t allocations_before = heap_allocations();
      const auto start = std::chrono::steady_clock::now();
      std::uint64_t items = 0;
      double elapsed = 0;
      do {
        const std::size_t processed = iteration();
        if (processed != expected_per_iteration) {
          error = "an iteration processed the wrong number of items";
          return;
        }
        items += processed;
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      } while (elapsed < seconds_);
      const std::uint64_t allocations = heap_allocations() - allocations_before;
      rates.push_back(static_cast<double>(items) / elapsed);
      if (heap_allocations_counted()) {
        allocations_per_item.push_back(static_cast<double>(allocations) /
                                       static_cast<double>(items));
      }
    }
  }

  std::vector<double> rates;
  std::vector<double> allocations_per_item;
  std::string error;

 private:
  int repetitions_;
  double seconds_;
};

using workload_function = std::function<void(repeated_measure&, const compare_options&)>;

struct core_workload {
  const char* label;
  workload_function proa;
  workload_function asio;
};

#define CORE_WORKLOAD(label, name)                                          \
  core_workload {                                                           \
    label, [](repeated_measure& measure, const compare_options&) {          \
      name<proa_runtime>(measure);                                          \
    },                                                                      \
        [](repeated_measure& measure, const compare_options&) {             \
          name<asio_runtime>(measure);                                      \
        }                                                                   \
  }

std::string format_rate(const std::vector<double>& rates) {
  comparison_row median_only;
  median_only.proa = rates;
  const auto median = median_only.proa_median();
  char text[64];
  std::snprintf(text, sizeof text, "%.2f Mops/s", median ? *median / 1e6 : 0.0);
  return text;
}

// Runs each workload on proa, then on Asio; adds a rate row per workload, then an allocation
// row per workload.
void run_core_section(compare_session& session, const char* section,
                      const std::vector<core_workload>& workloads) {
  const compare_options& options = session.options();
  std::vector<comparison_row> allocation_rows;
  for (const core_workload& workload : workloads) {
    comparison_row rate{section, workload.label, "Mops/s", better::higher, {}, {}, true};
    comparison_row allocations{std::string(section) + ": heap allocations", workload.label,
                               "per op", better::lower, {}, {}, false};
    for (const bool on_proa : {true, false}) {
      const char* runtime = on_proa ? "proa" : "asio";
      repeated_measure measure(options.repetitions, options.core_seconds);
      measure.rates.reserve(static_cast<std::size_t>(options.repetitions));
      measure.allocations_per_item.reserve(static_cast<std::size_t>(options.repetitions));
      (on_proa ? workload.proa : workload.asio)(measure, options);
      if (!measure.error.empty()) {
        session.results().fail(std::string(section) + ": " + workload.label + " on " + runtime +
                               ": " + measure.error);
      }
      std::vector<double> millions;
      for (const double rate : measure.rates) millions.push_back(rate / 1e6);
      for (const double rate : measure.rates) {
        if (!(rate > 0)) {
          session.results().fail(std::string(section) + ": " + workload.label + " on " +
                                 runtime + ": rate not positive");
          break;
        }
      }
      (on_proa ? rate.proa : rate.asio) = millions;
      (on_proa ? allocations.proa : allocations.asio) = measure.allocations_per_item;
      session.progress(std::string(section) + " | " + workload.label + " | " + runtime + ": " +
                       format_rate(measure.rates));
    }
    session.results().add(std::move(rate));
    if (heap_allocations_counted()) allocation_rows.push_back(std::move(allocations));
  }
  for (auto& row : allocation_rows) session.results().add(std::move(row));
}

}  // namespace

void run_handler_section(compare_session& session) {
  run_core_section(session, "handlers",
                   {
                       CORE_WORKLOAD("post, 1 thread in run()", post_1thread),
                       CORE_WORKLOAD("post 10,000 from outside, then run()", post_batch_then_run),
                       CORE_WORKLOAD("post, 2 threads in run()", post_2threads),
                       CORE_WORKLOAD("post from a foreign thread", post_foreign),
                       CORE_WORKLOAD("dispatch from inside a handler", dispatch_in_handler),
                       CORE_WORKLOAD("thread_pool(2), post from its handlers", thread_pool_post),
                   });
}

void run_strand_section(compare_session& session) {
  run_core_section(session, "strands",
                   {
                       CORE_WORKLOAD("1 strand, 1 thread", strand),
                       CORE_WORKLOAD("4 strands, 2 threads", strand_2threads),
                       CORE_WORKLOAD("256 strands, 2 threads", many_strands),
                       CORE_WORKLOAD("1 hot strand, 2 threads posting into it", hot_strand),
                   });
}

void run_timer_section(compare_session& session) {
  const std::size_t count = session.options().bulk_timers;
  std::string digits = std::to_string(count);
  for (std::size_t comma = digits.size(); comma > 3; comma -= 3) digits.insert(comma - 3, ",");
  const std::string bulk_label = "schedule + fire " + digits + " timers at once";
  run_core_section(
      session, "timers",
      {
          core_workload{bulk_label.c_str(),
                        [](repeated_measure& measure, const compare_options& options) {
                          timer_bulk<proa_runtime>(measure, options.bulk_timers);
                        },
                        [](repeated_measure& measure, const compare_options& options) {
                          timer_bulk<asio_runtime>(measure, options.bulk_timers);
                        }},
          CORE_WORKLOAD("schedule + fire, rounds of 1,000", timer),
          CORE_WORKLOAD("schedule + cancel, rounds of 1,000", timer_cancel),
      });
}

}  // namespace bench
