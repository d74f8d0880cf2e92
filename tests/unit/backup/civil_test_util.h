// Test helpers: build exact UTC instants from civil fields, and print them.
#pragma once

#include <string>

#include "operator/common/clock.h"
#include "reconcilers/backup/civil.h"

namespace dw::backup::testing {

inline dw::clock::TimePoint Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return civil::FromSeconds(civil::DaysFromCivil(y, mo, d) * civil::kSecondsPerDay + h * 3600 +
                            mi * 60 + s);
}

inline int64_t UtcSeconds(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return civil::FloorSeconds(Utc(y, mo, d, h, mi, s));
}

inline std::string Str(dw::clock::TimePoint t) { return dw::clock::Rfc3339(t); }

}  // namespace dw::backup::testing
