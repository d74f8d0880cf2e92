#include "reconcilers/backup/notifier.h"

#include <thread>

#include "operator/http/client.h"
#include "operator/json/json.h"
#include "operator/runtime/secrets.h"

namespace dw::backup {

namespace {

constexpr size_t kExcerptBytes = 1024;

void AddString(json::Value& obj, const char* key, const std::string& v, json::Allocator& a) {
  if (v.empty()) {
    obj.AddMember(json::Str(key, a), json::Value(rapidjson::kNullType), a);
  } else {
    obj.AddMember(json::Str(key, a), json::Str(v, a), a);
  }
}

// "scheme://authority" and "/path?query" of an http(s) URL.
Status SplitUrl(const std::string& url, const std::string& what, std::string* server,
                std::string* target) {
  size_t scheme_end = url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https")
    return Status::Invalid("webhook URL in " + what + " must start with http:// or https://");
  size_t path_start = url.find_first_of("/?#", scheme_end + 3);
  std::string authority = url.substr(scheme_end + 3, path_start - (scheme_end + 3));
  if (authority.empty()) return Status::Invalid("webhook URL in " + what + " has no host");
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return Status::Invalid("webhook URL in " + what + " contains whitespace or control characters");
  *server = scheme + "://" + authority;
  *target = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (target->front() != '/') target->insert(0, "/");
  size_t frag = target->find('#');
  if (frag != std::string::npos) target->resize(frag);
  return Status::OK();
}

bool Retryable(int http_status) {
  return http_status == 408 || http_status == 429 || http_status >= 500;
}

// Transport errors quote the address they failed to dial ("dial tcp
// host:port: ..."); the URL, its host included, is the Secret's to keep.
std::string Scrub(std::string msg, const std::string& server) {
  size_t scheme_end = server.find("://");
  std::string authority = scheme_end == std::string::npos ? server : server.substr(scheme_end + 3);
  std::string host = authority.substr(0, authority.rfind(':'));
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  for (const std::string& secret : {server, authority, host})
    for (size_t at; !secret.empty() && (at = msg.find(secret)) != std::string::npos;)
      msg.replace(at, secret.size(), "<webhook>");
  return msg;
}

}  // namespace

std::string WebhookPayloadJson(const WebhookPayload& p) {
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  AddString(d, "policy", p.policy, a);
  AddString(d, "backup", p.backup, a);
  AddString(d, "namespace", p.ns, a);
  AddString(d, "phase", p.phase, a);
  AddString(d, "reason", p.reason, a);
  AddString(d, "message", p.message, a);
  AddString(d, "host", p.host, a);
  AddString(d, "container", p.container, a);
  AddString(d, "path", p.path, a);
  d.AddMember("sizeBytes", json::Value(static_cast<uint64_t>(p.size_bytes)), a);
  AddString(d, "sha256", p.sha256, a);
  AddString(d, "startTime", p.start_time, a);
  AddString(d, "completionTime", p.completion_time, a);
  return json::Serialize(d);
}

Status PostWebhook(const std::string& url, const std::string& body, const std::string& what,
                   const NotifierOptions& opts, NotifyResult* result) {
  NotifyResult local;
  NotifyResult& r = result ? *result : local;
  r = NotifyResult{};
  http::ClientConfig cfg;
  std::string target;
  DW_RETURN_IF_ERROR(SplitUrl(url, what, &cfg.server, &target));
  cfg.connect_timeout = opts.timeout;
  cfg.request_timeout = opts.timeout;
  cfg.max_body_bytes = 1 << 20;

  http::Request req;
  req.method = "POST";
  req.target = target;
  req.headers["Content-Type"] = "application/json";
  req.headers["User-Agent"] = "dockward-backup";
  req.body = body;

  Status last;
  auto delay = opts.retry_delay;
  for (int attempt = 1; attempt <= std::max(1, opts.attempts); ++attempt) {
    if (attempt > 1) {
      std::this_thread::sleep_for(delay);
      delay *= 2;
    }
    r.attempts = attempt;
    // A fresh client per attempt: a timed-out connection is not reused.
    http::Client client(cfg);
    http::Response resp;
    Status st = client.Do(req, &resp);
    if (!st.ok()) {
      r.http_status = 0;
      last = Status(st.code(), "webhook (" + what + "): " + Scrub(st.message(), cfg.server));
      continue;
    }
    r.http_status = resp.status;
    r.response_excerpt = resp.body.substr(0, kExcerptBytes);
    if (resp.status >= 200 && resp.status < 300) return Status::OK();
    last = Status::Unavailable("webhook (" + what + ") answered HTTP " +
                               std::to_string(resp.status));
    if (!Retryable(resp.status)) break;
  }
  return Status(last.code(), last.message() + " after " + std::to_string(r.attempts) +
                                 (r.attempts == 1 ? " attempt" : " attempts"));
}

Status NotifyWebhook(runtime::Client* client, const std::string& ns, const SecretKeyRef& ref,
                     const WebhookPayload& payload, const NotifierOptions& opts,
                     NotifyResult* result) {
  const std::string what = "secret " + ns + "/" + ref.name + " key " + ref.key;
  std::string url;
  Status st = runtime::ReadSecretKey(client, ns, ref.name, ref.key, &url);
  if (!st.ok()) return st;
  while (!url.empty() && (url.back() == '\n' || url.back() == '\r' || url.back() == ' ')) url.pop_back();
  return PostWebhook(url, WebhookPayloadJson(payload), what, opts, result);
}

}  // namespace dw::backup
