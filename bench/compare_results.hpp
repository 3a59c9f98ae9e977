// The rows //bench:compare collects (one metric of one workload, measured on both runtimes) and
// the three ways it shows them: a text table, a JSON file and a PNG bar chart of the ratios.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace bench {

enum class better { higher, lower };

struct comparison_row {
  std::string section;   // "handlers", "tcp echo", ...
  std::string workload;  // "post, 1 thread in run()"
  std::string metric;    // what and in which unit: "Mops/s", "p99 round trip [us]"
  better direction = better::higher;
  std::vector<double> proa;  // one sample per repetition (or one total)
  std::vector<double> asio;
  bool charted = true;  // false for counts that are usually zero (allocations)

  std::optional<double> proa_median() const;
  std::optional<double> asio_median() const;
  // proa / Asio.
  std::optional<double> ratio() const;
  // How many times better proa is: the ratio where higher is better, its inverse where lower is.
  std::optional<double> advantage() const;
};

// Facts about the run that the table header and the JSON carry.
struct run_description {
  std::string mode;  // "smoke", "short" or "long"
  int repetitions = 0;
  std::string asio_version;
  std::string syscall_method;  // how syscalls were counted, or why they were not
  double seconds = 0;          // wall-clock time of the whole run
  std::vector<std::string> notes;  // e.g. a section that was skipped, and why
};

class comparison_results {
 public:
  comparison_row& add(comparison_row row);
  // Records a failed check or measurement; the run then exits non-zero.
  void fail(std::string what);

  const std::vector<comparison_row>& rows() const { return rows_; }
  const std::vector<std::string>& failures() const { return failures_; }

  void print_table(std::ostream& out, const run_description& run) const;
  // Returns false (with `why` filled) if the file could not be written.
  bool write_json(const std::string& path, const run_description& run, std::string& why) const;
  // Draws the charted rows' advantage with gnuplot. Returns false (with `why` filled) if
  // gnuplot is missing or failed.
  bool write_chart(const std::string& path, const run_description& run, std::string& why) const;

 private:
  std::vector<comparison_row> rows_;
  std::vector<std::string> failures_;
};

}  // namespace bench
