// Narrow absolute-URL parser and the host rules of the SSRF checks.
#include "reconcilers/pluginpolicy/url.h"

#include <arpa/inet.h>

#include <cctype>

namespace dw::pluginpolicy {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

bool IsSchemeChar(char ch) {
  return std::isalnum(static_cast<unsigned char>(ch)) || ch == '+' || ch == '-' || ch == '.';
}

// "scheme:" at the start, as RFC 3986 defines a scheme.
bool HasScheme(std::string_view s) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (size_t i = 1; i < colon; ++i)
    if (!IsSchemeChar(s[i])) return false;
  return true;
}

int DefaultPort(const std::string& scheme) {
  if (scheme == "https") return 443;
  if (scheme == "http") return 80;
  return 0;
}

// DNS labels only: letters, digits, '-', '_' (seen in real names), no empty
// label. Percent-encoding and non-ASCII are refused rather than decoded, so
// no two spellings of one host exist.
Status CheckHostName(const std::string& host) {
  if (host.empty()) return Status::BadRequest("URL has an empty host");
  size_t label = 0;
  for (char ch : host) {
    if (ch == '.') {
      if (label == 0) return Status::BadRequest("host \"" + host + "\" has an empty label");
      label = 0;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_')
      return Status::BadRequest("host \"" + host + "\" has an invalid character '" +
                                std::string(1, ch) + "'");
    if (++label > 63) return Status::BadRequest("host \"" + host + "\" has a label over 63 bytes");
  }
  if (label == 0) return Status::BadRequest("host \"" + host + "\" has an empty label");
  return Status::OK();
}

Status ParsePort(std::string_view text, int* port) {
  if (text.empty() || text.size() > 5) return Status::BadRequest("invalid port \"" + std::string(text) + "\"");
  int value = 0;
  for (char ch : text) {
    if (!std::isdigit(static_cast<unsigned char>(ch)))
      return Status::BadRequest("invalid port \"" + std::string(text) + "\"");
    value = value * 10 + (ch - '0');
  }
  if (value < 1 || value > 65535) return Status::BadRequest("port " + std::to_string(value) + " out of range");
  *port = value;
  return Status::OK();
}

Status ParseAuthority(std::string_view authority, Url* out) {
  auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    out->userinfo = std::string(authority.substr(0, at));
    authority.remove_prefix(at + 1);
  }
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return Status::BadRequest("unterminated [IPv6] host");
    out->host = Lower(authority.substr(1, close - 1));
    out->bracketed = true;
    auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return Status::BadRequest("unexpected text after [IPv6] host");
      port_text = rest.substr(1);
      has_port = true;
    }
    if (out->host.empty()) return Status::BadRequest("URL has an empty host");
  } else {
    auto colon = authority.find(':');
    out->host = Lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
    // "LOCALHOST." and "localhost" are one host: drop one root dot.
    if (!out->host.empty() && out->host.back() == '.') out->host.pop_back();
    DW_RETURN_IF_ERROR(CheckHostName(out->host));
  }
  out->port = DefaultPort(out->scheme);
  if (has_port && !port_text.empty()) DW_RETURN_IF_ERROR(ParsePort(port_text, &out->port));
  return Status::OK();
}

// RFC 3986 5.2.4, on a path without query.
std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> segs;
  size_t pos = 1;  // path starts with '/'
  while (pos <= path.size()) {
    auto next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    auto seg = path.substr(pos, next - pos);
    bool last = next == path.size();
    if (seg == "..") {
      if (!segs.empty()) segs.pop_back();
      if (last) segs.emplace_back();
    } else if (seg == ".") {
      if (last) segs.emplace_back();
    } else {
      segs.push_back(seg);
    }
    pos = next + 1;
  }
  std::string out;
  for (auto s : segs) {
    out += '/';
    out += s;
  }
  return out.empty() ? "/" : out;
}

std::string HostForUrl(const Url& u) {
  return u.bracketed ? "[" + u.host + "]" : u.host;
}

}  // namespace

std::string Url::ToString() const {
  std::string out = scheme + "://" + HostForUrl(*this);
  if (port != DefaultPort(scheme)) out += ":" + std::to_string(port);
  return out + target;
}

std::string Url::Origin() const {
  return scheme + "://" + HostForUrl(*this) + ":" + std::to_string(port);
}

