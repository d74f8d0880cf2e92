#include <catch2/catch.hpp>

#include <time.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "reconcilers/backup/timezone.h"
#include "tests/unit/backup/civil_test_util.h"

using dw::backup::TimeZone;
using dw::backup::TzRule;
using dw::backup::testing::UtcSeconds;
namespace civil = dw::backup::civil;

namespace {

std::shared_ptr<const TimeZone> MustLoad(const char* name) {
  std::shared_ptr<const TimeZone> z;
  dw::Status s = TimeZone::Load(name, &z);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return z;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("civil: day numbers, weekdays, ISO weeks", "[civil]") {
  CHECK(civil::DaysFromCivil(1970, 1, 1) == 0);
  CHECK(civil::DaysFromCivil(2000, 3, 1) == 11017);
  CHECK(civil::DaysFromCivil(1969, 12, 31) == -1);
  const civil::Date d = civil::CivilFromDays(civil::DaysFromCivil(2024, 2, 29));
  CHECK((d.year == 2024 && d.month == 2 && d.day == 29));
  CHECK(civil::WeekdayFromDays(0) == 4);                                 // Thursday
  CHECK(civil::WeekdayFromDays(-1) == 3);                                // Wednesday
  CHECK(civil::WeekdayFromDays(civil::DaysFromCivil(2025, 6, 1)) == 0);  // Sunday
  CHECK(civil::DaysInMonth(2100, 2) == 28);
  CHECK(civil::DaysInMonth(2000, 2) == 29);
  auto iso = [](int y, int m, int dd) { return civil::IsoWeekFromDays(civil::DaysFromCivil(y, m, dd)); };
  CHECK((iso(2025, 12, 29).year == 2026 && iso(2025, 12, 29).week == 1));
  CHECK((iso(2025, 12, 28).year == 2025 && iso(2025, 12, 28).week == 52));
  CHECK((iso(2021, 1, 3).year == 2020 && iso(2021, 1, 3).week == 53));
  CHECK((iso(2021, 1, 4).year == 2021 && iso(2021, 1, 4).week == 1));
  CHECK(civil::FloorDiv(-1, 60) == -1);
  CHECK(civil::FloorSeconds(civil::FromSeconds(-5) + std::chrono::milliseconds(300)) == -5);
}

TEST_CASE("UTC needs no tz database and maps one to one", "[tz]") {
  auto utc = TimeZone::Utc();
  CHECK(utc->name() == "UTC");
  CHECK(utc->OffsetAt(UtcSeconds(2025, 7, 1)) == 0);
  const auto in = utc->FromLocal(1000);
  CHECK(in.count == 1);
  CHECK(in.at[0] == 1000);
  std::shared_ptr<const TimeZone> z;
  REQUIRE(TimeZone::LoadFromDir("/nonexistent", "UTC", &z).ok());
  CHECK(z->OffsetAt(0) == 0);
}

TEST_CASE("Europe/Berlin offsets around the 2025 transitions", "[tz]") {
  auto z = MustLoad("Europe/Berlin");
  CHECK(z->OffsetAt(UtcSeconds(2025, 3, 30, 0, 59, 59)) == 3600);
  CHECK(z->OffsetAt(UtcSeconds(2025, 3, 30, 1, 0, 0)) == 7200);
  CHECK(z->OffsetAt(UtcSeconds(2025, 10, 26, 0, 59, 59)) == 7200);
  CHECK(z->OffsetAt(UtcSeconds(2025, 10, 26, 1, 0, 0)) == 3600);
  // 2050 is past the file's explicit transitions: the footer rule answers.
  // Last Sunday of March 2050 is the 27th.
  CHECK(z->OffsetAt(UtcSeconds(2050, 3, 27, 0, 59, 59)) == 3600);
  CHECK(z->OffsetAt(UtcSeconds(2050, 3, 27, 1, 0, 0)) == 7200);
}

TEST_CASE("America/New_York offsets, explicit and from the footer rule", "[tz]") {
  auto z = MustLoad("America/New_York");
  CHECK(z->OffsetAt(UtcSeconds(2025, 3, 9, 6, 59, 59)) == -18000);
  CHECK(z->OffsetAt(UtcSeconds(2025, 3, 9, 7, 0, 0)) == -14400);
  CHECK(z->OffsetAt(UtcSeconds(2025, 11, 2, 5, 59, 59)) == -14400);
  CHECK(z->OffsetAt(UtcSeconds(2025, 11, 2, 6, 0, 0)) == -18000);
  // 2040: second Sunday of March is the 11th, first Sunday of November the 4th.
  CHECK(z->OffsetAt(UtcSeconds(2040, 3, 11, 6, 59, 59)) == -18000);
  CHECK(z->OffsetAt(UtcSeconds(2040, 3, 11, 7, 0, 0)) == -14400);
  CHECK(z->OffsetAt(UtcSeconds(2040, 11, 4, 5, 59, 59)) == -14400);
  CHECK(z->OffsetAt(UtcSeconds(2040, 11, 4, 6, 0, 0)) == -18000);
  // Before the first transition (1883): local mean time, -4:56:02.
  CHECK(z->OffsetAt(UtcSeconds(1800, 1, 1)) == -17762);
}

TEST_CASE("FromLocal: gaps have no instant, folds have two", "[tz]") {
  auto berlin = MustLoad("Europe/Berlin");
  const int64_t day = civil::DaysFromCivil(2025, 3, 30) * 86400;
  CHECK(berlin->FromLocal(day + 2 * 3600 + 30 * 60).count == 0);
  auto after = berlin->FromLocal(day + 3 * 3600 + 30 * 60);
  CHECK(after.count == 1);
  CHECK(after.at[0] == UtcSeconds(2025, 3, 30, 1, 30));
  auto fold = berlin->FromLocal(civil::DaysFromCivil(2025, 10, 26) * 86400 + 2 * 3600 + 30 * 60);
  REQUIRE(fold.count == 2);
  CHECK(fold.at[0] == UtcSeconds(2025, 10, 26, 0, 30));
  CHECK(fold.at[1] == UtcSeconds(2025, 10, 26, 1, 30));

  auto ny = MustLoad("America/New_York");
  auto nyfold = ny->FromLocal(civil::DaysFromCivil(2025, 11, 2) * 86400 + 1 * 3600);
  REQUIRE(nyfold.count == 2);
  CHECK(nyfold.at[0] == UtcSeconds(2025, 11, 2, 5, 0));
  CHECK(nyfold.at[1] == UtcSeconds(2025, 11, 2, 6, 0));
  CHECK(ny->FromLocal(civil::DaysFromCivil(2025, 3, 9) * 86400 + 2 * 3600).count == 0);
}

TEST_CASE("offsets agree with glibc's localtime_r across 1900-2200", "[tz][glibc]") {
  // glibc reads the same files with an independent implementation, so any
  // disagreement is a bug in our parser or in the footer rule evaluation.
  const char* zones[] = {"Europe/Berlin",     "America/New_York", "Australia/Sydney",
                         "Europe/Dublin",     "Pacific/Chatham",  "Asia/Kolkata",
                         "America/Sao_Paulo", "Africa/Casablanca", "America/St_Johns",
                         "Pacific/Apia"};
  const char* old_tz = std::getenv("TZ");
  const std::string saved = old_tz ? old_tz : "";
  for (const char* name : zones) {
    auto z = MustLoad(name);
    setenv("TZ", (std::string(":") + name).c_str(), 1);
    tzset();
    int mismatches = 0;
    int64_t first_bad = 0;
    // Every 7h13m hits every hour of day and every day of week over time.
    for (int64_t t = UtcSeconds(1900, 1, 1); t < UtcSeconds(2200, 1, 1); t += 7 * 3600 + 13 * 60) {
      time_t tt = static_cast<time_t>(t);
      struct tm tm {};
      localtime_r(&tt, &tm);
      if (tm.tm_gmtoff != z->OffsetAt(t) && mismatches++ == 0) first_bad = t;
    }
    INFO(name << " first mismatch at " << first_bad);
    CHECK(mismatches == 0);
  }
  if (old_tz) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST_CASE("zone names are validated before touching the file system", "[tz]") {
  const char* bad[] = {"../../etc/passwd", "/etc/localtime", "Europe/../Etc/UTC", "",
                       "Nowhere/City",     "Europe",         "Europe/",           "Europe//Berlin",
                       "zone.tab",         "Europe/Berlin\n", "leapseconds",      "1Europe",
                       "Europe/Berlin ",   "right/UTC"};
  for (const char* name : bad) {
    std::shared_ptr<const TimeZone> z;
    dw::Status s = TimeZone::Load(name, &z);
    INFO("name: " << name << " -> " << s.ToString());
    CHECK(!s.ok());
    if (std::string(name) != "right/UTC") {
      CHECK(s.code() == dw::Code::kBadRequest);
      CHECK(s.message() == "unknown time zone \"" + std::string(name) + "\"");
    }
  }
  CHECK(TimeZone::IsValidName("America/Argentina/Buenos_Aires"));
  CHECK(TimeZone::IsValidName("Etc/GMT+5"));
  CHECK_FALSE(TimeZone::IsValidName(std::string(256, 'a')));
}

TEST_CASE("leap-second zones are refused, not misread", "[tz]") {
  std::shared_ptr<const TimeZone> z;
  dw::Status s = TimeZone::Load("right/UTC", &z);
  CHECK(s.code() == dw::Code::kCorruption);
  CHECK(s.message().find("leap-second") != std::string::npos);
}

TEST_CASE("TZif parser rejects every truncation and corrupt fields", "[tz]") {
  const std::string data = ReadFile("/usr/share/zoneinfo/Europe/Berlin");
  REQUIRE(data.size() > 100);
  std::shared_ptr<const TimeZone> z;
  REQUIRE(TimeZone::FromTzif("Berlin", data, &z).ok());
  // Every proper prefix lacks at least the footer's final newline.
  for (size_t n = 0; n < data.size(); ++n) {
    INFO("prefix " << n);
    CHECK_FALSE(TimeZone::FromTzif("x", std::string_view(data).substr(0, n), &z).ok());
  }
  std::string bad_magic = data;
  bad_magic[0] = 'X';
  CHECK_FALSE(TimeZone::FromTzif("x", bad_magic, &z).ok());
  std::string bad_version = data;
  bad_version[4] = '9';
  CHECK_FALSE(TimeZone::FromTzif("x", bad_version, &z).ok());
  // Huge counts in the v1 header must not wrap around the bounds check.
  std::string huge = data;
  for (int i = 32; i < 44; ++i) huge[i] = '\xff';
  CHECK_FALSE(TimeZone::FromTzif("x", huge, &z).ok());
  std::string bad_footer = data;
  bad_footer[bad_footer.size() - 3] = '!';  // inside "M10.5.0/3"
  CHECK_FALSE(TimeZone::FromTzif("x", bad_footer, &z).ok());
}

TEST_CASE("TZif parser rejects a transition type index out of range", "[tz]") {
  // A minimal hand-written v1 file: one transition, one type, so index 1 is bad.
  auto be32 = [](uint32_t v) {
    return std::string{char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  };
  auto file = [&](char idx) {
    std::string f = "TZif";
    f += std::string(16, '\0');
    f += be32(0) + be32(0) + be32(0) + be32(1) + be32(1) + be32(4);  // ut std leap time type char
    f += be32(1000);                         // transition at t=1000
    f += std::string(1, idx);                // its type
    f += be32(3600) + std::string(1, '\0') + std::string(1, '\0');  // +01:00, not dst, desig 0
    f += std::string("ABC\0", 4);
    return f;
  };
  std::shared_ptr<const TimeZone> z;
  REQUIRE(TimeZone::FromTzif("v1", file(0), &z).ok());
  CHECK(z->OffsetAt(999) == 3600);  // type 0 also before the first transition
  CHECK(z->OffsetAt(1000) == 3600);
  CHECK_FALSE(TimeZone::FromTzif("v1", file(1), &z).ok());
}

TEST_CASE("LoadFromDir reads TZif files from another directory", "[tz]") {
  const auto dir = std::filesystem::temp_directory_path() / ("dw_tz_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "My");
  std::filesystem::copy_file("/usr/share/zoneinfo/America/New_York", dir / "My" / "Zone",
                             std::filesystem::copy_options::overwrite_existing);
  {
    std::ofstream(dir / "NotAZone") << "hello";
  }
  std::shared_ptr<const TimeZone> z;
  REQUIRE(TimeZone::LoadFromDir(dir.string(), "My/Zone", &z).ok());
  CHECK(z->name() == "My/Zone");
  CHECK(z->OffsetAt(UtcSeconds(2025, 7, 1)) == -14400);
  dw::Status s = TimeZone::LoadFromDir(dir.string(), "NotAZone", &z);
  CHECK(s.message() == "unknown time zone \"NotAZone\"");
  CHECK(TimeZone::LoadFromDir(dir.string(), "My", &z).code() == dw::Code::kBadRequest);
  std::filesystem::remove_all(dir);
}

TEST_CASE("POSIX TZ rules: offsets, quoted names, southern and negative DST", "[tz][posix]") {
  TzRule r;
  REQUIRE(TzRule::Parse("UTC0", &r).ok());
  CHECK(r.OffsetAt(0) == 0);
  CHECK_FALSE(r.has_dst());
  REQUIRE(TzRule::Parse("<+0530>-5:30", &r).ok());
  CHECK(r.std_offset() == 19800);
  REQUIRE(TzRule::Parse("<-03>3", &r).ok());
  CHECK(r.OffsetAt(UtcSeconds(2030, 1, 1)) == -10800);

  // Sydney: DST from the first Sunday of October to the first Sunday of April.
  REQUIRE(TzRule::Parse("AEST-10AEDT,M10.1.0,M4.1.0/3", &r).ok());
  CHECK(r.dst_offset() == 39600);
  CHECK(r.OffsetAt(UtcSeconds(2045, 1, 15)) == 39600);
  CHECK(r.OffsetAt(UtcSeconds(2045, 7, 15)) == 36000);
  // 2045-04-02 is the first Sunday of April: 03:00 AEDT = 16:00 UTC on the 1st.
  CHECK(r.OffsetAt(UtcSeconds(2045, 4, 1, 15, 59, 59)) == 39600);
  CHECK(r.OffsetAt(UtcSeconds(2045, 4, 1, 16, 0, 0)) == 36000);

  // Default DST offset (+1h) and the default US dates.
  REQUIRE(TzRule::Parse("EST5EDT", &r).ok());
  CHECK(r.dst_offset() == -14400);
  CHECK(r.OffsetAt(UtcSeconds(2040, 3, 11, 7, 0, 0)) == -14400);

  // Julian dates: J60 is March 1 in every year; 59 (zero-based) is Feb 29 in leap years.
  REQUIRE(TzRule::Parse("AAA0BBB,J60/0,J300/0", &r).ok());
  CHECK(r.OffsetAt(UtcSeconds(2028, 2, 29, 23, 59, 59)) == 0);
  CHECK(r.OffsetAt(UtcSeconds(2028, 3, 1, 0, 0, 0)) == 3600);
  REQUIRE(TzRule::Parse("AAA0BBB,59/0,300/0", &r).ok());
  CHECK(r.OffsetAt(UtcSeconds(2028, 2, 29, 0, 0, 0)) == 3600);
  CHECK(r.OffsetAt(UtcSeconds(2027, 2, 28, 23, 59, 59)) == 0);
  CHECK(r.OffsetAt(UtcSeconds(2027, 3, 1, 0, 0, 0)) == 3600);

  // v3 extension: DST all year, written as a start at 0:00 Jan 1 and an end
  // at 25:00 Dec 31 (after the year ends).
  REQUIRE(TzRule::Parse("EST5EDT,0/0,J365/25", &r).ok());
  CHECK(r.OffsetAt(UtcSeconds(2050, 1, 1, 12)) == -14400);
  CHECK(r.OffsetAt(UtcSeconds(2050, 7, 1)) == -14400);

  const char* bad[] = {"",           "U0",         "UTC",          "UTC25",        "UTC0X",
                       "<+05",       "CET-1CEST,", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
                       "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J100", "CET-1CEST,M3.5.0/168,M10.5.0",
                       "CET-1CEST,M3.5.0", "CET-1CEST,M3.5.0,M10.5.0,", "CET-1:60"};
  for (const char* s : bad) {
    INFO(s);
    CHECK_FALSE(TzRule::Parse(s, &r).ok());
  }
}
