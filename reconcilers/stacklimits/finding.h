// Finding: one rule violation (or one waived by an exception) on one
// container. Keyed by (project, service, container, rule, subject), which is
// how lint and the runtime audit are compared and how status stays stable.
#pragma once

#include <string>
#include <tuple>
#include <vector>

#include "reconcilers/stacklimits/stack_policy.h"

namespace dw::stacklimits {

struct Finding {
  std::string project, service, container;
  std::string rule;     // a rule name, or "limits"
  std::string subject;  // capability, env var name, memory|memorySwap|memoryReservation|cpus|pids,
                        // namespace, proxy permission; "" when the rule has one subject
  Severity severity = Severity::kMedium;
  std::string observed, desired;  // human-readable; secret values appear as <redacted>
  std::string message;
  bool fixable_live = false;  // docker update can fix it
  std::vector<std::string> cis;  // CIS Docker Benchmark v1.6.0 ids, "5.5"
  bool exempted = false;         // waived by an exception (reported as skip)
  std::string exemption_reason;

  auto Key() const { return std::tie(project, service, container, rule, subject); }
};

}  // namespace dw::stacklimits
