// The SSRF-safe fetch loop: per-hop checks, one vetted lookup, a pinned
// connection through http::Client (dial_address), redirects fed back in.
#include "reconcilers/pluginpolicy/fetcher.h"

#include <algorithm>

#include "operator/http/client.h"
#include "reconcilers/pluginpolicy/url.h"
#include "reconcilers/pluginpolicy/verify.h"

namespace dw::pluginpolicy {

using Clock = std::chrono::steady_clock;

namespace {

Status Refuse(FetchResult* out, FetchFailure f, Status st) {
  out->failure = f;
  return st;
}

Status Forbid(FetchResult* out, FetchFailure f, const std::string& why) {
  return Refuse(out, f, Status::Forbidden(why + ": refused"));
}

std::string Quoted(const std::string& host) { return "registry host \"" + host + "\""; }

// Steps 1-4 of docs/ssrf.md: everything decidable from the URL alone.
Status CheckUrl(const Url& u, const FetchPolicy& policy, FetchResult* out) {
  bool scheme_ok = u.scheme == "https" || (policy.allow_http && u.scheme == "http");
  if (!scheme_ok)
    return Forbid(out, FetchFailure::kSchemeNotAllowed,
                  "URL scheme \"" + u.scheme + "\" is not allowed (" +
                      (policy.allow_http ? "https or http" : "https only") + ")");
  if (!u.userinfo.empty())
    return Forbid(out, FetchFailure::kUserinfo, "URL carries credentials (userinfo)");
  if (IsLocalhostName(u.host))
    return Forbid(out, FetchFailure::kLocalhost, Quoted(u.host) + " is localhost");
  if (IsIpLiteral(u))
    return Forbid(out, FetchFailure::kIpLiteral,
                  Quoted(u.host) + " is an IP address literal (registries must be named)");
  if (!HostAllowed(u.host, policy.allowlist))
    return Forbid(out, FetchFailure::kNotAllowlisted,
                  Quoted(u.host) + " is not in the registry allowlist");
  return Status::OK();
}

// Step 5: one lookup; every answer must be public. The first address is
// the one to dial, and the only one.
Status ResolveVetted(const std::string& host, Resolver* resolver, const AddressClassifier& classify,
                     Clock::time_point deadline, std::string* dial, FetchResult* out) {
  std::vector<std::string> addrs;
  Status st = resolver->Resolve(host, deadline, &addrs);
  if (!st.ok())
    return Refuse(out, st.code() == Code::kTimeout ? FetchFailure::kTimeout : FetchFailure::kResolveFailed,
                  Status(st.code() == Code::kTimeout ? Code::kTimeout : Code::kUnavailable,
                         Quoted(host) + ": " + st.message()));
  if (addrs.empty())
    return Refuse(out, FetchFailure::kResolveFailed,
                  Status::Unavailable(Quoted(host) + " resolves to no address"));
  for (const auto& a : addrs) {
    AddressClass cls = classify(a);
    if (cls != AddressClass::kPublic)
      return Forbid(out, FetchFailure::kBlockedAddress,
                    Quoted(host) + " resolves to " + a + " (" + AddressClassName(cls) + ")");
  }
  *dial = addrs.front();
  return Status::OK();
}

FetchFailure FailureOf(const Status& st) {
  switch (st.code()) {
    case Code::kTimeout: return FetchFailure::kTimeout;
    case Code::kTooLarge: return FetchFailure::kTooLarge;
    default: return FetchFailure::kTransport;
  }
}

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

struct Hop {
  http::Response head;
  bool aborted = false;  // the caller's on_data said stop
};

// Step 6: one request to the vetted address; the 200 body streams to
// on_data through the hash, other bodies are dropped unread.
Status RunHop(const Url& u, const std::string& dial, const FetchPolicy& policy,
              Clock::time_point deadline, Sha256* hash,
              const std::function<bool(std::string_view)>& on_data, FetchResult* out, Hop* hop) {
  // Rounded up so the client's deadline is never before ours: a timeout at
  // the request deadline is then recognisable as the total deadline.
  auto remaining = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  if (remaining.count() <= 0)
    return Refuse(out, FetchFailure::kTimeout,
                  Status::Timeout("total fetch timeout of " +
                                  std::to_string(policy.total_timeout.count()) + " ms exceeded"));
  http::ClientConfig cfg;
  cfg.server = u.Origin();
  cfg.dial_address = dial;
  cfg.ca_pem = policy.ca_pem;
  cfg.connect_timeout = std::min(policy.connect_timeout, remaining);
  cfg.request_timeout = remaining;
  cfg.read_idle_timeout = policy.read_idle_timeout;
  cfg.max_body_bytes = policy.max_bytes;
  http::Client client(cfg);
  http::Request req;
  req.target = u.target;
  req.headers["Accept"] = "*/*";
  Status st = client.Fetch(
      req,
      [&](std::string_view data) {
        if (hop->head.status != 200) return false;
        hash->Update(data);
        out->bytes += data.size();
        if (!on_data(data)) {
          hop->aborted = true;
          return false;
        }
        return true;
      },
      &hop->head);
  out->http_status = hop->head.status;
  if (!st.ok()) {
    bool total = st.code() == Code::kTimeout && Clock::now() >= deadline;
    std::string why = total ? "total fetch timeout of " +
                                  std::to_string(policy.total_timeout.count()) + " ms exceeded (" +
                                  st.message() + ")"
                            : st.message();
    return Refuse(out, FailureOf(st), Status(st.code(), why));
  }
  return Status::OK();
}

std::string HopPrefix(const FetchResult& out) {
  return out.redirects == 0 ? "fetch " + out.final_url + ": "
                            : "fetch " + out.final_url + " (redirect " +
                                  std::to_string(out.redirects) + "): ";
}

Status WithPrefix(const FetchResult& out, const Status& st) {
  if (st.ok()) return st;
  return Status(st.code(), HopPrefix(out) + st.message());
}

}  // namespace

const char* FetchFailureName(FetchFailure f) {
  switch (f) {
    case FetchFailure::kNone: return "";
    case FetchFailure::kBadUrl: return "BadUrl";
    case FetchFailure::kSchemeNotAllowed: return "SchemeNotAllowed";
    case FetchFailure::kUserinfo: return "Userinfo";
    case FetchFailure::kLocalhost: return "Localhost";
    case FetchFailure::kIpLiteral: return "IpLiteral";
    case FetchFailure::kNotAllowlisted: return "NotAllowlisted";
    case FetchFailure::kResolveFailed: return "ResolveFailed";
    case FetchFailure::kBlockedAddress: return "BlockedAddress";
    case FetchFailure::kTooManyRedirects: return "TooManyRedirects";
    case FetchFailure::kDowngrade: return "Downgrade";
    case FetchFailure::kHttpStatus: return "HttpStatus";
    case FetchFailure::kTooLarge: return "TooLarge";
    case FetchFailure::kTimeout: return "Timeout";
    case FetchFailure::kTransport: return "Transport";
    case FetchFailure::kAborted: return "Aborted";
  }
  return "Unknown";
}

Status Fetch(const std::string& url, const FetchPolicy& policy, Resolver* resolver,
             const std::function<bool(std::string_view)>& on_data, FetchResult* out,
             const AddressClassifier& classify) {
  *out = FetchResult{};
  out->final_url = url;
  auto deadline = Clock::now() + policy.total_timeout;
  Url u;
  Status st = ParseUrl(url, &u);
  if (!st.ok()) return WithPrefix(*out, Refuse(out, FetchFailure::kBadUrl, st));
  for (;;) {
    out->final_url = u.ToString();
    out->dialed_address.clear();
    DW_RETURN_IF_ERROR(WithPrefix(*out, CheckUrl(u, policy, out)));
    auto lookup_deadline = std::min(deadline, Clock::now() + policy.connect_timeout);
    std::string dial;
    DW_RETURN_IF_ERROR(
        WithPrefix(*out, ResolveVetted(u.host, resolver, classify, lookup_deadline, &dial, out)));
    out->dialed_address = dial;
    Sha256 hash;
    Hop hop;
    st = RunHop(u, dial, policy, deadline, &hash, on_data, out, &hop);
    if (!st.ok()) return WithPrefix(*out, st);
    if (hop.aborted)
      return WithPrefix(*out, Refuse(out, FetchFailure::kAborted,
                                     Status::BadRequest("fetch aborted by the consumer")));
    if (hop.head.status == 200) {
      out->sha256_raw = hash.FinishRaw();
      out->sha256_hex = Sha256::Hex(out->sha256_raw);
      return Status::OK();
    }
    Url next;
    DW_RETURN_IF_ERROR(WithPrefix(*out, FollowRedirect(u, hop.head.status, hop.head.Header("location"),
                                                       out->redirects, policy, &next,
                                                       &out->failure)));
    ++out->redirects;
    u = std::move(next);
  }
}

Status FollowRedirect(const Url& current, int status, const std::string& location,
                      int redirects, const FetchPolicy& policy, Url* next, FetchFailure* failure) {
  auto refuse = [&](FetchFailure f, Status st) {
    *failure = f;
    return st;
  };
  if (!IsRedirect(status))
    return refuse(FetchFailure::kHttpStatus, Status::Unavailable("HTTP " + std::to_string(status)));
  if (redirects >= policy.max_redirects)
    return refuse(FetchFailure::kTooManyRedirects,
                  Status::Forbidden("more than " + std::to_string(policy.max_redirects) +
                                    " redirects: refused"));
  Status st = ResolveReference(current, location, next);
  if (!st.ok()) return refuse(FetchFailure::kBadUrl, Status::BadRequest("redirect: " + st.message()));
  if (current.scheme == "https" && next->scheme == "http")
    return refuse(FetchFailure::kDowngrade,
                  Status::Forbidden("redirect to " + next->ToString() +
                                    " downgrades https to http: refused"));
  *failure = FetchFailure::kNone;
  return Status::OK();
}

Status FetchToString(const std::string& url, const FetchPolicy& policy, Resolver* resolver,
                     std::string* body, FetchResult* out, const AddressClassifier& classify) {
  body->clear();
  return Fetch(
      url, policy, resolver,
      [body](std::string_view d) {
        body->append(d);
        return true;
      },
      out, classify);
}

}  // namespace dw::pluginpolicy
