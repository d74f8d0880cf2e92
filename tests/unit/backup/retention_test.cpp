#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "reconcilers/backup/retention.h"
#include "tests/unit/backup/civil_test_util.h"

using dw::backup::Artifact;
using dw::backup::PlanRetention;
using dw::backup::RetentionPlan;
using dw::backup::RetentionPolicy;
using dw::backup::TimeZone;
using dw::backup::testing::Str;
using dw::backup::testing::Utc;

namespace {

using S = std::vector<std::string>;

// "id reasons" per decision, newest first: compact and exact to compare.
S Lines(const std::vector<dw::backup::RetentionDecision>& ds) {
  S out;
  for (const auto& d : ds) out.push_back(d.id + " " + dw::backup::ReasonString(d.reasons));
  return out;
}

RetentionPlan Plan(const std::vector<Artifact>& a, const RetentionPolicy& p,
                   const TimeZone& zone = *TimeZone::Utc()) {
  RetentionPlan plan;
  dw::Status s = PlanRetention(a, p, zone, &plan);
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(plan.keep.size() + plan.remove.size() == a.size());
  return plan;
}

std::shared_ptr<const TimeZone> Zone(const char* name) {
  std::shared_ptr<const TimeZone> z;
  REQUIRE(TimeZone::Load(name, &z).ok());
  return z;
}

// One backup every 6 hours for 365 days from 2025-01-04 00:00 UTC: 1460
// runs, the last at 2026-01-03 18:00. Ids are the RFC 3339 times.
std::vector<Artifact> YearOfRuns() {
  std::vector<Artifact> runs;
  for (int i = 0; i < 365 * 4; ++i) {
    const auto t = Utc(2025, 1, 4) + std::chrono::hours(6 * i);
    runs.push_back({Str(t), t, true});
  }
  return runs;
}

void MarkFailed(std::vector<Artifact>* runs, const std::string& id) {
  auto it = std::find_if(runs->begin(), runs->end(), [&](const Artifact& a) { return a.id == id; });
  REQUIRE(it != runs->end());
  it->good = false;
}

}  // namespace

