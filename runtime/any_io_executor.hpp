// any_io_executor: a copyable, type-erased executor for I/O objects (sockets, timers) that
// must not be templated on their executor. Small targets (up to four pointers) live inside the
// object; larger ones are shared on the heap, so copies never allocate per operation.
#pragma once

#include <concepts>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "runtime/detail/executor_function.hpp"
#include "runtime/execution/bad_executor.hpp"
#include "runtime/execution/blocking.hpp"
#include "runtime/execution/context.hpp"
#include "runtime/execution/execute.hpp"
#include "runtime/execution/executor.hpp"
#include "runtime/execution/outstanding_work.hpp"
#include "runtime/execution/prefer.hpp"
#include "runtime/execution/query.hpp"
#include "runtime/execution/relationship.hpp"
#include "runtime/execution/require.hpp"
#include "runtime/execution_context.hpp"

namespace proa {

template <typename Executor>
class strand;

namespace detail {
template <typename T>
inline constexpr bool is_strand_v = false;
template <typename Executor>
inline constexpr bool is_strand_v<strand<Executor>> = true;
}  // namespace detail

class any_io_executor;

namespace detail {

// Executors whose blocking.possibly form runs a function inline exactly when
// running_in_this_thread() is true: proa's own context executors.
template <typename Executor>
concept inline_when_running_here = requires(const Executor& ex) {
  typename Executor::proa_inline_when_running_here;
  { ex.running_in_this_thread() } -> std::convertible_to<bool>;
};

bool runs_inline_here(const any_io_executor& ex) noexcept;

// What any_io_executor needs from a target: execute, its context, and a never-blocking form.
// The optional preferences (work tracking, relationship, blocking.possibly) use proa::prefer,
// which leaves the target unchanged when it does not support them.
template <typename Executor>
concept io_executor_target =
    // Checked first: testing any_io_executor itself would recurse through its own constructors.
    !std::same_as<Executor, any_io_executor> && execution::executor<Executor> &&
    std::is_nothrow_destructible_v<Executor> && requires(const Executor& ex) {
      { proa::query(ex, execution::context) } -> std::convertible_to<execution_context&>;
      proa::require(ex, execution::blocking.never);
    };

}  // namespace detail

class any_io_executor {
 public:
  any_io_executor() noexcept = default;
  any_io_executor(std::nullptr_t) noexcept {}

  template <detail::io_executor_target Executor>
  any_io_executor(Executor ex) {
    emplace<Executor>(std::move(ex));
  }

  any_io_executor(const any_io_executor& other) : table_(other.table_) {
    if (table_) table_->copy(storage_, other.storage_);
  }

  any_io_executor(any_io_executor&& other) noexcept : table_(other.table_) {
    if (table_) {
      table_->move(storage_, other.storage_);
      other.table_ = nullptr;
    }
  }

  any_io_executor& operator=(const any_io_executor& other) {
    if (this != &other) {
      any_io_executor copy(other);
      *this = std::move(copy);
    }
    return *this;
  }

  any_io_executor& operator=(any_io_executor&& other) noexcept {
    if (this != &other) {
      clear();
      if (other.table_) {
        other.table_->move(storage_, other.storage_);
        table_ = std::exchange(other.table_, nullptr);
      }
    }
    return *this;
  }

  any_io_executor& operator=(std::nullptr_t) noexcept {
    clear();
    return *this;
  }

  template <detail::io_executor_target Executor>
  any_io_executor& operator=(Executor ex) {
    clear();
    emplace<Executor>(std::move(ex));
    return *this;
  }

  ~any_io_executor() { clear(); }

  void swap(any_io_executor& other) noexcept {
    any_io_executor temporary(std::move(other));
    other = std::move(*this);
    *this = std::move(temporary);
  }

  friend void swap(any_io_executor& a, any_io_executor& b) noexcept { a.swap(b); }

  // Submits f to the target. A function that already is an executor_function is passed on as
  // is; anything else is wrapped in one (recycled memory, no malloc in steady state).
  template <typename Function>
    requires std::invocable<std::decay_t<Function>>
  void execute(Function&& f) const {
    const vtable& table = checked_table();
    if constexpr (std::same_as<std::remove_cvref_t<Function>, detail::executor_function> &&
                  !std::is_lvalue_reference_v<Function>) {
      table.execute(storage_, std::move(f));
    } else {
      table.execute(storage_, detail::executor_function(std::forward<Function>(f)));
    }
  }

