// proa's diagnostics: one spdlog logger named "proa", silent until the embedding program sets
// a level. Only cold paths log (worker slots created, contexts started and stopped).
#pragma once

#include <spdlog/logger.h>
#include <spdlog/common.h>

namespace proa {

// Turns proa's diagnostics on (e.g. spdlog::level::debug) or off (spdlog::level::off, the
// default). Messages go to standard error unless the program registers its own "proa" logger
// with spdlog before first use.
void set_log_level(spdlog::level::level_enum level);

namespace detail {
spdlog::logger& log();
}  // namespace detail

}  // namespace proa
