// Umbrella header: `#include <proa.hpp>` brings in the whole public proa API.
// Asio code ports by writing `namespace asio = proa;` after including it.
#pragma once

// proa's version as MAJOR * 10000 + MINOR * 100 + PATCH, the encoding ASIO_VERSION uses,
// so 100 means 0.1.0.
#define PROA_VERSION 100

// ---- Public component headers (keep in sync with the deps of //:proa) ----------------------
// runtime/: contexts, executors, strands, timers.
#include "platform/error.hpp"
#include "runtime/any_io_executor.hpp"
#include "runtime/associated_allocator.hpp"
#include "runtime/associated_executor.hpp"
#include "runtime/async_result.hpp"
#include "runtime/basic_waitable_timer.hpp"
#include "runtime/bind_executor.hpp"
#include "runtime/defer.hpp"
#include "runtime/dispatch.hpp"
#include "runtime/execution.hpp"
#include "runtime/execution_context.hpp"
#include "runtime/executor_work_guard.hpp"
#include "runtime/io_context.hpp"
#include "runtime/logging.hpp"
#include "runtime/post.hpp"
#include "runtime/signal_set.hpp"
#include "runtime/strand.hpp"
#include "runtime/system_context.hpp"
#include "runtime/thread_pool.hpp"
// runtime/: completion tokens, async_compose and per-operation cancellation.
#include "runtime/as_tuple.hpp"
#include "runtime/associated_cancellation_slot.hpp"
#include "runtime/bind_cancellation_slot.hpp"
#include "runtime/cancellation_signal.hpp"
#include "runtime/cancellation_state.hpp"
#include "runtime/cancellation_type.hpp"
#include "runtime/compose.hpp"
#include "runtime/deferred.hpp"
#include "runtime/detached.hpp"
#include "runtime/redirect_error.hpp"
#include "runtime/use_future.hpp"
// runtime/: C++20 coroutines (awaitable, co_spawn, use_awaitable, this_coro).
#include "runtime/awaitable.hpp"
#include "runtime/co_spawn.hpp"
#include "runtime/this_coro.hpp"
#include "runtime/use_awaitable.hpp"
// runtime/: asio::thread, for code written against Asio.
#include "runtime/thread.hpp"
// net/: buffers, streambuf, completion conditions.
#include "net/buffer.hpp"
#include "net/completion_condition.hpp"
#include "net/streambuf.hpp"
// net/ip/: IP addresses, endpoints, tcp/udp protocol classes.
#include "net/ip/address.hpp"
#include "net/ip/address_v4.hpp"
#include "net/ip/address_v6.hpp"
#include "net/ip/bad_address_cast.hpp"
#include "net/ip/basic_endpoint.hpp"
#include "net/ip/multicast.hpp"
#include "net/ip/tcp.hpp"
#include "net/ip/udp.hpp"
// net/: sockets and acceptors (tcp/udp typedefs live in net/ip/), Unix-domain stream sockets.
#include "net/basic_datagram_socket.hpp"
#include "net/basic_socket.hpp"
#include "net/basic_socket_acceptor.hpp"
#include "net/basic_stream_socket.hpp"
#include "net/local/basic_endpoint.hpp"
#include "net/local/connect_pair.hpp"
#include "net/local/stream_protocol.hpp"
#include "net/socket_base.hpp"
// net/: synchronous composed operations (read, write, read_until) and buffers_iterator.
#include "net/buffers_iterator.hpp"
#include "net/read.hpp"
#include "net/read_until.hpp"
#include "net/write.hpp"
// net/: synchronous name resolution and range connect.
#include "net/connect.hpp"
#include "net/ip/basic_resolver.hpp"
#include "net/ip/basic_resolver_entry.hpp"
#include "net/ip/basic_resolver_results.hpp"
#include "net/ip/resolver_base.hpp"
// ---- End of public component headers -------------------------------------------------------
