// Stands in for Asio's <asio/steady_timer.hpp> in unmodified Asio examples: proa has no per-component
// asio/ paths, so this forwards to the compatibility header that maps namespace asio onto proa.
#pragma once

#include "asio.hpp"