  execution_context& query(execution::context_t) const { return checked_table().context(storage_); }
  execution_context& context() const { return query(execution::context); }

  any_io_executor require(execution::blocking_t::never_t) const {
    return checked_table().require_never(storage_);
  }
  any_io_executor prefer(execution::blocking_t::possibly_t) const {
    return checked_table().prefer_possibly(storage_);
  }
  any_io_executor prefer(execution::outstanding_work_t::tracked_t) const {
    return checked_table().prefer_tracked(storage_);
  }
  any_io_executor prefer(execution::outstanding_work_t::untracked_t) const {
    return checked_table().prefer_untracked(storage_);
  }
  any_io_executor prefer(execution::relationship_t::fork_t) const {
    return checked_table().prefer_fork(storage_);
  }
  any_io_executor prefer(execution::relationship_t::continuation_t) const {
    return checked_table().prefer_continuation(storage_);
  }

  explicit operator bool() const noexcept { return table_ != nullptr; }

  const std::type_info& target_type() const noexcept {
    return table_ ? table_->type() : typeid(void);
  }

  template <typename Executor>
  Executor* target() noexcept {
    return target_type() == typeid(Executor)
               ? static_cast<Executor*>(const_cast<void*>(table_->target(storage_)))
               : nullptr;
  }

  template <typename Executor>
  const Executor* target() const noexcept {
    return target_type() == typeid(Executor)
               ? static_cast<const Executor*>(table_->target(storage_))
               : nullptr;
  }

  // A template whose left operand deduces only any_io_executor: as a plain friend, ADL finds
  // it for two strand<any_io_executor> operands too, and checking whether a strand converts
  // here would ask whether strands compare equal again (a constraint recursion). The right
  // operand may be any executor that converts, as in Asio (any == ctx.get_executor()).
  template <std::same_as<any_io_executor> Self, typename Other>
    requires std::same_as<Other, any_io_executor> ||
             (!detail::is_strand_v<Other> && std::is_convertible_v<const Other&, any_io_executor>)
  friend bool operator==(const Self& a, const Other& other) noexcept {
    if constexpr (!std::is_same_v<Other, any_io_executor>) {
      return a == any_io_executor(other);
    } else {
      const any_io_executor& b = other;
      if (!a.table_ || !b.table_) return a.table_ == b.table_;
      if (a.table_ != b.table_ && a.table_->type() != b.table_->type()) return false;
      return a.table_->equal(a.storage_, b.storage_);
    }
  }

  template <std::same_as<any_io_executor> Self>
  friend bool operator==(const Self& a, std::nullptr_t) noexcept { return !a; }

 private:
  static constexpr std::size_t inline_size = 4 * sizeof(void*);
  static constexpr std::size_t inline_alignment = alignof(void*);
  static_assert(sizeof(std::shared_ptr<int>) <= inline_size, "heap targets keep a shared_ptr");

  struct storage {
    alignas(inline_alignment) unsigned char bytes[inline_size];
  };

  struct vtable {
    const std::type_info& (*type)() noexcept;
    void (*copy)(storage& to, const storage& from);
    void (*move)(storage& to, storage& from) noexcept;  // also destroys `from`'s object
    void (*destroy)(storage&) noexcept;
    const void* (*target)(const storage&) noexcept;
    bool (*equal)(const storage&, const storage&) noexcept;
    void (*execute)(const storage&, detail::executor_function&&);
    execution_context& (*context)(const storage&);
    any_io_executor (*require_never)(const storage&);
    any_io_executor (*prefer_possibly)(const storage&);
    any_io_executor (*prefer_tracked)(const storage&);
    any_io_executor (*prefer_untracked)(const storage&);
    any_io_executor (*prefer_fork)(const storage&);
    any_io_executor (*prefer_continuation)(const storage&);
    bool (*runs_inline_here)(const storage&) noexcept;
  };

  friend bool detail::runs_inline_here(const any_io_executor& ex) noexcept;

  // Small executors are kept in place; others in a shared heap copy (executors are values whose
  // operations are all const, so sharing is invisible unless target<T>() is used to mutate).
  template <typename Executor>
  static constexpr bool stored_inline =
      sizeof(Executor) <= inline_size && alignof(Executor) <= inline_alignment &&
      std::is_nothrow_move_constructible_v<Executor>;

