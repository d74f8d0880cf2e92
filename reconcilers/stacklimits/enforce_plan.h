// What Enforce mode may change on a running container with POST /update, and
// what it must leave for a recreate. Pure.
//
// Docker's rules encoded here: memory and memory-swap go together (the daemon
// refuses a memory above the current swap limit); the CPU mechanism already in
// use is kept (NanoCpus vs CpuQuota/CpuPeriod conflict); a reservation must be
// below the limit; memory is never lowered below 1.1 x current usage (cgroup v2
// would OOM-kill the container): that is reported as unsafe, not forced.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "operator/docker/types.h"
#include "reconcilers/stacklimits/facts.h"
#include "reconcilers/stacklimits/finding.h"
#include "reconcilers/stacklimits/stack_policy.h"

namespace dw::stacklimits {

struct UpdatePlan {
  docker::ContainerUpdate update;
  std::vector<std::string> fields;  // changed settings: memory, memorySwap, cpus, pids, memoryReservation, restartPolicy
  std::vector<std::string> unsafe;  // why a wanted change was not planned
  bool empty() const { return fields.empty(); }
};

// `findings` are the container's own (Evaluate's output filtered to it);
// only non-exempted, fixable_live ones are planned. `memory_usage` is the
// current usage when known (needed before lowering memory).
UpdatePlan PlanUpdate(const StackPolicy& policy, const ContainerFacts& facts,
                      const std::vector<Finding>& findings, std::optional<int64_t> memory_usage);

}  // namespace dw::stacklimits
