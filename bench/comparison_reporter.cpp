// Collects per-repetition rates and allocation counts, and prints the proa-vs-Asio table.
#include "bench/comparison_reporter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace bench {
namespace {

constexpr const char* rate_counter = "items_per_second";
constexpr const char* allocations_counter = "allocs_per_item";

std::optional<double> median_of(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

std::optional<double> counter(const benchmark::BenchmarkReporter::Run& run, const char* name) {
  const auto found = run.counters.find(name);
  if (found == run.counters.end()) return std::nullopt;
  return found->second.value;
}

bool usable_rate(std::optional<double> rate) { return rate && std::isfinite(*rate) && *rate > 0; }

std::string format_rate(std::optional<double> rate) {
  if (!rate) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", *rate / 1e6);
  return text;
}

std::string format_plain(std::optional<double> value, const char* format) {
  if (!value) return "-";
  char text[32];
  std::snprintf(text, sizeof text, format, *value);
  return text;
}

}  // namespace

std::optional<double> comparison_reporter::result::median_rate() const {
  if (!rates.empty()) return median_of(rates);
  return median_rate_aggregate;
}

std::optional<double> comparison_reporter::result::median_allocations_per_item() const {
  if (!allocations_per_item.empty()) return median_of(allocations_per_item);
  return median_allocations_aggregate;
}

comparison_reporter::comparison_reporter(benchmark::BenchmarkReporter* display,
                                         bool aggregates_only_display, std::string title)
    : display_(display),
      aggregates_only_display_(aggregates_only_display),
      title_(std::move(title)) {}

bool comparison_reporter::ReportContext(const Context& context) {
  return display_->ReportContext(context);
}

void comparison_reporter::ReportRuns(const std::vector<Run>& runs) {
  std::vector<Run> shown;
  for (const Run& run : runs) {
    const std::string& name = run.run_name.function_name;
    const std::string workload = name.substr(0, name.rfind('/'));
    if (std::find(workloads_in_order_.begin(), workloads_in_order_.end(), workload) ==
        workloads_in_order_.end()) {
      workloads_in_order_.push_back(workload);
    }
    result& collected = results_[name];
    if (run.error_occurred) {
      collected.errors.push_back(run.error_message);
    } else if (run.run_type == Run::RT_Iteration) {
      if (auto rate = counter(run, rate_counter)) collected.rates.push_back(*rate);
      if (auto allocations = counter(run, allocations_counter)) {
        collected.allocations_per_item.push_back(*allocations);
      }
    } else if (run.aggregate_name == "median") {
      collected.median_rate_aggregate = counter(run, rate_counter);
      collected.median_allocations_aggregate = counter(run, allocations_counter);
    }
    if (!aggregates_only_display_ || run.run_type == Run::RT_Aggregate || run.error_occurred) {
      shown.push_back(run);
    }
  }
  if (!shown.empty()) display_->ReportRuns(shown);
}

void comparison_reporter::Finalize() { display_->Finalize(); }

std::optional<double> comparison_reporter::median_rate(const std::string& workload,
                                                       const std::string& runtime) const {
  const auto found = results_.find(workload + "/" + runtime);
  if (found == results_.end()) return std::nullopt;
  return found->second.median_rate();
}

std::optional<double> comparison_reporter::median_allocations(const std::string& workload,
                                                              const std::string& runtime) const {
  const auto found = results_.find(workload + "/" + runtime);
  if (found == results_.end()) return std::nullopt;
  return found->second.median_allocations_per_item();
}

bool comparison_reporter::print_table(std::ostream& out) const {
  if (results_.empty()) return true;
  bool sane = true;
  for (const auto& [name, collected] : results_) {
    for (const std::string& error : collected.errors) {
      out << "FAILED " << name << ": " << error << '\n';
      sane = false;
    }
    if (collected.errors.empty() && !usable_rate(collected.median_rate())) {
      out << "FAILED " << name << ": no positive items/s\n";
      sane = false;
    }
  }

  char line[256];
  out << '\n' << title_ << '\n';
  std::snprintf(line, sizeof line, "%-20s %14s %14s %10s %12s %12s\n", "workload",
                "proa Mitems/s", "asio Mitems/s", "proa/asio", "proa alloc/i", "asio alloc/i");
  out << line;
  for (const std::string& workload : workloads_in_order_) {
    const auto proa_rate = median_rate(workload, "proa");
    const auto asio_rate = median_rate(workload, "asio");
    std::optional<double> ratio;
    if (usable_rate(proa_rate) && usable_rate(asio_rate)) ratio = *proa_rate / *asio_rate;
    std::snprintf(line, sizeof line, "%-20s %14s %14s %10s %12s %12s\n", workload.c_str(),
                  format_rate(proa_rate).c_str(), format_rate(asio_rate).c_str(),
                  format_plain(ratio, "%.2f").c_str(),
                  format_plain(median_allocations(workload, "proa"), "%.4f").c_str(),
                  format_plain(median_allocations(workload, "asio"), "%.4f").c_str());
    out << line;
  }

  // A strand post's cost relative to a plain post's: cost is 1/rate, so post rate / strand rate.
  const auto strand_cost_ratio = [this](const char* runtime) -> std::optional<double> {
    const auto post_rate = median_rate("post_1thread", runtime);
    const auto strand_rate = median_rate("strand", runtime);
    if (!usable_rate(post_rate) || !usable_rate(strand_rate)) return std::nullopt;
    return *post_rate / *strand_rate;
  };
  out << "strand_vs_post (strand post cost / plain post cost, 1 thread): proa "
      << format_plain(strand_cost_ratio("proa"), "%.2f") << " (target <= 1.20), asio "
      << format_plain(strand_cost_ratio("asio"), "%.2f") << '\n';
  out << "allocations per post (post_1thread, steady state): proa "
      << format_plain(median_allocations("post_1thread", "proa"), "%.4f") << ", asio "
      << format_plain(median_allocations("post_1thread", "asio"), "%.4f") << '\n';
  return sane;
}

}  // namespace bench
