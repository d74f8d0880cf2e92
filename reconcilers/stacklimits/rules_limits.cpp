// Rules docker update can fix on a running container: resource limits and
// the restart policy (fixable_live=true). Comparison is exact: any difference
// from the desired value is drift, in either direction.
#include <algorithm>

#include "reconcilers/stacklimits/quantity.h"
#include "reconcilers/stacklimits/rules.h"

namespace dw::stacklimits::rules {
namespace {

std::string Bytes(int64_t b) { return b == 0 || b == -1 ? "unlimited" : FormatBytes(b); }
std::string Cpus(int64_t nano) { return nano == 0 ? "unlimited" : FormatCpus(nano); }
std::string Pids(int64_t n) { return n <= 0 ? "unlimited" : std::to_string(n); }

// What Docker applies: with a memory limit and no swap setting, the daemon
// allows as much swap again (MemorySwap = 2 x Memory). Lint sees the 0.
int64_t EffectiveSwap(const ContainerFacts& c) {
  if (c.memory > 0 && c.memory_swap == 0) return 2 * c.memory;
  return c.memory_swap;
}

void Add(std::vector<Finding>* out, const char* subject, std::string observed, std::string desired,
         const std::string& what) {
  std::string msg = "The " + what + " is " + observed + " but the policy wants " + desired + ".";
  out->push_back(Make("limits", subject, std::move(observed), std::move(desired), std::move(msg), true));
}

std::string PolicyText(const std::string& name, int retries) {
  if (name == "on-failure" && retries > 0) return name + ":" + std::to_string(retries);
  return name;
}

}  // namespace

void ResourceLimits(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out) {
  if (!policy.has_limits) return;
  Limits want = policy.LimitsFor(c.service);
  if (want.memory && c.memory != *want.memory) {
    Add(out, "memory", Bytes(c.memory), Bytes(*want.memory), "memory limit");
  }
  // Without a memory limit there is no swap limit to compare; fixing memory
  // writes both together.
  if (want.memory_swap && c.memory > 0) {
    int64_t have = EffectiveSwap(c);
    if (have != *want.memory_swap) Add(out, "memorySwap", Bytes(have), Bytes(*want.memory_swap), "memory+swap limit");
  }
  if (want.memory_reservation && c.memory_reservation != *want.memory_reservation) {
    Add(out, "memoryReservation", Bytes(c.memory_reservation), Bytes(*want.memory_reservation), "memory reservation");
  }
  if (want.nano_cpus && c.nano_cpus != *want.nano_cpus) {
    Add(out, "cpus", Cpus(c.nano_cpus), Cpus(*want.nano_cpus), "CPU limit");
  }
  if (want.pids && std::max<int64_t>(c.pids_limit, 0) != *want.pids) {
    Add(out, "pids", Pids(c.pids_limit), Pids(*want.pids), "pids limit");
  }
}

void RestartPolicy(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out) {
  const RuleParams& p = policy.params;
  std::string name = c.restart_policy.empty() ? "no" : c.restart_policy;
  std::string observed = PolicyText(name, c.restart_max_retries);
  std::string first = p.restart_allowed.empty() ? "unless-stopped" : p.restart_allowed.front();
  std::string desired = PolicyText(first, first == "on-failure" ? p.restart_max_retries.value_or(0) : 0);
  bool allowed = std::find(p.restart_allowed.begin(), p.restart_allowed.end(), name) != p.restart_allowed.end();
  if (!allowed) {
    out->push_back(Make("restartPolicy", "", observed, desired,
                        "The restart policy " + observed + " is not accepted; the policy wants " + desired + ".", true));
    return;
  }
  // on-failure with 0 retries restarts forever; a cap must be explicit.
  if (name == "on-failure" && p.restart_max_retries &&
      (c.restart_max_retries == 0 || c.restart_max_retries > *p.restart_max_retries)) {
    std::string want = PolicyText("on-failure", *p.restart_max_retries);
    out->push_back(Make("restartPolicy", "", c.restart_max_retries == 0 ? "on-failure (unlimited retries)" : observed,
                        want, "The restart policy retries more often than " + want + " allows.", true));
  }
}

}  // namespace dw::stacklimits::rules
