// PlanUpdate: Docker's update constraints (memory+swap together, CPU
// mechanism kept, reservation vs memory, no unsafe lowering) with exact values.
#include <catch2/catch.hpp>

#include <algorithm>

#include "reconcilers/stacklimits/enforce_plan.h"
#include "tests/unit/stacklimits/lab_fixture.h"

using namespace dw::stacklimits;
using dw::stacklimits::testing::kMi;
using dw::stacklimits::testing::LabContainer;
using dw::stacklimits::testing::LabFinding;

namespace {

StackPolicy Policy() {
  StackPolicy p;
  p.has_limits = true;
  p.defaults.memory = 64 * kMi;
  p.defaults.nano_cpus = 500000000;
  p.defaults.pids = 64;
  p.params.restart_allowed = {"unless-stopped", "always", "on-failure"};
  return p;
}

ContainerFacts Bare() {
  ContainerFacts c = LabContainer("bare", "running");
  c.restart_policy = "no";
  return c;
}

Finding Live(const std::string& rule, const std::string& subject) {
  Finding f = LabFinding("bare", rule, subject);
  f.fixable_live = true;
  return f;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("PlanUpdate fixes every live finding of an unlimited container", "[enforce_plan]") {
  std::vector<Finding> f = {Live("limits", "memory"), Live("limits", "cpus"), Live("limits", "pids"),
                            Live("restartPolicy", "")};
  UpdatePlan plan = PlanUpdate(Policy(), Bare(), f, 3 * kMi);
  CHECK(plan.unsafe.empty());
  REQUIRE(plan.update.memory);
  CHECK(*plan.update.memory == 67108864);
  REQUIRE(plan.update.memory_swap);
  CHECK(*plan.update.memory_swap == 67108864);  // swap defaults to memory: no swap
  REQUIRE(plan.update.nano_cpus);
  CHECK(*plan.update.nano_cpus == 500000000);
  CHECK_FALSE(plan.update.cpu_quota);
  REQUIRE(plan.update.pids_limit);
  CHECK(*plan.update.pids_limit == 64);
  REQUIRE(plan.update.restart_policy);
  CHECK(plan.update.restart_policy->name == "unless-stopped");
  CHECK(plan.update.restart_policy->maximum_retry_count == 0);
  CHECK(plan.fields ==
        std::vector<std::string>{"memory", "memorySwap", "cpus", "pids", "restartPolicy"});
  CHECK_FALSE(plan.empty());
}

TEST_CASE("PlanUpdate plans nothing for exempted, non-live or other containers' findings",
          "[enforce_plan]") {
  Finding exempt = Live("limits", "memory");
  exempt.exempted = true;
  Finding not_live = Live("privileged", "");
  not_live.fixable_live = false;
  Finding other = Live("limits", "pids");
  other.container = "dwlab_web_1";
  UpdatePlan plan = PlanUpdate(Policy(), Bare(), {exempt, not_live, other}, 0);
  CHECK(plan.empty());
  CHECK_FALSE(plan.update.memory);
  CHECK_FALSE(plan.update.pids_limit);
  CHECK(plan.unsafe.empty());
}

TEST_CASE("PlanUpdate sends memory and swap together even when only swap drifted",
          "[enforce_plan]") {
  ContainerFacts c = Bare();
  c.memory = 64 * kMi;
  c.memory_swap = 128 * kMi;
  UpdatePlan plan = PlanUpdate(Policy(), c, {Live("limits", "memorySwap")}, 10 * kMi);
  REQUIRE(plan.update.memory);
  CHECK(*plan.update.memory == 64 * kMi);
  CHECK(*plan.update.memory_swap == 64 * kMi);
  CHECK(plan.fields == std::vector<std::string>{"memory", "memorySwap"});
}

TEST_CASE("PlanUpdate keeps an explicit unlimited swap", "[enforce_plan]") {
  StackPolicy p = Policy();
  p.defaults.memory_swap = -1;
  UpdatePlan plan = PlanUpdate(p, Bare(), {Live("limits", "memory")}, kMi);
  CHECK(*plan.update.memory == 64 * kMi);
  CHECK(*plan.update.memory_swap == -1);
}

TEST_CASE("PlanUpdate keeps CpuQuota when the container uses it", "[enforce_plan]") {
  ContainerFacts c = Bare();
  c.cpu_quota = 150000;
  c.cpu_period = 100000;
  c.nano_cpus = 1500000000;
  UpdatePlan plan = PlanUpdate(Policy(), c, {Live("limits", "cpus")}, std::nullopt);
  CHECK_FALSE(plan.update.nano_cpus);
  REQUIRE(plan.update.cpu_quota);
  CHECK(*plan.update.cpu_quota == 50000);
  CHECK(*plan.update.cpu_period == 100000);
  CHECK(plan.fields == std::vector<std::string>{"cpus"});

  SECTION("a custom period is kept and the quota rounded up") {
    c.cpu_period = 33333;
    plan = PlanUpdate(Policy(), c, {Live("limits", "cpus")}, std::nullopt);
    CHECK(*plan.update.cpu_period == 33333);
    CHECK(*plan.update.cpu_quota == 16667);  // ceil(0.5 * 33333)
  }
  SECTION("a quota below the kernel's 1ms minimum is refused") {
    StackPolicy p = Policy();
    p.defaults.nano_cpus = 5000000;  // 0.005 core -> 500us
    plan = PlanUpdate(p, c, {Live("limits", "cpus")}, std::nullopt);
    CHECK(plan.empty());
    REQUIRE(plan.unsafe.size() == 1);
  }
}

TEST_CASE("PlanUpdate refuses to lower memory below 1.1 x usage", "[enforce_plan]") {
  ContainerFacts c = Bare();
  c.memory = 256 * kMi;
  c.memory_swap = 256 * kMi;
  SECTION("usage 60Mi: 64Mi < 66Mi is unsafe") {
    UpdatePlan plan = PlanUpdate(Policy(), c, {Live("limits", "memory")}, 60 * kMi);
    CHECK_FALSE(plan.update.memory);
    CHECK_FALSE(plan.update.memory_swap);
    CHECK(plan.empty());
    REQUIRE(plan.unsafe.size() == 1);
    CHECK(plan.unsafe[0].rfind("UnsafeLive", 0) == 0);
  }
  SECTION("usage 58Mi: 64Mi >= 63.8Mi is fine") {
    UpdatePlan plan = PlanUpdate(Policy(), c, {Live("limits", "memory")}, 58 * kMi);
    CHECK(*plan.update.memory == 64 * kMi);
    CHECK(plan.unsafe.empty());
  }
  SECTION("unknown usage of a running container: not lowered") {
    UpdatePlan plan = PlanUpdate(Policy(), c, {Live("limits", "memory")}, std::nullopt);
    CHECK(plan.empty());
    CHECK(plan.unsafe.size() == 1);
  }
  SECTION("a created container has no usage to protect") {
    c.state = "created";
    UpdatePlan plan = PlanUpdate(Policy(), c, {Live("limits", "memory")}, std::nullopt);
    CHECK(*plan.update.memory == 64 * kMi);
  }
  SECTION("raising memory needs no usage") {
    c.memory = 32 * kMi;
    UpdatePlan plan = PlanUpdate(Policy(), c, {Live("limits", "memory")}, std::nullopt);
    CHECK(*plan.update.memory == 64 * kMi);
    CHECK(plan.unsafe.empty());
  }
  SECTION("other fields are still planned") {
    UpdatePlan plan =
        PlanUpdate(Policy(), c, {Live("limits", "memory"), Live("limits", "pids")}, 60 * kMi);
    CHECK(plan.fields == std::vector<std::string>{"pids"});
  }
}

TEST_CASE("PlanUpdate checks the reservation against memory", "[enforce_plan]") {
  StackPolicy p = Policy();
  p.defaults.memory_reservation = 32 * kMi;
  ContainerFacts c = Bare();
  c.memory = 64 * kMi;
  c.memory_swap = 64 * kMi;
  UpdatePlan plan = PlanUpdate(p, c, {Live("limits", "memoryReservation")}, std::nullopt);
  REQUIRE(plan.update.memory_reservation);
  CHECK(*plan.update.memory_reservation == 32 * kMi);
  CHECK(plan.fields == std::vector<std::string>{"memoryReservation"});

  p.defaults.memory_reservation = 96 * kMi;
  plan = PlanUpdate(p, c, {Live("limits", "memoryReservation")}, std::nullopt);
  CHECK_FALSE(plan.update.memory_reservation);
  CHECK(plan.unsafe.size() == 1);

  SECTION("a memory below the current reservation is not sent") {
    ContainerFacts r = Bare();
    r.state = "created";
    r.memory_reservation = 128 * kMi;
    plan = PlanUpdate(Policy(), r, {Live("limits", "memory")}, std::nullopt);
    CHECK_FALSE(plan.update.memory);
    CHECK_FALSE(plan.update.memory_swap);
    CHECK(plan.fields.empty());
    CHECK(plan.unsafe.size() == 1);
  }
}

TEST_CASE("PlanUpdate restart policy keeps an allowed name and caps retries", "[enforce_plan]") {
  StackPolicy p = Policy();
  p.params.restart_allowed = {"on-failure"};
  p.params.restart_max_retries = 5;
  ContainerFacts c = Bare();
  c.restart_policy = "on-failure";
  c.restart_max_retries = 20;
  UpdatePlan plan = PlanUpdate(p, c, {Live("restartPolicy", "")}, std::nullopt);
  REQUIRE(plan.update.restart_policy);
  CHECK(plan.update.restart_policy->name == "on-failure");
  CHECK(plan.update.restart_policy->maximum_retry_count == 5);

  c.restart_policy = "always";
  plan = PlanUpdate(p, c, {Live("restartPolicy", "")}, std::nullopt);
  CHECK(plan.update.restart_policy->name == "on-failure");
  CHECK(plan.update.restart_policy->maximum_retry_count == 5);

  p.params.restart_allowed.clear();
  plan = PlanUpdate(p, c, {Live("restartPolicy", "")}, std::nullopt);
  CHECK_FALSE(plan.update.restart_policy);
  CHECK(plan.unsafe.size() == 1);
}

TEST_CASE("PlanUpdate uses the per-service override", "[enforce_plan]") {
  StackPolicy p = Policy();
  Limits hungry;
  hungry.memory = 256 * kMi;
  p.services["bare"] = hungry;
  ContainerFacts c = Bare();
  UpdatePlan plan = PlanUpdate(p, c, {Live("limits", "memory"), Live("limits", "cpus")}, kMi);
  CHECK(*plan.update.memory == 256 * kMi);
  CHECK(*plan.update.memory_swap == 256 * kMi);
  CHECK(*plan.update.nano_cpus == 500000000);  // from the defaults
  CHECK(Has(plan.fields, "cpus"));
}
