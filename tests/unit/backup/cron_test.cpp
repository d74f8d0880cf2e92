#include <catch2/catch.hpp>

#include "reconcilers/backup/cron.h"
#include "tests/unit/backup/civil_test_util.h"

using dw::backup::FindMissedRuns;
using dw::backup::MissedRuns;
using dw::backup::Next;
using dw::backup::ParseSchedule;
using dw::backup::Schedule;
using dw::backup::TimePoint;
using dw::backup::testing::Str;
using dw::backup::testing::Utc;

namespace {

Schedule Parse(const char* text, const char* zone = "UTC") {
  Schedule s;
  dw::Status st = ParseSchedule(text, zone, &s);
  INFO(text << " in " << zone << ": " << st.ToString());
  REQUIRE(st.ok());
  return s;
}

std::string NextOf(const Schedule& s, TimePoint after) {
  TimePoint t;
  dw::Status st = Next(s, after, &t);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return Str(t);
}

// The next n run times after `after`, each strictly after the previous.
std::vector<std::string> Runs(const char* text, const char* zone, TimePoint after, int n) {
  const Schedule s = Parse(text, zone);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    REQUIRE(Next(s, after, &after).ok());
    out.push_back(Str(after));
  }
  return out;
}

std::string ParseError(const char* text, const char* zone = "UTC") {
  Schedule s;
  dw::Status st = ParseSchedule(text, zone, &s);
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == dw::Code::kBadRequest);
  return st.message();
}

std::vector<int> Bits(const auto& bits) {
  std::vector<int> out;
  for (size_t i = 0; i < bits.size(); ++i)
    if (bits[i]) out.push_back(static_cast<int>(i));
  return out;
}

using V = std::vector<int>;
using S = std::vector<std::string>;

}  // namespace

TEST_CASE("cron field syntax: star, lists, ranges, steps, names", "[cron]") {
  Schedule s = Parse("*/15 * * * *");
  CHECK(Bits(s.minutes) == V{0, 15, 30, 45});
  CHECK(s.hours.all());
  CHECK_FALSE(s.dom_restricted);
  CHECK_FALSE(s.dow_restricted);

  CHECK(Bits(Parse("1-30/5 * * * *").minutes) == V{1, 6, 11, 16, 21, 26});
  CHECK(Bits(Parse("5/20 * * * *").minutes) == V{5, 25, 45});
  CHECK(Bits(Parse("7,3,59 * * * *").minutes) == V{3, 7, 59});
  CHECK(Bits(Parse("0 */6 * * *").hours) == V{0, 6, 12, 18});

  s = Parse("0,30 9-17 * * MON-FRI");
  CHECK(Bits(s.hours) == V{9, 10, 11, 12, 13, 14, 15, 16, 17});
  CHECK(Bits(s.days_of_week) == V{1, 2, 3, 4, 5});
  CHECK(s.dow_restricted);
  CHECK_FALSE(s.dom_restricted);

  s = Parse("0 0 1-31/10 jan,Jul,DEC sun");
  CHECK(Bits(s.days_of_month) == V{1, 11, 21, 31});
  CHECK(Bits(s.months) == V{1, 7, 12});
  CHECK(Bits(s.days_of_week) == V{0});
  CHECK(Bits(Parse("0 0 * FEB-APR/2 *").months) == V{2, 4});

  CHECK(Bits(Parse("0 0 * * 7").days_of_week) == V{0});
  CHECK(Bits(Parse("0 0 * * 5-7").days_of_week) == V{0, 5, 6});
  CHECK(Bits(Parse("0 0 * * SAT-7").days_of_week) == V{0, 6});
  CHECK(Bits(Parse("0 0 * * *").days_of_week) == V{0, 1, 2, 3, 4, 5, 6});
  // robfig/Kubernetes: "*/2" is a restriction, "*/1" is not.
  CHECK(Parse("0 0 * * */2").dow_restricted);
  CHECK_FALSE(Parse("0 0 */1 * *").dom_restricted);
  CHECK(Parse("0 0 1-31 * *").dom_restricted);
  // Extra blanks between fields are fine.
  CHECK(Bits(Parse("  0\t12   * *  * ").hours) == V{12});
}