TEST_CASE("a year of 6-hourly runs against a hand-computed ladder", "[retention]") {
  // Policy: keepLast 3, daily 7, weekly 4, monthly 12, yearly 2 (UTC).
  // Reasoning, newest first; the newest run of any day is its 18:00 run.
  //  last 3:     2026-01-03 18:00, 12:00, 06:00.
  //  daily 7:    the 18:00 runs of Jan 3, 2, 1 and Dec 31, 30, 29, 28.
  //  weekly 4:   ISO weeks. 2026-W01 runs Mon 2025-12-29 .. Sun 2026-01-04, so
  //              Dec 29-31 share a bucket with Jan 1-3 (newest: Jan 3 18:00).
  //              W52 = Dec 22-28 -> Dec 28; W51 -> Dec 21; W50 -> Dec 14.
  //  monthly 12: Jan 3 (Jan 2026), then the last day of Dec .. Feb 2025 at
  //              18:00 (Feb 28: 2025 is not a leap year). Jan 2025 is the 13th
  //              month and is not kept.
  //  yearly 2:   2026 -> Jan 3 18:00; 2025 -> Dec 31 18:00.
  // 3 + 6 (Jan 3 is already kept) + 2 + 10 (Dec and Jan already kept) = 21.
  const RetentionPolicy policy{3, 0, 7, 4, 12, 2};
  const S expected_keep = {
      "2026-01-03T18:00:00Z last,daily,weekly,monthly,yearly",
      "2026-01-03T12:00:00Z last",
      "2026-01-03T06:00:00Z last",
      "2026-01-02T18:00:00Z daily",
      "2026-01-01T18:00:00Z daily",
      "2025-12-31T18:00:00Z daily,monthly,yearly",
      "2025-12-30T18:00:00Z daily",
      "2025-12-29T18:00:00Z daily",
      "2025-12-28T18:00:00Z daily,weekly",
      "2025-12-21T18:00:00Z weekly",
      "2025-12-14T18:00:00Z weekly",
      "2025-11-30T18:00:00Z monthly",
      "2025-10-31T18:00:00Z monthly",
      "2025-09-30T18:00:00Z monthly",
      "2025-08-31T18:00:00Z monthly",
      "2025-07-31T18:00:00Z monthly",
      "2025-06-30T18:00:00Z monthly",
      "2025-05-31T18:00:00Z monthly",
      "2025-04-30T18:00:00Z monthly",
      "2025-03-31T18:00:00Z monthly",
      "2025-02-28T18:00:00Z monthly",
  };
  std::vector<Artifact> runs = YearOfRuns();
  REQUIRE(runs.size() == 1460);
  REQUIRE(runs.back().id == "2026-01-03T18:00:00Z");

  SECTION("all runs verified") {
    const RetentionPlan plan = Plan(runs, policy);
    CHECK(Lines(plan.keep) == expected_keep);
    CHECK(plan.remove.size() == 1439);
    CHECK(plan.remove.front().id == "2026-01-03T00:00:00Z");
    CHECK(plan.remove.back().id == "2025-01-04T00:00:00Z");
    for (const auto& d : plan.remove) CHECK(dw::backup::ReasonString(d.reasons) == "expired");
  }

  SECTION("input order does not matter") {
    std::mt19937 rng(7);
    std::shuffle(runs.begin(), runs.end(), rng);
    CHECK(Lines(Plan(runs, policy).keep) == expected_keep);
  }

  SECTION("failed runs never fill a bucket; the run before them does") {
    // Nov 30 18:00 and Dec 28 18:00 failed verification: their buckets go to
    // the 12:00 runs of the same days, and the failures are superseded.
    MarkFailed(&runs, "2025-11-30T18:00:00Z");
    MarkFailed(&runs, "2025-12-28T18:00:00Z");
    S keep = expected_keep;
    std::replace(keep.begin(), keep.end(), std::string("2025-12-28T18:00:00Z daily,weekly"),
                 std::string("2025-12-28T12:00:00Z daily,weekly"));
    std::replace(keep.begin(), keep.end(), std::string("2025-11-30T18:00:00Z monthly"),
                 std::string("2025-11-30T12:00:00Z monthly"));
    const RetentionPlan plan = Plan(runs, policy);
    CHECK(Lines(plan.keep) == keep);
    const S removed = Lines(plan.remove);
    CHECK(std::count(removed.begin(), removed.end(), "2025-12-28T18:00:00Z superseded") == 1);
    CHECK(std::count(removed.begin(), removed.end(), "2025-11-30T18:00:00Z superseded") == 1);
  }

  SECTION("the newest run failed: it stays until a good one supersedes it") {
    MarkFailed(&runs, "2026-01-03T18:00:00Z");
    const RetentionPlan plan = Plan(runs, policy);
    const S keep = Lines(plan.keep);
    REQUIRE(keep.size() == 22);
    CHECK(keep[0] == "2026-01-03T18:00:00Z no-newer-good");
    CHECK(keep[1] == "2026-01-03T12:00:00Z last,daily,weekly,monthly,yearly");
    CHECK(keep[2] == "2026-01-03T06:00:00Z last");
    CHECK(keep[3] == "2026-01-03T00:00:00Z last");
    CHECK(keep[4] == "2026-01-02T18:00:00Z daily");
  }
}

TEST_CASE("retention: empty and all-zero policies keep everything", "[retention]") {
  CHECK(Plan({}, RetentionPolicy{1, 0, 0, 0, 0, 0}).keep.empty());
  const std::vector<Artifact> a = {{"old", Utc(2025, 1, 1), true},
                                   {"bad", Utc(2025, 1, 2), false},
                                   {"new", Utc(2025, 1, 3), true}};
  const RetentionPlan plan = Plan(a, RetentionPolicy{});
  CHECK(Lines(plan.keep) == S{"new no-policy", "bad no-policy", "old no-policy"});
  CHECK(plan.remove.empty());
  CHECK(plan.keep[0].index == 2);
}

