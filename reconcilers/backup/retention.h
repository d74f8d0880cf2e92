// Retention for BackupPolicy.spec.retention: which artifacts to keep and
// which to delete, with the semantics of `restic forget`:
//  - artifacts are ordered newest first; keepLast keeps the N newest;
//  - hourly/daily/weekly/monthly/yearly each keep the newest artifact of each
//    distinct bucket (local hour, day, ISO week, month, year in the policy's
//    time zone) until N buckets are kept. Buckets without artifacts do not
//    count ("the last 7 days that have a backup", as in restic);
//  - an artifact kept by any rule is kept; every rule that kept it is listed.
// Our additions, because a deleted backup cannot be brought back:
//  - only good (verified) artifacts fill buckets: a failed one never
//    displaces a good one. A non-good artifact is removed ("superseded") once
//    a good artifact at least as new exists, and kept ("no-newer-good") until
//    then, so the newest failure stays inspectable;
//  - the newest good artifact is never removed;
//  - a policy with every count 0 (or absent) keeps everything (restic
//    refuses an empty policy; here absent retention means "keep all").
// Ties (equal times) are broken by putting good before not good, then by id
// descending, so the result never depends on input order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "operator/common/clock.h"
#include "operator/common/status.h"
#include "reconcilers/backup/timezone.h"

namespace dw::backup {

struct Artifact {
  std::string id;
  dw::clock::TimePoint time;  // when the backup was taken (an instant)
  bool good = false;          // verified
};

struct RetentionPolicy {
  int64_t keep_last = 0;
  int64_t hourly = 0;
  int64_t daily = 0;
  int64_t weekly = 0;
  int64_t monthly = 0;
  int64_t yearly = 0;

  bool KeepsEverything() const {
    return keep_last == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 &&
           yearly == 0;
  }
};

// Why an artifact is kept or removed; a decision carries a set of these.
enum Reason : uint32_t {
  kReasonLast = 1u << 0,         // "last"
  kReasonHourly = 1u << 1,       // "hourly"
  kReasonDaily = 1u << 2,        // "daily"
  kReasonWeekly = 1u << 3,       // "weekly"
  kReasonMonthly = 1u << 4,      // "monthly"
  kReasonYearly = 1u << 5,       // "yearly"
  kReasonNewestGood = 1u << 6,   // "newest-good": the guarantee, when no rule kept it
  kReasonNoPolicy = 1u << 7,     // "no-policy": all counts zero
  kReasonNoNewerGood = 1u << 8,  // "no-newer-good": not good, nothing good supersedes it yet
  kReasonExpired = 1u << 9,      // "expired": good, but no rule keeps it (remove)
  kReasonSuperseded = 1u << 10,  // "superseded": not good, a newer good exists (remove)
};

// "last,daily,monthly" in the order of the enum.
std::string ReasonString(uint32_t reasons);

struct RetentionDecision {
  size_t index;     // into the input vector
  std::string id;
  uint32_t reasons;
};

struct RetentionPlan {
  std::vector<RetentionDecision> keep;    // newest first
  std::vector<RetentionDecision> remove;  // newest first
};

// BadRequest for a negative count or a duplicate artifact id.
Status PlanRetention(const std::vector<Artifact>& artifacts, const RetentionPolicy& policy,
                     const TimeZone& zone, RetentionPlan* out);

}  // namespace dw::backup
