#include <catch2/catch.hpp>

#include "reconcilers/backup/policy_schedule.h"
#include "tests/unit/backup/civil_test_util.h"

using dw::backup::ConcurrencyPolicy;
using dw::backup::DecideSchedule;
using dw::backup::ManualBackupName;
using dw::backup::PolicySpec;
using dw::backup::RunAction;
using dw::backup::RunRequestLabelValue;
using dw::backup::ScheduleDecision;
using dw::backup::ScheduledBackupName;
using dw::backup::testing::Str;
using dw::backup::testing::Utc;

namespace {

PolicySpec SpecWith(const std::string& cron, ConcurrencyPolicy c = ConcurrencyPolicy::kForbid) {
  PolicySpec s;
  auto st = dw::backup::ParseSchedule(cron, "", &s.schedule);
  INFO(st.ToString());
  REQUIRE(st.ok());
  s.concurrency = c;
  return s;
}

ScheduleDecision Decide(const PolicySpec& s, dw::clock::TimePoint last, dw::clock::TimePoint now,
                        size_t active) {
  ScheduleDecision d;
  auto st = DecideSchedule(s, last, now, active, &d);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return d;
}

}  // namespace

TEST_CASE("no run is due before the first scheduled time", "[policy_schedule]") {
  auto s = SpecWith("0 2 * * *");
  auto d = Decide(s, Utc(2026, 3, 1, 1, 0), Utc(2026, 3, 1, 1, 59, 59), 0);
  CHECK(d.action == RunAction::kNone);
  CHECK_FALSE(d.run_time.has_value());
  REQUIRE(d.next.has_value());
  CHECK(Str(*d.next) == "2026-03-01T02:00:00Z");
}

TEST_CASE("a due run is created and the next time follows it", "[policy_schedule]") {
  auto s = SpecWith("0 2 * * *");
  auto d = Decide(s, Utc(2026, 3, 1, 1, 0), Utc(2026, 3, 1, 2, 0, 5), 0);
  CHECK(d.action == RunAction::kCreate);
  REQUIRE(d.run_time.has_value());
  CHECK(Str(*d.run_time) == "2026-03-01T02:00:00Z");
  CHECK(d.missed == 1);
  CHECK(Str(*d.next) == "2026-03-02T02:00:00Z");
}

TEST_CASE("after downtime only the most recent missed run starts", "[policy_schedule]") {
  auto s = SpecWith("0 * * * *");
  auto d = Decide(s, Utc(2026, 3, 1, 0, 0), Utc(2026, 3, 1, 5, 30), 0);
  CHECK(d.action == RunAction::kCreate);
  CHECK(Str(*d.run_time) == "2026-03-01T05:00:00Z");
  CHECK(d.missed == 5);
  CHECK_FALSE(d.too_many_missed);
}

TEST_CASE("the starting deadline drops a run that is too late", "[policy_schedule]") {
  auto s = SpecWith("0 2 * * *");
  s.starting_deadline = std::chrono::seconds(600);
  CHECK(Decide(s, Utc(2026, 3, 1), Utc(2026, 3, 1, 2, 9, 59), 0).action == RunAction::kCreate);
  auto late = Decide(s, Utc(2026, 3, 1), Utc(2026, 3, 1, 2, 10, 1), 0);
  CHECK(late.action == RunAction::kNone);
  CHECK(Str(*late.next) == "2026-03-02T02:00:00Z");
}

TEST_CASE("too many missed runs are flagged and the latest still runs", "[policy_schedule]") {
  auto s = SpecWith("* * * * *");
  auto d = Decide(s, Utc(2026, 3, 1), Utc(2026, 3, 2), 0);
  CHECK(d.too_many_missed);
  CHECK(d.action == RunAction::kCreate);
  CHECK(Str(*d.run_time) == "2026-03-02T00:00:00Z");
}

