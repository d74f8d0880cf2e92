#include "reconcilers/backup/retention.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <unordered_set>

#include "reconcilers/backup/civil.h"

namespace dw::backup {

namespace {

constexpr const char* kReasonNames[] = {"last",      "hourly",        "daily",
                                        "weekly",    "monthly",       "yearly",
                                        "newest-good", "no-policy",   "no-newer-good",
                                        "expired",   "superseded"};

// One rung of the ladder: how many buckets are left and the last one used.
struct Rung {
  int64_t left;
  uint32_t reason;
  std::optional<int64_t> last_bucket;
};

// The buckets of one instant in local civil time. Keys only need to differ
// between buckets and be equal within one, as restic's integer keys.
struct Buckets {
  int64_t hour, day, week, month, year;
};

Buckets BucketsOf(dw::clock::TimePoint t, const TimeZone& zone) {
  const int64_t local = zone.ToLocal(civil::FloorSeconds(t));
  const int64_t day = civil::FloorDiv(local, civil::kSecondsPerDay);
  const civil::Date d = civil::CivilFromDays(day);
  const civil::IsoWeek w = civil::IsoWeekFromDays(day);
  return Buckets{civil::FloorDiv(local, 3600), day, w.year * 100 + w.week, d.year * 12 + d.month,
                 d.year};
}

Status Validate(const std::vector<Artifact>& artifacts, const RetentionPolicy& p) {
  const std::pair<const char*, int64_t> counts[] = {
      {"keepLast", p.keep_last}, {"hourly", p.hourly},   {"daily", p.daily},
      {"weekly", p.weekly},      {"monthly", p.monthly}, {"yearly", p.yearly}};
  for (const auto& [name, n] : counts)
    if (n < 0) return Status::BadRequest(std::string("retention.") + name + " must not be negative");
  std::unordered_set<std::string_view> ids;
  ids.reserve(artifacts.size());
  for (const Artifact& a : artifacts)
    if (!ids.insert(a.id).second) return Status::BadRequest("duplicate artifact id \"" + a.id + "\"");
  return Status::OK();
}

// Newest first; at equal times good first (so it supersedes the failure),
// then id descending: a total order, independent of input order.
std::vector<size_t> NewestFirst(const std::vector<Artifact>& a) {
  std::vector<size_t> order(a.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&a](size_t x, size_t y) {
    if (a[x].time != a[y].time) return a[x].time > a[y].time;
    if (a[x].good != a[y].good) return a[x].good;
    return a[x].id > a[y].id;
  });
  return order;
}

// restic's ladder step for one good artifact: every rung with buckets left
// whose bucket differs from its last kept one keeps it.
uint32_t Climb(Rung (&rungs)[6], const Buckets& b, int64_t position) {
  const int64_t keys[6] = {position, b.hour, b.day, b.week, b.month, b.year};
  uint32_t reasons = 0;
  for (int i = 0; i < 6; ++i) {
    Rung& r = rungs[i];
    if (r.left == 0 || r.last_bucket == keys[i]) continue;
    r.last_bucket = keys[i];
    --r.left;
    reasons |= r.reason;
  }
  return reasons;
}

}  // namespace

std::string ReasonString(uint32_t reasons) {
  std::string out;
  for (size_t i = 0; i < std::size(kReasonNames); ++i) {
    if (!(reasons & (1u << i))) continue;
    if (!out.empty()) out += ',';
    out += kReasonNames[i];
  }
  return out;
}

Status PlanRetention(const std::vector<Artifact>& artifacts, const RetentionPolicy& policy,
                     const TimeZone& zone, RetentionPlan* out) {
  DW_RETURN_IF_ERROR(Validate(artifacts, policy));
  RetentionPlan plan;
  const std::vector<size_t> order = NewestFirst(artifacts);
  if (policy.KeepsEverything()) {
    for (size_t i : order) plan.keep.push_back({i, artifacts[i].id, kReasonNoPolicy});
    *out = std::move(plan);
    return Status::OK();
  }
  Rung rungs[6] = {{policy.keep_last, kReasonLast, {}}, {policy.hourly, kReasonHourly, {}},
                   {policy.daily, kReasonDaily, {}},    {policy.weekly, kReasonWeekly, {}},
                   {policy.monthly, kReasonMonthly, {}}, {policy.yearly, kReasonYearly, {}}};
  int64_t good_seen = 0;
  for (size_t i : order) {
    const Artifact& a = artifacts[i];
    uint32_t reasons = 0;
    if (!a.good) {
      reasons = good_seen > 0 ? kReasonSuperseded : kReasonNoNewerGood;
    } else {
      reasons = Climb(rungs, BucketsOf(a.time, zone), good_seen);
      // The ladder keeps the newest good artifact whenever any count is
      // non-zero; state the guarantee here rather than rely on that.
      if (good_seen == 0 && reasons == 0) reasons = kReasonNewestGood;
      if (reasons == 0) reasons = kReasonExpired;
      ++good_seen;
    }
    const bool keep = !(reasons & (kReasonExpired | kReasonSuperseded));
    (keep ? plan.keep : plan.remove).push_back({i, a.id, reasons});
  }
  *out = std::move(plan);
  return Status::OK();
}

}  // namespace dw::backup
