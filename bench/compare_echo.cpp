// //bench:compare's TCP echo section: the echo server of echo_server.hpp on proa and on Asio,
// driven by the neutral epoll client of echo_client.hpp over loopback. Per configuration:
// messages/s and round-trip percentiles per repetition, then the server's CPU time, system
// calls and heap allocations per echoed message.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/allocation_counter.hpp"
#include "bench/asio_runtime.hpp"
#include "bench/compare_session.hpp"
#include "bench/echo_client.hpp"
#include "bench/echo_server.hpp"
#include "bench/proa_runtime.hpp"
#include "bench/syscall_counter.hpp"

namespace bench {
namespace {

struct echo_configuration {
  std::string label;
  int connections;
  std::size_t message_size;
  echo_server_shape proa_shape;
  echo_server_shape asio_shape;
};

// One runtime's results for one configuration, summed over its repetitions.
struct echo_measurement {
  std::vector<double> thousands_per_second;
  std::vector<double> p50_microseconds;
  std::vector<double> p99_microseconds;
  cpu_time server_cpu;
  std::uint64_t lifetime_messages = 0;  // warm-ups included: what the CPU time was spent on
  std::uint64_t window_messages = 0;    // the timed windows only
  std::uint64_t window_syscalls = 0;
  bool syscalls_counted = true;
  std::uint64_t window_allocations = 0;

