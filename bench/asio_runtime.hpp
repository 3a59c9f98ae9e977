// The standalone Asio 1.22 side of the comparison: the names the shared workloads use, mapped
// onto Asio. proa_runtime.hpp maps the same names onto proa.
#pragma once

#include <asio.hpp>

#include <system_error>
#include <utility>

namespace bench {

struct asio_runtime {
  static constexpr const char* name = "asio";

  using io_context = asio::io_context;
  using steady_timer = asio::steady_timer;

  static auto make_strand(io_context& context) { return asio::make_strand(context); }
  static auto make_work_guard(io_context& context) { return asio::make_work_guard(context); }

  // What a cancelled wait completes with. (Asio's own error category does not compare equal
  // to std::errc::operation_canceled.)
  static std::error_code operation_aborted() { return asio::error::operation_aborted; }

  template <typename ExecutorOrContext, typename Handler>
  static void post(ExecutorOrContext& target, Handler&& handler) {
    asio::post(target, std::forward<Handler>(handler));
  }
};

}  // namespace bench
