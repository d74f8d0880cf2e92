// Quantity parsing is exact decimal arithmetic on 128-bit integers: doubles
// would turn "0.1" CPUs into 99999999 nano-CPUs and report a drift forever.
#include "reconcilers/stacklimits/quantity.h"

#include <cctype>
#include <cmath>
#include <limits>

namespace dw::stacklimits {
namespace {

using i128 = __int128;
constexpr i128 kMaxI64 = std::numeric_limits<int64_t>::max();
constexpr i128 kMaxI128 = ~(static_cast<i128>(1) << 127);

// A non-negative decimal "123", "1.5", ".5", "2." split into digits/10^scale.
struct Decimal {
  i128 digits = 0;
  int scale = 0;  // number of fractional digits
};

// Parses the leading decimal of `s` from *pos; false when there is none or it
// has more digits than 128 bits can hold exactly.
bool ParseDecimal(const std::string& s, size_t* pos, Decimal* out) {
  size_t i = *pos;
  bool any = false, dot = false;
  Decimal d;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    if (d.digits > kMaxI64 * 1000) return false;  // far beyond int64 after any scale
    d.digits = d.digits * 10 + (c - '0');
    if (dot) ++d.scale;
    any = true;
  }
  if (!any || d.scale > 20) return false;  // keeps 10^(scale+9) in range
  *pos = i;
  *out = d;
  return true;
}

i128 Pow10(int n) {
  i128 r = 1;
  while (n-- > 0) r *= 10;
  return r;
}

// ceil(d * mult / 10^div_exp) into *out, failing above int64.
bool ScaleCeil(const Decimal& d, i128 mult, int div_exp, int64_t* out) {
  int den_exp = d.scale + div_exp;
  if (mult != 0 && d.digits > kMaxI128 / mult) return false;
  i128 num = d.digits * mult;
  i128 den = Pow10(den_exp);
  i128 q = num / den + (num % den != 0 ? 1 : 0);
  if (q > kMaxI64) return false;
  *out = static_cast<int64_t>(q);
  return true;
}

Status BadQuantity(const std::string& what, const std::string& s, const std::string& why) {
  return Status::Invalid(what + " \"" + s + "\": " + why);
}

// Multiplier of a Kubernetes suffix as mult / 10^div_exp.
bool K8sSuffix(const std::string& suf, i128* mult, int* div_exp) {
  *div_exp = 0;
  static const struct {
    const char* s;
    int bin_shift;  // 2^n
    int dec_exp;    // 10^n (negative: divide)
  } kTable[] = {
      {"", 0, 0},    {"Ki", 10, 0}, {"Mi", 20, 0}, {"Gi", 30, 0}, {"Ti", 40, 0}, {"Pi", 50, 0},
      {"Ei", 60, 0}, {"n", 0, -9},  {"u", 0, -6},  {"m", 0, -3},  {"k", 0, 3},   {"M", 0, 6},
      {"G", 0, 9},   {"T", 0, 12},  {"P", 0, 15},  {"E", 0, 18},
  };
  for (const auto& e : kTable) {
    if (suf != e.s) continue;
    *mult = static_cast<i128>(1) << e.bin_shift;
    if (e.dec_exp >= 0) {
      *mult *= Pow10(e.dec_exp);
    } else {
      *div_exp = -e.dec_exp;
    }
    return true;
  }
  // Decimal exponent: "1e3", "5E+2".
  if (suf.size() >= 2 && (suf[0] == 'e' || suf[0] == 'E')) {
    size_t i = 1;
    bool neg = false;
    if (suf[i] == '+' || suf[i] == '-') neg = suf[i++] == '-';
    if (i >= suf.size() || suf.size() - i > 2) return false;
    int exp = 0;
    for (; i < suf.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(suf[i]))) return false;
      exp = exp * 10 + (suf[i] - '0');
    }
    if (exp > 18) return false;
    *mult = neg ? 1 : Pow10(exp);
    *div_exp = neg ? exp : 0;
    return true;
  }
  return false;
}

// A JSON number (YAML `cpus: 0.5` arrives as one) as its shortest decimal text.
std::string NumberText(const json::Value& v) {
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  return json::Serialize(v);
}

}  // namespace

