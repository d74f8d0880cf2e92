// Wall-clock time in the formats the Kubernetes API uses. One place, so tests
// and controllers agree on precision (seconds for metav1.Time, microseconds
// for metav1.MicroTime) and on UTC.
#pragma once

#include <chrono>
#include <string>

namespace dw::clock {

using TimePoint = std::chrono::system_clock::time_point;

inline TimePoint Now() { return std::chrono::system_clock::now(); }
// "2026-11-23T12:00:00Z" (metav1.Time precision).
std::string Rfc3339(TimePoint t);
// "2026-11-23T12:00:00.123456Z" (metav1.MicroTime).
std::string Rfc3339Micro(TimePoint t);
inline std::string NowRfc3339() { return Rfc3339(Now()); }
// Parses RFC 3339 (with "Z" or a numeric offset, optional fraction).
bool ParseRfc3339(const std::string& s, TimePoint* out);
// kubectl's HumanDuration: "45s", "5m30s", "3h5m", "2d3h", "45d", "2y3d".
std::string HumanDuration(std::chrono::seconds d);

}  // namespace dw::clock
