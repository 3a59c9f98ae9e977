// The standalone Asio 1.22 side of the comparison: the names the shared workloads use, mapped
// onto Asio. proa_runtime.hpp maps the same names onto proa.
#pragma once

#include <asio.hpp>

#include <cstddef>
#include <system_error>
#include <utility>

namespace bench {

struct asio_runtime {
  static constexpr const char* name = "asio";

  using io_context = asio::io_context;
  using thread_pool = asio::thread_pool;
  using steady_timer = asio::steady_timer;
  using tcp = asio::ip::tcp;

  static auto make_strand(io_context& context) { return asio::make_strand(context); }
  static auto make_work_guard(io_context& context) { return asio::make_work_guard(context); }

  // What a cancelled wait completes with. (Asio's own error category does not compare equal
  // to std::errc::operation_canceled.)
  static std::error_code operation_aborted() { return asio::error::operation_aborted; }

  template <typename ExecutorOrContext, typename Handler>
  static void post(ExecutorOrContext& target, Handler&& handler) {
    asio::post(target, std::forward<Handler>(handler));
  }

  template <typename ExecutorOrContext, typename Handler>
  static void dispatch(ExecutorOrContext& target, Handler&& handler) {
    asio::dispatch(target, std::forward<Handler>(handler));
  }

  static tcp::endpoint loopback(unsigned short port) {
    return tcp::endpoint(asio::ip::address_v4::loopback(), port);
  }

  static auto buffer(void* data, std::size_t size) { return asio::buffer(data, size); }

  // Returns what the token makes of it (an awaitable for use_awaitable).
  template <typename Stream, typename Buffers, typename Token>
  static decltype(auto) async_write(Stream& stream, const Buffers& buffers, Token&& token) {
    return asio::async_write(stream, buffers, std::forward<Token>(token));
  }

  // C++20 coroutines, for the coroutine echo server.
  template <typename T>
  using awaitable = asio::awaitable<T>;
  static constexpr const auto& use_awaitable = asio::use_awaitable;

  template <typename Executor, typename Awaitable>
  static void spawn_detached(const Executor& executor, Awaitable&& coroutine) {
    asio::co_spawn(executor, std::forward<Awaitable>(coroutine), asio::detached);
  }
};

}  // namespace bench
