// PlanUpdate: the POST /update body that makes a container's live settings
// match the policy, with Docker's constraints encoded so the call never fails
// halfway (memory+swap together, CPU mechanism kept, reservation <= memory,
// no OOM-kill by lowering memory below what the container uses).
#include "reconcilers/stacklimits/enforce_plan.h"

#include <algorithm>

#include "reconcilers/stacklimits/quantity.h"

namespace dw::stacklimits {

namespace {

constexpr int64_t kDefaultCpuPeriod = 100000;  // microseconds, Docker's default
constexpr int64_t kMinCpuQuota = 1000;         // the kernel refuses less

// Which live settings the container's findings ask for.
struct Wanted {
  bool memory = false, swap = false, reservation = false, cpus = false, pids = false,
       restart = false;
};

Wanted WantedFrom(const ContainerFacts& c, const std::vector<Finding>& findings) {
  Wanted w;
  for (const auto& f : findings) {
    if (f.exempted || !f.fixable_live) continue;
    if (!f.container.empty() && !c.container.empty() && f.container != c.container) continue;
    if (f.rule == "restartPolicy") w.restart = true;
    if (f.rule != "limits") continue;
    if (f.subject == "memory") w.memory = true;
    else if (f.subject == "memorySwap") w.swap = true;
    else if (f.subject == "memoryReservation") w.reservation = true;
    else if (f.subject == "cpus") w.cpus = true;
    else if (f.subject == "pids") w.pids = true;
  }
  return w;
}

bool HasProcesses(const ContainerFacts& c) {
  return c.state == "running" || c.state == "paused" || c.state == "restarting";
}

// Memory and swap as one change. Returns false (with a reason) when unsafe.
bool PlanMemory(const ContainerFacts& c, const Limits& want, std::optional<int64_t> usage,
                UpdatePlan* plan, int64_t* new_memory) {
  int64_t mem = want.memory ? *want.memory : c.memory;
  int64_t swap = want.memory_swap ? *want.memory_swap : (want.memory ? mem : c.memory_swap);
  if (mem <= 0) {
    plan->unsafe.push_back(want.memory ? "memory: removing a memory limit is not possible live"
                                       : "memorySwap: needs a memory limit, none is set");
    return false;
  }
  if (swap != -1 && swap != 0 && swap < mem) {
    plan->unsafe.push_back("memorySwap " + FormatBytes(swap) + " is below memory " +
                           FormatBytes(mem));
    return false;
  }
  bool lowering = c.memory == 0 || mem < c.memory;
  if (lowering && HasProcesses(c)) {
    if (!usage) {
      plan->unsafe.push_back("memory: current usage unknown, not lowering the limit to " +
                             FormatBytes(mem));
      return false;
    }
    // 1.1 x usage, in integers: mem*10 < usage*11.
    if (static_cast<__int128>(mem) * 10 < static_cast<__int128>(*usage) * 11) {
      plan->unsafe.push_back("UnsafeLive: memory " + FormatBytes(mem) + " is below 1.1 x usage " +
                             FormatBytes(*usage) + "; lowering it would OOM-kill the container");
      return false;
    }
  }
  plan->update.memory = mem;
  plan->update.memory_swap = swap == 0 ? mem * 2 : swap;  // 0 would mean "unchanged"
  plan->fields.push_back("memory");
  plan->fields.push_back("memorySwap");
  *new_memory = mem;
  return true;
}

void PlanCpus(const ContainerFacts& c, int64_t nano, UpdatePlan* plan) {
  if (nano <= 0) {
    plan->unsafe.push_back("cpus: removing a CPU limit is not possible live");
    return;
  }
  if (c.cpu_quota > 0) {  // switching to NanoCpus is "Conflicting options"
    int64_t period = c.cpu_period > 0 ? c.cpu_period : kDefaultCpuPeriod;
    int64_t quota = static_cast<int64_t>(
        (static_cast<__int128>(nano) * period + 999999999) / 1000000000);
    if (quota < kMinCpuQuota) {
      plan->unsafe.push_back("cpus " + FormatCpus(nano) + " gives a CPU quota below 1ms per period");
      return;
    }
    plan->update.cpu_quota = quota;
    plan->update.cpu_period = period;
  } else {
    plan->update.nano_cpus = nano;
  }
  plan->fields.push_back("cpus");
}

void PlanRestart(const StackPolicy& policy, const ContainerFacts& c, UpdatePlan* plan) {
  const auto& allowed = policy.params.restart_allowed;
  if (allowed.empty()) {
    plan->unsafe.push_back("restartPolicy: no allowed policy to set");
    return;
  }
  // A policy already allowed is kept (only its retry count was wrong).
  bool current_ok = std::find(allowed.begin(), allowed.end(), c.restart_policy) != allowed.end();
  docker::RestartPolicy rp;
  rp.name = current_ok ? c.restart_policy : allowed.front();
  if (rp.name == "on-failure")
    rp.maximum_retry_count = policy.params.restart_max_retries.value_or(c.restart_max_retries);
  plan->update.restart_policy = rp;
  plan->fields.push_back("restartPolicy");
}

}  // namespace

UpdatePlan PlanUpdate(const StackPolicy& policy, const ContainerFacts& facts,
                      const std::vector<Finding>& findings, std::optional<int64_t> memory_usage) {
  UpdatePlan plan;
  Wanted w = WantedFrom(facts, findings);
  Limits want = policy.LimitsFor(facts.service);

  int64_t final_memory = facts.memory;
  if (w.memory || w.swap) PlanMemory(facts, want, memory_usage, &plan, &final_memory);

  if (w.reservation && want.memory_reservation) {
    int64_t res = *want.memory_reservation;
    if (final_memory > 0 && res > final_memory) {
      plan.unsafe.push_back("memoryReservation " + FormatBytes(res) + " is above memory " +
                            FormatBytes(final_memory));
    } else {
      plan.update.memory_reservation = res;
      plan.fields.push_back("memoryReservation");
    }
  } else if (plan.update.memory && facts.memory_reservation > final_memory) {
    // The daemon would refuse the memory change against the current reservation.
    plan.unsafe.push_back("memory " + FormatBytes(final_memory) + " is below the current reservation " +
                          FormatBytes(facts.memory_reservation));
    plan.update.memory.reset();
    plan.update.memory_swap.reset();
    plan.fields.erase(std::remove_if(plan.fields.begin(), plan.fields.end(),
                                     [](const std::string& f) { return f.rfind("memory", 0) == 0; }),
                      plan.fields.end());
  }

  if (w.cpus && want.nano_cpus) PlanCpus(facts, *want.nano_cpus, &plan);
  if (w.pids && want.pids) {
    plan.update.pids_limit = *want.pids > 0 ? *want.pids : -1;
    plan.fields.push_back("pids");
  }
  if (w.restart) PlanRestart(policy, facts, &plan);
  return plan;
}

}  // namespace dw::stacklimits