TEST_CASE("cron macros expand to their five-field forms", "[cron]") {
  const std::pair<const char*, const char*> macros[] = {
      {"@yearly", "0 0 1 1 *"},   {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"},   {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"}};
  for (const auto& [macro, fields] : macros) {
    INFO(macro);
    const Schedule a = Parse(macro), b = Parse(fields);
    CHECK(a.minutes == b.minutes);
    CHECK(a.hours == b.hours);
    CHECK(a.days_of_month == b.days_of_month);
    CHECK(a.months == b.months);
    CHECK(a.days_of_week == b.days_of_week);
    CHECK(a.dom_restricted == b.dom_restricted);
    CHECK(a.dow_restricted == b.dow_restricted);
    CHECK(a.text == macro);
  }
  CHECK(NextOf(Parse("@yearly"), Utc(2025, 3, 1)) == "2026-01-01T00:00:00Z");
  CHECK(NextOf(Parse("@annually"), Utc(2025, 12, 31, 23, 59)) == "2026-01-01T00:00:00Z");
  CHECK(NextOf(Parse("@monthly"), Utc(2025, 1, 31, 12)) == "2025-02-01T00:00:00Z");
  CHECK(NextOf(Parse("@weekly"), Utc(2025, 6, 4)) == "2025-06-08T00:00:00Z");  // Wed -> Sun
  CHECK(NextOf(Parse("@daily"), Utc(2025, 6, 4, 13)) == "2025-06-05T00:00:00Z");
  CHECK(NextOf(Parse("@midnight"), Utc(2025, 6, 4, 0, 0)) == "2025-06-05T00:00:00Z");
  CHECK(NextOf(Parse("@hourly"), Utc(2025, 6, 4, 13)) == "2025-06-04T14:00:00Z");
}

TEST_CASE("cron parse errors name the field and the token", "[cron]") {
  CHECK(ParseError("61 * * * *") == "schedule \"61 * * * *\": minute: 61 is out of range 0-59");
  CHECK(ParseError("* 24 * * *") == "schedule \"* 24 * * *\": hour: 24 is out of range 0-23");
  CHECK(ParseError("* * 0 * *") == "schedule \"* * 0 * *\": day of month: 0 is out of range 1-31");
  CHECK(ParseError("* * * 13 *") == "schedule \"* * * 13 *\": month: 13 is out of range 1-12");
  CHECK(ParseError("* * * * 8") == "schedule \"* * * * 8\": day of week: 8 is out of range 0-7");
  CHECK(ParseError("99999999999 * * * *") ==
        "schedule \"99999999999 * * * *\": minute: 99999999999 is out of range 0-59");
  CHECK(ParseError("* * * FOO *") ==
        "schedule \"* * * FOO *\": month: \"FOO\" is not a number or a month name");
  CHECK(ParseError("* * * * MONDAY") ==
        "schedule \"* * * * MONDAY\": day of week: \"MONDAY\" is not a number or a day name");
  CHECK(ParseError("x * * * *") == "schedule \"x * * * *\": minute: \"x\" is not a number");
  CHECK(ParseError("* JAN * * *") == "schedule \"* JAN * * *\": hour: \"JAN\" is not a number");
  CHECK(ParseError("*/0 * * * *") ==
        "schedule \"*/0 * * * *\": minute: step \"0\" in \"*/0\" must be a positive number");
  CHECK(ParseError("*/x * * * *") ==
        "schedule \"*/x * * * *\": minute: step \"x\" in \"*/x\" must be a positive number");
  CHECK(ParseError("1/2/3 * * * *") ==
        "schedule \"1/2/3 * * * *\": minute: \"1/2/3\" has more than one '/'");
  CHECK(ParseError("30-10 * * * *") ==
        "schedule \"30-10 * * * *\": minute: range \"30-10\" is backwards (start after end)");
  CHECK(ParseError("1,,2 * * * *") ==
        "schedule \"1,,2 * * * *\": minute: empty element in list \"1,,2\"");
  CHECK(ParseError("1-/5 * * * *") == "schedule \"1-/5 * * * *\": minute: missing value");
  CHECK(ParseError("* * * *") ==
        "schedule \"* * * *\": expected 5 fields (minute hour day-of-month month day-of-week), got 4");
  CHECK(ParseError("0 0 * * * *") ==
        "schedule \"0 0 * * * *\": expected 5 fields (minute hour day-of-month month "
        "day-of-week), got 6; a seconds or year field is not supported");
  CHECK(ParseError("@reboot") ==
        "schedule \"@reboot\": @reboot is not supported: there is no boot to run at; use a "
        "time-based schedule");
  CHECK(ParseError("@fortnightly").find("unknown macro \"@fortnightly\"") != std::string::npos);
  CHECK(ParseError("@daily 5").find("unknown macro \"@daily\"") != std::string::npos);
  CHECK(ParseError("   ") == "schedule \"   \": empty schedule");
  CHECK(ParseError("@every 0s") ==
        "schedule \"@every 0s\": @every interval \"0s\" must be between 1s and 100 years");
  CHECK(ParseError("@every 500ms").find("must be between 1s") != std::string::npos);
  CHECK(ParseError("@every 10x") ==
        "schedule \"@every 10x\": @every needs a duration like 90m, 2h or 30s, not \"10x\"");
  CHECK(ParseError("@every") == "schedule \"@every\": @every takes exactly one duration");
  CHECK(ParseError("* * * * *", "Mars/Base") == "unknown time zone \"Mars/Base\"");
  CHECK(ParseError("* * * * *", "../../etc/passwd") == "unknown time zone \"../../etc/passwd\"");
}

