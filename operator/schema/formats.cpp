#include "operator/schema/formats.h"

#include <arpa/inet.h>

#include <cctype>
#include <string>

namespace dw::schema {

namespace {

bool Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

int Num(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// YYYY-MM-DD with calendar-plausible month/day.
bool IsDate(std::string_view s) {
  if (s.size() != 10 || !Digits(s, 0, 4) || s[4] != '-' || !Digits(s, 5, 2) || s[7] != '-' ||
      !Digits(s, 8, 2)) {
    return false;
  }
  int month = Num(s, 5, 2), day = Num(s, 8, 2);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// RFC 3339: date "T" hh:mm:ss[.frac](Z|+hh:mm|-hh:mm); "t"/"z"/" " tolerated
// like Go's strfmt does.
bool IsDateTime(std::string_view s) {
  if (s.size() < 20 || !IsDate(s.substr(0, 10))) return false;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  if (!Digits(s, 11, 2) || s[13] != ':' || !Digits(s, 14, 2) || s[16] != ':' || !Digits(s, 17, 2)) {
    return false;
  }
  if (Num(s, 11, 2) > 23 || Num(s, 14, 2) > 59 || Num(s, 17, 2) > 60) return false;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return false;
  }
  if (i == s.size()) return false;
  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  return s.size() == i + 6 && Digits(s, i + 1, 2) && s[i + 3] == ':' && Digits(s, i + 4, 2) &&
         Num(s, i + 1, 2) <= 23 && Num(s, i + 4, 2) <= 59;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool IsBase64(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  size_t pad = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad > 0) return false;  // data after padding
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
  }
  return pad <= 2;
}

bool IsIp(std::string_view s, int family) {
  std::string z(s);
  unsigned char buf[16];
  return inet_pton(family, z.c_str(), buf) == 1;
}

bool IsCidr(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || slash + 1 >= s.size()) return false;
  std::string_view ip = s.substr(0, slash), bits = s.substr(slash + 1);
  if (bits.size() > 3 || !Digits(bits, 0, bits.size())) return false;
  int n = Num(bits, 0, bits.size());
  if (IsIp(ip, AF_INET)) return n <= 32;
  return IsIp(ip, AF_INET6) && n <= 128;
}

// RFC 1123 hostname: dot-separated labels of alphanumerics and '-', any case.
bool IsHostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool IsEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char c : s.substr(0, at)) {
    if (std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return IsHostname(s.substr(at + 1));
}

// scheme ":" rest, no whitespace (Go's url.ParseRequestURI is the reference).
bool IsUri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == s.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
  }
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// Go time.ParseDuration syntax: "0" or [+-]? (number unit)+ with
// units ns, us, µs, ms, s, m, h.
bool IsDuration(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (s.substr(i) == "0") return true;
  if (i == s.size()) return false;
  while (i < s.size()) {
    size_t digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
    }
    if (digits == 0) return false;
    std::string_view rest = s.substr(i);
    size_t unit = 0;
    for (std::string_view u : {"ns", "us", "\xC2\xB5s", "ms", "s", "m", "h"}) {
      if (rest.substr(0, u.size()) == u) {
        unit = u.size();
        break;
      }
    }
    if (unit == 0) return false;
    i += unit;
  }
  return true;
}

}  // namespace

bool IsDns1123Label(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (c != '-' || i == 0 || i + 1 == s.size())) return false;
  }
  return true;
}

bool IsDns1123Subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    // Subdomain labels share the label syntax but not the 63-char cap.
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool CheckStringFormat(std::string_view format, std::string_view v) {
  if (format == "date-time") return IsDateTime(v);
  if (format == "date") return IsDate(v);
  if (format == "uri") return IsUri(v);
  if (format == "email") return IsEmail(v);
  if (format == "hostname") return IsHostname(v);
  if (format == "ipv4") return IsIp(v, AF_INET);
  if (format == "ipv6") return IsIp(v, AF_INET6);
  if (format == "cidr") return IsCidr(v);
  if (format == "uuid") return IsUuid(v);
  if (format == "byte") return IsBase64(v);
  if (format == "duration") return IsDuration(v);
  return true;
}

}  // namespace dw::schema
