// SSRF-safe, bounded fetch of a registry URL. For the first hop and every
// redirect, in this order: URL parse (https only unless allow_http; no
// userinfo), host not localhost, host not an IP literal in any spelling,
// host on the allowlist, one lookup whose EVERY address must be public, then
// a connection to exactly one of those checked addresses (no second lookup,
// so DNS rebinding cannot redirect it). Redirects are counted and may not
// downgrade https to http. Connect, read-idle and total timeouts bound the
// whole fetch; the byte cap holds against Content-Length and while
// streaming; the SHA-256 is computed as bytes arrive. Every refusal is a
// Status naming host, address and class, plus a FetchFailure reason.
// See docs/ssrf.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/status.h"
#include "reconcilers/pluginpolicy/address_class.h"
#include "reconcilers/pluginpolicy/resolver.h"
#include "reconcilers/pluginpolicy/url.h"

namespace dw::pluginpolicy {

struct FetchPolicy {
  std::vector<std::string> allowlist;  // exact host or "*.suffix"; empty allows nothing
  bool allow_http = false;
  int max_redirects = 3;
  std::chrono::milliseconds connect_timeout{10000};    // per hop, lookup included
  std::chrono::milliseconds read_idle_timeout{10000};  // longest wait for the next byte
  std::chrono::milliseconds total_timeout{30000};      // over all hops
  uint64_t max_bytes = 64ull << 20;                    // of the final body
  std::string ca_pem;  // trust only this CA for https (empty: system store)
};

enum class FetchFailure {
  kNone,
  kBadUrl,            // unparsable URL or Location
  kSchemeNotAllowed,  // not https (or http when allowed)
  kUserinfo,          // credentials in the URL
  kLocalhost,         // localhost, *.localhost
  kIpLiteral,         // host is an address in some spelling
  kNotAllowlisted,    // host not on the registry allowlist
  kResolveFailed,     // lookup failed or timed out
  kBlockedAddress,    // some address of the host is not public
  kTooManyRedirects,
  kDowngrade,         // redirect from https to http
  kHttpStatus,        // final status other than 200
  kTooLarge,          // over max_bytes
  kTimeout,           // connect, read idle or total deadline
  kTransport,         // connection refused, TLS failure, malformed response
  kAborted,           // on_data returned false
};

// "BlockedAddress", "IpLiteral", ...: reason strings for conditions/Events.
const char* FetchFailureName(FetchFailure f);

struct FetchResult {
  FetchFailure failure = FetchFailure::kNone;
  std::string final_url;       // URL of the last hop attempted
  std::string dialed_address;  // address the last hop connected to ("" if none)
  int http_status = 0;         // of the last response
  int redirects = 0;           // redirects followed
  uint64_t bytes = 0;          // body bytes delivered to on_data
  std::string sha256_hex;      // of those bytes, set on success
  std::string sha256_raw;      // the same, 32 raw bytes (what signatures cover)
};

// Fetches `url`, handing the 200 body to on_data in fragments. Only a
// complete body returns OK. Errors: BadRequest (bad URL), Forbidden (every
// SSRF refusal), Unavailable (lookup, transport, HTTP status), Timeout,
// TooLarge. `classify` exists for unit tests only (to let a loopback test
// server pass as public); production callers never pass it, and there is no
// flag or environment variable that changes it.
Status Fetch(const std::string& url, const FetchPolicy& policy, Resolver* resolver,
             const std::function<bool(std::string_view)>& on_data, FetchResult* out,
             const AddressClassifier& classify = ClassifyAddress);

// The redirect decision of each hop, exposed for tests: for a 3xx answer
// to `current`, the next URL (Location resolved against `current`), or a
// refusal (not a redirect, more than max_redirects after `redirects`
// followed, bad Location, https -> http). The next URL then goes through
// every check of a first hop.
Status FollowRedirect(const Url& current, int status, const std::string& location,
                      int redirects, const FetchPolicy& policy, Url* next, FetchFailure* failure);

// Fetch into a string (small documents: signatures, with a small max_bytes).
Status FetchToString(const std::string& url, const FetchPolicy& policy, Resolver* resolver,
                     std::string* body, FetchResult* out,
                     const AddressClassifier& classify = ClassifyAddress);

}  // namespace dw::pluginpolicy