TEST_CASE("retention: only good artifacts count; bad ones wait for a newer good", "[retention]") {
  const std::vector<Artifact> a = {{"g1", Utc(2025, 1, 1), true},
                                   {"b1", Utc(2025, 1, 2), false},
                                   {"g2", Utc(2025, 1, 3), true},
                                   {"b2", Utc(2025, 1, 4), false}};
  const RetentionPlan plan = Plan(a, RetentionPolicy{1, 0, 0, 0, 0, 0});
  CHECK(Lines(plan.keep) == S{"b2 no-newer-good", "g2 last"});
  CHECK(Lines(plan.remove) == S{"b1 superseded", "g1 expired"});

  // Nothing good at all: nothing is removed.
  const std::vector<Artifact> bad = {{"x", Utc(2025, 1, 1), false}, {"y", Utc(2025, 1, 2), false}};
  CHECK(Lines(Plan(bad, RetentionPolicy{1, 1, 1, 1, 1, 1}).keep) ==
        S{"y no-newer-good", "x no-newer-good"});
}

TEST_CASE("retention: ties and identical times are deterministic", "[retention]") {
  const auto t = Utc(2025, 5, 5, 5);
  std::vector<Artifact> a = {{"a", t, true}, {"b", t, true}, {"c", t - std::chrono::hours(1), true}};
  CHECK(Lines(Plan(a, RetentionPolicy{1, 0, 0, 0, 0, 0}).keep) == S{"b last"});
  std::reverse(a.begin(), a.end());
  CHECK(Lines(Plan(a, RetentionPolicy{1, 0, 0, 0, 0, 0}).keep) == S{"b last"});
  // Same day: one daily bucket, the newest (then highest id) wins.
  CHECK(Lines(Plan(a, RetentionPolicy{0, 0, 2, 0, 0, 0}).keep) == S{"b daily"});
  // keepLast counts artifacts, not times.
  CHECK(Lines(Plan(a, RetentionPolicy{2, 0, 0, 0, 0, 0}).keep) == S{"b last", "a last"});
  // A failure at the same instant as a good artifact is superseded by it.
  const std::vector<Artifact> mixed = {{"z-bad", t, false}, {"a-good", t, true}};
  const RetentionPlan plan = Plan(mixed, RetentionPolicy{1, 0, 0, 0, 0, 0});
  CHECK(Lines(plan.keep) == S{"a-good last"});
  CHECK(Lines(plan.remove) == S{"z-bad superseded"});
}

TEST_CASE("retention: buckets without artifacts do not count (restic)", "[retention]") {
  const std::vector<Artifact> a = {{"d1", Utc(2025, 1, 1, 12), true},
                                   {"d5", Utc(2025, 1, 5, 12), true},
                                   {"d10", Utc(2025, 1, 10, 12), true},
                                   {"d11", Utc(2025, 1, 11, 12), true}};
  const RetentionPlan plan = Plan(a, RetentionPolicy{0, 0, 3, 0, 0, 0});
  CHECK(Lines(plan.keep) == S{"d11 daily", "d10 daily", "d5 daily"});
  CHECK(Lines(plan.remove) == S{"d1 expired"});

  const std::vector<Artifact> h = {{"10:05", Utc(2025, 1, 1, 10, 5), true},
                                   {"10:55", Utc(2025, 1, 1, 10, 55), true},
                                   {"11:10", Utc(2025, 1, 1, 11, 10), true},
                                   {"12:00", Utc(2025, 1, 1, 12, 0), true}};
  CHECK(Lines(Plan(h, RetentionPolicy{0, 2, 0, 0, 0, 0}).keep) == S{"12:00 hourly", "11:10 hourly"});
  CHECK(Lines(Plan(h, RetentionPolicy{0, 3, 0, 0, 0, 0}).keep) ==
        S{"12:00 hourly", "11:10 hourly", "10:55 hourly"});
}

TEST_CASE("retention: weeks are ISO weeks across the new year", "[retention]") {
  // Wed 2025-12-31 and Thu 2026-01-01 are both in 2026-W01; Sun Dec 28 is 2025-W52.
  const std::vector<Artifact> a = {{"dec28", Utc(2025, 12, 28, 12), true},
                                   {"dec31", Utc(2025, 12, 31, 12), true},
                                   {"jan01", Utc(2026, 1, 1, 12), true}};
  const RetentionPlan plan = Plan(a, RetentionPolicy{0, 0, 0, 2, 0, 0});
  CHECK(Lines(plan.keep) == S{"jan01 weekly", "dec28 weekly"});
  CHECK(Lines(plan.remove) == S{"dec31 expired"});
  // Years are calendar years: Dec 31 is 2025's newest.
  CHECK(Lines(Plan(a, RetentionPolicy{0, 0, 0, 0, 0, 2}).keep) == S{"jan01 yearly", "dec31 yearly"});
}

