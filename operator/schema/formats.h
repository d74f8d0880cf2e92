// OpenAPI string formats as the Kubernetes apiextensions server checks them.
// Each checker is a plain function over the string (no regex): formats are
// tested on every write, and most are simple enough to scan by hand.
// Unknown format names are accepted, as Kubernetes does.
#pragma once

#include <string_view>

namespace dw::schema {

// True when `value` conforms to `format` (or the format is unknown / not a
// string format, such as int32/int64 which apply to numbers).
bool CheckStringFormat(std::string_view format, std::string_view value);

// RFC 1123 DNS label (<= 63) and subdomain (<= 253), lowercase.
bool IsDns1123Label(std::string_view s);
bool IsDns1123Subdomain(std::string_view s);

}  // namespace dw::schema
