// Tests for execution_context's service registry: creation on first use, explicit creation,
// identity by id or type, and the shutdown/destroy/fork ordering contract.
#include "runtime/execution_context.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace {

// A context that lets tests drive the protected shutdown/destroy steps.
class test_context : public proa::execution_context {
 public:
  using execution_context::destroy;
  using execution_context::shutdown;
  int tag = 7;
};

std::vector<std::string>* event_log = nullptr;

void log_event(std::string event) {
  if (event_log) event_log->push_back(std::move(event));
}

template <int N>
class logging_service : public proa::execution_context::service {
 public:
  explicit logging_service(proa::execution_context& owner) : service(owner) {
    log_event("create " + std::to_string(N));
  }
  ~logging_service() override { log_event("destroy " + std::to_string(N)); }

 private:
  void shutdown() override { log_event("shutdown " + std::to_string(N)); }
  void notify_fork(proa::execution_context::fork_event event) override {
    log_event("fork " + std::to_string(N) + ":" + std::to_string(event));
  }
};

class counted_service : public proa::execution_context::service {
 public:
  static inline std::atomic<int> constructed{0};
  explicit counted_service(proa::execution_context& owner) : service(owner) { ++constructed; }

 private:
  void shutdown() override {}
};

class service_with_arguments : public proa::execution_context::service {
 public:
  service_with_arguments(proa::execution_context& owner, int a, std::string b)
      : service(owner), first(a), second(std::move(b)) {}
  int first;
  std::string second;

 private:
  void shutdown() override {}
};

// Constructible only from the derived context: use_service must pass the static type on.
class derived_context_service : public proa::execution_context::service {
 public:
  explicit derived_context_service(test_context& owner) : service(owner), tag(owner.tag) {}
  int tag;

 private:
  void shutdown() override {}
};

class service_keyed_by_id : public proa::detail::execution_context_service_base<service_keyed_by_id> {
 public:
  explicit service_keyed_by_id(proa::execution_context& owner)
      : execution_context_service_base(owner) {}

 private:
  void shutdown() override {}
};

class plain_id_service : public proa::execution_context::service {
 public:
  static inline proa::execution_context::id id;
  explicit plain_id_service(proa::execution_context& owner) : service(owner) {}

 private:
  void shutdown() override {}
};

// Uses another service while being constructed: the registry must not hold its lock then.
class dependent_service : public proa::execution_context::service {
 public:
  explicit dependent_service(proa::execution_context& owner)
      : service(owner), dependency(proa::use_service<counted_service>(owner)) {}
  counted_service& dependency;

 private:
  void shutdown() override {}
};

class ExecutionContextTest : public ::testing::Test {
 protected:
  void SetUp() override { event_log = &events; }
  void TearDown() override { event_log = nullptr; }
  std::vector<std::string> events;
};

TEST_F(ExecutionContextTest, UseServiceCreatesOnceAndReturnsTheSameObject) {
  test_context context;
  int before = counted_service::constructed;
  EXPECT_FALSE(proa::has_service<counted_service>(context));
  auto& first = proa::use_service<counted_service>(context);
  auto& second = proa::use_service<counted_service>(context);
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(counted_service::constructed - before, 1);
  EXPECT_TRUE(proa::has_service<counted_service>(context));
  EXPECT_EQ(&first.context(), &context);
}

TEST_F(ExecutionContextTest, UseServiceConstructsFromTheDerivedContextType) {
  test_context context;
  context.tag = 42;
  auto& service = proa::use_service<derived_context_service>(context);
  EXPECT_EQ(service.tag, 42);
}

TEST_F(ExecutionContextTest, ServicesOfDifferentContextsAreDistinct) {
  test_context a;
  test_context b;
  EXPECT_NE(&proa::use_service<counted_service>(a), &proa::use_service<counted_service>(b));
}

TEST_F(ExecutionContextTest, MakeServicePassesArgumentsAndRefusesASecondOne) {
  test_context context;
  auto& service = proa::make_service<service_with_arguments>(context, 3, std::string("x"));
  EXPECT_EQ(service.first, 3);
  EXPECT_EQ(service.second, "x");
  EXPECT_THROW(proa::make_service<service_with_arguments>(context, 4, std::string("y")),
               proa::service_already_exists);
  EXPECT_TRUE(proa::has_service<service_with_arguments>(context));
  EXPECT_EQ(service.first, 3);
}

