// Selects the runtime the runtime_* behaviour tests run against: real Asio 1.22 (to prove each
// test encodes Asio's behaviour and can fail) or proa (to prove proa behaves the same).
// Also holds the small shared helpers those tests need: sanitizer-aware sizes, hang guards and
// loopback endpoints.
#pragma once

#include <system_error>

#if defined(PROA_TEST_AGAINST_ASIO)
#include <asio.hpp>
namespace rt = asio;
#else
#include <proa.hpp>
namespace rt = proa;
#endif

// Standalone Asio and proa both report errors as std::error_code.
using rt_error_code = std::error_code;

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

// Sanitizers slow the runtime down 5-10x, so stress loops shrink under them.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define PROA_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define PROA_TEST_SANITIZED 1
#endif
#endif
#if !defined(PROA_TEST_SANITIZED)
#define PROA_TEST_SANITIZED 0
#endif

namespace runtime_test {

inline constexpr bool sanitized = PROA_TEST_SANITIZED != 0;

// Loop sizes: `full` normally, `reduced` under a sanitizer.
inline constexpr int scaled(int full, int reduced) { return sanitized ? reduced : full; }

// 127.0.0.1 on a port of the kernel's choosing.
inline rt::ip::tcp::endpoint loopback_any_port() {
  return rt::ip::tcp::endpoint(rt::ip::address_v4::loopback(), 0);
}

// A loopback port nothing listens on: bound once, then released.
inline unsigned short refusing_port(rt::io_context& context) {
  rt::ip::tcp::acceptor probe(context, loopback_any_port());
  const unsigned short port = probe.local_endpoint().port();
  probe.close();
  return port;
}

// Bounds that only guard against hangs; a correct runtime is far inside them even under TSan.
inline constexpr std::chrono::milliseconds hang_limit{sanitized ? 20000 : 5000};

// Aborts the whole test binary, naming the test, if it is still alive after `limit`: a hung
// runtime then fails fast with a clear message instead of running into Bazel's timeout.
class hang_watchdog {
 public:
  explicit hang_watchdog(const char* what, std::chrono::milliseconds limit = hang_limit * 2)
      : watcher_([this, what, limit] {
          std::unique_lock<std::mutex> lock(mutex_);
          if (!done_cv_.wait_for(lock, limit, [this] { return done_; })) {
            std::fprintf(stderr, "HANG: '%s' still running after %lld ms\n", what,
                         static_cast<long long>(limit.count()));
            std::fflush(stderr);
            std::abort();
          }
        }) {}

  hang_watchdog(const hang_watchdog&) = delete;
  hang_watchdog& operator=(const hang_watchdog&) = delete;

  ~hang_watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_one();
    watcher_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread watcher_;  // last: starts after the members it reads exist
};

// A one-shot flag a test thread can wait on with a bound.
class notification {
 public:
  // Notifies under the lock so a waiter that wakes may destroy this object straight away.
  void notify() {
    std::lock_guard<std::mutex> lock(mutex_);
    set_ = true;
    cv_.notify_all();
  }

  // True if notified within `limit`.
  bool wait_for(std::chrono::milliseconds limit = hang_limit) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, limit, [this] { return set_; });
  }

  bool is_set() {
    std::lock_guard<std::mutex> lock(mutex_);
    return set_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool set_ = false;
};

// Counts down to zero; waiters wake when it gets there. Used to join threads with a bound.
class countdown {
 public:
  explicit countdown(int count) : count_(count) {}

  // Notifies under the lock, like notification::notify().
  void arrive() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--count_ == 0) cv_.notify_all();
  }

  // True if the count reached zero within `limit`.
  bool wait_for(std::chrono::milliseconds limit = hang_limit) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, limit, [this] { return count_ <= 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int count_;
};

}  // namespace runtime_test