Status ParseUrl(std::string_view text, Url* out) {
  *out = Url{};
  if (text.size() > kMaxUrlLength)
    return Status::BadRequest("URL longer than " + std::to_string(kMaxUrlLength) + " bytes");
  for (char ch : text) {
    auto u = static_cast<unsigned char>(ch);
    if (u <= 0x20 || u >= 0x7f || ch == '\\')
      return Status::BadRequest("URL contains a space, control, backslash or non-ASCII byte");
  }
  if (!HasScheme(text)) return Status::BadRequest("URL has no scheme: \"" + std::string(text) + "\"");
  auto colon = text.find(':');
  out->scheme = Lower(text.substr(0, colon));
  auto rest = text.substr(colon + 1);
  if (rest.substr(0, 2) != "//") return Status::BadRequest("URL has no authority (//host)");
  rest.remove_prefix(2);
  auto end = rest.find_first_of("/?#");
  DW_RETURN_IF_ERROR(ParseAuthority(rest.substr(0, end), out));
  auto tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  tail = tail.substr(0, tail.find('#'));
  out->target = tail.empty() || tail[0] != '/' ? "/" + std::string(tail) : std::string(tail);
  return Status::OK();
}

Status ResolveReference(const Url& base, std::string_view location, Url* out) {
  if (location.empty()) return Status::BadRequest("redirect without a Location");
  if (HasScheme(location)) return ParseUrl(location, out);
  if (location.substr(0, 2) == "//") return ParseUrl(base.scheme + ":" + std::string(location), out);
  std::string base_path = base.target.substr(0, base.target.find('?'));
  std::string target;
  auto loc = location.substr(0, location.find('#'));
  if (loc.empty()) {
    target = base.target;
  } else if (loc[0] == '?') {
    target = base_path + std::string(loc);
  } else {
    auto q = loc.find('?');
    std::string_view path = loc.substr(0, q);
    std::string merged = path[0] == '/' ? std::string(path)
                                        : base_path.substr(0, base_path.rfind('/') + 1) + std::string(path);
    target = RemoveDotSegments(merged);
    if (q != std::string_view::npos) target += std::string(loc.substr(q));
  }
  return ParseUrl(base.scheme + "://" + HostForUrl(base) + ":" + std::to_string(base.port) + target,
                  out);
}

bool IsLocalhostName(const std::string& host) {
  static const char* kSuffix = ".localhost";
  if (host == "localhost" || host == "localhost.localdomain" || host == "ip6-localhost" ||
      host == "ip6-loopback")
    return true;
  return host.size() > 10 && host.compare(host.size() - 10, 10, kSuffix) == 0;
}

bool IsIpLiteral(const Url& url) {
  if (url.bracketed) return true;  // brackets only ever hold an IPv6 address
  const std::string& host = url.host;
  in_addr v4{};
  if (inet_aton(host.c_str(), &v4) != 0) return true;
  std::string bare = host.substr(0, host.find('%'));
  unsigned char v6[16];
  if (inet_pton(AF_INET6, bare.c_str(), v6) == 1) return true;
  // WHATWG "ends in a number": no DNS name has a numeric top-level label, and
  // browsers parse such hosts as IPv4 ("1.2.3.4.5", "0x7f.0x1.0x0.0x0.1").
  std::string last = host.substr(host.rfind('.') + 1);
  if (last.empty()) return false;
  bool digits = true;
  for (char ch : last) digits = digits && std::isdigit(static_cast<unsigned char>(ch));
  if (digits) return true;
  if (last.size() >= 2 && last[0] == '0' && last[1] == 'x') {
    for (size_t i = 2; i < last.size(); ++i)
      if (!std::isxdigit(static_cast<unsigned char>(last[i]))) return false;
    return true;
  }
  return false;
}

bool HostAllowed(const std::string& host, const std::vector<std::string>& allowlist) {
  std::string h = Lower(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  for (const auto& raw : allowlist) {
    std::string entry = Lower(raw);
    if (!entry.empty() && entry.back() == '.') entry.pop_back();
    if (entry.rfind("*.", 0) == 0) {
      std::string suffix = entry.substr(1);  // ".a.com"
      if (suffix.size() > 1 && h.size() > suffix.size() &&
          h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0)
        return true;
    } else if (!entry.empty() && entry.find('*') == std::string::npos && h == entry) {
      return true;
    }
  }
  return false;
}

}  // namespace dw::pluginpolicy
