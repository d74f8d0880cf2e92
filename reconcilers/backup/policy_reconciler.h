// BackupPolicyReconciler: turns a BackupPolicy into Backup objects on its
// schedule (and on `dockward backup run`), prunes old Backups and their
// artifacts by the retention policy, and reports targets and outcomes in
// status. It never runs a dump itself: each Backup is run by the Backup
// reconciler, so a slow dump never blocks scheduling.
//
// One pass: read the policy -> parse the spec -> list every DockerHost's
// labelled containers (an unreachable host keeps its last known targets and
// makes the policy Degraded) -> scheduled run -> manual run -> retention ->
// status (written only when changed). Decisions live in pure functions
// (policy_schedule, target_resolver, policy_retention, policy_status); this
// class only does the I/O between them.
//
// Decisions worth knowing (see the headers for the rest):
//  - Backups are also created for the last known targets of a host that does
//    not answer right now, so a short Docker outage delays a scheduled run
//    (the Backup reconciler retries with backoff) instead of dropping it;
//  - a manual run ignores concurrencyPolicy Forbid: it was asked for
//    explicitly, and its Backups have their own names, so it cannot collide
//    with a scheduled run;
//  - a policy whose name is not a valid label value (> 63 characters) is
//    reported InvalidSpec: its Backups could not carry kLabelPolicy.
// Thread-safe: the Controller may run several workers over distinct keys.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "operator/common/status.h"
#include "operator/runtime/controller.h"
#include "reconcilers/backup/deps.h"
#include "reconcilers/backup/policy_backups.h"
#include "reconcilers/backup/policy_schedule.h"
#include "reconcilers/backup/policy_spec.h"
#include "reconcilers/backup/policy_status.h"

namespace dw::backup {

// Requeue bounds: a healthy policy is looked at again at least this often
// (to notice finished Backups for retention and status even without events),
// and an unreachable host is retried with this backoff.
inline constexpr std::chrono::minutes kPolicySafetyResync{5};
inline constexpr std::chrono::seconds kHostBackoffMin{10};
inline constexpr std::chrono::seconds kHostBackoffMax{120};

class BackupPolicyReconciler {
 public:
  explicit BackupPolicyReconciler(const BackupDeps& deps);

  Status Reconcile(const runtime::Request& req, runtime::Result* result);

 private:
  struct Pass;  // what one Reconcile reads and decides

  Status ListBackups(Pass& p);
  void ObserveTargets(Pass& p);
  Status RunSchedule(Pass& p, ScheduleDecision* decision);
  Status RunManual(Pass& p);
  struct Run {
    std::optional<TimePoint> scheduled;  // scheduled run time, or
    std::string nonce;                   // the run-request nonce of a manual run
    bool dry_run = false;
  };
  Status CreateBackups(Pass& p, const Run& run, int* created);
  Status DeleteBackup(Pass& p, const std::string& name);
  Status ApplyRetention(Pass& p);
  Status WriteStatus(Pass& p);
  std::chrono::milliseconds HostBackoff(const std::string& key, bool failing);
  void Event(const json::Value& obj, const char* type, const char* reason, const std::string& msg);

  BackupDeps deps_;
  const schema::ResourceInfo* policies_ = nullptr;
  const schema::ResourceInfo* backups_ = nullptr;

  std::mutex mu_;
  std::map<std::string, int> host_failures_;  // policy key -> consecutive failing passes
};

}  // namespace dw::backup
