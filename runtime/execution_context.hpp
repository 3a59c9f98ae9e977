// execution_context: the base of every proa context (io_context, thread_pool, ...). It owns a
// registry of services, per-context singletons such as timer queues and reactors, created on
// first use and shut down / destroyed in reverse order of creation.
#pragma once

#include <concepts>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace proa {

class execution_context;

namespace detail {

// Names a service inside a registry: by the address of its static `id` member when it has one
// (cheap and independent of RTTI), else by its typeid.
struct service_key {
  const std::type_info* type = nullptr;
  const void* id = nullptr;

  bool operator==(const service_key& other) const noexcept {
    if (id || other.id) return id == other.id;
    return type && other.type && *type == *other.type;
  }
};

struct service_registry_access;

// Any type whose lvalues bind to execution_context&: io_context, thread_pool, user contexts.
template <typename Context>
concept execution_context_type = std::is_convertible_v<Context&, execution_context&>;

}  // namespace detail

// Thrown by make_service/add_service when the context already holds a service of that type.
class service_already_exists : public std::logic_error {
 public:
  service_already_exists() : std::logic_error("service already exists") {}
};

// Thrown by add_service when the service was built for a different context.
class invalid_service_owner : public std::logic_error {
 public:
  invalid_service_owner() : std::logic_error("invalid service owner") {}
};

class execution_context {
 public:
  class id;
  class service;

  enum fork_event { fork_prepare, fork_parent, fork_child };

  execution_context() = default;
  execution_context(const execution_context&) = delete;
  execution_context& operator=(const execution_context&) = delete;
  ~execution_context();

  // Tells every service about a fork. Before the fork services are told newest first, after it
  // oldest first, so dependencies are torn down and rebuilt in a consistent order.
  void notify_fork(fork_event event);

 protected:
  // Calls shutdown() on every service, newest first. Only the first call does anything.
  void shutdown();
  // Deletes every service, newest first. Only the first call does anything.
  void destroy();

 private:
  friend struct detail::service_registry_access;

  // Returns the service registered under `key`, or null.
  service* find_service(const detail::service_key& key) const;
  // Registers `created` unless a service with the same key appeared meanwhile; returns the
  // registered one. Ownership of `created` passes to the context only if it is returned.
  service* register_unless_present(service* created, const detail::service_key& key);
  // Registers `created` or throws service_already_exists (ownership stays with the caller).
  void register_unique(service* created, const detail::service_key& key);

  mutable std::mutex mutex_;
  service* newest_service_ = nullptr;  // services form a list, newest first
  bool shut_down_ = false;
};

// A tag object whose address identifies a service type; see detail::service_key.
class execution_context::id {
 public:
  id() = default;
  id(const id&) = delete;
  id& operator=(const id&) = delete;
};

class execution_context::service {
 public:
  service(const service&) = delete;
  service& operator=(const service&) = delete;

  execution_context& context() noexcept { return owner_; }

 protected:
  explicit service(execution_context& owner) noexcept : owner_(owner) {}
  virtual ~service() = default;

 private:
  friend class execution_context;

  // Releases everything that refers back to the context (pending operations, handlers) while
  // all services still exist; destruction follows later.
  virtual void shutdown() = 0;
  virtual void notify_fork(fork_event) {}

  execution_context& owner_;
  detail::service_key key_;
  service* next_ = nullptr;
};

namespace detail {

template <typename Service>
concept service_with_id = requires {
  { &Service::id } -> std::convertible_to<const execution_context::id*>;
};

template <typename Service>
service_key key_of() noexcept {
  service_key key;
  if constexpr (service_with_id<Service>) {
    key.id = static_cast<const execution_context::id*>(&Service::id);
  } else {
    key.type = &typeid(Service);
  }
  return key;
}

// A CRTP base giving a service the static id that keys it.
template <typename Type>
class service_id : public execution_context::id {};

template <typename Type>
class execution_context_service_base : public execution_context::service {
 public:
  static inline service_id<Type> id;

  explicit execution_context_service_base(execution_context& owner) noexcept
      : execution_context::service(owner) {}
};

struct service_registry_access {
  template <typename Service>
  static Service* find(const execution_context& context) {
    return static_cast<Service*>(context.find_service(key_of<Service>()));
  }

  template <typename Service>
  static Service& use(execution_context& context, std::unique_ptr<Service> created) {
    execution_context::service* base = created.get();
    execution_context::service* registered =
        context.register_unless_present(base, key_of<Service>());
    if (registered == base) created.release();  // the context owns it now
    return *static_cast<Service*>(registered);
  }

  template <typename Service>
  static void add_unique(execution_context& context, Service* created) {
    context.register_unique(created, key_of<Service>());
  }
};

}  // namespace detail

// Returns the context's Service, creating it on first use. The service is constructed from the
// context as passed (an io_context& reaches a constructor taking io_context&). Construction
// happens without the registry lock held, so a service may use other services while it is
// being built; if two threads race, one result is kept and the other destroyed.
template <typename Service, detail::execution_context_type Context>
  requires std::derived_from<Service, execution_context::service> &&
           std::constructible_from<Service, Context&>
Service& use_service(Context& context) {
  execution_context& base = context;
  if (Service* existing = detail::service_registry_access::find<Service>(base)) return *existing;
  auto created = std::make_unique<Service>(context);
  return detail::service_registry_access::use<Service>(base, std::move(created));
}

// Creates the context's Service from (context, args...). Throws service_already_exists if the
// context already holds one.
template <typename Service, detail::execution_context_type Context, typename... Args>
  requires std::derived_from<Service, execution_context::service> &&
           std::constructible_from<Service, Context&, Args...>
Service& make_service(Context& context, Args&&... args) {
  auto created = std::make_unique<Service>(context, std::forward<Args>(args)...);
  execution_context& base = context;
  detail::service_registry_access::add_unique<Service>(base, created.get());
  return *created.release();
}

// Hands `created` (built for `context`) to the context, which then owns and deletes it.
// Throws invalid_service_owner or service_already_exists without taking ownership.
template <typename Service>
  requires std::derived_from<Service, execution_context::service>
void add_service(execution_context& context, Service* created) {
  if (&created->context() != &context) throw invalid_service_owner();
  detail::service_registry_access::add_unique<Service>(context, created);
}

template <typename Service>
  requires std::derived_from<Service, execution_context::service>
bool has_service(const execution_context& context) {
  return detail::service_registry_access::find<Service>(context) != nullptr;
}

}  // namespace proa
