// The proa side of the comparison: the names the shared workloads use, mapped onto proa's
// Asio-compatible API. Mirrors asio_runtime.hpp name for name.
#pragma once

#include <proa.hpp>

#include <cstddef>
#include <system_error>
#include <utility>

namespace bench {

struct proa_runtime {
  static constexpr const char* name = "proa";

  using io_context = proa::io_context;
  using thread_pool = proa::thread_pool;
  using steady_timer = proa::steady_timer;
  using tcp = proa::ip::tcp;

  static auto make_strand(io_context& context) { return proa::make_strand(context); }
  static auto make_work_guard(io_context& context) { return proa::make_work_guard(context); }

  // What a cancelled wait completes with. (Asio's own error category does not compare equal
  // to std::errc::operation_canceled.)
  static std::error_code operation_aborted() { return proa::error::operation_aborted; }

  template <typename ExecutorOrContext, typename Handler>
  static void post(ExecutorOrContext& target, Handler&& handler) {
    proa::post(target, std::forward<Handler>(handler));
  }

  template <typename ExecutorOrContext, typename Handler>
  static void dispatch(ExecutorOrContext& target, Handler&& handler) {
    proa::dispatch(target, std::forward<Handler>(handler));
  }

  static tcp::endpoint loopback(unsigned short port) {
    return tcp::endpoint(proa::ip::address_v4::loopback(), port);
  }

  static auto buffer(void* data, std::size_t size) { return proa::buffer(data, size); }

  // Returns what the token makes of it (an awaitable for use_awaitable).
  template <typename Stream, typename Buffers, typename Token>
  static decltype(auto) async_write(Stream& stream, const Buffers& buffers, Token&& token) {
    return proa::async_write(stream, buffers, std::forward<Token>(token));
  }

  // C++20 coroutines, for the coroutine echo server.
  template <typename T>
  using awaitable = proa::awaitable<T>;
  static constexpr const auto& use_awaitable = proa::use_awaitable;

  template <typename Executor, typename Awaitable>
  static void spawn_detached(const Executor& executor, Awaitable&& coroutine) {
    proa::co_spawn(executor, std::forward<Awaitable>(coroutine), proa::detached);
  }
};

}  // namespace bench