TEST_CASE("retention: buckets are local days in the policy's time zone", "[retention]") {
  // 23:30 UTC on Mar 10 is 00:30 on Mar 11 in Berlin (CET) but 19:30 on
  // Mar 10 in New York (EDT since Mar 9).
  const std::vector<Artifact> a = {{"mar09", Utc(2025, 3, 9, 12), true},
                                   {"late", Utc(2025, 3, 10, 22, 30), true},
                                   {"later", Utc(2025, 3, 10, 23, 30), true}};
  const RetentionPolicy daily2{0, 0, 2, 0, 0, 0};
  CHECK(Lines(Plan(a, daily2).keep) == S{"later daily", "mar09 daily"});
  CHECK(Lines(Plan(a, daily2, *Zone("Europe/Berlin")).keep) == S{"later daily", "late daily"});
  CHECK(Lines(Plan(a, daily2, *Zone("America/New_York")).keep) == S{"later daily", "mar09 daily"});
  // Months too: 2025-01-31 23:30 UTC is February in Berlin.
  const std::vector<Artifact> m = {{"jan", Utc(2025, 1, 31, 22, 30), true},
                                   {"feb?", Utc(2025, 1, 31, 23, 30), true}};
  CHECK(Lines(Plan(m, RetentionPolicy{0, 0, 0, 0, 2, 0}).keep) == S{"feb? monthly"});
  CHECK(Lines(Plan(m, RetentionPolicy{0, 0, 0, 0, 2, 0}, *Zone("Europe/Berlin")).keep) ==
        S{"feb? monthly", "jan monthly"});
}

TEST_CASE("retention: the newest good artifact is always kept", "[retention]") {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<Artifact> a;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i)
      a.push_back({"a" + std::to_string(i), Utc(2025, 1, 1) + std::chrono::minutes(rng() % 200000),
                   rng() % 3 != 0});
    RetentionPolicy p;
    p.keep_last = rng() % 2;
    p.hourly = rng() % 2;
    p.daily = rng() % 3;
    p.monthly = rng() % 2;
    const RetentionPlan plan = Plan(a, p);
    const Artifact* newest_good = nullptr;
    for (const Artifact& x : a)
      if (x.good && (!newest_good || x.time > newest_good->time ||
                     (x.time == newest_good->time && x.id > newest_good->id)))
        newest_good = &x;
    if (!newest_good) continue;
    INFO("round " << round);
    CHECK(std::any_of(plan.keep.begin(), plan.keep.end(),
                      [&](const auto& d) { return d.id == newest_good->id; }));
  }
}

TEST_CASE("retention: bad input is refused", "[retention]") {
  RetentionPlan plan;
  dw::Status s = PlanRetention({}, RetentionPolicy{0, 0, -1, 0, 0, 0}, *TimeZone::Utc(), &plan);
  CHECK(s.code() == dw::Code::kBadRequest);
  CHECK(s.message() == "retention.daily must not be negative");
  s = PlanRetention({{"x", Utc(2025, 1, 1), true}, {"x", Utc(2025, 1, 2), true}},
                    RetentionPolicy{1, 0, 0, 0, 0, 0}, *TimeZone::Utc(), &plan);
  CHECK(s.code() == dw::Code::kBadRequest);
  CHECK(s.message() == "duplicate artifact id \"x\"");
}

TEST_CASE("ReasonString lists reasons in ladder order", "[retention]") {
  using namespace dw::backup;
  CHECK(ReasonString(0) == "");
  CHECK(ReasonString(kReasonDaily | kReasonLast) == "last,daily");
  CHECK(ReasonString(kReasonYearly | kReasonNewestGood | kReasonSuperseded) ==
        "yearly,newest-good,superseded");
}
