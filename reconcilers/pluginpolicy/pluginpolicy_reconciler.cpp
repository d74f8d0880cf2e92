#include "reconcilers/pluginpolicy/pluginpolicy_reconciler.h"

#include <algorithm>
#include <functional>

#include "operator/common/log.h"
#include "operator/common/strings.h"
#include "operator/runtime/conditions.h"
#include "operator/runtime/secrets.h"
#include "reconcilers/pluginpolicy/policy_diff.h"
#include "reconcilers/pluginpolicy/policy_spec.h"
#include "reconcilers/pluginpolicy/policy_status.h"
#include "reconcilers/pluginpolicy/server_client.h"
#include "reconcilers/pluginpolicy/settings_schema.h"

namespace dw::pluginpolicy {

namespace {

constexpr const char* kGroupVersion = "dockward.io/v1alpha1";
constexpr auto kBackoffFirst = std::chrono::seconds(5);
constexpr auto kCredentialsBackoffFirst = std::chrono::seconds(30);
constexpr auto kBackoffMax = std::chrono::seconds(300);
constexpr size_t kMaxListed = 8;  // items named in one condition message or Event

// Condition messages have a size limit (32 KiB); Events should be short.
constexpr size_t kMaxMessage = 8192;

// The first `limit` items ("a; b; and 3 more"), capped to kMaxMessage.
std::string Join(const std::vector<std::string>& v, const char* sep, size_t limit = SIZE_MAX) {
  return Truncate(JoinFirst(v, sep, limit, sep), kMaxMessage);
}

// A failure that concerns the server as a whole (not one community or one
// package): the pass stops and the policy is Degraded. A 403 is not one:
// roles are held per community, so it fails that community (or that write)
// and the others go on; only a 403 everywhere degrades (Run).
bool ServerLevel(const wire::CallError& e) {
  return e.kind == wire::ErrorKind::kUnauthorized || e.kind == wire::ErrorKind::kUnavailable ||
         e.kind == wire::ErrorKind::kServerError;
}

const char* DegradedReason(const wire::CallError& e) {
  switch (e.kind) {
    case wire::ErrorKind::kUnauthorized: return "Unauthorized";
    case wire::ErrorKind::kForbidden: return "Forbidden";
    case wire::ErrorKind::kUnavailable: return "ServerUnavailable";
    default: return "ServerError";
  }
}

// "upload_forbidden" -> "UploadForbidden": the server's reason as a
// condition-style reason; the kind when the server gave none we know.
std::string RefusalReason(const wire::CallError& e) {
  std::string code = wire::ReasonName(e.reason);
  if (code.empty() || e.reason == wire::Reason::kUnknown) return wire::ErrorKindName(e.kind);
  std::string out;
  bool upper = true;
  for (char c : code) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

// Errors that mean the credentials (not the server's health) are wrong:
// retried on the slower backoff.
bool CredentialsError(const wire::CallError& e) {
  return e.kind == wire::ErrorKind::kUnauthorized || e.kind == wire::ErrorKind::kForbidden;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::chrono::milliseconds ServerBackoff(int failures, bool credentials) {
  return runtime::DoublingBackoff(failures, credentials ? kCredentialsBackoffFirst : kBackoffFirst, kBackoffMax);
}

struct PluginPolicyReconciler::Memory {
  int64_t generation = -1;
  std::string requested_at;
  clock::TimePoint due{};
  int failures = 0;
  std::set<std::string> drift_said;
  std::set<std::string> refusals_said;
  // Kept across passes so its login token is too (one login per token
  // lifetime, not per pass); replaced when the server or credentials change.
  std::unique_ptr<ServerClient> server;
  size_t server_fingerprint = 0;
};

struct PluginPolicyReconciler::Pass {
  runtime::Request req;
  std::string key;
  json::Document obj;
  int64_t generation = 0;
  std::string requested_at;  // the sync-request annotation
  clock::TimePoint now;
  PluginPolicySpec spec;
  ServerCredentials creds;
  std::string server_ca;
  ServerClient* server = nullptr;  // owned by the policy's Memory
  std::vector<PackageCheck> checks;  // one per declared package, spec order
  std::map<std::string, const PackageCheck*> check_of;
  std::vector<CommunityReport> reports;
  wire::CallError server_error;           // the first server-level failure
  std::vector<std::string> drift;         // observed this pass, "community X: ..."
  std::vector<std::string> corrections;   // writes that succeeded
  std::vector<std::string> refusals;      // "package P in community X: Reason: message"
  std::chrono::milliseconds next{0};
  bool enforce() const { return spec.mode == PolicyMode::kEnforce; }
};

namespace {
Resolver* PickResolver(const PluginDeps& d, std::unique_ptr<Resolver>* own) {
  if (d.resolver) return d.resolver;
  *own = std::make_unique<SystemResolver>();
  return own->get();
}
}  // namespace

PluginPolicyReconciler::PluginPolicyReconciler(PluginDeps deps)
    : deps_(std::move(deps)), checker_(PickResolver(deps_, &own_resolver_), deps_.classify, deps_.artifact_root) {
  if (deps_.client) kind_ = deps_.client->Resolve(kGroupVersion, "PluginPolicy");
}

PluginPolicyReconciler::~PluginPolicyReconciler() = default;

void PluginPolicyReconciler::Event(const json::Value& obj, const char* type, const std::string& reason,
                                   const std::string& msg) {
  if (deps_.recorder) deps_.recorder->Record(obj, type, reason, msg);
}

PluginPolicyReconciler::Memory& PluginPolicyReconciler::MemoryOf(const std::string& key) {
  auto& m = memory_[key];
  if (!m) m = std::make_unique<Memory>();
  return *m;
}

bool PluginPolicyReconciler::Due(const Pass& p, std::chrono::milliseconds* wait) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = memory_.find(p.key);
  if (it == memory_.end()) return true;
  const Memory& m = *it->second;
  if (m.generation != p.generation || m.requested_at != p.requested_at || p.now >= m.due) return true;
  *wait = std::chrono::duration_cast<std::chrono::milliseconds>(m.due - p.now);
  return false;
}

Status PluginPolicyReconciler::Reconcile(const runtime::Request& req, runtime::Result* result) {
  if (!kind_) return Status::Internal("the PluginPolicy kind is not served");
  Pass p;
  p.req = req;
  p.key = req.Key();
  Status st = deps_.client->Get(*kind_, req.ns, req.name, &p.obj);
  if (st.IsNotFound() || (st.ok() && json::FindPath(p.obj, "metadata.deletionTimestamp"))) {
    std::lock_guard<std::mutex> l(mu_);
    memory_.erase(p.key);
    return Status::OK();
  }
  DW_RETURN_IF_ERROR(st);
  p.now = deps_.now();
  p.generation = json::GetInt(*json::FindPath(p.obj, "metadata"), "generation", 0);
  const json::Value* ann = json::FindPath(p.obj, "metadata.annotations");
  p.requested_at = ann ? json::GetString(*ann, kRequestedAtAnnotation) : "";
  std::chrono::milliseconds wait{0};
  if (!Due(p, &wait)) {
    // Our own status write, or a change that is not a spec change: the
    // server is read again when the interval (or backoff) says so.
    result->requeue_after = std::max(wait, std::chrono::milliseconds(1));
    return Status::OK();
  }
  return Run(p, result);
}

Status PluginPolicyReconciler::Run(Pass& p, runtime::Result* result) {
  static const json::Value kNoSpec(rapidjson::kObjectType);
  const json::Value* spec = json::Find(p.obj, "spec");
  Status st = ParsePluginPolicySpec(spec ? *spec : kNoSpec, &p.spec);
  if (!st.ok()) return WriteFailure(p, "InvalidSpec", st.message(), false, result, false);
  st = LoadSecrets(p);
  if (!st.ok()) return WriteFailure(p, "SecretError", st.message(), true, result, true);

  http::ClientConfig cfg;
  cfg.server = p.spec.server_url;
  cfg.ca_pem = p.server_ca;
  cfg.connect_timeout = std::chrono::seconds(10);
  cfg.request_timeout = std::chrono::seconds(30);
  cfg.read_idle_timeout = std::chrono::seconds(15);
  const size_t fingerprint = std::hash<std::string>{}(cfg.server + '\n' + cfg.ca_pem + '\n' + p.creds.token + '\n' +
                                                     p.creds.username + '\n' + p.creds.password);
  {
    std::lock_guard<std::mutex> l(mu_);
    Memory& m = MemoryOf(p.key);
    if (!m.server || m.server_fingerprint != fingerprint) {
      m.server = std::make_unique<ServerClient>(cfg, p.creds);
      m.server_fingerprint = fingerprint;
    }
    p.server = m.server.get();  // only this key's worker uses it
  }

  std::vector<wire::Community> communities;
  if (p.spec.all_communities) {
    wire::CallError e = p.server->ListCommunities(&communities);
    if (!e.ok()) {
      const bool level = ServerLevel(e) || e.kind == wire::ErrorKind::kForbidden;  // listing is not per community
      return WriteFailure(p, level ? DegradedReason(e) : "CommunityError", "list communities: " + e.ToString(),
                          level, result, CredentialsError(e));
    }
  } else {
    for (const auto& id : p.spec.communities) communities.push_back({id, ""});
  }

  CheckPackages(p);
  for (const auto& c : communities) {
    ReconcileCommunity(p, c.id, c.name);
    if (!p.server_error.ok()) {
      const auto& e = p.server_error;
      return WriteFailure(p, DegradedReason(e), "community " + c.id + ": " + e.ToString(), true, result,
                          CredentialsError(e));
    }
  }
  // Permission nowhere: the credentials are the problem, not one community.
  const bool all_forbidden =
      !p.reports.empty() && std::all_of(p.reports.begin(), p.reports.end(),
                                        [](const CommunityReport& r) { return !r.read && r.reason == "Forbidden"; });
  if (all_forbidden) {
    return WriteFailure(p, "Forbidden", "every community refused: community " + p.reports[0].id + ": " +
                        p.reports[0].message, true, result, true);
  }
  return Finish(p, result);
}

Status PluginPolicyReconciler::LoadSecrets(Pass& p) {
  const std::string& ns = p.req.ns;
  const SecretKeyRef& c = p.spec.credentials;
  if (!c.key.empty()) {
    DW_RETURN_IF_ERROR(runtime::ReadSecretKey(deps_.client, ns, c.name, c.key, &p.creds.token));
  } else {
    bool has_token = false;
    DW_RETURN_IF_ERROR(runtime::ReadSecretKey(deps_.client, ns, c.name, "token", &p.creds.token, &has_token));
    if (!has_token) {
      Status u = runtime::ReadSecretKey(deps_.client, ns, c.name, "username", &p.creds.username);
      if (u.ok()) u = runtime::ReadSecretKey(deps_.client, ns, c.name, "password", &p.creds.password);
      if (!u.ok()) {
        return Status::Invalid("secret \"" + ns + "/" + c.name +
                               "\" has neither key \"token\" nor keys \"username\" and \"password\"");
      }
    }
  }
  if (p.spec.server_ca) {
    const auto& r = *p.spec.server_ca;
    DW_RETURN_IF_ERROR(runtime::ReadSecretKey(deps_.client, ns, r.name, r.key.empty() ? "ca.crt" : r.key,
                                              &p.server_ca));
  }
  if (p.spec.fetch_ca) {
    const auto& r = *p.spec.fetch_ca;
    DW_RETURN_IF_ERROR(runtime::ReadSecretKey(deps_.client, ns, r.name, r.key.empty() ? "ca.crt" : r.key,
                                              &p.spec.fetch.ca_pem));
  }
  return Status::OK();
}

void PluginPolicyReconciler::CheckPackages(Pass& p) {
  p.checks.reserve(p.spec.packages.size());
  for (const auto& d : p.spec.packages) {
    p.checks.push_back(checker_.Check(d, p.spec.policy, p.spec.fetch));
    PackageCheck& c = p.checks.back();
    if (!c.verified && !p.spec.manages_policy && c.reason == FetchFailureName(FetchFailure::kNotAllowlisted)) {
      c.message += " (spec.policy is absent, so no registry is allowlisted)";
    }
    if (!c.verified) p.refusals.push_back("package " + d.name + ": " + c.reason + ": " + c.message);
  }
  for (const auto& c : p.checks) p.check_of[c.name] = &c;
}

void PluginPolicyReconciler::ReconcileCommunity(Pass& p, const std::string& id, const std::string& name) {
  CommunityReport r;
  r.id = id;
  r.name = name;
  wire::CallError e = p.server->GetPolicy(id, &r.policy);
  if (e.ok()) e = p.server->ListPackages(id, &r.packages);
  if (!e.ok()) {
    if (ServerLevel(e)) {
      p.server_error = e;
      return;
    }
    r.reason = e.kind == wire::ErrorKind::kForbidden ? "Forbidden" : "CommunityError";
    r.message = e.ToString();
    p.reports.push_back(std::move(r));
    return;
  }
  r.read = true;
  if (SyncPolicy(p, r)) SyncPackages(p, r);
  if (p.server_error.ok()) p.reports.push_back(std::move(r));
}

bool PluginPolicyReconciler::SyncPolicy(Pass& p, CommunityReport& r) {
  r.manages_policy = p.spec.manages_policy;
  if (!r.manages_policy) return true;
  r.policy_drift = PolicyDrift(p.spec.policy, r.policy);
  if (r.policy_drift.empty()) return true;
  const std::string fields = Join(r.policy_drift, ", ");
  p.drift.push_back("community " + r.id + ": policy " + fields);
  r.policy_in_sync = false;
  if (!p.enforce()) return true;
  wire::Policy stored;
  wire::CallError e = p.server->PutPolicy(r.id, p.spec.policy, &stored);
  if (!e.ok()) {
    if (ServerLevel(e)) {
      p.server_error = e;
      return false;
    }
    r.policy_reason = RefusalReason(e);
    r.policy_message = "policy not written: " + e.ToString();
    p.refusals.push_back("policy of community " + r.id + ": " + r.policy_reason + ": " + e.message);
    return true;
  }
  r.policy = std::move(stored);
  std::vector<std::string> left = PolicyDrift(p.spec.policy, r.policy);
  r.policy_in_sync = left.empty();
  if (r.policy_in_sync) {
    p.corrections.push_back("community " + r.id + ": set policy " + fields);
  } else {
    r.policy_reason = "PolicyNotStored";
    r.policy_message = "the server stored a policy that still differs in " + Join(left, ", ");
  }
  return true;
}

void PluginPolicyReconciler::SyncPackages(Pass& p, CommunityReport& r) {
  struct Note {
    std::string reason, message;
  };
  std::map<std::string, Note> notes;  // package name -> refusal of this pass
  bool wrote = false;
  auto refuse = [&](const std::string& pkg, const std::string& reason, const std::string& message) {
    notes[pkg] = {reason, message};
    p.refusals.push_back("package " + pkg + " in community " + r.id + ": " + reason + ": " + message);
  };
  auto failed = [&](const std::string& pkg, const wire::CallError& e) {
    if (ServerLevel(e)) {
      p.server_error = e;
      return;
    }
    refuse(pkg, RefusalReason(e), e.ToString());
  };

  const std::vector<PackageDiff> diffs = DiffPackages(p.spec.packages, r.packages, p.spec.prune_unlisted);
  for (const auto& d : diffs) {
    if (!p.server_error.ok()) return;
    const std::string pkg = d.declared ? d.declared->name : d.installed->name;
    if (!d.drift.empty()) p.drift.push_back("community " + r.id + ": package " + pkg + " " + Join(d.drift, ", "));
    if (!d.declared) {
      if (p.enforce() && Contains(d.drift, "unlisted")) {
        wire::Package out;
        wire::CallError e = p.server->UpdatePackage(r.id, d.installed->id, false, nullptr, &out);
        if (e.ok()) {
          wrote = true;
          p.corrections.push_back("community " + r.id + ": deactivated unlisted package " + pkg);
        } else {
          failed(pkg, e);
        }
      }
      continue;
    }
    const DeclaredPackage& want = *d.declared;
    const PackageCheck& check = *p.check_of.at(pkg);
    const wire::Package* have = d.installed;
    wire::Package fresh;
    if (!check.verified) {
      // A package dockward refuses is never installed, activated or given
      // settings; turning it off is the one write still allowed.
      notes[pkg] = {check.reason, std::string(have ? "left as installed: " : "not installed: ") + check.message};
      if (!p.enforce() || d.needs_install() || !have || !have->active || want.active) continue;
      wire::Package out;
      wire::CallError e = p.server->UpdatePackage(r.id, have->id, false, nullptr, &out);
      if (e.ok()) {
        wrote = true;
        p.corrections.push_back("community " + r.id + ": deactivated " + pkg);
      } else {
        failed(pkg, e);
      }
      continue;
    }
    if (d.needs_install()) {
      if (!p.enforce()) continue;
      wire::CallError e;
      if (want.from_registry()) {
        e = p.server->InstallFromRegistry(r.id, want.registry_url, want.sha256, &fresh);
      } else {
        std::string bundle, sig;
        Status st = checker_.LoadArtifact(want, p.spec.policy, p.spec.fetch.max_bytes, &bundle, &sig);
        if (!st.ok()) {
          refuse(pkg, "ArtifactChanged", st.message());
          continue;
        }
        e = p.server->UploadPackage(r.id, bundle, sig, &fresh);
      }
      if (!e.ok()) {
        failed(pkg, e);
        continue;
      }
      wrote = true;
      p.corrections.push_back("community " + r.id + ": installed " + pkg + " " + fresh.version + " (" +
                              check.source + ")");
      have = &fresh;
    }
    if (have == nullptr) continue;
    // Settings first: known-bad settings are never sent, and a package is
    // not activated with them.
    const bool settings_differ = want.has_settings && !json::Equal(want.settings, have->settings);
    if (settings_differ) {
      SettingsCheck sc = CheckSettings(have->settings_schema, want.settings);
      if (!sc.ok()) {
        refuse(pkg, "SettingsInvalid", FormatSettingsErrors(sc.errors));
        continue;
      }
    }
    const bool active_differs = have->active != want.active;
    if (!p.enforce() || (!settings_differ && !active_differs)) continue;
    std::optional<bool> active;
    if (active_differs) active = want.active;
    wire::Package out;
    wire::CallError e = p.server->UpdatePackage(r.id, have->id, active, settings_differ ? &want.settings : nullptr,
                                                &out);
    if (!e.ok()) {
      failed(pkg, e);
      continue;
    }
    wrote = true;
    std::vector<std::string> what;
    if (active_differs) what.push_back(want.active ? "activated" : "deactivated");
    if (settings_differ) what.push_back("set settings of");
    p.corrections.push_back("community " + r.id + ": " + Join(what, " and ") + " " + pkg);
  }
  if (!p.server_error.ok()) return;
  if (wrote) {
    // Status shows what the server holds now, as it says it.
    std::vector<wire::Package> now;
    wire::CallError e = p.server->ListPackages(r.id, &now);
    if (!e.ok()) {
      if (ServerLevel(e)) p.server_error = e;
      return;
    }
    r.packages = std::move(now);
  }
  for (const auto& d : DiffPackages(p.spec.packages, r.packages, p.spec.prune_unlisted)) {
    PackageRow row;
    row.name = d.declared ? d.declared->name : d.installed->name;
    row.managed = d.declared != nullptr;
    if (d.installed) row.installed = static_cast<int>(d.installed - r.packages.data());
    row.drift = d.drift;
    if (auto it = notes.find(row.name); it != notes.end()) {
      row.reason = it->second.reason;
      row.message = it->second.message;
    }
    r.rows.push_back(std::move(row));
  }
}

Status PluginPolicyReconciler::Finish(Pass& p, runtime::Result* result) {
  json::Allocator& a = p.obj.GetAllocator();
  json::Value& status = json::EnsureObject(p.obj, "status", a);
  int in_sync = 0;
  // What still differs after this pass's writes (p.drift is what was found
  // before them, for the DriftDetected Event).
  std::vector<std::string> left;
  std::vector<std::string> community_errors;
  for (const auto& r : p.reports) {
    if (r.InSync()) ++in_sync;
    if (!r.read) community_errors.push_back("community " + r.id + ": " + r.message);
    if (r.read && !r.policy_in_sync) {
      const auto fields = PolicyDrift(p.spec.policy, r.policy);
      left.push_back("community " + r.id + ": policy " + (fields.empty() ? std::string("not written") : Join(fields, ", ")));
    }
    for (const auto& row : r.rows) {
      if (!row.drift.empty()) left.push_back("community " + r.id + ": package " + row.name + " " + Join(row.drift, ", "));
    }
  }
  const bool drift_left = !left.empty();
  // A declared package is refused when dockward's own check or any
  // community's server refused it.
  std::set<std::string> refused;
  json::Value checks(rapidjson::kArrayType);
  for (const auto& c : p.checks) {
    if (!c.verified) refused.insert(c.name);
    checks.PushBack(PackageCheckJson(c, a), a);
  }
  for (const auto& r : p.reports) {
    for (const auto& row : r.rows) {
      if (row.managed && !row.reason.empty()) refused.insert(row.name);
    }
  }
  json::Value communities(rapidjson::kArrayType);
  for (const auto& r : p.reports) communities.PushBack(CommunityJson(r, a), a);
  json::Value summary(rapidjson::kObjectType);
  json::SetInt(summary, "communities", static_cast<int64_t>(p.reports.size()), a);
  json::SetInt(summary, "inSync", in_sync, a);
  json::SetInt(summary, "packages", static_cast<int64_t>(p.spec.packages.size()), a);
  json::SetInt(summary, "refused", static_cast<int64_t>(refused.size()), a);
  json::SetValue(status, "summary", summary, a);
  json::SetValue(status, "packages", checks, a);
  json::SetValue(status, "communities", communities, a);

  runtime::Condition ready{"Ready", "True", "InSync", "", p.generation};
  if (!community_errors.empty()) {
    ready = {"Ready", "False", "CommunityError", Join(community_errors, "; ", kMaxListed), p.generation};
  } else if (!p.refusals.empty()) {
    ready = {"Ready", "False", "PackagesRefused", Join(p.refusals, "; ", kMaxListed), p.generation};
  } else if (drift_left) {
    ready = {"Ready", "False", "Drifted", Join(left, "; ", kMaxListed), p.generation};
  } else {
    ready.message = std::to_string(in_sync) + " of " + std::to_string(p.reports.size()) +
                    " communities match the spec";
  }
  runtime::Condition drifted{"Drifted", "False", "NoDrift", "the servers match the spec", p.generation};
  if (drift_left) {
    drifted = {"Drifted", "True", "DriftDetected", Join(left, "; ", kMaxListed), p.generation};
  } else if (!p.corrections.empty()) {
    drifted = {"Drifted", "False", "DriftCorrected", Join(p.corrections, "; ", kMaxListed), p.generation};
  }
  runtime::SetCondition(status, a, ready, p.now);
  runtime::SetCondition(status, a, drifted, p.now);
  const json::Value* was = runtime::FindCondition(status, "Degraded");
  const bool recovered = was && json::GetString(*was, "status") == "True";
  runtime::SetCondition(status, a, {"Degraded", "False", "ServerReachable", "", p.generation}, p.now);

  // Events: once per change of what there is to say.
  std::set<std::string> drift_now(p.drift.begin(), p.drift.end());
  std::set<std::string> refusals_now(p.refusals.begin(), p.refusals.end());
  std::vector<std::string> new_refusals;
  bool new_drift = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    const Memory& m = MemoryOf(p.key);
    new_drift = !drift_now.empty() && drift_now != m.drift_said;
    for (const auto& s : refusals_now) {
      if (!m.refusals_said.count(s)) new_refusals.push_back(s);
    }
  }
  if (recovered) Event(p.obj, "Normal", "ServerReachable", "the community server answers again");
  if (new_drift) Event(p.obj, "Warning", "DriftDetected", Join(p.drift, "; ", kMaxListed));
  if (!p.corrections.empty()) Event(p.obj, "Normal", "DriftCorrected", Join(p.corrections, "; ", kMaxListed));
  for (const auto& s : new_refusals) Event(p.obj, "Warning", "PackageRefused", s);

  p.next = p.spec.interval;
  result->requeue_after = p.next;
  DW_RETURN_IF_ERROR(WriteStatus(p));
  std::lock_guard<std::mutex> l(mu_);
  Memory& m = MemoryOf(p.key);
  m.failures = 0;
  m.drift_said = std::move(drift_now);
  m.refusals_said = std::move(refusals_now);
  return Status::OK();
}

Status PluginPolicyReconciler::WriteFailure(Pass& p, const std::string& reason, const std::string& message,
                                            bool degraded, runtime::Result* result, bool credentials) {
  json::Allocator& a = p.obj.GetAllocator();
  json::Value& status = json::EnsureObject(p.obj, "status", a);
  bool changed = runtime::SetCondition(status, a, {"Ready", "False", reason, message, p.generation}, p.now);
  if (degraded) {
    changed = runtime::SetCondition(status, a, {"Degraded", "True", reason, message, p.generation}, p.now) ||
              changed;
  }
  if (changed) Event(p.obj, "Warning", reason, message);
  int failures = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    failures = ++MemoryOf(p.key).failures;
  }
  // An invalid spec waits for its edit (a new generation); a server that
  // fails is retried with backoff; anything else at the next interval.
  if (degraded) {
    p.next = ServerBackoff(failures, credentials);
  } else if (reason == "InvalidSpec") {
    p.next = std::chrono::hours(24);
  } else {
    p.next = p.spec.interval;
  }
  if (reason != "InvalidSpec") result->requeue_after = p.next;
  log::Warn("pluginpolicy pass failed", {{"policy", p.key}, {"reason", reason}, {"message", message}});
  return WriteStatus(p);
}

Status PluginPolicyReconciler::WriteStatus(Pass& p) {
  json::Allocator& a = p.obj.GetAllocator();
  json::Value& status = json::EnsureObject(p.obj, "status", a);
  json::SetInt(status, "observedGeneration", p.generation, a);
  const bool read_any = std::any_of(p.reports.begin(), p.reports.end(), [](const auto& r) { return r.read; });
  if (p.server_error.ok() && read_any) json::SetString(status, "lastSyncTime", clock::Rfc3339(p.now), a);
  Status st = deps_.client->UpdateStatus(*kind_, p.obj, {}, nullptr);
  if (!st.ok()) return st;
  std::lock_guard<std::mutex> l(mu_);
  Memory& m = MemoryOf(p.key);
  m.generation = p.generation;
  m.requested_at = p.requested_at;
  m.due = p.now + p.next;
  return Status::OK();
}

}  // namespace dw::pluginpolicy