  template <typename Executor>
  using holder_t =
      std::conditional_t<stored_inline<Executor>, Executor, std::shared_ptr<Executor>>;

  template <typename Executor>
  static const holder_t<Executor>& holder_of(const storage& s) noexcept {
    return *std::launder(reinterpret_cast<const holder_t<Executor>*>(s.bytes));
  }

  template <typename Executor>
  static holder_t<Executor>& holder_of(storage& s) noexcept {
    return *std::launder(reinterpret_cast<holder_t<Executor>*>(s.bytes));
  }

  template <typename Executor>
  static const Executor& executor_of(const storage& s) noexcept {
    if constexpr (stored_inline<Executor>) {
      return holder_of<Executor>(s);
    } else {
      return *holder_of<Executor>(s);
    }
  }

  template <typename Executor>
  struct operations {
    using holder = holder_t<Executor>;

    static const std::type_info& type() noexcept { return typeid(Executor); }
    static void copy(storage& to, const storage& from) {
      ::new (static_cast<void*>(to.bytes)) holder(holder_of<Executor>(from));
    }
    static void move(storage& to, storage& from) noexcept {
      holder& source = holder_of<Executor>(from);
      ::new (static_cast<void*>(to.bytes)) holder(std::move(source));
      source.~holder();
    }
    static void destroy(storage& s) noexcept { holder_of<Executor>(s).~holder(); }
    static const void* target(const storage& s) noexcept { return &executor_of<Executor>(s); }
    static bool equal(const storage& a, const storage& b) noexcept {
      return executor_of<Executor>(a) == executor_of<Executor>(b);
    }
    static void execute(const storage& s, detail::executor_function&& f) {
      execution::execute(executor_of<Executor>(s), std::move(f));
    }
    static execution_context& context(const storage& s) {
      return proa::query(executor_of<Executor>(s), execution::context);
    }
    static any_io_executor require_never(const storage& s) {
      return any_io_executor(proa::require(executor_of<Executor>(s), execution::blocking.never));
    }
    template <typename Property>
    static any_io_executor prefer(const storage& s) {
      return any_io_executor(proa::prefer(executor_of<Executor>(s), Property{}));
    }
    static bool runs_inline_here(const storage& s) noexcept {
      if constexpr (detail::inline_when_running_here<Executor>)
        return executor_of<Executor>(s).running_in_this_thread();
      else
        return false;  // unknown semantics: take the general path
    }
  };

  template <typename Executor>
  static constexpr vtable table_for{
      &operations<Executor>::type,
      &operations<Executor>::copy,
      &operations<Executor>::move,
      &operations<Executor>::destroy,
      &operations<Executor>::target,
      &operations<Executor>::equal,
      &operations<Executor>::execute,
      &operations<Executor>::context,
      &operations<Executor>::require_never,
      &operations<Executor>::template prefer<execution::blocking_t::possibly_t>,
      &operations<Executor>::template prefer<execution::outstanding_work_t::tracked_t>,
      &operations<Executor>::template prefer<execution::outstanding_work_t::untracked_t>,
      &operations<Executor>::template prefer<execution::relationship_t::fork_t>,
      &operations<Executor>::template prefer<execution::relationship_t::continuation_t>,
      &operations<Executor>::runs_inline_here,
  };

  template <typename Executor>
  void emplace(Executor&& ex) {
    using holder = holder_t<Executor>;
    if constexpr (stored_inline<Executor>) {
      ::new (static_cast<void*>(storage_.bytes)) holder(std::move(ex));
    } else {
      ::new (static_cast<void*>(storage_.bytes))
          holder(std::make_shared<Executor>(std::move(ex)));
    }
    table_ = &table_for<Executor>;
  }

  const vtable& checked_table() const {
    if (!table_) throw execution::bad_executor();
    return *table_;
  }

  void clear() noexcept {
    if (table_) std::exchange(table_, nullptr)->destroy(storage_);
  }

  const vtable* table_ = nullptr;
  storage storage_;
};

namespace detail {
// True when a blocking.possibly execute on `ex` from this thread would run the function inline.
inline bool runs_inline_here(const any_io_executor& ex) noexcept {
  return ex.table_ && ex.table_->runs_inline_here(ex.storage_);
}
}  // namespace detail

}  // namespace proa
