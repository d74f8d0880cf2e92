// Proleptic Gregorian calendar arithmetic on day numbers (days since
// 1970-01-01), after Howard Hinnant's public-domain algorithms. Pure integer
// math with no time zone, no locale and no libc state, so the schedule and
// retention code can reason about local civil time exactly and thread-safely.
#pragma once

#include <chrono>
#include <cstdint>

namespace dw::backup::civil {

inline constexpr int64_t kSecondsPerDay = 86400;

struct Date {
  int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};

// Floor division: civil math needs -1 / 86400 == -1, not 0.
constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

constexpr int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr Date CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Date{yoe + era * 400 + (m <= 2), m, d};
}

// 0 = Sunday ... 6 = Saturday (cron's numbering). 1970-01-01 was a Thursday.
constexpr int WeekdayFromDays(int64_t z) {
  return static_cast<int>(z - FloorDiv(z + 4, 7) * 7 + 4);
}

constexpr bool IsLeapYear(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

constexpr int DaysInMonth(int64_t y, int m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// ISO 8601 week: weeks start on Monday and belong to the year of their
// Thursday, so 2025-12-31 is in week 1 of 2026 (as Go's Time.ISOWeek says).
struct IsoWeek {
  int64_t year;
  int week;  // 1-53
};

constexpr IsoWeek IsoWeekFromDays(int64_t z) {
  const int wd = WeekdayFromDays(z);
  const int64_t thursday = z - (wd == 0 ? 6 : wd - 1) + 3;
  const int64_t year = CivilFromDays(thursday).year;
  return IsoWeek{year, static_cast<int>((thursday - DaysFromCivil(year, 1, 1)) / 7 + 1)};
}

// Whole seconds since the epoch, rounded toward the past (not toward zero).
inline int64_t FloorSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

inline std::chrono::system_clock::time_point FromSeconds(int64_t s) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(s));
}

}  // namespace dw::backup::civil
