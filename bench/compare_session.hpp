// What a //bench:compare section gets: the run's options, the results to add rows to, and a
// progress line printer. A section is one function; compare.cpp lists them in run order.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>

#include "bench/compare_results.hpp"

namespace bench {

struct compare_options {
  std::string mode = "short";  // "smoke", "short" or "long"
  int repetitions = 5;
  double core_seconds = 0.1;        // per repetition of a runtime-core workload
  double echo_seconds = 0.2;        // per repetition of an echo configuration
  double echo_warm_up_seconds = 0.05;
  std::size_t bulk_timers = 1'000'000;
};

class compare_session {
 public:
  // `program` is argv[0], for finding files beside the binary.
  compare_session(const compare_options& options, comparison_results& results,
                  std::string program)
      : options_(options),
        results_(results),
        program_(std::move(program)),
        start_(std::chrono::steady_clock::now()) {}

  const compare_options& options() const { return options_; }
  comparison_results& results() { return results_; }
  const std::string& program() const { return program_; }

  // One line on stderr, prefixed with the seconds since the run started.
  void progress(const std::string& line) const;

  double elapsed_seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  const compare_options& options_;
  comparison_results& results_;
  std::string program_;
  std::chrono::steady_clock::time_point start_;
};

// The sections, each defined in its own source file.
void run_handler_section(compare_session& session);  // compare_core.cpp
void run_strand_section(compare_session& session);   // compare_core.cpp
void run_timer_section(compare_session& session);    // compare_core.cpp
void run_echo_section(compare_session& session);     // compare_echo.cpp
void run_http_section(compare_session& session);     // compare_http.cpp
// How syscalls per message were (or could not be) counted, for the table and the JSON.
std::string echo_syscall_method();  // compare_echo.cpp
// Why the HTTP section was skipped (wrk or the script missing); empty if it ran.
std::string http_skip_reason();  // compare_http.cpp

}  // namespace bench