TEST_CASE("Next in UTC: strictly after, sub-second inputs, rollovers", "[cron]") {
  const Schedule q = Parse("*/15 * * * *");
  CHECK(NextOf(q, Utc(2025, 1, 1)) == "2025-01-01T00:15:00Z");
  CHECK(NextOf(q, Utc(2025, 1, 1, 0, 14, 59) + std::chrono::milliseconds(999)) ==
        "2025-01-01T00:15:00Z");
  CHECK(NextOf(q, Utc(2025, 1, 1, 0, 15, 0)) == "2025-01-01T00:30:00Z");
  CHECK(NextOf(q, Utc(2025, 1, 1, 0, 15, 0) + std::chrono::milliseconds(1)) ==
        "2025-01-01T00:30:00Z");
  CHECK(NextOf(q, Utc(2025, 12, 31, 23, 50)) == "2026-01-01T00:00:00Z");
  CHECK(NextOf(Parse("* * * * *"), Utc(1969, 12, 31, 23, 59, 30)) == "1970-01-01T00:00:00Z");
  // Fri 2025-06-06 10:00 -> Mon 09:00.
  CHECK(NextOf(Parse("0 9 * * MON-FRI"), Utc(2025, 6, 6, 10)) == "2025-06-09T09:00:00Z");
  CHECK(Runs("0 0 * * SUN", "UTC", Utc(2025, 6, 1), 2) ==
        S{"2025-06-08T00:00:00Z", "2025-06-15T00:00:00Z"});
  CHECK(Runs("0 0 * * 7", "UTC", Utc(2025, 6, 1), 1) == S{"2025-06-08T00:00:00Z"});
  CHECK(NextOf(Parse("0 9 * * *", "Asia/Kolkata"), Utc(2025, 6, 1)) == "2025-06-01T03:30:00Z");
}

TEST_CASE("Vixie rule: restricted day-of-month OR restricted day-of-week", "[cron]") {
  // 2025-06-01 is a Sunday.
  CHECK(Runs("0 0 10 * 1", "UTC", Utc(2025, 6, 1), 4) ==
        S{"2025-06-02T00:00:00Z", "2025-06-09T00:00:00Z", "2025-06-10T00:00:00Z",
          "2025-06-16T00:00:00Z"});
  CHECK(Runs("0 0 10 * *", "UTC", Utc(2025, 6, 1), 2) ==
        S{"2025-06-10T00:00:00Z", "2025-07-10T00:00:00Z"});
  CHECK(Runs("0 0 * * 1", "UTC", Utc(2025, 6, 1), 2) ==
        S{"2025-06-02T00:00:00Z", "2025-06-09T00:00:00Z"});
  // Friday or the 13th (2025-06-13 is both).
  CHECK(Runs("0 0 13 * FRI", "UTC", Utc(2025, 6, 1), 3) ==
        S{"2025-06-06T00:00:00Z", "2025-06-13T00:00:00Z", "2025-06-20T00:00:00Z"});
  // "*/2" counts as restricted: odd days OR Mondays.
  CHECK(Runs("0 0 */2 * 1", "UTC", Utc(2025, 6, 1), 3) ==
        S{"2025-06-02T00:00:00Z", "2025-06-03T00:00:00Z", "2025-06-05T00:00:00Z"});
  // Feb 30 alone never matches, but OR Monday it does.
  CHECK(NextOf(Parse("0 0 30 2 1"), Utc(2025, 1, 1)) == "2025-02-03T00:00:00Z");
}

