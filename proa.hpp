// Umbrella header: `#include <proa.hpp>` brings in the whole public proa API.
// Asio code ports by writing `namespace asio = proa;` after including it.
#pragma once

// proa's version as MAJOR * 10000 + MINOR * 100 + PATCH, the encoding ASIO_VERSION uses,
// so 100 means 0.1.0.
#define PROA_VERSION 100

// ---- Public component headers (keep in sync with the deps of //:proa) ----------------------
// runtime/: contexts, executors, strands, timers.
//   #include "runtime/io_context.hpp"
// ---- End of public component headers -------------------------------------------------------
