// Retention of a policy's Backups (objects and artifact files together).
//  - PlanPolicyRetention is pure: Backups are grouped by their target label
//    and each group goes through PlanRetention (retention.h) with
//    Artifact{id = Backup name, time = completionTime (else creation),
//    good = Succeeded}. Only finished, non-dry-run Backups are candidates;
//    Pending/Running ones are never touched, and Backups without a target
//    label (made by hand) are left alone. Absent retention keeps everything.
//  - Dry-run Backups produce no artifact and only document what would have
//    run; they are removed kDryRunTtl after they finished so they do not
//    pile up (long enough for `dockward backup run --dry-run` to read them).
//  - RemoveArtifactFiles deletes an artifact and its ".json" sidecar, but
//    only after resolving both (symlinks included) to a place strictly inside
//    the destination directory; a missing file is fine.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "reconcilers/backup/policy_backups.h"
#include "reconcilers/backup/retention.h"
#include "reconcilers/backup/timezone.h"

namespace dw::backup {

inline constexpr std::chrono::hours kDryRunTtl{1};

struct RetentionRemoval {
  std::string backup;   // Backup object name
  std::string path;     // artifact path ("" for dry runs and runs without one)
  std::string reasons;  // ReasonString, or "dry-run-expired"
};

Status PlanPolicyRetention(const std::vector<BackupView>& backups,
                           const std::optional<RetentionPolicy>& policy, const TimeZone& zone,
                           clock::TimePoint now, std::vector<RetentionRemoval>* out);

// `path` resolved (through symlinks of existing parents) if it lies strictly
// inside `destination`; Forbidden otherwise (also for relative paths).
Status ResolveInsideDestination(const std::string& destination, const std::string& path,
                                std::string* resolved);

// Deletes `path` and `path + ".json"` if they lie inside `destination`.
// NotFound files are not errors; other unlink failures are IOError.
Status RemoveArtifactFiles(const std::string& destination, const std::string& path);

}  // namespace dw::backup