Status ParseK8sBytes(const std::string& s, int64_t* bytes) {
  if (s.empty()) return BadQuantity("quantity", s, "empty");
  size_t pos = 0;
  if (s[0] == '+') pos = 1;
  if (s[0] == '-') return BadQuantity("quantity", s, "must not be negative");
  Decimal d;
  if (!ParseDecimal(s, &pos, &d)) return BadQuantity("quantity", s, "not a number");
  i128 mult;
  int div_exp;
  if (!K8sSuffix(s.substr(pos), &mult, &div_exp)) {
    return BadQuantity("quantity", s, "unknown suffix \"" + s.substr(pos) + "\" (use Ki, Mi, Gi, k, M, G...)");
  }
  if (!ScaleCeil(d, mult, div_exp, bytes)) return BadQuantity("quantity", s, "too large");
  return Status::OK();
}

Status ParseK8sBytes(const json::Value& v, int64_t* bytes) {
  if (v.IsString()) return ParseK8sBytes(std::string(v.GetString(), v.GetStringLength()), bytes);
  if (v.IsNumber()) return ParseK8sBytes(NumberText(v), bytes);
  return Status::Invalid("quantity must be a string or a number");
}

Status ParseCpus(const std::string& s, int64_t* nano) {
  if (s.empty()) return BadQuantity("cpus", s, "empty");
  size_t pos = 0;
  if (s[0] == '-') return BadQuantity("cpus", s, "must not be negative");
  Decimal d;
  if (!ParseDecimal(s, &pos, &d)) return BadQuantity("cpus", s, "not a number");
  std::string suf = s.substr(pos);
  if (!suf.empty() && suf != "m") return BadQuantity("cpus", s, "only the suffix m (millicores) is allowed");
  // cores * 10^9, or millicores * 10^6.
  if (!ScaleCeil(d, Pow10(suf.empty() ? 9 : 6), 0, nano)) return BadQuantity("cpus", s, "too large");
  return Status::OK();
}

Status ParseCpus(const json::Value& v, int64_t* nano) {
  if (v.IsString()) return ParseCpus(std::string(v.GetString(), v.GetStringLength()), nano);
  if (v.IsNumber()) return ParseCpus(NumberText(v), nano);
  return Status::Invalid("cpus must be a string or a number");
}

// Both docker (go-units RAMInBytes) and docker-compose 1.x (docker-py
// parse_bytes) truncate the product; so do we, so lint and runtime agree.
Status ParseDockerBytes(const std::string& s, int64_t* bytes) {
  size_t pos = 0;
  Decimal d;
  if (s.empty() || !ParseDecimal(s, &pos, &d)) return BadQuantity("size", s, "not a number");
  if (pos < s.size() && s[pos] == ' ') ++pos;
  std::string suf;
  for (; pos < s.size(); ++pos) suf += static_cast<char>(std::tolower(static_cast<unsigned char>(s[pos])));
  int shift = -1;
  if (suf.empty() || suf == "b") shift = 0;
  static const char kUnits[] = "kmgtp";
  for (int i = 0; i < 5 && shift < 0; ++i) {
    std::string u(1, kUnits[i]);
    if (suf == u || suf == u + "b" || suf == u + "ib" || suf == u + "i") shift = 10 * (i + 1);
  }
  if (shift < 0) return BadQuantity("size", s, "unknown unit \"" + suf + "\" (use b, k, m, g)");
  i128 num = d.digits * (static_cast<i128>(1) << shift);
  i128 q = num / Pow10(d.scale);
  if (q > kMaxI64) return BadQuantity("size", s, "too large");
  *bytes = static_cast<int64_t>(q);
  return Status::OK();
}

std::string FormatBytes(int64_t bytes) {
  if (bytes <= 0) return std::to_string(bytes);
  static const char* kUnits[] = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
  for (int i = 0; i < 6; ++i) {
    int64_t unit = int64_t{1} << (10 * (6 - i));
    if (bytes % unit == 0) return std::to_string(bytes / unit) + kUnits[i];
  }
  return std::to_string(bytes);
}

std::string FormatCpus(int64_t nano) {
  std::string out = std::to_string(nano / 1000000000);
  int64_t frac = nano % 1000000000;
  if (frac == 0) return out;
  std::string f = std::to_string(frac);
  f.insert(0, 9 - f.size(), '0');
  while (!f.empty() && f.back() == '0') f.pop_back();
  return out + "." + f;
}

}  // namespace dw::stacklimits
