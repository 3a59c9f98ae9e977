// The proa side of the comparison: the names the shared workloads use, mapped onto proa's
// Asio-compatible API. Mirrors asio_runtime.hpp name for name.
#pragma once

#include <proa.hpp>

#include <system_error>
#include <utility>

namespace bench {

struct proa_runtime {
  static constexpr const char* name = "proa";

  using io_context = proa::io_context;
  using steady_timer = proa::steady_timer;

  static auto make_strand(io_context& context) { return proa::make_strand(context); }
  static auto make_work_guard(io_context& context) { return proa::make_work_guard(context); }

  // What a cancelled wait completes with. (Asio's own error category does not compare equal
  // to std::errc::operation_canceled.)
  static std::error_code operation_aborted() { return proa::error::operation_aborted; }

  template <typename ExecutorOrContext, typename Handler>
  static void post(ExecutorOrContext& target, Handler&& handler) {
    proa::post(target, std::forward<Handler>(handler));
  }
};

}  // namespace bench
