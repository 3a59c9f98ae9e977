// Benchmark reporter that passes runs on to the normal display reporter and, at the end,
// prints one proa-vs-Asio table row per workload from the medians of the repetitions.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace bench {

class comparison_reporter : public benchmark::BenchmarkReporter {
 public:
  // `display` is not owned. With `aggregates_only_display`, only aggregates (and failed runs)
  // reach `display`; every repetition is still collected for the table. `title` heads it.
  comparison_reporter(benchmark::BenchmarkReporter* display, bool aggregates_only_display,
                      std::string title);

  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

  // Prints the comparison table. Returns false if a benchmark that ran failed or produced no
  // positive finite rate.
  bool print_table(std::ostream& out) const;

 private:
  // What one benchmark ("workload/runtime") produced over its repetitions.
  struct result {
    std::vector<double> rates;
    std::vector<double> allocations_per_item;
    std::optional<double> median_rate_aggregate;
    std::optional<double> median_allocations_aggregate;
    std::vector<std::string> errors;

    std::optional<double> median_rate() const;
    std::optional<double> median_allocations_per_item() const;
  };

  std::optional<double> median_rate(const std::string& workload, const std::string& runtime) const;
  std::optional<double> median_allocations(const std::string& workload,
                                           const std::string& runtime) const;

  benchmark::BenchmarkReporter* display_;
  bool aggregates_only_display_;
  std::string title_;
  std::vector<std::string> workloads_in_order_;
  std::map<std::string, result> results_;  // keyed by "workload/runtime"
};

}  // namespace bench
