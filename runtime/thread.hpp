// proa::thread: Asio's small thread class, kept for code written against Asio (its examples
// use it). It runs one function; join() waits for it; destroying a thread that was not joined
// detaches it, as Asio's does. New code can use std::thread or std::jthread.
#pragma once

#include <thread>
#include <utility>

namespace proa {

class thread {
 public:
  template <typename Function>
  explicit thread(Function f) : impl_(std::move(f)) {}

  thread(const thread&) = delete;
  thread& operator=(const thread&) = delete;

  ~thread() {
    if (impl_.joinable()) impl_.detach();
  }

  void join() {
    if (impl_.joinable()) impl_.join();
  }

 private:
  std::thread impl_;
};

}  // namespace proa
