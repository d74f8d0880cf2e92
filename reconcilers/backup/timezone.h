// TimeZone: an IANA time zone read from the system tz database
// (/usr/share/zoneinfo, or $TZDIR) with our own bounds-checked TZif v1/v2/v3
// parser. GCC 12's libstdc++ has no <chrono> zones and localtime_r/mktime
// depend on the process-global TZ, so this is the thread-safe way to map
// instants to local civil time and back.
// Promises: immutable after loading (share it freely across threads); names
// are user input and are validated before touching the file system (no "..",
// no absolute paths); a damaged file is an error, never a crash.
// Leap-second ("right/") zones are refused: schedules live in POSIX time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/status.h"
#include "reconcilers/backup/tz_rule.h"

namespace dw::backup {

class TimeZone {
 public:
  // UTC without touching the file system (tzdata may be absent).
  static std::shared_ptr<const TimeZone> Utc();

  // Loads `name` ("UTC", "Europe/Berlin") from $TZDIR or /usr/share/zoneinfo.
  // BadRequest `unknown time zone "X"` for invalid or missing names.
  static Status Load(std::string_view name, std::shared_ptr<const TimeZone>* out);
  static Status LoadFromDir(const std::string& dir, std::string_view name,
                            std::shared_ptr<const TimeZone>* out);
  // Parses the bytes of a TZif file; Corruption if they are malformed.
  static Status FromTzif(std::string name, std::string_view data,
                         std::shared_ptr<const TimeZone>* out);
  // A zone defined only by a POSIX TZ rule ("EST5EDT,M3.2.0,M11.1.0").
  static Status FromPosix(std::string_view rule, std::shared_ptr<const TimeZone>* out);

  // True for names the loader will even look up (the CRD's pattern, plus a
  // length bound).
  static bool IsValidName(std::string_view name);

  const std::string& name() const { return name_; }

  // Seconds east of UTC in effect at the instant `unix_seconds`.
  int32_t OffsetAt(int64_t unix_seconds) const;
  // Local wall-clock seconds (as if the local time were UTC) at an instant.
  int64_t ToLocal(int64_t unix_seconds) const { return unix_seconds + OffsetAt(unix_seconds); }

  // The instants at which the wall clock shows `local_seconds`, ascending:
  // none inside a spring-forward gap, two inside a fall-back fold.
  struct Instants {
    int count = 0;
    int64_t at[2] = {0, 0};
  };
  Instants FromLocal(int64_t local_seconds) const;

 private:
  TimeZone() = default;

  std::string name_;
  // transitions_[i] starts offsets_[i]; before the first one initial_offset_
  // holds (RFC 8536: local time type 0), after the last one rule_ (if any).
  std::vector<int64_t> transitions_;
  std::vector<int32_t> offsets_;
  int32_t initial_offset_ = 0;
  std::optional<TzRule> rule_;
};

}  // namespace dw::backup
