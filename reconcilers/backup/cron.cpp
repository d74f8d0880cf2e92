#include "reconcilers/backup/cron.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "reconcilers/backup/civil.h"

namespace dw::backup {

namespace {

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

struct FieldSpec {
  const char* name;
  int min, max;
  const char* const* names;  // nullptr, or max - min + 1 three-letter names from `min`
  int name_count;
  const char* name_kind;  // for messages: "month name"
};

constexpr FieldSpec kFields[5] = {
    {"minute", 0, 59, nullptr, 0, nullptr},
    {"hour", 0, 23, nullptr, 0, nullptr},
    {"day of month", 1, 31, nullptr, 0, nullptr},
    {"month", 1, 12, kMonthNames, 12, "month name"},
    {"day of week", 0, 7, kDayNames, 7, "day name"},  // 7 is Sunday again
};

struct Macro {
  const char* name;
  const char* fields;
};
constexpr Macro kMacros[] = {
    {"@yearly", "0 0 1 1 *"},  {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},  {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

int ToInt(std::string_view digits) {  // callers bound the length
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t b = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(b, i - b));
      b = i + 1;
    }
  }
  return out;
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    const size_t b = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

// One value: a number in range or (month, weekday) a case-insensitive name.
// Errors are the text after "<field>: ".
bool ParseValue(std::string_view tok, const FieldSpec& f, int* out, std::string* err) {
  if (tok.empty()) {
    *err = "missing value";
    return false;
  }
  if (AllDigits(tok)) {
    const int v = tok.size() > 4 ? f.max + 1 : ToInt(tok);
    if (v < f.min || v > f.max) {
      *err = std::string(tok) + " is out of range " + std::to_string(f.min) + "-" +
             std::to_string(f.max);
      return false;
    }
    *out = v;
    return true;
  }
  for (int i = 0; f.names != nullptr && i < f.name_count && tok.size() == 3; ++i) {
    bool eq = true;
    for (int k = 0; k < 3; ++k)
      eq = eq && std::toupper(static_cast<unsigned char>(tok[k])) == f.names[i][k];
    if (eq) {
      *out = f.min + i;
      return true;
    }
  }
  *err = Quote(tok) + " is not a number" + (f.names ? std::string(" or a ") + f.name_kind : "");
  return false;
}

// One list element: "*", "v", "a-b", each optionally "/step".
bool ParseItem(std::string_view item, const FieldSpec& f, uint64_t* bits, bool* star,
               std::string* err) {
  const auto slash = Split(item, '/');
  if (slash.size() > 2) {
    *err = Quote(item) + " has more than one '/'";
    return false;
  }
  int step = 1;
  if (slash.size() == 2) {
    if (!AllDigits(slash[1]) || slash[1].size() > 4 || ToInt(slash[1]) == 0) {
      *err = "step " + Quote(slash[1]) + " in " + Quote(item) + " must be a positive number";
      return false;
    }
    step = ToInt(slash[1]);
  }
  const std::string_view range = slash[0];
  int lo = 0, hi = 0;
  if (range == "*") {
    lo = f.min;
    hi = f.max;
    *star = *star || step == 1;
  } else if (const size_t dash = range.find('-'); dash != std::string_view::npos) {
    if (!ParseValue(range.substr(0, dash), f, &lo, err) ||
        !ParseValue(range.substr(dash + 1), f, &hi, err))
      return false;
    if (lo > hi) {
      *err = "range " + Quote(range) + " is backwards (start after end)";
      return false;
    }
  } else {
    if (!ParseValue(range, f, &lo, err)) return false;
    hi = slash.size() == 2 ? f.max : lo;  // "5/15" means "5-max/15"
  }
  for (int v = lo; v <= hi; v += step) *bits |= uint64_t{1} << v;
  return true;
}

bool ParseField(std::string_view text, const FieldSpec& f, uint64_t* bits, bool* star,
                std::string* err) {
  for (std::string_view item : Split(text, ',')) {
    if (item.empty()) {
      *err = "empty element in list " + Quote(text);
      return false;
    }
    if (!ParseItem(item, f, bits, star, err)) return false;
  }
  return true;
}

// "@every 90m": Go duration syntax restricted to one unit, as the CRD allows.
bool ParseEvery(std::string_view d, std::chrono::seconds* out, std::string* err) {
  size_t n = 0;
  while (n < d.size() && std::isdigit(static_cast<unsigned char>(d[n]))) ++n;
  const std::string_view num = d.substr(0, n), unit = d.substr(n);
  struct Unit {
    const char* name;
    int64_t nanos;
  };
  constexpr Unit kUnits[] = {{"ns", 1},
                             {"us", 1000},
                             {"ms", 1000000},
                             {"s", 1000000000},
                             {"m", 60'000'000'000},
                             {"h", 3'600'000'000'000}};
  for (const Unit& u : kUnits) {
    if (unit != u.name || num.empty() || num.size() > 12) continue;
    int64_t v = 0;
    for (char c : num) v = v * 10 + (c - '0');
    // Whole seconds, as robfig/cron; the bound keeps the product in range.
    const int64_t secs = u.nanos >= 1000000000 ? v * (u.nanos / 1000000000) : v / (1000000000 / u.nanos);
    if (secs < 1 || secs > int64_t{100} * 366 * 86400) {
      *err = "@every interval " + Quote(d) + " must be between 1s and 100 years";
      return false;
    }
    *out = std::chrono::seconds(secs);
    return true;
  }
  *err = "@every needs a duration like 90m, 2h or 30s, not " + Quote(d);
  return false;
}

Status BadSchedule(std::string_view text, const std::string& what) {
  return Status::BadRequest("schedule " + Quote(text) + ": " + what);
}

Status ParseFields(std::string_view text, std::string_view fields, Schedule* s) {
  const auto words = Words(fields);
  if (words.size() != 5) {
    std::string what = "expected 5 fields (minute hour day-of-month month day-of-week), got " +
                       std::to_string(words.size());
    if (words.size() == 6) what += "; a seconds or year field is not supported";
    return BadSchedule(text, what);
  }
  uint64_t bits[5] = {0, 0, 0, 0, 0};
  bool star[5] = {false, false, false, false, false};
  for (int i = 0; i < 5; ++i) {
    std::string err;
    if (!ParseField(words[i], kFields[i], &bits[i], &star[i], &err))
      return BadSchedule(text, std::string(kFields[i].name) + ": " + err);
  }
  if (bits[4] & (uint64_t{1} << 7)) bits[4] = (bits[4] | 1) & 0x7f;  // 7 -> Sunday
  s->minutes = std::bitset<60>(bits[0]);
  s->hours = std::bitset<24>(bits[1]);
  s->days_of_month = std::bitset<32>(bits[2]);
  s->months = std::bitset<13>(bits[3]);
  s->days_of_week = std::bitset<7>(bits[4]);
  s->dom_restricted = !star[2];
  s->dow_restricted = !star[4];
  return Status::OK();
}

}  // namespace

bool Schedule::DayMatches(int64_t year, int month, int day, int weekday) const {
  if (!months[month]) return false;
  const bool dom = days_of_month[day], dow = days_of_week[weekday];
  if (dom_restricted && dow_restricted) return dom || dow;  // Vixie's OR rule
  return dom && dow;  // the unrestricted one is all ones
}

Status ParseSchedule(std::string_view text, std::string_view time_zone, Schedule* out) {
  std::shared_ptr<const TimeZone> zone;
  if (time_zone.empty()) {
    zone = TimeZone::Utc();
  } else {
    DW_RETURN_IF_ERROR(TimeZone::Load(time_zone, &zone));
  }
  return ParseSchedule(text, std::move(zone), out);
}

Status ParseSchedule(std::string_view text, std::shared_ptr<const TimeZone> zone, Schedule* out) {
  Schedule s;
  s.text = std::string(text);
  s.zone = zone ? std::move(zone) : TimeZone::Utc();
  const auto words = Words(text);
  if (words.empty()) return BadSchedule(text, "empty schedule");
  std::string_view fields = text;
  if (words[0][0] == '@') {
    if (words[0] == "@reboot")
      return BadSchedule(text, "@reboot is not supported: there is no boot to run at; use a time-based schedule");
    if (words[0] == "@every") {
      std::string err;
      if (words.size() != 2) return BadSchedule(text, "@every takes exactly one duration");
      if (!ParseEvery(words[1], &s.every, &err)) return BadSchedule(text, err);
      *out = std::move(s);
      return Status::OK();
    }
    fields = {};
    for (const Macro& m : kMacros)
      if (words[0] == m.name && words.size() == 1) fields = m.fields;
    if (fields.empty())
      return BadSchedule(text, "unknown macro " + Quote(words[0]) +
                                   " (use @yearly, @annually, @monthly, @weekly, @daily, "
                                   "@midnight, @hourly or @every <duration>)");
  }
  DW_RETURN_IF_ERROR(ParseFields(text, fields, &s));
  *out = std::move(s);
  return Status::OK();
}

Status Next(const Schedule& s, TimePoint after, TimePoint* next) {
  const int64_t after_s = civil::FloorSeconds(after);
  if (s.every.count() > 0) {
    *next = civil::FromSeconds(after_s + s.every.count());
    return Status::OK();
  }
  const TimeZone& zone = s.zone ? *s.zone : *TimeZone::Utc();
  // Walk local civil minutes from the one after `after`'s local minute. In a
  // fold, earlier civil minutes all had their first occurrence before `after`.
  const int64_t start = civil::FloorDiv(zone.ToLocal(after_s), 60) * 60 + 60;
  int64_t day = civil::FloorDiv(start, civil::kSecondsPerDay);
  int minute_of_day = static_cast<int>((start - day * civil::kSecondsPerDay) / 60);
  const int64_t last_day = day + int64_t{kScheduleSearchYears} * 366;
  for (; day <= last_day; ++day, minute_of_day = 0) {
    const civil::Date d = civil::CivilFromDays(day);
    if (!s.DayMatches(d.year, d.month, d.day, civil::WeekdayFromDays(day))) continue;
    for (int hm = minute_of_day; hm < 1440; ++hm) {
      if (!s.hours[hm / 60]) {
        hm = hm / 60 * 60 + 59;  // skip the rest of this hour
        continue;
      }
      if (!s.minutes[hm % 60]) continue;
      const TimeZone::Instants at = zone.FromLocal(day * civil::kSecondsPerDay + hm * 60);
      // count 0: the spring-forward gap, skipped. A fold runs at its first
      // occurrence only; if that is not after `after`, it already ran.
      if (at.count > 0 && at.at[0] > after_s) {
        *next = civil::FromSeconds(at.at[0]);
        return Status::OK();
      }
    }
  }
  return BadSchedule(s.text, "never matches in time zone " + Quote(zone.name()) + " (no run within " +
                                 std::to_string(kScheduleSearchYears) + " years after " +
                                 dw::clock::Rfc3339(after) + ")");
}

namespace {

// @every: runs are floor(last) + k*interval (robfig's ConstantDelaySchedule
// iterated from `last`). Unlike the CronJob controller, a deadline does not
// re-anchor the runs at now - deadline: it only filters them.
void MissedEvery(const Schedule& s, TimePoint last, TimePoint now,
                 std::optional<std::chrono::seconds> deadline, MissedRuns* out) {
  const int64_t every = s.every.count();
  const int64_t l = civil::FloorSeconds(last), n = civil::FloorSeconds(now);
  const int64_t k = (n - l) / every;  // runs l + every .. l + k*every are due
  if (k <= 0) return;
  int64_t first = 1;  // index of the oldest run still inside the deadline
  if (deadline) {
    const int64_t oldest = n - deadline->count();
    if (oldest > l) first = std::max<int64_t>(1, (oldest - l + every - 1) / every);
  }
  if (first > k) return;
  out->most_recent = civil::FromSeconds(l + k * every);
  out->missed = std::min(k - first + 1, kMaxMissedRuns + 1);
  out->too_many = k - first + 1 > kMaxMissedRuns;
}

}  // namespace

Status FindMissedRuns(const Schedule& s, TimePoint last, TimePoint now,
                      std::optional<std::chrono::seconds> deadline, MissedRuns* out) {
  *out = MissedRuns{};
  TimePoint earliest = last;  // exclusive: `last` itself already ran
  if (deadline) {
    // Inclusive bound: a run exactly `deadline` old may still start.
    const TimePoint bound = now - *deadline - std::chrono::nanoseconds(1);
    if (bound > earliest) earliest = bound;
  }
  if (earliest >= now) return Status::OK();
  if (s.every.count() > 0) {
    MissedEvery(s, last, now, deadline, out);
    return Status::OK();
  }
  TimePoint prev = earliest, t;
  for (;;) {
    DW_RETURN_IF_ERROR(Next(s, prev, &t));
    if (t > now) return Status::OK();
    out->most_recent = t;
    if (++out->missed > kMaxMissedRuns) break;
    prev = t;
  }
  // Too many to walk: bisect for the latest run <= now. Next(x) is monotone
  // in x, Next(prev) <= now and Next(floor(now)) > now.
  out->too_many = true;
  int64_t lo = civil::FloorSeconds(prev), hi = civil::FloorSeconds(now);
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    DW_RETURN_IF_ERROR(Next(s, civil::FromSeconds(mid), &t));
    if (t <= now) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  DW_RETURN_IF_ERROR(Next(s, civil::FromSeconds(lo), &t));
  out->most_recent = t;
  return Status::OK();
}

}  // namespace dw::backup
