// The TCP echo server of the network workloads, written once over a runtime traits struct:
// each connection reads whatever arrives (async_read_some) and writes all of it back
// (async_write), with plain callbacks, as Asio's own echo example does. Its threads record their
// CPU time and count their system calls, so costs per message can be told apart from the load
// generator's.
#pragma once

#include <pthread.h>
#include <sys/resource.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "bench/syscall_counter.hpp"

namespace bench {

struct cpu_time {
  double user_seconds = 0;
  double system_seconds = 0;
};

inline cpu_time calling_thread_cpu_time() {
  rusage usage{};
  ::getrusage(RUSAGE_THREAD, &usage);
  const auto seconds = [](const timeval& value) {
    return static_cast<double>(value.tv_sec) + static_cast<double>(value.tv_usec) / 1e6;
  };
  return {seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

// How the server spreads its work: `contexts` io_contexts, each run by `threads_per_context`
// threads. Accepted connections go to the contexts round-robin. {1, N} is one shared context;
// {N, 1} is the one-context-per-thread pattern Asio users adopt to avoid its scheduler lock.
struct echo_server_shape {
  int contexts = 1;
  int threads_per_context = 1;
  // Sessions as C++20 coroutines (co_await async_read_some / async_write with use_awaitable)
  // instead of callbacks.
  bool coroutines = false;
};

template <typename Runtime>
class echo_server {
 public:
  // Large enough that a 4 KiB message is one read.
  static constexpr std::size_t read_buffer_size = 16 * 1024;

  // Listens on 127.0.0.1 at a port of the kernel's choosing; no thread runs yet.
  explicit echo_server(echo_server_shape shape) : shape_(shape) {
    for (int i = 0; i < shape.contexts; ++i) {
      // The hint tells Asio when one thread runs the context, which lets it skip some locking.
      contexts_.emplace_back(shape.threads_per_context);
      work_guards_.push_back(Runtime::make_work_guard(contexts_.back()));
    }
    acceptor_.emplace(contexts_.front(), Runtime::loopback(0));
    port_ = acceptor_->local_endpoint().port();
    accept();
  }

  echo_server(const echo_server&) = delete;
  echo_server& operator=(const echo_server&) = delete;

  // A server whose threads had to be abandoned (see stop()) must be leaked, not destroyed.
  ~echo_server() {
    if (!threads_.empty() && !stop(0, std::chrono::seconds(10)).empty() && abandoned_) {
      std::fprintf(stderr, "echo server: destroyed with threads stuck in run()\n");
      std::abort();
    }
  }

  unsigned short port() const { return port_; }

  // Starts the threads; returns once each has started counting its system calls.
  void start() {
    const auto total = static_cast<std::size_t>(shape_.contexts * shape_.threads_per_context);
    syscalls_.resize(total);
    cpu_.resize(total);
    for (std::size_t index = 0; index < total; ++index) {
      auto& context = contexts_[index / static_cast<std::size_t>(shape_.threads_per_context)];
      threads_.emplace_back([this, index, &context] {
        // Named so that profiles (perf, top -H) tell server threads from the load generator.
        ::pthread_setname_np(::pthread_self(), (std::string(Runtime::name) + "-server").c_str());
        syscalls_[index] = syscall_counter::for_calling_thread();
        threads_ready_.fetch_add(1, std::memory_order_release);
        threads_ready_.notify_one();
        const cpu_time before = calling_thread_cpu_time();
        context.run();
        const cpu_time after = calling_thread_cpu_time();
        cpu_[index] = {after.user_seconds - before.user_seconds,
                       after.system_seconds - before.system_seconds};
        threads_exited_.fetch_add(1, std::memory_order_release);
      });
    }
    for (std::size_t seen = threads_ready_.load(std::memory_order_acquire); seen != total;
         seen = threads_ready_.load(std::memory_order_acquire)) {
      threads_ready_.wait(seen, std::memory_order_acquire);
    }
  }

  // System calls entered so far by all server threads; empty where they cannot be counted.
  std::optional<std::uint64_t> syscalls() const {
    std::uint64_t sum = 0;
    for (const auto& counter : syscalls_) {
      const auto count = counter.read();
      if (!count) return std::nullopt;
      sum += *count;
    }
    return sum;
  }

  // Waits (up to `patience`) until `connections` sessions have ended because the client closed
  // them, then closes the acceptor and lets the threads run out of work and leave run(). Returns
  // what went wrong, or an empty string. Threads that do not leave run() once their work is done
  // are a runtime bug (a lost wake-up): they are stopped with io_context::stop(), and if even
  // that fails they are detached and abandoned() is true, and the caller must leak the server.
  std::string stop(std::size_t connections, std::chrono::steady_clock::duration patience) {
    std::string problem;
    const auto give_up = std::chrono::steady_clock::now() + patience;
    while (ended_sessions_.load(std::memory_order_acquire) < connections &&
           std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (ended_sessions_.load(std::memory_order_acquire) < connections) {
      problem = "sessions did not end after the client closed its connections";
    }
    Runtime::post(contexts_.front(), [this] { acceptor_->close(); });
    work_guards_.clear();
    if (problem.empty() && !threads_exit_within(std::chrono::seconds(10))) {
      problem = "run() did not return after its work ran out";
    }
    if (!problem.empty()) {
      for (auto& context : contexts_) context.stop();
      if (!threads_exit_within(std::chrono::seconds(10))) {
        for (auto& thread : threads_) thread.detach();
        threads_.clear();
        abandoned_ = true;
        return "echo server: " + problem + ", nor after io_context::stop(): threads abandoned";
      }
      problem = "echo server: " + problem;
    }
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    return problem;
  }

  bool abandoned() const { return abandoned_; }

  // CPU time of all server threads between start() and stop(), summed.
  cpu_time cpu() const {
    cpu_time sum;
    for (const cpu_time& each : cpu_) {
      sum.user_seconds += each.user_seconds;
      sum.system_seconds += each.system_seconds;
    }
    return sum;
  }

 private:
  using socket_type = typename Runtime::tcp::socket;

  bool threads_exit_within(std::chrono::steady_clock::duration patience) const {
    const auto give_up = std::chrono::steady_clock::now() + patience;
    while (threads_exited_.load(std::memory_order_acquire) < threads_.size()) {
      if (std::chrono::steady_clock::now() >= give_up) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  // One connection. Owns itself from accept until its socket reports end-of-file or an error.
  class session {
   public:
    session(echo_server& server, socket_type socket)
        : server_(server), socket_(std::move(socket)) {}

    void read() {
      socket_.async_read_some(Runtime::buffer(data_.data(), data_.size()),
                              [this](const std::error_code& error, std::size_t size) {
                                if (error) return end();
                                write(size);
                              });
    }

   private:
    void write(std::size_t size) {
      Runtime::async_write(socket_, Runtime::buffer(data_.data(), size),
                           [this](const std::error_code& error, std::size_t) {
                             if (error) return end();
                             read();
                           });
    }

    void end() {
      echo_server& server = server_;
      delete this;
      server.ended_sessions_.fetch_add(1, std::memory_order_release);
    }

    echo_server& server_;
    socket_type socket_;
    std::array<char, read_buffer_size> data_;
  };

  // The same session as a coroutine. The buffer lives outside the frame so the frame stays
  // small enough for the runtimes' recycled blocks.
  typename Runtime::template awaitable<void> coroutine_session(socket_type socket) {
    auto data = std::make_unique<std::array<char, read_buffer_size>>();
    try {
      for (;;) {
        const std::size_t size = co_await socket.async_read_some(
            Runtime::buffer(data->data(), data->size()), Runtime::use_awaitable);
        co_await Runtime::async_write(socket, Runtime::buffer(data->data(), size),
                                      Runtime::use_awaitable);
      }
    } catch (const std::system_error&) {
      // End of file or an error: the session is over.
    }
    ended_sessions_.fetch_add(1, std::memory_order_release);
  }

  void accept() {
    auto& target = contexts_[next_context_++ % contexts_.size()];
    pending_.emplace(target);
    acceptor_->async_accept(*pending_, [this](const std::error_code& error) {
      if (error) return;  // The acceptor was closed by stop().
      std::error_code ignored;
      pending_->set_option(typename Runtime::tcp::no_delay(true), ignored);
      if (shape_.coroutines) {
        auto executor = pending_->get_executor();
        Runtime::spawn_detached(executor, coroutine_session(std::move(*pending_)));
      } else {
        (new session(*this, std::move(*pending_)))->read();
      }
      accept();
    });
  }

  echo_server_shape shape_;
  // Before everything that uses them: destroyed last.
  std::deque<typename Runtime::io_context> contexts_;
  std::vector<decltype(Runtime::make_work_guard(std::declval<typename Runtime::io_context&>()))>
      work_guards_;
  std::optional<typename Runtime::tcp::acceptor> acceptor_;
  std::optional<socket_type> pending_;
  std::size_t next_context_ = 0;
  unsigned short port_ = 0;
  std::atomic<std::size_t> ended_sessions_{0};
  // A member, not a local of start(): the last thread notifies after start() may have returned.
  std::atomic<std::size_t> threads_ready_{0};
  std::atomic<std::size_t> threads_exited_{0};
  bool abandoned_ = false;
  std::vector<std::thread> threads_;
  std::vector<syscall_counter> syscalls_;
  std::vector<cpu_time> cpu_;
};

}  // namespace bench
