#include "operator/json/yaml_scalar.h"

#include <charconv>
#include <cstdint>
#include <limits>

namespace dw::yaml::internal {

namespace {

bool IsDigit(char c, int base) {
  if (base == 8) return c >= '0' && c <= '7';
  if (base == 16) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  return c >= '0' && c <= '9';
}

// Splits an optional leading sign off `s`.
std::string_view StripSign(std::string_view s, bool* neg) {
  *neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    *neg = s[0] == '-';
    s.remove_prefix(1);
  }
  return s;
}

size_t CountDigits(std::string_view s, size_t i) {
  size_t n = 0;
  while (i + n < s.size() && IsDigit(s[i + n], 10)) ++n;
  return n;
}

// Matches [0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)? with at least one mantissa digit.
bool MatchesFloatBody(std::string_view b) {
  size_t i = CountDigits(b, 0);
  size_t mantissa = i;
  if (i < b.size() && b[i] == '.') {
    size_t frac = CountDigits(b, i + 1);
    mantissa += frac;
    i += 1 + frac;
  }
  if (mantissa == 0) return false;
  if (i < b.size() && (b[i] == 'e' || b[i] == 'E')) {
    ++i;
    if (i < b.size() && (b[i] == '+' || b[i] == '-')) ++i;
    size_t exp = CountDigits(b, i);
    if (exp == 0) return false;
    i += exp;
  }
  return i == b.size();
}

}  // namespace

bool IsNullScalar(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool ParseBoolScalar(std::string_view s, bool* out) {
  if (s == "true" || s == "True" || s == "TRUE") {
    *out = true;
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    *out = false;
    return true;
  }
  return false;
}

bool ParseIntScalar(std::string_view s, json::Value* out) {
  bool neg;
  std::string_view body = StripSign(s, &neg);
  int base = 10;
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o')) {
    base = body[1] == 'x' ? 16 : 8;
    body.remove_prefix(2);
  }
  if (body.empty()) return false;
  for (char c : body) {
    if (!IsDigit(c, base)) return false;
  }
  uint64_t mag = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), mag, base);
  if (ec == std::errc::result_out_of_range) {
    if (base != 10) return false;  // a huge hex literal is not a number we can keep
    double d = 0;
    std::from_chars(body.data(), body.data() + body.size(), d);
    out->SetDouble(neg ? -d : d);
    return true;
  }
  constexpr uint64_t kMaxPos = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (!neg) {
    if (mag <= kMaxPos) {
      out->SetInt64(static_cast<int64_t>(mag));
    } else {
      out->SetUint64(mag);
    }
  } else if (mag <= kMaxPos + 1) {
    out->SetInt64(static_cast<int64_t>(0 - mag));  // two's complement keeps INT64_MIN exact
  } else {
    out->SetDouble(-static_cast<double>(mag));
  }
  return true;
}

bool ParseFloatScalar(std::string_view s, json::Value* out) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    out->SetDouble(std::numeric_limits<double>::quiet_NaN());
    return true;
  }
  bool neg;
  std::string_view body = StripSign(s, &neg);
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    double inf = std::numeric_limits<double>::infinity();
    out->SetDouble(neg ? -inf : inf);
    return true;
  }
  if (!MatchesFloatBody(body)) return false;
  double d = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves `d` untouched; decide overflow vs underflow from the exponent sign.
    size_t e = body.find_first_of("eE");
    bool underflow = e != std::string_view::npos && e + 1 < body.size() && body[e + 1] == '-';
    d = underflow ? 0.0 : std::numeric_limits<double>::infinity();
  } else if (ec != std::errc()) {
    return false;
  }
  out->SetDouble(neg ? -d : d);
  return true;
}

void ResolvePlain(std::string_view s, json::Value* out, json::Allocator& a) {
  bool b;
  if (IsNullScalar(s)) {
    out->SetNull();
  } else if (ParseBoolScalar(s, &b)) {
    out->SetBool(b);
  } else if (ParseIntScalar(s, out) || ParseFloatScalar(s, out)) {
    // set by the parser
  } else {
    out->SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
  }
}

bool ResolvesToNonString(std::string_view s) {
  bool b;
  json::Value v;
  return IsNullScalar(s) || ParseBoolScalar(s, &b) || ParseIntScalar(s, &v) ||
         ParseFloatScalar(s, &v);
}

}  // namespace dw::yaml::internal
