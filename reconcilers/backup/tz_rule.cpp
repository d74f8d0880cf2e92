#include "reconcilers/backup/tz_rule.h"

#include <cctype>
#include <string>

#include "reconcilers/backup/civil.h"

namespace dw::backup {

namespace {

// A cursor over the rule text; every read checks the end first.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool Eat(char c) {
    if (done() || s_[i_] != c) return false;
    ++i_;
    return true;
  }

  // Zone abbreviation: "<+0330>" (quoted, may hold digits and signs) or 3+ letters.
  bool Name() {
    if (Eat('<')) {
      size_t n = 0;
      while (!done() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '+' ||
                         peek() == '-')) {
        ++i_;
        ++n;
      }
      return n >= 3 && Eat('>');
    }
    size_t n = 0;
    while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) {
      ++i_;
      ++n;
    }
    return n >= 3;
  }

  // Decimal number of at most `max_digits` digits.
  bool Number(int max_digits, int* out) {
    int v = 0, n = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(peek()))) {
      if (++n > max_digits) return false;
      v = v * 10 + (s_[i_++] - '0');
    }
    *out = v;
    return n > 0;
  }

  // [+-]hh[:mm[:ss]] in seconds, hours at most max_hours.
  bool Duration(int max_hours, int32_t* out) {
    int sign = 1;
    if (Eat('-')) {
      sign = -1;
    } else {
      Eat('+');
    }
    int h = 0, m = 0, sec = 0;
    if (!Number(3, &h) || h > max_hours) return false;
    if (Eat(':')) {
      if (!Number(2, &m) || m > 59) return false;
      if (Eat(':') && (!Number(2, &sec) || sec > 59)) return false;
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

Status Bad(std::string_view text, const char* what) {
  return Status::Corruption("invalid POSIX TZ rule \"" + std::string(text) + "\": " + what);
}

}  // namespace

Status TzRule::Parse(std::string_view text, TzRule* out) {
  Cursor c(text);
  TzRule r;
  int32_t posix_offset = 0;  // POSIX counts west of UTC positive: "CET-1" is UTC+1
  if (!c.Name()) return Bad(text, "standard time name");
  if (!c.Duration(24, &posix_offset)) return Bad(text, "standard time offset");
  r.std_offset_ = -posix_offset;
  if (c.done()) {
    *out = r;
    return Status::OK();
  }
  if (!c.Name()) return Bad(text, "daylight time name");
  r.has_dst_ = true;
  r.dst_offset_ = r.std_offset_ + 3600;  // POSIX default: one hour ahead of standard
  if (!c.done() && c.peek() != ',') {
    if (!c.Duration(24, &posix_offset)) return Bad(text, "daylight time offset");
    r.dst_offset_ = -posix_offset;
  }
  // Without a rule POSIX leaves the dates to the implementation; glibc and
  // tzcode use the US rules, and so do we.
  r.start_ = Change{'M', 0, 3, 2, 0, 7200};
  r.end_ = Change{'M', 0, 11, 1, 0, 7200};
  if (c.done()) {
    *out = r;
    return Status::OK();
  }
  for (Change* ch : {&r.start_, &r.end_}) {
    if (!c.Eat(',')) return Bad(text, "expected ',' before a rule date");
    Change x;
    if (c.Eat('J')) {
      x.kind = 'J';
      if (!c.Number(3, &x.number) || x.number < 1 || x.number > 365) return Bad(text, "Jn day");
    } else if (c.Eat('M')) {
      x.kind = 'M';
      if (!c.Number(2, &x.month) || x.month < 1 || x.month > 12 || !c.Eat('.') ||
          !c.Number(1, &x.week) || x.week < 1 || x.week > 5 || !c.Eat('.') ||
          !c.Number(1, &x.weekday) || x.weekday > 6)
        return Bad(text, "Mm.w.d date");
    } else {
      x.kind = 'D';
      if (!c.Number(3, &x.number) || x.number > 365) return Bad(text, "day number");
    }
    if (c.Eat('/') && !c.Duration(167, &x.time)) return Bad(text, "rule time");
    *ch = x;
  }
  if (!c.done()) return Bad(text, "trailing characters");
  *out = r;
  return Status::OK();
}

int64_t TzRule::DayOfChange(const Change& c, int64_t year) {
  const int64_t jan1 = civil::DaysFromCivil(year, 1, 1);
  switch (c.kind) {
    case 'J':  // Feb 29 is never counted, so J60 is always March 1
      return jan1 + c.number - 1 + (civil::IsLeapYear(year) && c.number >= 60 ? 1 : 0);
    case 'D':
      return jan1 + c.number;
    default: {
      const int64_t first = civil::DaysFromCivil(year, c.month, 1);
      int64_t day = first + (c.weekday - civil::WeekdayFromDays(first) + 7) % 7 + (c.week - 1) * 7;
      // Week 5 means "the last such weekday", which may be the 4th.
      while (day >= first + civil::DaysInMonth(year, c.month)) day -= 7;
      return day;
    }
  }
}

int32_t TzRule::OffsetAt(int64_t t) const {
  if (!has_dst_) return std_offset_;
  const int64_t year =
      civil::CivilFromDays(civil::FloorDiv(t + std_offset_, civil::kSecondsPerDay)).year;
  // The start is written in standard local time, the end in daylight time.
  const int64_t start = DayOfChange(start_, year) * civil::kSecondsPerDay + start_.time - std_offset_;
  const int64_t end = DayOfChange(end_, year) * civil::kSecondsPerDay + end_.time - dst_offset_;
  const bool dst = start < end ? (start <= t && t < end)      // northern hemisphere
                               : !(end <= t && t < start);   // southern: DST spans new year
  return dst ? dst_offset_ : std_offset_;
}

}  // namespace dw::backup