TEST_CASE("concurrency policy decides what happens with active Backups", "[policy_schedule]") {
  auto last = Utc(2026, 3, 1, 1, 0), now = Utc(2026, 3, 1, 2, 0);
  CHECK(Decide(SpecWith("0 2 * * *", ConcurrencyPolicy::kForbid), last, now, 1).action == RunAction::kSkip);
  CHECK(Decide(SpecWith("0 2 * * *", ConcurrencyPolicy::kReplace), last, now, 2).action == RunAction::kReplace);
  CHECK(Decide(SpecWith("0 2 * * *", ConcurrencyPolicy::kAllow), last, now, 3).action == RunAction::kCreate);
  // With nothing active every policy simply creates.
  CHECK(Decide(SpecWith("0 2 * * *", ConcurrencyPolicy::kForbid), last, now, 0).action == RunAction::kCreate);
  CHECK(Decide(SpecWith("0 2 * * *", ConcurrencyPolicy::kReplace), last, now, 0).action == RunAction::kCreate);
}

TEST_CASE("a suspended policy never runs but still knows its next time", "[policy_schedule]") {
  auto s = SpecWith("0 2 * * *");
  s.suspend = true;
  auto d = Decide(s, Utc(2026, 3, 1), Utc(2026, 3, 5), 0);
  CHECK(d.action == RunAction::kNone);
  CHECK_FALSE(d.run_time.has_value());
  CHECK(Str(*d.next) == "2026-03-05T02:00:00Z");
}

TEST_CASE("a last time in the future (clock skew) yields no run", "[policy_schedule]") {
  auto s = SpecWith("0 * * * *");
  CHECK(Decide(s, Utc(2026, 3, 2), Utc(2026, 3, 1, 5, 0), 0).action == RunAction::kNone);
}

TEST_CASE("scheduled Backup names", "[policy_schedule]") {
  CHECK(ScheduledBackupName("nightly", Utc(2026, 3, 1, 2, 0), "0123456789abcdef") ==
        "nightly-202603010200-012345");
  // Seconds appear only for off-minute times (@every).
  CHECK(ScheduledBackupName("p", Utc(2026, 3, 1, 2, 0, 30), "abcdef0123456789") ==
        "p-20260301020030-abcdef");
  // Long policy names are cut to keep 63 characters, never ending in '-' or '.'.
  std::string longname(60, 'a');
  auto n = ScheduledBackupName(longname, Utc(2026, 3, 1, 2, 0), "0123456789abcdef");
  CHECK(n.size() == 63);
  CHECK(n == std::string(43, 'a') + "-202603010200-012345");
  std::string dashy = std::string(42, 'a') + "-.bcd";
  CHECK(ScheduledBackupName(dashy, Utc(2026, 3, 1, 2, 0), "0123456789abcdef") ==
        std::string(42, 'a') + "-202603010200-012345");
}

TEST_CASE("manual Backup names depend on the nonce and the target", "[policy_schedule]") {
  auto a = ManualBackupName("p", "2026-03-01T10:00:00Z", "0123456789abcdef");
  auto b = ManualBackupName("p", "2026-03-01T10:00:01Z", "0123456789abcdef");
  auto c = ManualBackupName("p", "2026-03-01T10:00:00Z", "fedcba9876543210");
  CHECK(a.rfind("p-manual-", 0) == 0);
  CHECK(a.size() == std::string("p-manual-xxxxxx-012345").size());
  CHECK(a.substr(a.size() - 6) == "012345");
  CHECK(a != b);
  CHECK(a.substr(0, 15) == c.substr(0, 15));
  CHECK(a == ManualBackupName("p", "2026-03-01T10:00:00Z", "0123456789abcdef"));
  CHECK(ManualBackupName(std::string(80, 'x'), "n", "0123456789abcdef").size() == 63);
}

TEST_CASE("run-request label values", "[policy_schedule]") {
  CHECK(RunRequestLabelValue("1700000000") == "1700000000");
  auto h = RunRequestLabelValue("2026-03-01T10:00:00Z");  // ':' is not allowed in a label
  CHECK(h.size() == 18);
  CHECK(h.rfind("h-", 0) == 0);
  CHECK(h == RunRequestLabelValue("2026-03-01T10:00:00Z"));
  CHECK(RunRequestLabelValue("") .rfind("h-", 0) == 0);
  CHECK(RunRequestLabelValue(std::string(64, 'a')).size() == 18);
}
