// //bench:runtime: proa's runtime core against standalone Asio in one run, proa/Asio rows in
// pairs, then a table of medians. `--quick` (or PROA_BENCH_QUICK=1) runs one short repetition.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/allocation_counter.hpp"
#include "bench/asio_runtime.hpp"
#include "bench/comparison_reporter.hpp"
#include "bench/proa_runtime.hpp"
#include "bench/workloads.hpp"

namespace {

// The workloads' measure policy on Google Benchmark: runs the iteration once untimed to warm up
// the runtime's caches, then under the benchmark loop; reports items/s and heap allocations per
// item (where they are counted), and fails the run if any iteration processed the wrong number.
class benchmark_measure {
 public:
  explicit benchmark_measure(benchmark::State& state) : state_(state) {}

  template <typename Iteration>
  void operator()(std::size_t expected_per_iteration, Iteration&& iteration) {
    if (iteration() != expected_per_iteration) {
      state_.SkipWithError("warm-up iteration processed the wrong number of items");
      return;
    }
    std::uint64_t items = 0;
    bool all_complete = true;
    const std::uint64_t allocations_before = bench::heap_allocations();
    for (auto _ : state_) {
      const std::size_t processed = iteration();
      all_complete = all_complete && processed == expected_per_iteration;
      items += processed;
    }
    const std::uint64_t allocations = bench::heap_allocations() - allocations_before;
    if (!all_complete) {
      state_.SkipWithError("an iteration processed the wrong number of items");
      return;
    }
    state_.SetItemsProcessed(static_cast<std::int64_t>(items));
    if (bench::heap_allocations_counted() && items != 0) {
      state_.counters["allocs_per_item"] =
          static_cast<double>(allocations) / static_cast<double>(items);
    }
  }

 private:
  benchmark::State& state_;
};

using benchmark_function = void (*)(benchmark::State&);

struct workload {
  const char* name;
  benchmark_function proa;
  benchmark_function asio;
  bool multi_threaded;  // measured in wall-clock time
};

#define WORKLOAD(name, multi_threaded)                       \
  workload{#name,                                            \
           [](benchmark::State& state) {                     \
             benchmark_measure measure(state);               \
             bench::name<bench::proa_runtime>(measure);      \
           },                                                \
           [](benchmark::State& state) {                     \
             benchmark_measure measure(state);               \
             bench::name<bench::asio_runtime>(measure);      \
           },                                                \
           multi_threaded}

const workload workloads[] = {
    WORKLOAD(post_1thread, false),  WORKLOAD(post_batch_then_run, false),
    WORKLOAD(post_2threads, true),  WORKLOAD(post_foreign, true),
    WORKLOAD(strand, false),        WORKLOAD(strand_2threads, true),
    WORKLOAD(timer, false),         WORKLOAD(timer_cancel, false),
};

#undef WORKLOAD

// Seconds each repetition runs for at least; quick mode runs exactly one iteration instead.
constexpr double repetition_min_seconds = 0.3;
constexpr int default_repetitions = 5;

void register_benchmark(const std::string& name, benchmark_function function, bool multi_threaded,
                        bool quick) {
  auto* registered = benchmark::RegisterBenchmark(name.c_str(), function);
  registered->Unit(benchmark::kMicrosecond);
  if (multi_threaded) registered->UseRealTime();
  if (quick) {
    registered->Iterations(1);
  } else {
    registered->MinTime(repetition_min_seconds);
  }
}

bool starts_with(const char* argument, std::string_view prefix) {
  return std::string_view(argument).substr(0, prefix.size()) == prefix;
}

bool quick_from_environment() {
  const char* value = std::getenv("PROA_BENCH_QUICK");
  return value != nullptr && *value != '\0' && std::strcmp(value, "0") != 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = quick_from_environment();
  bool repetitions_given = false;
  std::vector<char*> arguments;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::string_view(argv[i]) == "--quick") {
      quick = true;
      continue;
    }
    repetitions_given = repetitions_given || starts_with(argv[i], "--benchmark_repetitions");
    arguments.push_back(argv[i]);
  }
  // Both flags outlive Initialize, which keeps pointers into argv.
  std::string repetitions_flag =
      "--benchmark_repetitions=" + std::to_string(quick ? 1 : default_repetitions);
  if (!repetitions_given) arguments.push_back(repetitions_flag.data());
  arguments.push_back(nullptr);

  int argument_count = static_cast<int>(arguments.size()) - 1;
  benchmark::Initialize(&argument_count, arguments.data());
  if (benchmark::ReportUnrecognizedArguments(argument_count, arguments.data())) return 1;

  for (const workload& each : workloads) {
    register_benchmark(std::string(each.name) + "/proa", each.proa, each.multi_threaded, quick);
    register_benchmark(std::string(each.name) + "/asio", each.asio, each.multi_threaded, quick);
  }

  // With the default repetitions the console shows the aggregates only; the table still uses
  // every repetition.
  const bool aggregates_only_display = !repetitions_given && !quick;
  std::string title = "proa vs Asio " + std::to_string(ASIO_VERSION / 100000) + "." +
                      std::to_string(ASIO_VERSION / 100 % 1000) + "." +
                      std::to_string(ASIO_VERSION % 100) + ": medians over repetitions";
  bench::comparison_reporter reporter(benchmark::CreateDefaultDisplayReporter(),
                                      aggregates_only_display, std::move(title));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const bool sane = reporter.print_table(std::cout);
  benchmark::Shutdown();
  return sane ? 0 : 1;
}
