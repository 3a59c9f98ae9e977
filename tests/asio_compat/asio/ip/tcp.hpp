// Stands in for <asio/ip/tcp.hpp> so that unmodified Asio examples build against proa: like
// tests/asio_compat/asio.hpp, it brings in the whole proa API and maps namespace asio onto it.
#pragma once

#include "tests/asio_compat/asio.hpp"
