// //bench:compare, the project's main job: every workload on proa and on standalone Asio, one
// table of medians and ratios, the results as JSON and a PNG chart of the ratios.
//   bazel run -c opt //bench:compare [-- --long | --smoke] [--only=echo,timers] [--json=PATH]
#include <asio/version.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/compare_results.hpp"
#include "bench/compare_session.hpp"

namespace bench {

void compare_session::progress(const std::string& line) const {
  std::fprintf(stderr, "[%6.1fs] %s\n", elapsed_seconds(), line.c_str());
}

}  // namespace bench

namespace {

struct section {
  const char* name;
  void (*run)(bench::compare_session&);
};

// The sections in run order. A new workload family is one more entry: a
// `void run_xxx_section(bench::compare_session&)` in its own bench/compare_xxx.cpp, declared in
// compare_session.hpp and added to //bench:compare's srcs.
const section sections[] = {
    {"handlers", bench::run_handler_section},
    {"strands", bench::run_strand_section},
    {"timers", bench::run_timer_section},
    {"echo", bench::run_echo_section},
    {"http", bench::run_http_section},
};

constexpr const char* usage =
    "usage: compare [--smoke | --long] [--repetitions=N] [--only=SECTION,...]\n"
    "               [--json=PATH] [--png=PATH | --no-chart] [--list]\n"
    "  default   short run, 5 repetitions of each workload (under two minutes on 2 cores)\n"
    "  --long    10 repetitions of longer windows, pipelined HTTP too (several minutes)\n"
    "  --smoke   1 short repetition of everything: checks results are sane (for tests)\n"
    "  --json    where the results go (default: bench_results.json in the workspace)\n"
    "  --png     where the chart goes (default: bench_results.png beside the JSON)\n"
    "  sections  handlers, strands, timers, echo, http (HTTP needs wrk)\n";

std::string value_of(std::string_view argument, std::string_view flag) {
  return std::string(argument.substr(flag.size()));
}

bool section_selected(const std::vector<std::string>& only, const char* name) {
  if (only.empty()) return true;
  for (const std::string& wanted : only) {
    if (wanted == name) return true;
  }
  return false;
}

std::string asio_version() {
  return std::to_string(ASIO_VERSION / 100000) + "." + std::to_string(ASIO_VERSION / 100 % 1000) +
         "." + std::to_string(ASIO_VERSION % 100);
}

// `bazel run` starts the binary in its runfiles tree and says where the workspace is.
std::string default_output_directory() {
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  return workspace != nullptr && *workspace != '\0' ? std::string(workspace) : std::string(".");
}

}  // namespace

int main(int argc, char** argv) {
  bench::compare_options options;
  std::string json_path = default_output_directory() + "/bench_results.json";
  std::string png_path;
  bool chart = true;
  int repetitions = 0;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument == "--smoke") {
      options.mode = "smoke";
    } else if (argument == "--long") {
      options.mode = "long";
    } else if (argument.starts_with("--repetitions=")) {
      repetitions = std::atoi(value_of(argument, "--repetitions=").c_str());
      if (repetitions < 1) {
        std::cerr << "--repetitions needs a positive number\n" << usage;
        return 2;
      }
    } else if (argument.starts_with("--only=")) {
      std::istringstream list(value_of(argument, "--only="));
      for (std::string name; std::getline(list, name, ',');) only.push_back(name);
    } else if (argument.starts_with("--json=")) {
      json_path = value_of(argument, "--json=");
    } else if (argument.starts_with("--png=")) {
      png_path = value_of(argument, "--png=");
    } else if (argument == "--no-chart") {
      chart = false;
    } else if (argument == "--list") {
      for (const section& each : sections) std::cout << each.name << '\n';
      return 0;
    } else {
      std::cerr << (argument == "--help" ? "" : "unknown argument: " + std::string(argument) + "\n")
                << usage;
      return argument == "--help" ? 0 : 2;
    }
  }
  for (const std::string& name : only) {
    bool known = false;
    for (const section& each : sections) known = known || name == each.name;
    if (!known) {
      std::cerr << "unknown section: " << name << " (--list shows them)\n";
      return 2;
    }
  }
  if (options.mode == "smoke") {
    options.repetitions = 1;
    options.core_seconds = 0.005;
    options.echo_seconds = 0.02;
    options.echo_warm_up_seconds = 0.005;
    options.bulk_timers = 20'000;
  } else if (options.mode == "long") {
    options.repetitions = 10;
    options.core_seconds = 0.5;
    options.echo_seconds = 1.0;
    options.echo_warm_up_seconds = 0.2;
  }
  if (repetitions > 0) options.repetitions = repetitions;
  if (png_path.empty()) {
    const std::size_t extension = json_path.rfind(".json");
    png_path = (extension != std::string::npos && extension + 5 == json_path.size()
                    ? json_path.substr(0, extension)
                    : json_path) +
               ".png";
  }

  bench::comparison_results results;
  bench::compare_session session(options, results, argv[0]);
  session.progress("proa vs Asio " + asio_version() + ", " + options.mode + " run, " +
                   std::to_string(options.repetitions) + " repetition(s) per workload");
  for (const section& each : sections) {
    if (section_selected(only, each.name)) each.run(session);
  }

  bench::run_description run;
  run.mode = options.mode;
  run.repetitions = options.repetitions;
  run.asio_version = asio_version();
  run.syscall_method = section_selected(only, "echo") ? bench::echo_syscall_method()
                                                      : "not measured (echo section not run)";
  if (section_selected(only, "http") && !bench::http_skip_reason().empty()) {
    run.notes.push_back("http: skipped: " + bench::http_skip_reason());
  }
  run.seconds = session.elapsed_seconds();
  results.print_table(std::cout, run);

  std::string why;
  if (results.write_json(json_path, run, why)) {
    std::cout << "results: " << json_path << '\n';
  } else {
    std::cout << "results not written: " << why << '\n';
    results.fail(why);
  }
  if (chart) {
    if (results.write_chart(png_path, run, why)) {
      std::cout << "chart: " << png_path << '\n';
    } else {
      std::cout << "no chart: " << why << '\n';
    }
  }
  std::cout << "total time: " << static_cast<int>(run.seconds + 0.5) << " s\n";
  return results.failures().empty() ? 0 : 1;
}
