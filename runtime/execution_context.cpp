// The service registry behind execution_context: a mutex-guarded list, newest first. Lookups
// are rare (services are found once and then cached by their users), so a list is enough.
#include "runtime/execution_context.hpp"

#include <vector>

namespace proa {

execution_context::~execution_context() {
  shutdown();
  destroy();
}

void execution_context::notify_fork(fork_event event) {
  std::vector<service*> services;
  {
    std::lock_guard lock(mutex_);
    for (service* s = newest_service_; s; s = s->next_) services.push_back(s);
  }
  // The lock is not held while services run: they may look up other services.
  if (event == fork_prepare) {
    for (service* s : services) s->notify_fork(event);
  } else {
    for (auto it = services.rbegin(); it != services.rend(); ++it) (*it)->notify_fork(event);
  }
}

void execution_context::shutdown() {
  service* newest = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    newest = newest_service_;
  }
  // Services are only ever prepended, so the list from `newest` on is stable without the lock.
  for (service* s = newest; s; s = s->next_) s->shutdown();
}

void execution_context::destroy() {
  service* newest = nullptr;
  {
    std::lock_guard lock(mutex_);
    newest = std::exchange(newest_service_, nullptr);
  }
  while (newest) {
    service* next = newest->next_;
    delete newest;
    newest = next;
  }
}

execution_context::service* execution_context::find_service(
    const detail::service_key& key) const {
  std::lock_guard lock(mutex_);
  for (service* s = newest_service_; s; s = s->next_) {
    if (s->key_ == key) return s;
  }
  return nullptr;
}

execution_context::service* execution_context::register_unless_present(
    service* created, const detail::service_key& key) {
  std::lock_guard lock(mutex_);
  for (service* s = newest_service_; s; s = s->next_) {
    if (s->key_ == key) return s;
  }
  created->key_ = key;
  created->next_ = newest_service_;
  newest_service_ = created;
  return created;
}

void execution_context::register_unique(service* created, const detail::service_key& key) {
  std::lock_guard lock(mutex_);
  for (service* s = newest_service_; s; s = s->next_) {
    if (s->key_ == key) throw service_already_exists();
  }
  created->key_ = key;
  created->next_ = newest_service_;
  newest_service_ = created;
}

}  // namespace proa