TEST_F(ExecutionContextTest, MakeServiceAfterUseServiceThrows) {
  test_context context;
  proa::use_service<counted_service>(context);
  EXPECT_THROW(proa::make_service<counted_service>(context), proa::service_already_exists);
}

TEST_F(ExecutionContextTest, AddServiceChecksOwnerAndUniqueness) {
  test_context context;
  test_context other;
  auto* foreign = new counted_service(other);
  EXPECT_THROW(proa::add_service(context, foreign), proa::invalid_service_owner);
  proa::add_service(other, foreign);  // ownership passes to `other`
  EXPECT_EQ(&proa::use_service<counted_service>(other), foreign);

  auto* duplicate = new counted_service(other);
  EXPECT_THROW(proa::add_service(other, duplicate), proa::service_already_exists);
  delete duplicate;  // not taken on failure
}

TEST_F(ExecutionContextTest, ServicesWithIdAreFoundById) {
  test_context context;
  EXPECT_FALSE(proa::has_service<service_keyed_by_id>(context));
  EXPECT_FALSE(proa::has_service<plain_id_service>(context));
  auto& keyed = proa::use_service<service_keyed_by_id>(context);
  auto& plain = proa::use_service<plain_id_service>(context);
  EXPECT_TRUE(proa::has_service<service_keyed_by_id>(context));
  EXPECT_TRUE(proa::has_service<plain_id_service>(context));
  EXPECT_EQ(&proa::use_service<service_keyed_by_id>(context), &keyed);
  EXPECT_EQ(&proa::use_service<plain_id_service>(context), &plain);
  EXPECT_TRUE(proa::detail::service_with_id<plain_id_service>);
  EXPECT_FALSE(proa::detail::service_with_id<counted_service>);
}

TEST_F(ExecutionContextTest, ServiceMayUseAnotherServiceWhileBeingConstructed) {
  test_context context;
  auto& dependent = proa::use_service<dependent_service>(context);
  EXPECT_EQ(&dependent.dependency, &proa::use_service<counted_service>(context));
}

TEST_F(ExecutionContextTest, ShutdownThenDestroyRunNewestFirstAndOnlyOnce) {
  {
    test_context context;
    proa::use_service<logging_service<1>>(context);
    proa::use_service<logging_service<2>>(context);
    proa::use_service<logging_service<3>>(context);
    context.shutdown();
    context.shutdown();
    EXPECT_EQ(events, (std::vector<std::string>{"create 1", "create 2", "create 3", "shutdown 3",
                                                "shutdown 2", "shutdown 1"}));
    events.clear();
    context.destroy();
    context.destroy();
    EXPECT_EQ(events, (std::vector<std::string>{"destroy 3", "destroy 2", "destroy 1"}));
    events.clear();
    EXPECT_FALSE(proa::has_service<logging_service<1>>(context));
  }
  EXPECT_TRUE(events.empty());  // the destructor found nothing left to do
}

TEST_F(ExecutionContextTest, DestructorShutsDownEverythingBeforeDestroyingAnything) {
  {
    test_context context;
    proa::use_service<logging_service<1>>(context);
    proa::use_service<logging_service<2>>(context);
    events.clear();
  }
  EXPECT_EQ(events, (std::vector<std::string>{"shutdown 2", "shutdown 1", "destroy 2",
                                              "destroy 1"}));
}

TEST_F(ExecutionContextTest, NotifyForkVisitsNewestFirstBeforeAndOldestFirstAfter) {
  test_context context;
  proa::use_service<logging_service<1>>(context);
  proa::use_service<logging_service<2>>(context);
  events.clear();
  context.notify_fork(proa::execution_context::fork_prepare);
  context.notify_fork(proa::execution_context::fork_child);
  EXPECT_EQ(events, (std::vector<std::string>{"fork 2:0", "fork 1:0", "fork 1:2", "fork 2:2"}));
  events.clear();
}

TEST_F(ExecutionContextTest, ConcurrentUseServiceAgreesOnOneInstance) {
  for (int round = 0; round < 20; ++round) {
    test_context context;
    std::atomic<bool> go{false};
    std::vector<counted_service*> seen(4, nullptr);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i) {
      threads.emplace_back([&, i] {
        while (!go.load()) std::this_thread::yield();
        seen[i] = &proa::use_service<counted_service>(context);
      });
    }
    go = true;
    for (auto& t : threads) t.join();
    for (auto* s : seen) EXPECT_EQ(s, seen[0]);
  }
}

}  // namespace
