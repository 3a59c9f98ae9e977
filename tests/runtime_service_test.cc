// User-defined services on an execution context: use_service creates once, make_service
// refuses duplicates, and destroying the context shuts services down, then deletes them.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime_under_test.hpp"

namespace {

// What the services below saw, in order. One test at a time uses it.
std::vector<std::string> service_events;

template <int Tag>
class recording_service : public rt::execution_context::service {
 public:
  // Asio-style identity: the address of this static names the service type.
  inline static rt::execution_context::id id;

  explicit recording_service(rt::execution_context& owner) : recording_service(owner, 0) {}

  recording_service(rt::execution_context& owner, int setting)
      : rt::execution_context::service(owner), setting(setting) {
    ++constructions;
    service_events.push_back(name() + " constructed");
  }

  ~recording_service() override { service_events.push_back(name() + " destroyed"); }

  static std::string name() { return "service" + std::to_string(Tag); }

  inline static int constructions = 0;
  const int setting;

 private:
  void shutdown() override { service_events.push_back(name() + " shutdown"); }
};

using first_service = recording_service<1>;
using second_service = recording_service<2>;

class RuntimeService : public ::testing::Test {
 protected:
  void SetUp() override {
    service_events.clear();
    first_service::constructions = 0;
    second_service::constructions = 0;
  }
};

TEST_F(RuntimeService, UseServiceCreatesOnceAndReturnsTheSameObject) {
  rt::io_context ctx;
  EXPECT_FALSE(rt::has_service<first_service>(ctx));
  auto& created = rt::use_service<first_service>(ctx);
  EXPECT_TRUE(rt::has_service<first_service>(ctx));
  EXPECT_FALSE(rt::has_service<second_service>(ctx)) << "each service type has its own slot";
  rt::execution_context& as_base = ctx;
  auto& found = rt::use_service<first_service>(as_base);
  EXPECT_EQ(&created, &found);
  EXPECT_EQ(first_service::constructions, 1);
  EXPECT_EQ(&created.context(), &as_base);
}

TEST_F(RuntimeService, MakeServicePassesArgumentsAndRefusesDuplicates) {
  rt::io_context ctx;
  auto& made = rt::make_service<first_service>(ctx, 42);
  EXPECT_EQ(made.setting, 42);
  EXPECT_EQ(&rt::use_service<first_service>(ctx), &made) << "use_service finds the made one";
  EXPECT_THROW(rt::make_service<first_service>(ctx, 7), rt::service_already_exists);
  EXPECT_EQ(rt::use_service<first_service>(ctx).setting, 42) << "the original stays";

  rt::use_service<second_service>(ctx);
  EXPECT_THROW(rt::make_service<second_service>(ctx), rt::service_already_exists);
}

TEST_F(RuntimeService, DestroyingTheContextShutsDownThenDestroysInReverseOrder) {
  {
    rt::io_context ctx;
    rt::use_service<first_service>(ctx);
    rt::make_service<second_service>(ctx, 1);
    service_events.clear();
  }
  EXPECT_EQ(service_events,
            (std::vector<std::string>{"service2 shutdown", "service1 shutdown",
                                      "service2 destroyed", "service1 destroyed"}));
}

TEST_F(RuntimeService, ThreadPoolHostsServicesToo) {
  {
    rt::thread_pool pool(1);
    auto& svc = rt::use_service<first_service>(pool);
    EXPECT_EQ(&svc, &rt::use_service<first_service>(pool));
    EXPECT_TRUE(rt::has_service<first_service>(pool));
    service_events.clear();
  }
  EXPECT_EQ(service_events,
            (std::vector<std::string>{"service1 shutdown", "service1 destroyed"}));
}

TEST_F(RuntimeService, ServicesOnDifferentContextsAreDistinct) {
  rt::io_context first;
  rt::io_context second;
  auto& on_first = rt::use_service<first_service>(first);
  auto& on_second = rt::use_service<first_service>(second);
  EXPECT_NE(&on_first, &on_second);
  EXPECT_EQ(&on_first.context(), static_cast<rt::execution_context*>(&first));
  EXPECT_EQ(&on_second.context(), static_cast<rt::execution_context*>(&second));
}

}  // namespace
