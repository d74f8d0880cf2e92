// Docker's /events `since` and `until` take Unix time as "seconds.nanoseconds"
// (20.10 rejects RFC 3339 there), while /info reports the daemon's clock as
// RFC 3339 with nanoseconds. This converts the one into the other exactly
// (no floating point, the nanoseconds are kept).
#pragma once

#include <string>
#include <string_view>

#include "operator/common/status.h"

namespace dw::docker {

// "2026-11-23T14:47:05.754262163Z" -> "1795445225.754262163". Accepts 'Z' or
// a "+hh:mm"/"-hh:mm" offset and 0..9 fraction digits.
Status UnixSinceFromRfc3339(std::string_view rfc3339, std::string* out);

}  // namespace dw::docker