  std::optional<double> user_microseconds_per_message() const {
    if (lifetime_messages == 0) return std::nullopt;
    return server_cpu.user_seconds * 1e6 / static_cast<double>(lifetime_messages);
  }
  std::optional<double> system_microseconds_per_message() const {
    if (lifetime_messages == 0) return std::nullopt;
    return server_cpu.system_seconds * 1e6 / static_cast<double>(lifetime_messages);
  }
  std::optional<double> syscalls_per_message() const {
    if (!syscalls_counted || window_messages == 0) return std::nullopt;
    return static_cast<double>(window_syscalls) / static_cast<double>(window_messages);
  }
  std::optional<double> allocations_per_message() const {
    if (!heap_allocations_counted() || window_messages == 0) return std::nullopt;
    return static_cast<double>(window_allocations) / static_cast<double>(window_messages);
  }
};

// Set once any server thread could not count its system calls.
std::string syscall_failure;

// One repetition: a fresh server and client, a warm-up, one timed window. Fresh servers, with
// the runtimes taking turns (see run_echo_section), spread the machine's background noise
// over both runtimes instead of letting it land on one.
template <typename Runtime>
void measure_echo_once(const echo_configuration& configuration, echo_server_shape shape,
                       const compare_options& options, echo_measurement& measured) {
  // On the heap: a server whose threads got stuck is leaked rather than destroyed under them.
  auto owned_server = std::make_unique<echo_server<Runtime>>(shape);
  echo_server<Runtime>& server = *owned_server;
  server.start();
  std::string client_failure;
  std::optional<std::uint64_t> syscalls_before, syscalls_after;
  echo_window window;
  std::uint64_t lifetime_messages = 0;
  try {
    echo_client client(server.port(), configuration.connections, configuration.message_size);
    // Every connection makes at least one round trip: the server has accepted them all.
    client.run_for(options.echo_warm_up_seconds);
    const std::uint64_t allocations_before = heap_allocations();
    syscalls_before = server.syscalls();
    window = client.run_for(options.echo_seconds);
    syscalls_after = server.syscalls();
    measured.window_allocations += heap_allocations() - allocations_before;
    lifetime_messages = client.total_messages();
  } catch (const std::exception& error) {
    client_failure = error.what();
  }
  // The client is gone, so every connection is closed.
  const std::string problem = server.stop(
      client_failure.empty() ? static_cast<std::size_t>(configuration.connections) : 0,
      std::chrono::seconds(10));
  if (server.abandoned()) (void)owned_server.release();
  if (!client_failure.empty() || !problem.empty()) {
    throw std::runtime_error(client_failure + (client_failure.empty() || problem.empty() ? "" : "; ") +
                             problem);
  }

  measured.thousands_per_second.push_back(static_cast<double>(window.messages) /
                                          window.seconds / 1e3);
  measured.p50_microseconds.push_back(window.round_trips.percentile(0.50) / 1e3);
  measured.p99_microseconds.push_back(window.round_trips.percentile(0.99) / 1e3);
  measured.window_messages += window.messages;
  if (syscalls_before && syscalls_after) {
    measured.window_syscalls += *syscalls_after - *syscalls_before;
  } else {
    measured.syscalls_counted = false;
    if (syscall_failure.empty()) {
      syscall_failure = syscall_counter::unavailable_reason();
      if (syscall_failure.empty()) syscall_failure = "the counters could not be read";
    }
  }
  // The threads' CPU time covers the server's whole life, warm-up included, so it is divided by
  // every message the client sent.
  const cpu_time used = server.cpu();
  measured.server_cpu.user_seconds += used.user_seconds;
  measured.server_cpu.system_seconds += used.system_seconds;
  measured.lifetime_messages += lifetime_messages;
}

std::vector<echo_configuration> configurations() {
  std::vector<echo_configuration> all;
  for (const int connections : {1, 64}) {
    for (const std::size_t size : {std::size_t{64}, std::size_t{4096}}) {
      for (const int threads : {1, 2}) {
        const echo_server_shape shared{1, threads};
        all.push_back({std::to_string(connections) + " conn, " +
                           (size == 64 ? "64 B" : "4 KiB") + ", server " +
                           std::to_string(threads) + " thread" + (threads == 1 ? "" : "s"),
                       connections, size, shared, shared});
      }
    }
  }
  // Asio's way around its scheduler lock (a context per thread, connections spread
  // round-robin) against proa's one context run by as many threads.
  for (const std::size_t size : {std::size_t{64}, std::size_t{4096}}) {
    all.push_back({std::string("64 conn, ") + (size == 64 ? "64 B" : "4 KiB") +
                       ", 2 threads: proa 1 context, Asio 1 context per thread",
                   64, size, echo_server_shape{1, 2}, echo_server_shape{2, 1}});
  }
  // The same server written with C++20 coroutines (issue 5's workload).
  all.push_back({"64 conn, 64 B, server 1 thread, coroutine sessions", 64, 64,
                 echo_server_shape{1, 1, true}, echo_server_shape{1, 1, true}});
  return all;
}

std::vector<double> one(std::optional<double> value) {
  if (!value) return {};
  return {*value};
}

double median(const std::vector<double>& values) {
  comparison_row median_only;
  median_only.proa = values;
  return median_only.proa_median().value_or(0);
}

void check(compare_session& session, const std::string& what, const echo_measurement& measured) {
  const auto fail = [&](const std::string& why) { session.results().fail(what + ": " + why); };
  if (measured.thousands_per_second.empty()) return fail("no repetition completed");
  for (std::size_t i = 0; i < measured.thousands_per_second.size(); ++i) {
    if (!(measured.thousands_per_second[i] > 0)) fail("messages/s not positive");
    if (!(measured.p50_microseconds[i] > 0)) fail("p50 latency not positive");
    if (measured.p50_microseconds[i] > measured.p99_microseconds[i]) fail("p50 above p99");
  }
  const double cpu = measured.server_cpu.user_seconds + measured.server_cpu.system_seconds;
  if (!(cpu > 0)) fail("the server used no CPU time");
  if (measured.syscalls_per_message() && !(*measured.syscalls_per_message() > 0)) {
    fail("the server made no system calls");
  }
}

}  // namespace

std::string echo_syscall_method() {
  if (!syscall_failure.empty()) return "not counted (" + syscall_failure + ")";
  return "counted per server thread with perf events on the raw_syscalls:sys_enter tracepoint";
}

void run_echo_section(compare_session& session) {
  const compare_options& options = session.options();
  const char* section = "tcp echo";
  for (const echo_configuration& configuration : configurations()) {
    echo_measurement on_proa, on_asio;
    bool failed[2] = {false, false};
    for (int repetition = 0; repetition < options.repetitions; ++repetition) {
      // Alternate which runtime goes first, so neither always follows the other.
      for (const bool proa : {repetition % 2 == 0, repetition % 2 != 0}) {
        if (failed[proa]) continue;
        try {
          if (proa) {
            measure_echo_once<proa_runtime>(configuration, configuration.proa_shape, options,
                                            on_proa);
          } else {
            measure_echo_once<asio_runtime>(configuration, configuration.asio_shape, options,
                                            on_asio);
          }
        } catch (const std::exception& error) {
          failed[proa] = true;
          const std::string what = std::string(section) + " | " + configuration.label + " | " +
                                   (proa ? "proa" : "asio");
          session.results().fail(what + ": " + error.what());
          session.progress(what + ": FAILED: " + error.what());
        }
      }
    }
    for (const bool proa : {true, false}) {
      const echo_measurement& measured = proa ? on_proa : on_asio;
      const std::string what = std::string(section) + " | " + configuration.label + " | " +
                               (proa ? "proa" : "asio");
      if (failed[proa]) continue;
      check(session, what, measured);
      char summary[160];
      std::snprintf(summary, sizeof summary,
                    ": %.1f k msg/s, p50 %.1f us, p99 %.1f us, %.2f syscalls/msg",
                    median(measured.thousands_per_second), median(measured.p50_microseconds),
                    median(measured.p99_microseconds),
                    measured.syscalls_per_message().value_or(0));
      session.progress(what + summary);
    }
    const auto add = [&](const char* metric, better direction, std::vector<double> proa,
                         std::vector<double> asio, bool charted = true) {
      session.results().add(comparison_row{section, configuration.label, metric, direction,
                                           std::move(proa), std::move(asio), charted});
    };
    add("k messages/s", better::higher, on_proa.thousands_per_second,
        on_asio.thousands_per_second);
    add("p50 round trip [us]", better::lower, on_proa.p50_microseconds, on_asio.p50_microseconds);
    add("p99 round trip [us]", better::lower, on_proa.p99_microseconds, on_asio.p99_microseconds);
    add("server user CPU [us/msg]", better::lower, one(on_proa.user_microseconds_per_message()),
        one(on_asio.user_microseconds_per_message()));
    add("server system CPU [us/msg]", better::lower,
        one(on_proa.system_microseconds_per_message()),
        one(on_asio.system_microseconds_per_message()));
    add("server syscalls per msg", better::lower, one(on_proa.syscalls_per_message()),
        one(on_asio.syscalls_per_message()));
    add("heap allocations per msg", better::lower, one(on_proa.allocations_per_message()),
        one(on_asio.allocations_per_message()), false);
  }
}

}  // namespace bench
