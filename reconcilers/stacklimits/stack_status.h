// The StackLimits status: per-service rows, summary counts and the four
// conditions, built from one audit pass. Pure, and free of timestamps except
// those carried in (lastEnforcement, condition transitions), so an idle pass
// produces an identical document and the reconciler writes nothing.
//
// Conditions:
//   Ready      True/Audited after a full pass; False with InvalidSpec,
//              HostNotFound, HostUnavailable (set by the reconciler).
//   Compliant  True when no open (non-exempted) violation; False names counts.
//   Healthy    True when every covered service runs all its expected
//              containers and none is unhealthy or starting.
//   Drifted    True when a limit or restart setting differs from the policy
//              (what Enforce fixes live); False otherwise.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "operator/common/clock.h"
#include "operator/json/json.h"
#include "reconcilers/stacklimits/facts.h"
#include "reconcilers/stacklimits/finding.h"
#include "reconcilers/stacklimits/recommend.h"
#include "reconcilers/stacklimits/stack_policy.h"

namespace dw::stacklimits {

struct Enforcement {
  std::string time;  // RFC 3339
  std::string container;
  std::string action;  // Updated, Recreated, Failed
  std::vector<std::string> fields;
  std::string message;
};

struct ServiceRecommendation {
  UsagePeak peak;
  Recommendation proposal;
  std::string window_start;  // RFC 3339
  bool complete = false;
};

struct AuditResult {
  std::vector<ContainerFacts> containers;  // covered containers
  std::vector<Finding> findings;           // Evaluate() over them
  std::map<std::string, Enforcement> last_enforcement;         // "project/service"
  std::map<std::string, ServiceRecommendation> recommendations;  // "project/service"
};

std::string ServiceKey(const std::string& project, const std::string& service);

// Replaces services/summary/observedGeneration in `status` and sets the
// Ready(True), Compliant, Healthy and Drifted conditions; keeps other fields.
// Returns true when anything changed.
bool ApplyAuditStatus(const StackPolicy& policy, const AuditResult& audit, int64_t generation,
                      json::Value& status, json::Allocator& a, clock::TimePoint now);

}  // namespace dw::stacklimits
