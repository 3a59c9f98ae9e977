// Table, JSON and chart output of //bench:compare.
#include "bench/compare_results.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <utility>

extern char** environ;

namespace bench {
namespace {

std::optional<double> median_of(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

bool positive(std::optional<double> value) {
  return value && std::isfinite(*value) && *value > 0;
}

// Three significant digits or so, without exponents for the magnitudes the table holds.
std::string format_value(std::optional<double> value) {
  if (!value || !std::isfinite(*value)) return "-";
  char text[32];
  const double magnitude = std::fabs(*value);
  const char* format = magnitude >= 100 ? "%.1f" : magnitude >= 1 ? "%.2f" : "%.3f";
  if (*value == 0) format = "%.0f";
  std::snprintf(text, sizeof text, format, *value);
  return text;
}

std::string json_string(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      quoted += escaped;
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

std::string json_number(std::optional<double> value) {
  if (!value || !std::isfinite(*value)) return "null";
  char text[40];
  std::snprintf(text, sizeof text, "%.9g", *value);
  return text;
}

std::string json_numbers(const std::vector<double>& values) {
  std::string list = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) list += ", ";
    list += json_number(values[i]);
  }
  return list + "]";
}

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  ::gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

// How many rows share each row's (section, workload): such rows print under one heading.
std::vector<std::size_t> group_sizes(const std::vector<comparison_row>& rows) {
  std::vector<std::size_t> sizes(rows.size(), 0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (const comparison_row& other : rows) {
      if (other.section == rows[i].section && other.workload == rows[i].workload) ++sizes[i];
    }
  }
  return sizes;
}

std::string gnuplot_label(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

}  // namespace

std::optional<double> comparison_row::proa_median() const { return median_of(proa); }
std::optional<double> comparison_row::asio_median() const { return median_of(asio); }

std::optional<double> comparison_row::ratio() const {
  const auto proa_value = proa_median();
  const auto asio_value = asio_median();
  if (!positive(proa_value) || !positive(asio_value)) return std::nullopt;
  return *proa_value / *asio_value;
}

std::optional<double> comparison_row::advantage() const {
  const auto value = ratio();
  if (!value) return std::nullopt;
  return direction == better::higher ? *value : 1 / *value;
}

comparison_row& comparison_results::add(comparison_row row) {
  rows_.push_back(std::move(row));
  return rows_.back();
}

void comparison_results::fail(std::string what) { failures_.push_back(std::move(what)); }

void comparison_results::print_table(std::ostream& out, const run_description& run) const {
  constexpr int label_width = 52;
  char line[256];
  out << "\nproa vs Asio " << run.asio_version << " (" << run.mode << " run, medians of "
      << run.repetitions << " repetition" << (run.repetitions == 1 ? "" : "s")
      << "; per-message CPU, syscalls and allocations are totals over all repetitions)\n";
  std::snprintf(line, sizeof line, "%-*s %11s %11s %10s  %s\n", label_width, "workload", "proa",
                "Asio", "proa/Asio", "better");
  out << line;
  const std::vector<std::size_t> sizes = group_sizes(rows_);
  std::string section, workload;
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    const comparison_row& row = rows_[i];
    if (row.section != section) {
      section = row.section;
      workload.clear();
      out << section << '\n';
    }
    std::string label;
    if (sizes[i] > 1) {
      if (row.workload != workload) {
        workload = row.workload;
        out << "  " << workload << '\n';
      }
      label = "    " + row.metric;
    } else {
      label = "  " + row.workload + " [" + row.metric + "]";
    }
    // The labels may hold multi-byte UTF-8; pad by characters, not bytes.
    const auto characters = static_cast<int>(std::count_if(
        label.begin(), label.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
    const int padding = std::max(0, label_width - characters);
    std::snprintf(line, sizeof line, "%s%*s %11s %11s %10s  %s\n", label.c_str(), padding, "",
                  format_value(row.proa_median()).c_str(),
                  format_value(row.asio_median()).c_str(), format_value(row.ratio()).c_str(),
                  row.direction == better::higher ? "higher" : "lower");
    out << line;
  }
  out << "syscalls: " << run.syscall_method << '\n';
  for (const std::string& note : run.notes) out << note << '\n';
  for (const std::string& failure : failures_) out << "FAILED: " << failure << '\n';
}

bool comparison_results::write_json(const std::string& path, const run_description& run,
                                    std::string& why) const {
  std::ostringstream json;
  json << "{\n"
       << "  \"tool\": \"bazel run -c opt //bench:compare\",\n"
       << "  \"date\": " << json_string(utc_timestamp()) << ",\n"
       << "  \"mode\": " << json_string(run.mode) << ",\n"
       << "  \"repetitions\": " << run.repetitions << ",\n"
       << "  \"asio_version\": " << json_string(run.asio_version) << ",\n"
       << "  \"hardware_threads\": " << ::sysconf(_SC_NPROCESSORS_ONLN) << ",\n"
       << "  \"syscall_counting\": " << json_string(run.syscall_method) << ",\n"
       << "  \"seconds\": " << json_number(run.seconds) << ",\n"
       << "  \"notes\": [";
  for (std::size_t i = 0; i < run.notes.size(); ++i) {
    json << (i == 0 ? "" : ", ") << json_string(run.notes[i]);
  }
  json << "],\n"
       << "  \"rows\": [\n";
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    const comparison_row& row = rows_[i];
    json << "    {\"section\": " << json_string(row.section)
         << ", \"workload\": " << json_string(row.workload)
         << ", \"metric\": " << json_string(row.metric) << ", \"better\": "
         << (row.direction == better::higher ? "\"higher\"" : "\"lower\"")
         << ", \"proa\": " << json_number(row.proa_median())
         << ", \"asio\": " << json_number(row.asio_median())
         << ", \"ratio\": " << json_number(row.ratio())
         << ", \"proa_samples\": " << json_numbers(row.proa)
         << ", \"asio_samples\": " << json_numbers(row.asio) << "}"
         << (i + 1 < rows_.size() ? ",\n" : "\n");
  }
  json << "  ],\n  \"failures\": [";
  for (std::size_t i = 0; i < failures_.size(); ++i) {
    json << (i == 0 ? "" : ", ") << json_string(failures_[i]);
  }
  json << "]\n}\n";
  std::ofstream file(path, std::ios::trunc);
  file << json.str();
  file.close();
  if (!file) {
    why = "cannot write " + path;
    return false;
  }
  return true;
}

bool comparison_results::write_chart(const std::string& path, const run_description& run,
                                     std::string& why) const {
  std::vector<std::pair<std::string, double>> bars;
  for (const comparison_row& row : rows_) {
    const auto advantage = row.advantage();
    if (!row.charted || !advantage) continue;
    bars.emplace_back(row.section + ": " + row.workload + " - " + row.metric, *advantage);
  }
  if (bars.empty()) {
    why = "no row has values for both runtimes";
    return false;
  }
  double low = 1, high = 1;
  for (const auto& bar : bars) {
    low = std::min(low, bar.second);
    high = std::max(high, bar.second);
  }

  std::ostringstream script;
  const int height = 140 + 17 * static_cast<int>(bars.size());
  script << "set terminal pngcairo noenhanced size 1600," << height << " font 'sans,9'\n"
         << "set output \"" << gnuplot_label(path) << "\"\n"
         << "set title \"proa vs Asio " << gnuplot_label(run.asio_version)
         << ": how many times better proa is\\n(throughput: proa/Asio; latency, CPU, "
         << "syscalls: Asio/proa; right of 1 = proa better)\\n"
         << gnuplot_label(run.mode) << " run, medians of " << run.repetitions
         << " repetitions\"\n"
         << "set logscale x 2\n"
         << "set xrange [" << low / 1.5 << ":" << high * 2.5 << "]\n"
         // Top to bottom in table order.
         << "set yrange [" << bars.size() - 0.3 << ":-0.7]\n"
         << "set ytics scale 0 font ',8'\n"
         << "set grid xtics\n"
         << "set style fill solid 0.85 noborder\n"
         << "unset key\n"
         << "set arrow from 1, graph 0 to 1, graph 1 nohead lw 1.5 lc rgb 'black'\n"
         << "$bars << EOD\n";
  for (const auto& [label, value] : bars) {
    script << '"' << gnuplot_label(label) << "\" " << value << '\n';
  }
  script << "EOD\n"
         << "plot $bars using (sqrt($2)):0:($2 < 1 ? $2 : 1):($2 < 1 ? 1 : $2):($0 - 0.38):"
            "($0 + 0.38):($2 >= 1 ? 0x2e8b57 : 0xcd3333):ytic(1) with boxxyerror lc rgb "
            "variable, \\\n"
         << "     $bars using ($2 < 1 ? 1 : $2):0:(sprintf('%.2fx', $2)) with labels left "
            "offset 0.6,0 font ',8'\n";

  char script_path[] = "/tmp/proa_compare_chart_XXXXXX";
  const int descriptor = ::mkstemp(script_path);
  if (descriptor < 0) {
    why = std::string("mkstemp: ") + std::strerror(errno);
    return false;
  }
  const std::string text = script.str();
  const bool written =
      ::write(descriptor, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(descriptor);
  if (!written) {
    ::unlink(script_path);
    why = "cannot write the gnuplot script";
    return false;
  }
  char program[] = "gnuplot";
  char* arguments[] = {program, script_path, nullptr};
  pid_t child = 0;
  const int spawned = ::posix_spawnp(&child, program, nullptr, nullptr, arguments, environ);
  int status = 0;
  if (spawned == 0) ::waitpid(child, &status, 0);
  ::unlink(script_path);
  if (spawned != 0) {
    why = spawned == ENOENT ? "gnuplot is not installed (tools/bootstrap installs gnuplot-nox)"
                            : std::string("cannot start gnuplot: ") + std::strerror(spawned);
    return false;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    why = "gnuplot failed";
    return false;
  }
  return true;
}

}  // namespace bench
