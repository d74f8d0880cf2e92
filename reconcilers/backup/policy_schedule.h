// When a BackupPolicy runs and what each run is called. Pure functions: the
// reconciler supplies the clock reading and the Backups it listed.
//
// DecideSchedule follows the CronJob controller: the one run to start is the
// most recent missed time in (last, now] within startingDeadlineSeconds;
// older missed times are dropped (too many of them -> a warning). Then the
// concurrency policy, with "active" = Backups of the policy still Pending or
// Running (or with no phase yet):
//  - Forbid: the run is skipped, and lastScheduleTime still moves to it, so a
//    skipped run is not started late when the active one ends (the active run
//    has just produced a fresh backup anyway);
//  - Replace: the active Backups are deleted (their finalizer cancels the
//    run), then the run is created;
//  - Allow: the run is created.
// Suspend: no run, but nextScheduleTime is still reported.
//
// Names are deterministic, so re-creating a run after a crash hits
// AlreadyExists instead of running twice:
//  scheduled: "<policy>-<yyyymmddhhmm>-<key[0:6]>" (UTC; "ss" appended when
//             the time is not on a minute, which only "@every" produces),
//  manual:    "<policy>-manual-<sha256(nonce)[0:6]>-<key[0:6]>",
// the policy part truncated so a name never exceeds 63 characters.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "operator/common/clock.h"
#include "operator/common/status.h"
#include "reconcilers/backup/policy_spec.h"

namespace dw::backup {

inline constexpr size_t kMaxBackupNameLength = 63;

enum class RunAction { kNone, kCreate, kSkip, kReplace };

struct ScheduleDecision {
  RunAction action = RunAction::kNone;
  std::optional<TimePoint> run_time;   // the run to start (or skip)
  int64_t missed = 0;                  // missed times in the window
  bool too_many_missed = false;
  std::optional<TimePoint> next;       // first scheduled time after now
};

// `last` is status.lastScheduleTime, else metadata.creationTimestamp.
// `active` is how many Backups of the policy are still in flight.
Status DecideSchedule(const PolicySpec& spec, TimePoint last, TimePoint now, size_t active,
                      ScheduleDecision* out);

std::string ScheduledBackupName(const std::string& policy, TimePoint t, const std::string& key);
std::string ManualBackupName(const std::string& policy, const std::string& nonce,
                             const std::string& key);

// The kLabelRequest value for a run-request nonce: the nonce itself when it is
// a valid label value, else "h-" + the first 16 hex digits of its SHA-256
// (an RFC 3339 time has ':' which labels refuse). `dockward backup run`
// selects its Backups with this.
std::string RunRequestLabelValue(const std::string& nonce);

}  // namespace dw::backup
