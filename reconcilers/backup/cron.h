// Cron schedules for BackupPolicy.spec.schedule, evaluated in
// spec.timeZone. Pure functions: no clock reads, no I/O after parsing.
//
// Syntax: 5 fields "minute hour day-of-month month day-of-week" with `*`,
// lists, ranges, steps (`*/15`, `1-30/5`, and `5/15` meaning `5-max/15` as in
// robfig/cron), month and weekday names (JAN-DEC, SUN-SAT, any case), 7 as
// Sunday; macros @yearly/@annually, @monthly, @weekly, @daily/@midnight,
// @hourly, and "@every <n>(ns|us|ms|s|m|h)" (which the CRD admits: a fixed
// interval from the previous time, whole seconds, at least 1s, zone-free).
//
// Day rule (Vixie cron, Kubernetes CronJob): when both day-of-month and
// day-of-week are restricted, a day matches if EITHER matches. A field counts
// as unrestricted only when written `*` (or `*/1`); like robfig/cron and
// Kubernetes, and unlike Vixie, `*/2` is a restriction.
//
// Daylight saving time (each local wall-clock minute fires at most once):
//  - a local time that does not exist (spring forward) is skipped, as in
//    Kubernetes CronJob (robfig/cron): "30 2 * * *" does not run that day;
//  - a local time that occurs twice (fall back) runs once, at its first
//    occurrence; the repeated hour is not run again, even for "*/15".
#pragma once

#include <bitset>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "operator/common/clock.h"
#include "operator/common/status.h"
#include "reconcilers/backup/timezone.h"

namespace dw::backup {

using TimePoint = dw::clock::TimePoint;

struct Schedule {
  std::string text;  // as written, for messages
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  // bits 1-31
  std::bitset<13> months;         // bits 1-12
  std::bitset<7> days_of_week;    // 0 = Sunday
  bool dom_restricted = false;
  bool dow_restricted = false;
  std::chrono::seconds every{0};  // > 0 only for "@every"
  std::shared_ptr<const TimeZone> zone;

  // Whether a local civil day is a run day (month, and the Vixie day rule).
  bool DayMatches(int64_t year, int month, int day, int weekday) const;
};

// Parses `text` in the IANA zone `time_zone` ("" means UTC). Errors are
// BadRequest naming the field and token, e.g.
//   schedule "61 * * * *": minute: 61 is out of range 0-59
// or `unknown time zone "X"`.
Status ParseSchedule(std::string_view text, std::string_view time_zone, Schedule* out);
Status ParseSchedule(std::string_view text, std::shared_ptr<const TimeZone> zone, Schedule* out);

// How far Next looks before declaring that a schedule never fires: 9 years
// covers "0 0 29 2 *" across 2100, which is not a leap year (2096 -> 2104).
inline constexpr int kScheduleSearchYears = 9;

// The first scheduled instant strictly after `after`. BadRequest if the
// schedule has no run within kScheduleSearchYears (e.g. "0 0 30 2 *").
Status Next(const Schedule& s, TimePoint after, TimePoint* next);

// Runs that should have started but did not (CronJob's missed-run rule).
inline constexpr int64_t kMaxMissedRuns = 100;
struct MissedRuns {
  // The latest scheduled time in (last, now] that is also no older than
  // now - startingDeadlineSeconds: the one run to start now, if any.
  std::optional<TimePoint> most_recent;
  // Scheduled times in that window, counted up to kMaxMissedRuns + 1.
  int64_t missed = 0;
  // More than kMaxMissedRuns were missed (CronJob's "TooManyMissedTimes"):
  // the caller should warn (an Event) and still start most_recent, as the
  // Kubernetes CronJob controller does since 1.21.
  bool too_many = false;
};

// `last` is the last schedule time (or the policy's creation time if it never
// ran); `deadline` is startingDeadlineSeconds if set. Times after `now` are
// never returned; a `last` in the future (clock skew) yields no run.
// For @every the runs are floor(last) + k*interval; the deadline filters them
// (the CronJob controller instead re-anchors @every at now - deadline).
Status FindMissedRuns(const Schedule& s, TimePoint last, TimePoint now,
                      std::optional<std::chrono::seconds> deadline, MissedRuns* out);

}  // namespace dw::backup