TEST_CASE("leap years, month ends, and schedules that never match", "[cron]") {
  CHECK(NextOf(Parse("0 0 29 2 *"), Utc(2025, 1, 1)) == "2028-02-29T00:00:00Z");
  CHECK(NextOf(Parse("0 0 29 2 *"), Utc(2024, 2, 29)) == "2028-02-29T00:00:00Z");
  // 2100 is not a leap year: eight years to the next Feb 29.
  CHECK(NextOf(Parse("0 0 29 2 *"), Utc(2096, 3, 1)) == "2104-02-29T00:00:00Z");
  CHECK(Runs("0 0 31 * *", "UTC", Utc(2025, 1, 31), 3) ==
        S{"2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z", "2025-07-31T00:00:00Z"});
  CHECK(NextOf(Parse("59 23 28-31 2 *"), Utc(2025, 2, 1)) == "2025-02-28T23:59:00Z");
  CHECK(NextOf(Parse("59 23 28-31 2 *"), Utc(2028, 2, 28, 23, 59)) == "2028-02-29T23:59:00Z");

  for (const char* never : {"0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31 FEB *"}) {
    INFO(never);
    TimePoint t;
    dw::Status st = Next(Parse(never), Utc(2025, 1, 1), &t);
    CHECK(st.code() == dw::Code::kBadRequest);
    CHECK(st.message() == "schedule \"" + std::string(never) +
                              "\": never matches in time zone \"UTC\" (no run within 9 years "
                              "after 2025-01-01T00:00:00Z)");
  }
}

TEST_CASE("DST in Europe/Berlin: the gap is skipped, the fold runs once", "[cron][dst]") {
  // 2025-03-30: 02:00 CET -> 03:00 CEST (01:00 UTC); 02:30 does not exist.
  CHECK(NextOf(Parse("30 2 * * *", "Europe/Berlin"), Utc(2025, 3, 29, 12)) ==
        "2025-03-31T00:30:00Z");
  CHECK(NextOf(Parse("0 3 * * *", "Europe/Berlin"), Utc(2025, 3, 29, 12)) ==
        "2025-03-30T01:00:00Z");
  // Hourly across the gap: 01:00 CET, then 03:00 CEST, one real hour later.
  CHECK(Runs("0 * * * *", "Europe/Berlin", Utc(2025, 3, 29, 23, 30), 3) ==
        S{"2025-03-30T00:00:00Z", "2025-03-30T01:00:00Z", "2025-03-30T02:00:00Z"});
  // 2025-10-26: 03:00 CEST -> 02:00 CET (01:00 UTC); 02:30 happens twice,
  // the job runs at the first (00:30 UTC) and next on the 27th (CET).
  CHECK(Runs("30 2 * * *", "Europe/Berlin", Utc(2025, 10, 25, 12), 2) ==
        S{"2025-10-26T00:30:00Z", "2025-10-27T01:30:00Z"});
  // Every 30 minutes: 02:00 and 02:30 CEST run; their CET repeats do not.
  CHECK(Runs("*/30 * * * *", "Europe/Berlin", Utc(2025, 10, 25, 23, 45), 4) ==
        S{"2025-10-26T00:00:00Z", "2025-10-26T00:30:00Z", "2025-10-26T02:00:00Z",
          "2025-10-26T02:30:00Z"});
}

