// TzRule: a POSIX TZ rule string such as "CET-1CEST,M3.5.0,M10.5.0/3", the
// footer of a TZif v2+ file that gives local time for every instant after the
// file's last explicit transition (Debian ships "slim" files, so this is what
// answers for today's dates, not a far-future corner case).
// Parsing is strict and bounds-checked: the text comes from a file on disk
// and a damaged file must yield an error, never a crash or a wrong guess.
// Supported: <quoted> and alphabetic names, hh[:mm[:ss]] offsets, rule dates
// Jn, n and Mm.w.d, and RFC 8536 (v3) rule times from -167h to +167h.
#pragma once

#include <cstdint>
#include <string_view>

#include "operator/common/status.h"

namespace dw::backup {

class TzRule {
 public:
  // A fixed UTC+0 rule.
  TzRule() = default;

  static Status Parse(std::string_view text, TzRule* out);

  // Seconds east of UTC in effect at the instant `unix_seconds`.
  int32_t OffsetAt(int64_t unix_seconds) const;

  bool has_dst() const { return has_dst_; }
  int32_t std_offset() const { return std_offset_; }
  int32_t dst_offset() const { return dst_offset_; }

 private:
  // One end of the daylight-saving period.
  struct Change {
    char kind = 'M';  // 'J': Julian 1-365 ignoring Feb 29; 'D': 0-365; 'M': month.week.weekday
    int number = 0;   // day for 'J'/'D'
    int month = 0, week = 0, weekday = 0;
    int32_t time = 7200;  // local seconds after midnight (default 02:00)
  };

  static int64_t DayOfChange(const Change& c, int64_t year);

  int32_t std_offset_ = 0;
  int32_t dst_offset_ = 0;
  bool has_dst_ = false;
  Change start_, end_;
};

}  // namespace dw::backup
