#include "reconcilers/dockerhost/dockerhost_reconciler.h"

#include <algorithm>
#include <utility>

#include "operator/docker/cert_status.h"
#include "operator/runtime/conditions.h"
#include "operator/runtime/secrets.h"

namespace dw::dockerhost {

// One reconcile's findings, before they become status.
struct Observation {
  docker::DockerConfig cfg;
  bool reachable = false;
  std::string reason;  // of Ready
  std::string message;
  std::string version, api_version;
  bool has_cert = false;
  std::string cert_secret;  // "ns/name" of the client certificate's Secret
  docker::ClientCertStatus cert;
};

namespace {

constexpr const char* kReady = "Ready";
constexpr const char* kCertExpiring = "CertificateExpiring";
// A probe is two short requests; a daemon that hangs longer is as good as down
// for this purpose, and the worker must not be held for the client's 60 s.
constexpr std::chrono::seconds kProbeTimeout{10};

struct SecretRef {
  std::string name, key;
};

// spec.tls.<field> as a reference; false when absent.
bool RefOf(const json::Value* tls, const char* field, const char* default_key, SecretRef* out) {
  const json::Value* ref = tls ? json::Find(*tls, field) : nullptr;
  if (!ref || !ref->IsObject()) return false;
  out->name = json::GetString(*ref, "name");
  out->key = json::GetString(*ref, "key", default_key);
  return !out->name.empty();
}

// Reads one Secret value. Missing or malformed Secrets are verdicts about the
// DockerHost (false with reason/message set); anything else is an error of
// this reconcile, returned for a retry.
Status ReadSecret(runtime::Client* c, const std::string& ns, const SecretRef& ref,
                  std::string* out, Observation* o, bool* ok) {
  Status st = runtime::ReadSecretKey(c, ns, ref.name, ref.key, out);
  *ok = st.ok();
  if (st.ok()) return st;
  if (st.IsNotFound()) {
    o->reason = "SecretNotFound";
  } else if (st.code() == Code::kInvalid) {
    o->reason = "InvalidSecret";
  } else {
    return st;
  }
  o->message = st.message();  // names only the Secret and key (secrets.h)
  return Status::OK();
}

// spec -> o->cfg. Sets o->reason when the DockerHost cannot be probed as
// written; returns non-OK only for errors worth a retry.
Status BuildConfig(runtime::Client* c, const std::string& ns, const json::Value& obj, Observation* o) {
  const json::Value* spec = json::Find(obj, "spec");
  static const json::Value kEmpty(rapidjson::kObjectType);
  if (!spec || !spec->IsObject()) spec = &kEmpty;
  o->cfg.endpoint = json::GetString(*spec, "endpoint", "unix:///var/run/docker.sock");
  const json::Value* tls = json::Find(*spec, "tls");
  if (tls && tls->IsObject()) {
    // verify: false still speaks TLS (and presents the client certificate);
    // it only skips checking the engine's certificate, as docker --tls does.
    o->cfg.insecure_skip_verify = !json::GetBool(*tls, "verify", true);
    bool ok = true;
    SecretRef ca, client;
    if (RefOf(tls, "caSecretRef", "ca.crt", &ca)) {
      DW_RETURN_IF_ERROR(ReadSecret(c, ns, ca, &o->cfg.ca_pem, o, &ok));
      if (!ok) return Status::OK();
    }
    if (RefOf(tls, "clientSecretRef", "tls.crt", &client)) {
      DW_RETURN_IF_ERROR(ReadSecret(c, ns, client, &o->cfg.cert_pem, o, &ok));
      if (!ok) return Status::OK();
      DW_RETURN_IF_ERROR(ReadSecret(c, ns, {client.name, "tls.key"}, &o->cfg.key_pem, o, &ok));
      if (!ok) return Status::OK();
      o->has_cert = true;
      o->cert_secret = runtime::KeyOf(ns, client.name);
    }
  }
  http::ClientConfig hc;
  Status st = docker::MakeHttpConfig(o->cfg, &hc);
  if (!st.ok()) {
    o->reason = "InvalidConfig";
    o->message = st.message();
  }
  return Status::OK();
}

int64_t WholeDays(std::chrono::seconds s) {
  return std::chrono::floor<std::chrono::days>(s).count();
}

// Key/cert match and expiry, offline. Sets o->reason on a verdict.
void CheckCertificate(clock::TimePoint now, Observation* o) {
  if (!o->has_cert) return;
  Status st = docker::CheckClientCertificate(o->cfg.cert_pem, o->cfg.key_pem, now, &o->cert);
  if (!st.ok()) {
    o->has_cert = false;  // nothing trustworthy to report about its expiry
    o->reason = "InvalidTLS";
    o->message = "secret \"" + o->cert_secret + "\": " + st.message();  // "docker client certificate: ..."
    return;
  }
  if (o->cert.expired) {
    o->reason = "CertificateExpired";
    o->message = "client certificate in secret \"" + o->cert_secret + "\" expired on " +
                 clock::Rfc3339(o->cert.not_after);
  }
}

void Probe(Observation* o) {
  docker::DockerConfig cfg = o->cfg;
  cfg.request_timeout = std::min<std::chrono::milliseconds>(cfg.request_timeout, kProbeTimeout);
  docker::DockerClient dc(std::move(cfg));
  docker::ApiVersion used;
  docker::VersionInfo vi;
  Status st = dc.Negotiate(&used);
  if (st.ok()) st = dc.Version(&vi);
  if (!st.ok()) {
    o->reason = "Unreachable";
    o->message = st.message();
    return;
  }
  o->reachable = true;
  o->reason = "Reachable";
  o->version = vi.version;
  o->api_version = used.ToString();
  o->message = "Docker Engine " + vi.version + " (API " + o->api_version + ") at " + o->cfg.endpoint;
}

// The status `o` describes, written over `status` (a copy of the stored one,
// so fields and condition times that did not change stay as they were).
void ApplyStatus(const Observation& o, int64_t generation, clock::TimePoint now, json::Value& status,
                 json::Allocator& a) {
  json::SetBool(status, "reachable", o.reachable, a);
  if (o.reachable) {  // otherwise keep the last version seen: still informative
    json::SetString(status, "version", o.version, a);
    json::SetString(status, "apiVersion", o.api_version, a);
  }
  if (o.has_cert) {
    json::Value& tls = json::EnsureObject(status, "tls", a);
    json::SetString(tls, "notAfter", clock::Rfc3339(o.cert.not_after), a);
    json::SetInt(tls, "daysRemaining", WholeDays(o.cert.remaining), a);
  } else {
    json::Remove(status, "tls");
  }
  json::SetInt(status, "observedGeneration", generation, a);
  runtime::SetCondition(status, a,
                        {kReady, o.reachable ? "True" : "False", o.reason, o.message, generation}, now);
  if (!o.has_cert) {
    runtime::RemoveCondition(status, kCertExpiring);
    return;
  }
  int64_t days = WholeDays(o.cert.remaining);
  std::string when = clock::Rfc3339(o.cert.not_after);
  runtime::Condition c{kCertExpiring, "False", "CertificateValid",
                       "client certificate expires in " + std::to_string(days) + " days (" + when + ")",
                       generation};
  if (o.cert.expired) {
    c = {kCertExpiring, "True", "CertificateExpired", "client certificate expired on " + when, generation};
  } else if (o.cert.expiring_soon) {
    c.status = "True";
    c.reason = "CertificateExpiringSoon";
  }
  runtime::SetCondition(status, a, c, now);
}

std::string ConditionField(const json::Value* status, const char* type, const char* field) {
  const json::Value* c = status ? runtime::FindCondition(*status, type) : nullptr;
  return c ? json::GetString(*c, field) : "";
}

}  // namespace

std::chrono::milliseconds UnreachableBackoff(int failures) {
  std::chrono::milliseconds d = kBackoffFirst;
  for (int i = 1; i < failures && d < kBackoffMax; ++i) d *= 2;
  return std::min<std::chrono::milliseconds>(d, kBackoffMax);
}

DockerHostReconciler::DockerHostReconciler(runtime::Client* client, runtime::EventRecorder* recorder,
                                           HostRegistry* hosts, std::function<clock::TimePoint()> now)
    : client_(client), recorder_(recorder), hosts_(hosts), now_(std::move(now)) {
  kind_ = client_->Resolve("dockward.io/v1alpha1", "DockerHost");
}

DockerHostReconciler::~DockerHostReconciler() { StopWatchers(); }

Status DockerHostReconciler::Reconcile(const runtime::Request& req, runtime::Result* result) {
  if (!kind_) return Status::Internal("the DockerHost kind is not served");
  json::Document obj;
  Status st = client_->Get(*kind_, req.ns, req.name, &obj);
  if (st.IsNotFound() || (st.ok() && json::FindPath(obj, "metadata.deletionTimestamp"))) {
    Forget(req);
    return Status::OK();
  }
  DW_RETURN_IF_ERROR(st);

  Observation o;
  DW_RETURN_IF_ERROR(BuildConfig(client_, req.ns, obj, &o));
  clock::TimePoint now = now_();
  if (o.reason.empty()) CheckCertificate(now, &o);
  if (o.reason.empty()) Probe(&o);

  hosts_->Upsert(req.ns, req.name, o.cfg, {o.reachable, o.reachable ? "" : o.message, o.version,
                                           o.api_version});
  if (o.reachable) {
    EnsureWatcher(req, o.cfg);
  } else {
    DropWatcherUnless(req.Key(), &o.cfg);
  }
  DW_RETURN_IF_ERROR(WriteStatus(obj, o, now));
  result->requeue_after = NextRequeue(req.Key(), o.reachable);
  return Status::OK();
}

Status DockerHostReconciler::WriteStatus(json::Document& obj, const Observation& o, clock::TimePoint now) {
  json::Allocator& a = obj.GetAllocator();
  json::Document before;
  if (const json::Value* s = json::Find(obj, "status"); s && s->IsObject()) before.CopyFrom(*s, before.GetAllocator());
  else before.SetObject();
  json::Value& status = json::EnsureObject(obj, "status", a);
  ApplyStatus(o, json::GetInt(obj["metadata"], "generation"), now, status, a);
  if (json::Equal(before, status)) return Status::OK();

  json::Document stored;
  DW_RETURN_IF_ERROR(client_->UpdateStatus(*kind_, obj, {}, &stored));
  RecordTransitions(before, stored);
  return Status::OK();
}

void DockerHostReconciler::RecordTransitions(const json::Value& before, const json::Value& obj) {
  if (!recorder_) return;
  const json::Value* after = json::Find(obj, "status");
  std::string was = ConditionField(&before, kReady, "status") + "/" + ConditionField(&before, kReady, "reason");
  std::string status = ConditionField(after, kReady, "status");
  std::string reason = ConditionField(after, kReady, "reason");
  if (was != status + "/" + reason) {
    recorder_->Record(obj, status == "True" ? "Normal" : "Warning", reason,
                      ConditionField(after, kReady, "message"));
  }
  if (ConditionField(after, kCertExpiring, "status") == "True" &&
      ConditionField(&before, kCertExpiring, "status") != "True") {
    recorder_->Record(obj, "Warning", "CertificateExpiring", ConditionField(after, kCertExpiring, "message"));
  }
}

std::chrono::milliseconds DockerHostReconciler::NextRequeue(const std::string& key, bool reachable) {
  std::lock_guard<std::mutex> l(mu_);
  if (reachable) {
    failures_.erase(key);
    return kResyncReachable;
  }
  return UnreachableBackoff(++failures_[key]);
}

void DockerHostReconciler::Forget(const runtime::Request& req) {
  hosts_->Remove(req.ns, req.name);
  {
    std::lock_guard<std::mutex> l(mu_);
    failures_.erase(req.Key());
  }
  DropWatcherUnless(req.Key(), nullptr);
}

void DockerHostReconciler::EnsureWatcher(const runtime::Request& req, const docker::DockerConfig& cfg) {
  if (!enqueue_) return;
  DropWatcherUnless(req.Key(), &cfg);
  std::lock_guard<std::mutex> l(mu_);
  if (watchers_.count(req.Key())) return;
  docker::EventWatcherOptions opts;
  // Only the connection's life matters here; daemon events are rare, so the
  // stream carries almost nothing while it is up.
  opts.filters = {{"type", {"daemon"}}};
  opts.min_backoff = std::chrono::milliseconds(200);
  opts.max_backoff = std::chrono::seconds(2);
  docker::EventWatcherCallbacks cbs;
  Enqueue enqueue = enqueue_;
  cbs.on_state = [enqueue, req](bool, const Status&) { enqueue(req); };
  Watch& w = watchers_[req.Key()];
  w.cfg = cfg;
  w.watcher = std::make_unique<docker::EventWatcher>(cfg, opts, std::move(cbs));
  w.watcher->Start();
}

void DockerHostReconciler::DropWatcherUnless(const std::string& key, const docker::DockerConfig* keep) {
  std::unique_ptr<docker::EventWatcher> old;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = watchers_.find(key);
    if (it == watchers_.end()) return;
    if (keep && SameDockerConfig(it->second.cfg, *keep)) return;
    old = std::move(it->second.watcher);
    watchers_.erase(it);
  }
  // Outside the lock: Stop joins a thread whose callback may be running.
  if (old) old->Stop();
}

void DockerHostReconciler::StopWatchers() {
  std::map<std::string, Watch> all;
  {
    std::lock_guard<std::mutex> l(mu_);
    all.swap(watchers_);
  }
  for (auto& [key, w] : all) w.watcher->Stop();
}

size_t DockerHostReconciler::watcher_count() const {
  std::lock_guard<std::mutex> l(mu_);
  return watchers_.size();
}

}  // namespace dw::dockerhost
