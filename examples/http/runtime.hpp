// Picks the runtime the example server is compiled against: proa by default, standalone Asio
// 1.22 with -DHTTP_EXAMPLE_ON_ASIO. The server names everything through `net::`, so one source
// builds on both and a benchmark of the two binaries measures the runtimes alone.
#pragma once

#include <string_view>

#if defined(HTTP_EXAMPLE_ON_ASIO)
#include <asio.hpp>
namespace http_example {
namespace net = ::asio;
inline constexpr std::string_view runtime_name = "asio";
}  // namespace http_example
#else
#include <proa.hpp>
namespace http_example {
namespace net = ::proa;
inline constexpr std::string_view runtime_name = "proa";
}  // namespace http_example
#endif
