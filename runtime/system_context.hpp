// system_context and system_executor: one process-wide pool, started on first use and stopped
// and joined at exit. system_executor submits to it (or runs inline where blocking is allowed).
#pragma once

#include <cstddef>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "runtime/associated_executor.hpp"
#include "runtime/detail/handler_operation.hpp"
#include "runtime/detail/scheduler.hpp"
#include "runtime/execution.hpp"
#include "runtime/execution_context.hpp"

namespace proa {

// basic_system_executor and the system_executor alias are declared in associated_executor.hpp
// (the default associated executor).

class system_context : public execution_context {
 public:
  using executor_type = system_executor;

  ~system_context() {
    scheduler_.work_finished();
    scheduler_.stop();
    for (auto& t : threads_) t.join();
    shutdown();
    destroy();
  }

  executor_type get_executor() noexcept;
  void stop() { scheduler_.stop(); }
  bool stopped() const noexcept { return scheduler_.stopped(); }
  void join() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

  // The one instance, created on first use and destroyed at static destruction.
  static system_context& instance() {
    static system_context context;
    return context;
  }

  detail::scheduler& engine() noexcept { return scheduler_; }

 private:
  system_context()
      : scheduler_(use_service<detail::scheduler>(static_cast<execution_context&>(*this))) {
    scheduler_.work_started();
    std::size_t n = std::thread::hardware_concurrency() * 2;
    if (n == 0) n = 2;
    threads_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) threads_.emplace_back([this] { scheduler_.run(); });
  }

  detail::scheduler& scheduler_;
  std::vector<std::thread> threads_;
};

template <typename Blocking, typename Relationship, typename Allocator>
class basic_system_executor {
 public:
  basic_system_executor() noexcept = default;
  explicit basic_system_executor(const Allocator& a) noexcept : allocator_(a) {}

  basic_system_executor<execution::blocking_t::possibly_t, Relationship, Allocator> require(
      execution::blocking_t::possibly_t) const {
    return basic_system_executor<execution::blocking_t::possibly_t, Relationship, Allocator>(allocator_);
  }
  basic_system_executor<execution::blocking_t::never_t, Relationship, Allocator> require(
      execution::blocking_t::never_t) const {
    return basic_system_executor<execution::blocking_t::never_t, Relationship, Allocator>(allocator_);
  }
  basic_system_executor<execution::blocking_t::always_t, Relationship, Allocator> require(
      execution::blocking_t::always_t) const {
    return basic_system_executor<execution::blocking_t::always_t, Relationship, Allocator>(allocator_);
  }
  basic_system_executor<Blocking, execution::relationship_t::fork_t, Allocator> require(
      execution::relationship_t::fork_t) const {
    return basic_system_executor<Blocking, execution::relationship_t::fork_t, Allocator>(allocator_);
  }
  basic_system_executor<Blocking, execution::relationship_t::continuation_t, Allocator> require(
      execution::relationship_t::continuation_t) const {
    return basic_system_executor<Blocking, execution::relationship_t::continuation_t, Allocator>(
        allocator_);
  }
  template <typename OtherAllocator>
  basic_system_executor<Blocking, Relationship, OtherAllocator> require(
      const execution::allocator_t<OtherAllocator>& a) const {
    return basic_system_executor<Blocking, Relationship, OtherAllocator>(a.value());
  }
  // The system pool's threads are always there: outstanding-work tracking is a no-op.
  basic_system_executor prefer(execution::outstanding_work_t::tracked_t) const { return *this; }
  basic_system_executor prefer(execution::outstanding_work_t::untracked_t) const { return *this; }

  system_context& query(execution::context_t) const noexcept { return system_context::instance(); }
  static constexpr execution::blocking_t query(execution::blocking_t) noexcept { return Blocking(); }
  static constexpr execution::relationship_t query(execution::relationship_t) noexcept {
    return Relationship();
  }
  template <typename P>
  Allocator query(const execution::allocator_t<P>&) const noexcept {
    return allocator_;
  }

  // possibly/always blocking: run in the caller; never: hand to the system pool.
  template <typename F>
  void execute(F&& f) const {
    if constexpr (std::is_same_v<Blocking, execution::blocking_t::never_t>) {
      system_context::instance().engine().post(detail::make_handler_operation(std::forward<F>(f)));
    } else {
      std::decay_t<F> local(std::forward<F>(f));
      std::move(local)();
    }
  }

  system_context& context() const noexcept { return system_context::instance(); }
  void on_work_started() const noexcept {}
  void on_work_finished() const noexcept {}
  template <typename F, typename A>
  void dispatch(F&& f, const A&) const {
    std::decay_t<F> local(std::forward<F>(f));
    std::move(local)();
  }
  template <typename F, typename A>
  void post(F&& f, const A&) const {
    system_context::instance().engine().post(detail::make_handler_operation(std::forward<F>(f)));
  }
  template <typename F, typename A>
  void defer(F&& f, const A&) const {
    post(std::forward<F>(f), std::allocator<void>());
  }

  friend bool operator==(const basic_system_executor&, const basic_system_executor&) noexcept {
    return true;
  }
  friend bool operator!=(const basic_system_executor&, const basic_system_executor&) noexcept {
    return false;
  }

 private:
  [[no_unique_address]] Allocator allocator_;
};

inline system_context::executor_type system_context::get_executor() noexcept {
  return system_executor();
}

}  // namespace proa