TEST_CASE("DST in America/New_York, both directions, 2025 and 2040", "[cron][dst]") {
  // 2025-03-09: 02:00 EST -> 03:00 EDT (07:00 UTC).
  CHECK(Runs("0 * * * *", "America/New_York", Utc(2025, 3, 9, 5, 30), 3) ==
        S{"2025-03-09T06:00:00Z", "2025-03-09T07:00:00Z", "2025-03-09T08:00:00Z"});
  CHECK(NextOf(Parse("30 2 * * *", "America/New_York"), Utc(2025, 3, 8, 12)) ==
        "2025-03-10T06:30:00Z");
  // 2025-11-02: 02:00 EDT -> 01:00 EST (06:00 UTC); 01:xx happens twice.
  CHECK(Runs("0 1 * * *", "America/New_York", Utc(2025, 11, 2, 4), 2) ==
        S{"2025-11-02T05:00:00Z", "2025-11-03T06:00:00Z"});
  // Hourly: 01:00 EDT, then 02:00 EST; 01:00 EST is the same wall time again.
  CHECK(Runs("0 * * * *", "America/New_York", Utc(2025, 11, 2, 4, 30), 2) ==
        S{"2025-11-02T05:00:00Z", "2025-11-02T07:00:00Z"});
  // Asked during the second 01:xx (01:30 EST = 06:30 UTC): 01:45 already ran.
  CHECK(NextOf(Parse("45 1 * * *", "America/New_York"), Utc(2025, 11, 2, 6, 30)) ==
        "2025-11-03T06:45:00Z");
  CHECK(NextOf(Parse("15 2 * * *", "America/New_York"), Utc(2025, 11, 2, 6, 30)) ==
        "2025-11-02T07:15:00Z");
  // Asked during the first 01:xx (01:10 EDT): 01:30 EDT is still ahead.
  CHECK(NextOf(Parse("30 1 * * *", "America/New_York"), Utc(2025, 11, 2, 5, 10)) ==
        "2025-11-02T05:30:00Z");
  // Midnight moves with the offset.
  CHECK(Runs("@daily", "America/New_York", Utc(2025, 11, 1, 12), 2) ==
        S{"2025-11-02T04:00:00Z", "2025-11-03T05:00:00Z"});
  // 2040 is beyond the file's transitions (footer rule): 2040-03-11 is the gap day.
  CHECK(NextOf(Parse("30 2 * * *", "America/New_York"), Utc(2040, 3, 10, 12)) ==
        "2040-03-12T06:30:00Z");
  CHECK(Runs("30 1 * * *", "America/New_York", Utc(2040, 11, 3, 12), 2) ==
        S{"2040-11-04T05:30:00Z", "2040-11-05T06:30:00Z"});
}

TEST_CASE("@every is a fixed interval from the previous time", "[cron]") {
  const Schedule s = Parse("@every 90m");
  CHECK(s.every == std::chrono::seconds(5400));
  CHECK(NextOf(s, Utc(2025, 1, 1) + std::chrono::milliseconds(700)) == "2025-01-01T01:30:00Z");
  CHECK(Parse("@every 2h").every == std::chrono::seconds(7200));
  CHECK(Parse("@every 30s").every == std::chrono::seconds(30));
  CHECK(Parse("@every 1500ms").every == std::chrono::seconds(1));
}

TEST_CASE("FindMissedRuns: none, several, deadlines, clock skew", "[cron][missed]") {
  const Schedule h = Parse("0 * * * *");
  MissedRuns m;
  REQUIRE(FindMissedRuns(h, Utc(2025, 1, 1, 10), Utc(2025, 1, 1, 10, 30), std::nullopt, &m).ok());
  CHECK_FALSE(m.most_recent.has_value());
  CHECK(m.missed == 0);

  // Due exactly now counts (<= now).
  REQUIRE(FindMissedRuns(h, Utc(2025, 1, 1, 10), Utc(2025, 1, 1, 11), std::nullopt, &m).ok());
  REQUIRE(m.most_recent.has_value());
  CHECK(Str(*m.most_recent) == "2025-01-01T11:00:00Z");
  CHECK(m.missed == 1);

  REQUIRE(FindMissedRuns(h, Utc(2025, 1, 1, 10), Utc(2025, 1, 1, 13, 30), std::nullopt, &m).ok());
  CHECK(Str(*m.most_recent) == "2025-01-01T13:00:00Z");
  CHECK(m.missed == 3);
  CHECK_FALSE(m.too_many);

  using std::chrono::seconds;
  // Deadline 2h: only 12:00 and 13:00 are young enough.
  REQUIRE(FindMissedRuns(h, Utc(2025, 1, 1, 10), Utc(2025, 1, 1, 13, 30), seconds(7200), &m).ok());
  CHECK(Str(*m.most_recent) == "2025-01-01T13:00:00Z");
  CHECK(m.missed == 2);
  // 13:00 is exactly 1800s old at 13:30: still within a 1800s deadline...
  REQUIRE(FindMissedRuns(h, Utc(2025, 1, 1, 10), Utc(2025, 1, 1, 13, 30), seconds(1800), &m).ok());
  CHECK(Str(*m.most_recent) == "2025-01-01T13:00:00Z");
  CHECK(m.missed == 1);
  // ...but not within 1799s.
  REQUIRE(FindMissedRuns(h, Utc(2025, 1, 1, 10), Utc(2025, 1, 1, 13, 30), seconds(1799), &m).ok());
  CHECK_FALSE(m.most_recent.has_value());
  CHECK(m.missed == 0);
  // The last run is in the future: clock skew, nothing to start.
  REQUIRE(FindMissedRuns(h, Utc(2025, 1, 2), Utc(2025, 1, 1, 13, 30), std::nullopt, &m).ok());
  CHECK_FALSE(m.most_recent.has_value());
  // A schedule that never fires is an error, not "nothing missed".
  CHECK(FindMissedRuns(Parse("0 0 30 2 *"), Utc(2025, 1, 1), Utc(2025, 6, 1), std::nullopt, &m)
            .code() == dw::Code::kBadRequest);
}

