// URL parsing and host rules for fetching from registries. The parser is
// deliberately narrow: absolute http(s) URLs of printable ASCII, hosts made of
// DNS labels or a bracketed IPv6 address, no percent-encoding in the host.
// Anything it cannot represent unambiguously is BadRequest, so the host that
// is checked is always the host that is dialled.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "operator/common/status.h"

namespace dw::pluginpolicy {

constexpr size_t kMaxUrlLength = 2048;

struct Url {
  std::string scheme;    // lower-case: "https", "http", or whatever was written
  std::string userinfo;  // "user:pass" when present (the fetcher refuses it)
  std::string host;      // lower-case, one trailing dot dropped, no brackets
  bool bracketed = false;  // host was written as [IPv6]
  int port = 0;            // explicit, else 443 (https) / 80 (http)
  std::string target;      // path and query, "/" at least; fragment dropped

  // "https://host[:port]/target" with the port only when not the default.
  std::string ToString() const;
  // "https://host:port": the server to hand to http::Client.
  std::string Origin() const;
};

// Parses an absolute URL. BadRequest names what is wrong.
Status ParseUrl(std::string_view text, Url* out);

// Resolves a redirect's Location (absolute, scheme-relative, absolute-path,
// relative or query-only) against the URL that answered (RFC 3986 5.2).
Status ResolveReference(const Url& base, std::string_view location, Url* out);

// "localhost", "*.localhost" and the Debian loopback aliases.
bool IsLocalhostName(const std::string& host);

// True for anything an address parser would take as an IP address: every
// inet_aton spelling (2130706433, 0177.0.0.1, 0x7f.1, 127.1), a host whose
// last label is numeric (WHATWG: such a host is an IPv4 address or invalid),
// and any IPv6 text (with or without a zone id).
bool IsIpLiteral(const Url& url);

// Exact host or "*.suffix" on a label boundary ("*.a.com" matches "x.a.com",
// not "a.com" nor "evila.com"); case-insensitive; an empty list allows nothing.
bool HostAllowed(const std::string& host, const std::vector<std::string>& allowlist);

}  // namespace dw::pluginpolicy
