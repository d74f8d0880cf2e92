// The rule engine: pure functions from facts to findings.
#pragma once

#include <vector>

#include "reconcilers/stacklimits/facts.h"
#include "reconcilers/stacklimits/finding.h"
#include "reconcilers/stacklimits/stack_policy.h"

namespace dw::stacklimits {

// Every violation of `policy` by every container, exempted ones included
// (exempted=true), sorted by Key(). Deterministic.
std::vector<Finding> Evaluate(const StackPolicy& policy, const std::vector<ContainerFacts>& containers);

// One container's findings (what Evaluate does per element).
void EvaluateContainer(const StackPolicy& policy, const ContainerFacts& c, std::vector<Finding>* out);

// The catalogue, for the README table and `dockward report`.
struct RuleInfo {
  const char* name;
  const char* summary;
  bool live;                      // fixable with docker update
  std::vector<const char*> cis;   // CIS v1.6.0 section-5 ids
};
const std::vector<RuleInfo>& RuleCatalogue();
const RuleInfo* FindRule(const std::string& name);

}  // namespace dw::stacklimits