TEST_CASE("FindMissedRuns: more than 100 missed is flagged, still exact", "[cron][missed]") {
  const Schedule every_minute = Parse("* * * * *");
  MissedRuns m;
  // 00:01 .. 01:40 is exactly 100 runs.
  REQUIRE(FindMissedRuns(every_minute, Utc(2025, 1, 1), Utc(2025, 1, 1, 1, 40), std::nullopt, &m).ok());
  CHECK(m.missed == 100);
  CHECK_FALSE(m.too_many);
  CHECK(Str(*m.most_recent) == "2025-01-01T01:40:00Z");
  REQUIRE(FindMissedRuns(every_minute, Utc(2025, 1, 1), Utc(2025, 1, 1, 1, 41), std::nullopt, &m).ok());
  CHECK(m.missed == 101);
  CHECK(m.too_many);
  CHECK(Str(*m.most_recent) == "2025-01-01T01:41:00Z");

  // Months of minutes, and an irregular schedule (Kubernetes' own example).
  REQUIRE(FindMissedRuns(every_minute, Utc(2025, 1, 1), Utc(2025, 3, 1, 12, 34, 56), std::nullopt, &m).ok());
  CHECK(m.too_many);
  CHECK(Str(*m.most_recent) == "2025-03-01T12:34:00Z");
  // 06:30, 10:30, 14:30 on weekdays; 2025-06-04 is a Wednesday.
  REQUIRE(FindMissedRuns(Parse("30 6-16/4 * * 1-5"), Utc(2025, 1, 1), Utc(2025, 6, 4, 12),
                         std::nullopt, &m).ok());
  CHECK(m.too_many);
  CHECK(Str(*m.most_recent) == "2025-06-04T10:30:00Z");
  // Same, from Saturday noon: the most recent is Friday 14:30.
  REQUIRE(FindMissedRuns(Parse("30 6-16/4 * * 1-5"), Utc(2025, 1, 1), Utc(2025, 6, 7, 12),
                         std::nullopt, &m).ok());
  CHECK(Str(*m.most_recent) == "2025-06-06T14:30:00Z");
  // A deadline bounds the window and so the count.
  REQUIRE(FindMissedRuns(every_minute, Utc(2025, 1, 1), Utc(2025, 3, 1, 12, 34, 56),
                         std::chrono::seconds(600), &m).ok());
  CHECK_FALSE(m.too_many);
  CHECK(m.missed == 10);  // 12:25 .. 12:34
  CHECK(Str(*m.most_recent) == "2025-03-01T12:34:00Z");
}

TEST_CASE("FindMissedRuns with @every stays on the last run's lattice", "[cron][missed]") {
  const Schedule s = Parse("@every 1h");
  MissedRuns m;
  REQUIRE(FindMissedRuns(s, Utc(2025, 1, 1, 10, 0, 7), Utc(2025, 1, 1, 13, 30), std::nullopt, &m).ok());
  CHECK(Str(*m.most_recent) == "2025-01-01T13:00:07Z");
  CHECK(m.missed == 3);
  REQUIRE(FindMissedRuns(s, Utc(2025, 1, 1, 10, 0, 7), Utc(2025, 1, 1, 13, 30), std::chrono::seconds(3600), &m).ok());
  CHECK(Str(*m.most_recent) == "2025-01-01T13:00:07Z");
  CHECK(m.missed == 1);
  REQUIRE(FindMissedRuns(s, Utc(2025, 1, 1, 10, 0, 7), Utc(2025, 1, 1, 13, 30), std::chrono::seconds(1000), &m).ok());
  CHECK_FALSE(m.most_recent.has_value());
  REQUIRE(FindMissedRuns(Parse("@every 1m"), Utc(2025, 1, 1), Utc(2025, 1, 2), std::nullopt, &m).ok());
  CHECK(m.too_many);
  CHECK(m.missed == 101);
  CHECK(Str(*m.most_recent) == "2025-01-02T00:00:00Z");
}
