// //bench:compare's HTTP section: wrk against the HTTP/1.1 example server built on proa and on
// Asio, through bench/http_compare (examples/http/wrk_compare.sh), run once per repetition.
// The script prints one line per runtime: "http_plaintext runtime=proa requests_per_sec=...".
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bench/compare_session.hpp"

extern char** environ;

namespace bench {
namespace {

std::string skip_reason;

bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

bool on_path(const char* program) {
  const char* path = std::getenv("PATH");
  std::istringstream directories(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string directory; std::getline(directories, directory, ':');) {
    if (!directory.empty() && executable(directory + "/" + program)) return true;
  }
  return false;
}

// bench/http_compare in the runfiles: `bazel run` and `bazel test` start the binary in its
// runfiles tree, where the path is relative; started by hand, it sits beside the binary.
std::optional<std::string> find_script(const std::string& program) {
  std::vector<std::string> candidates = {"bench/http_compare"};
  if (const char* runfiles = std::getenv("RUNFILES_DIR")) {
    candidates.push_back(std::string(runfiles) + "/proa/bench/http_compare");
  }
  candidates.push_back(program + ".runfiles/proa/bench/http_compare");
  for (const std::string& candidate : candidates) {
    if (executable(candidate)) return candidate;
  }
  return std::nullopt;
}

// Runs the script; returns its stdout, or nothing (with `why`) if it failed.
std::optional<std::string> run_script(const std::string& script,
                                      const std::vector<std::string>& flags, std::string& why) {
  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0) {
    why = std::string("pipe: ") + std::strerror(errno);
    return std::nullopt;
  }
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
  std::vector<std::string> words = {script};
  words.insert(words.end(), flags.begin(), flags.end());
  std::vector<char*> arguments;
  for (std::string& word : words) arguments.push_back(word.data());
  arguments.push_back(nullptr);
  pid_t child = 0;
  const int spawned =
      ::posix_spawn(&child, script.c_str(), &actions, nullptr, arguments.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_ends[1]);
  std::string output;
  if (spawned == 0) {
    char chunk[4096];
    for (ssize_t n; (n = ::read(pipe_ends[0], chunk, sizeof chunk)) != 0;) {
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      output.append(chunk, static_cast<std::size_t>(n));
    }
  }
  ::close(pipe_ends[0]);
  if (spawned != 0) {
    why = std::string("cannot start ") + script + ": " + std::strerror(spawned);
    return std::nullopt;
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    why = script + " failed (its messages are above)";
    return std::nullopt;
  }
  return output;
}

// key=value fields of the script's line for `runtime`.
std::map<std::string, std::string> fields_for(const std::string& output,
                                              const std::string& runtime) {
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first != "http_plaintext") continue;
    std::map<std::string, std::string> fields;
    for (std::string word; words >> word;) {
      const std::size_t equals = word.find('=');
      if (equals != std::string::npos) fields[word.substr(0, equals)] = word.substr(equals + 1);
    }
    if (fields["runtime"] == runtime) return fields;
  }
  return {};
}

std::optional<double> number(const std::map<std::string, std::string>& fields, const char* key) {
  const auto found = fields.find(key);
  if (found == fields.end()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(found->second.c_str(), &end);
  if (end == found->second.c_str()) return std::nullopt;
  return value;
}

struct http_samples {
  std::vector<double> thousands_per_second, p50, p99, user, system;
};

}  // namespace

std::string http_skip_reason() { return skip_reason; }

void run_http_section(compare_session& session) {
  const compare_options& options = session.options();
  const char* section = "http plaintext (wrk)";
  const auto script = find_script(session.program());
  if (!script) {
    skip_reason = "bench/http_compare not found beside the binary";
  } else if (!on_path("wrk")) {
    skip_reason = "wrk is not installed (tools/bootstrap installs it)";
  }
  if (!skip_reason.empty()) {
    session.progress(std::string(section) + ": skipped: " + skip_reason);
    return;
  }
  // wrk's shortest run is one second; every run starts fresh servers.
  const std::string duration = options.mode == "long" ? "5s" : "1s";
  const std::string warm_up = options.mode == "smoke" ? "0" : "1s";
  struct configuration {
    std::string label;
    std::string pipeline;
  };
  std::vector<configuration> configurations = {{"64 conn, server 2 threads", "1"}};
  if (options.mode == "long") {
    configurations.push_back({"64 conn, 16 pipelined requests, server 2 threads", "16"});
  }
  for (const configuration& each : configurations) {
    http_samples proa, asio;
    for (int repetition = 0; repetition < options.repetitions; ++repetition) {
      std::string why;
      const auto output = run_script(*script,
                                     {"--duration=" + duration, "--warmup=" + warm_up,
                                      "--connections=64", "--server-threads=2",
                                      "--pipeline=" + each.pipeline},
                                     why);
      if (!output) {
        session.results().fail(std::string(section) + " | " + each.label + ": " + why);
        session.progress(std::string(section) + " | " + each.label + ": FAILED: " + why);
        break;
      }
      for (const bool on_proa : {true, false}) {
        const char* runtime = on_proa ? "proa" : "asio";
        const auto fields = fields_for(*output, runtime);
        http_samples& samples = on_proa ? proa : asio;
        const auto rate = number(fields, "requests_per_sec");
        const auto p50 = number(fields, "p50_us");
        const auto p99 = number(fields, "p99_us");
        const auto user = number(fields, "server_user_us_per_req");
        const auto system = number(fields, "server_sys_us_per_req");
        const auto errors = number(fields, "socket_errors").value_or(0) +
                            number(fields, "non_2xx").value_or(0);
        const std::string what = std::string(section) + " | " + each.label + " | " + runtime;
        if (!rate || !(*rate > 0) || !p50 || !p99 || *p50 > *p99) {
          session.results().fail(what + ": no sane result in the script's output");
          continue;
        }
        if (errors > 0) session.results().fail(what + ": wrk saw errors or non-2xx responses");
        samples.thousands_per_second.push_back(*rate / 1e3);
        samples.p50.push_back(*p50);
        samples.p99.push_back(*p99);
        if (user) samples.user.push_back(*user);
        if (system) samples.system.push_back(*system);
        char summary[128];
        std::snprintf(summary, sizeof summary, ": %.1f k req/s, p50 %.0f us, p99 %.0f us",
                      *rate / 1e3, *p50, *p99);
        session.progress(what + summary);
      }
    }
    const auto add = [&](const char* metric, better direction, std::vector<double> on_proa,
                         std::vector<double> on_asio) {
      session.results().add(comparison_row{section, each.label, metric, direction,
                                           std::move(on_proa), std::move(on_asio), true});
    };
    add("k requests/s", better::higher, proa.thousands_per_second, asio.thousands_per_second);
    add("p50 latency [us]", better::lower, proa.p50, asio.p50);
    add("p99 latency [us]", better::lower, proa.p99, asio.p99);
    add("server user CPU [us/req]", better::lower, proa.user, asio.user);
    add("server system CPU [us/req]", better::lower, proa.system, asio.system);
  }
}

}  // namespace bench
