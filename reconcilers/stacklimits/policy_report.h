// Findings as a wgpolicyk8s.io/v1alpha2 PolicyReport (the format Kyverno and
// the Policy Reporter UI read) and as a table. Used by `dockward report`
// (from StackLimits status) and `dockward lint` (from compose files).
#pragma once

#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"
#include "reconcilers/stacklimits/facts.h"
#include "reconcilers/stacklimits/finding.h"

namespace dw::stacklimits {

struct ReportSource {
  std::string name;       // report metadata.name, e.g. "dockward-stacklimits-lab"
  std::string ns;         // "" for lint
  std::string policy;     // results[].policy, e.g. "stacklimits/lab"
  std::string timestamp;  // RFC 3339 (seconds and nanos in results)
};

// One result per finding: fail (open) or skip (exempted), severity in lower
// case, category = rule, properties: cis, observed, desired, fixableLive,
// subject; resources = the container (kind Container, name, namespace =
// compose project). `checked` is the number of (container, rule) checks
// made; the summary's pass count is checked minus those with findings.
void BuildPolicyReport(const ReportSource& src, const std::vector<Finding>& findings, int checked,
                       json::Document* out);

// Aligned columns: PROJECT SERVICE CONTAINER RULE SUBJECT SEVERITY OBSERVED DESIRED LIVE,
// exempted rows marked "(exempt: reason)". Empty findings: "No findings.\n".
std::string FindingsTable(const std::vector<Finding>& findings);

// Back from a StackLimits object's status (violations and exempted rows) to
// findings, for `dockward report`; `checked` as above from status.summary.
Status FindingsFromStatus(const json::Value& stacklimits, std::vector<Finding>* out, int* checked);

}  // namespace dw::stacklimits
