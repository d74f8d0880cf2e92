// BackupPolicy.status as a pure function of what one reconcile observed.
// Built on a copy of the previous status so condition transition times only
// move when a condition's status changes; the reconciler writes it only when
// it differs from the stored one.
//
// Conditions:
//  - Ready: True when the spec is valid and every DockerHost answered;
//    False with InvalidSpec or HostUnreachable otherwise.
//  - Degraded: True when a host is unreachable (HostUnreachable), a target's
//    newest finished Backup Failed (BackupFailed) or a container's labels are
//    invalid (InvalidTargetLabels); the reason is the first of these that
//    holds, the message lists all of them.
// Dry-run Backups never count as a target's last result or as a success: they
// produce no artifact.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "operator/common/clock.h"
#include "operator/json/json.h"
#include "reconcilers/backup/policy_backups.h"
#include "reconcilers/backup/target_resolver.h"

namespace dw::backup {

struct HostError {
  std::string host;
  std::string message;
};

struct PolicyObservation {
  int64_t generation = 0;
  std::string spec_error;                   // non-empty: the spec did not parse
  std::vector<ResolvedTarget> targets;      // every host's, last known ones for unreachable hosts
  std::vector<HostError> host_errors;
  std::vector<BackupView> backups;          // every Backup labelled with the policy
  std::optional<clock::TimePoint> last_schedule;
  std::optional<clock::TimePoint> next_schedule;  // absent: suspended or never fires
  std::string last_handled_run_request;
};

// `old_status` may be null. Writes the whole new status object into `out`.
void BuildPolicyStatus(const json::Value* old_status, const PolicyObservation& obs,
                       clock::TimePoint now, json::Document* out);

// The targets of `host` recorded in a previous status (for a host that does
// not answer now: keep reporting, and backing up, what it last had). An
// empty `host` returns every recorded target.
std::vector<ResolvedTarget> TargetsFromStatus(const json::Value& status, const std::string& host);

}  // namespace dw::backup
