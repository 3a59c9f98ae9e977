// The "proa" logger: reuses one the program registered, else creates a stderr logger, off.
#include "runtime/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace proa {
namespace detail {

spdlog::logger& log() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("proa")) return existing;
    auto created = spdlog::stderr_color_mt("proa");
    created->set_level(spdlog::level::off);
    return created;
  }();
  return *logger;
}

}  // namespace detail

void set_log_level(spdlog::level::level_enum level) { detail::log().set_level(level); }

}  // namespace proa
