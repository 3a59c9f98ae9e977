// Stands in for <asio.hpp> so that unmodified Asio example programs build against proa: they
// `#include "asio.hpp"` and find this header first, which maps the asio namespace onto proa.
#pragma once

#include <proa.hpp>

namespace asio = proa;
