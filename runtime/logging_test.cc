// proa is silent by default and logs cold-path events once the program sets a level.
#include "runtime/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>

#include "runtime/io_context.hpp"

namespace {

std::ostringstream& captured() {
  static std::ostringstream out;
  static bool attached = [] {
    proa::detail::log().sinks().push_back(std::make_shared<spdlog::sinks::ostream_sink_st>(out));
    return true;
  }();
  (void)attached;
  return out;
}

void run_empty_context() {
  proa::io_context ctx;
  ctx.run();  // no work: creates a worker slot and stops
}

TEST(Logging, SilentUntilALevelIsSet) {
  captured().str("");
  run_empty_context();
  EXPECT_EQ(captured().str(), "");
}

TEST(Logging, DebugLevelReportsSlotsAndStops) {
  captured().str("");
  proa::set_log_level(spdlog::level::debug);
  run_empty_context();
  proa::set_log_level(spdlog::level::off);
  const std::string text = captured().str();
  EXPECT_NE(text.find("worker slot 0 created"), std::string::npos) << text;
  EXPECT_NE(text.find("stopped"), std::string::npos) << text;
}

}  // namespace
