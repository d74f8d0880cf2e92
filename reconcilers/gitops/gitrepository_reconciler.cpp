#include "reconcilers/gitops/gitrepository_reconciler.h"

#include <algorithm>

#include "operator/common/log.h"
#include "operator/common/strings.h"
#include "operator/runtime/conditions.h"
#include "operator/runtime/finalizers.h"
#include "reconcilers/gitops/apply_set.h"
#include "reconcilers/gitops/contract.h"
#include "reconcilers/gitops/credentials.h"
#include "reconcilers/gitops/manifest_set.h"
#include "reconcilers/gitops/spec.h"

namespace dw::gitops {

namespace {

constexpr const char* kGroupVersion = "dockward.io/v1alpha1";
constexpr size_t kMaxMessage = 8000;
constexpr size_t kMaxNamedInEvent = 10;

std::string S(std::string_view v) { return std::string(v); }

// Git's stderr ends up in condition messages: keep them bounded and valid UTF-8.
std::string Clip(std::string s) { return Truncate(std::move(s), kMaxMessage); }

std::string JoinSome(const std::vector<std::string>& v) { return JoinFirst(v, ", ", kMaxNamedInEvent, " "); }

}  // namespace

std::chrono::milliseconds RetryBackoff(int failures) {
  return runtime::DoublingBackoff(failures, kRetryFirst, kRetryMax);
}

struct GitRepositoryReconciler::Pass {
  runtime::Request req;
  std::string key;
  json::Document obj;
  int64_t generation = 0;
  clock::TimePoint now;
  GitRepositorySpec spec;
  std::string requested;  // the sync-request annotation
  std::vector<InventoryEntry> old_inv;
};

struct GitRepositoryReconciler::Outcome {
  bool ok = false;
  bool stalled = false;  // needs a new commit or spec, not a retry
  std::string reason, message;
  bool fetched = false;
  std::string revision;
  bool inventory_set = false;
  std::vector<InventoryEntry> inventory;
  std::vector<std::string> changes;  // "BackupPolicy default/a created"
  std::vector<std::string> drifted;  // "BackupPolicy default/a"
};

GitRepositoryReconciler::GitRepositoryReconciler(GitOpsDeps deps)
    : deps_(std::move(deps)), source_(GitSourceOptions{deps_.cache_dir, deps_.fetch_timeout}) {
  if (deps_.client) kind_ = deps_.client->Resolve(kGroupVersion, "GitRepository");
}

void GitRepositoryReconciler::Event(const json::Value& obj, const char* type, const char* reason,
                                    const std::string& msg) {
  if (deps_.recorder) deps_.recorder->Record(obj, type, reason, Clip(msg));
}

void GitRepositoryReconciler::Forget(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  schedule_.erase(key);
}

Status GitRepositoryReconciler::WriteStatus(Pass& p, json::Value& status) {
  const json::Value* old = json::Find(p.obj, "status");
  if (old && json::Equal(*old, status)) return Status::OK();
  Status st;
  // A client may have written the object meanwhile (a sync request): only
  // this controller writes the status, so on a conflict the status goes onto
  // the fresh object. The request value it handled was read at the start.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto& a = p.obj.GetAllocator();
    json::Value copy(status, a);
    json::SetValue(p.obj, "status", copy, a);
    json::Document stored;
    st = deps_.client->UpdateStatus(*kind_, p.obj, runtime::WriteOptions{}, &stored);
    if (st.ok()) {
      p.obj.Swap(stored);
      return st;
    }
    if (!st.IsConflict()) return st;
    DW_RETURN_IF_ERROR(deps_.client->Get(*kind_, p.req.ns, p.req.name, &p.obj));
  }
  return st;
}

Status GitRepositoryReconciler::SyncFinalizer(Pass& p) {
  const std::string fin = S(kFinalizerPrune);
  if (runtime::HasFinalizer(p.obj, fin) == p.spec.prune) return Status::OK();
  json::Document next;
  next.CopyFrom(p.obj, next.GetAllocator());
  if (p.spec.prune) runtime::AddFinalizer(next, fin);
  else runtime::RemoveFinalizer(next, fin);
  json::Document stored;
  // A conflict fails the pass; the controller retries it on the fresh object.
  DW_RETURN_IF_ERROR(deps_.client->Update(*kind_, next, runtime::WriteOptions{S(kFieldManager)}, &stored));
  p.obj.Swap(stored);
  return Status::OK();
}

Status GitRepositoryReconciler::Finalize(Pass& p, runtime::Result* result) {
  const std::string fin = S(kFinalizerPrune);
  if (!runtime::HasFinalizer(p.obj, fin)) {
    Forget(p.key);
    source_.Forget(p.req.ns, p.req.name);
    return Status::OK();
  }
  // Read raw: a spec the parser refuses still says whether to prune.
  static const json::Value kNoSpec(rapidjson::kObjectType);
  const json::Value* spec = json::Find(p.obj, "spec");
  const bool prune = json::GetBool(spec ? *spec : kNoSpec, "prune", false);
  const bool suspend = json::GetBool(spec ? *spec : kNoSpec, "suspend", false);
  const json::Value* old_status = json::Find(p.obj, "status");
  const std::vector<InventoryEntry> inv = InventoryFromStatus(old_status);

  if (prune && suspend && !inv.empty()) {
    Event(p.obj, "Normal", S(kReasonPruneSkipped).c_str(),
          "suspended at deletion: the " + std::to_string(inv.size()) + " objects it applied are left in place");
  } else if (prune && !suspend) {
    ApplySet applier(deps_.client, S(kFieldManager), p.req.ns);
    std::vector<std::string> deleted, failures;
    std::vector<ObjectId> failed;
    for (const auto& e : ToPrune(inv, {})) {
      bool d = false;
      Status pst = applier.Prune(e, &d);
      if (d) deleted.push_back(e.id.Display());
      if (!pst.ok()) {
        failures.push_back(pst.message());
        failed.push_back(e.id);
      }
    }
    if (!deleted.empty()) Event(p.obj, "Normal", S(kReasonPruned).c_str(), "deleted " + JoinSome(deleted));
    if (!failures.empty()) {
      // Keep what is left to delete, in its original order, for the retry.
      std::vector<InventoryEntry> left;
      for (const auto& e : inv)
        if (std::find(failed.begin(), failed.end(), e.id) != failed.end()) left.push_back(e);
      std::string msg = Clip("deleting the GitRepository: pruning failed, retrying:\n" + JoinSome(failures));
      json::Document status;
      status.SetObject();
      if (old_status && old_status->IsObject()) status.CopyFrom(*old_status, status.GetAllocator());
      auto& a = status.GetAllocator();
      json::Value invj = InventoryToJson(left, a);
      json::SetValue(status, "inventory", invj, a);
      runtime::SetCondition(status, a, {S(kReady), "False", S(kReasonPrune), msg, p.generation}, p.now);
      runtime::SetCondition(status, a, {S(kReconciling), "True", S(kReasonRetrying), msg, p.generation}, p.now);
      runtime::RemoveCondition(status, S(kStalled));
      Status wst = WriteStatus(p, status);
      Event(p.obj, "Warning", S(kReasonPrune).c_str(), msg);
      std::chrono::milliseconds wait;
      {
        std::lock_guard<std::mutex> l(mu_);
        wait = RetryBackoff(++schedule_[p.key].failures);
      }
      result->requeue_after = wait;
      log::Info("gitops: prune at deletion failed", {{"gitrepository", p.key}, {"error", msg}});
      return wst;
    }
  }
  json::Document next;
  next.CopyFrom(p.obj, next.GetAllocator());
  runtime::RemoveFinalizer(next, fin);
  Status st = deps_.client->Update(*kind_, next, runtime::WriteOptions{S(kFieldManager)}, nullptr);
  if (!st.ok() && !st.IsNotFound()) return st;  // retried; pruning again finds nothing left
  Forget(p.key);
  source_.Forget(p.req.ns, p.req.name);
  return Status::OK();
}

Status GitRepositoryReconciler::Reconcile(const runtime::Request& req, runtime::Result* result) {
  if (!kind_) return Status::Internal("the GitRepository kind is not served");
  Pass p;
  p.req = req;
  p.key = req.Key();
  Status st = deps_.client->Get(*kind_, req.ns, req.name, &p.obj);
  if (st.IsNotFound()) {
    Forget(p.key);
    source_.Forget(req.ns, req.name);
    return Status::OK();
  }
  DW_RETURN_IF_ERROR(st);
  if (const json::Value* g = json::FindPath(p.obj, "metadata.generation"); g && g->IsInt64()) p.generation = g->GetInt64();
  p.now = deps_.now();
  if (runtime::IsBeingDeleted(p.obj)) return Finalize(p, result);
  if (const json::Value* ann = json::FindPath(p.obj, "metadata.annotations"))
    p.requested = json::GetString(*ann, S(kAnnotationSyncRequest));

  json::Document status;
  status.SetObject();
  if (const json::Value* old = json::Find(p.obj, "status"); old && old->IsObject())
    status.CopyFrom(*old, status.GetAllocator());
  auto& a = status.GetAllocator();
  const int64_t observed = json::GetInt(status, "observedGeneration", 0);
  const std::string handled = json::GetString(status, "lastHandledSyncAt");
  p.old_inv = InventoryFromStatus(&status);

  static const json::Value kNoSpec(rapidjson::kObjectType);
  const json::Value* spec = json::Find(p.obj, "spec");
  st = ParseGitRepositorySpec(spec ? *spec : kNoSpec, &p.spec);
  if (!st.ok()) {
    Forget(p.key);
    json::SetInt(status, "observedGeneration", p.generation, a);
    runtime::SetCondition(status, a, {S(kReady), "False", S(kReasonInvalidSpec), st.message(), p.generation}, p.now);
    runtime::SetCondition(status, a, {S(kStalled), "True", S(kReasonInvalidSpec), st.message(), p.generation}, p.now);
    runtime::RemoveCondition(status, S(kReconciling));
    return WriteStatus(p, status);  // nothing to do until the spec is edited
  }
  // Before anything is applied, so no deletion can miss what a sync wrote.
  DW_RETURN_IF_ERROR(SyncFinalizer(p));
  if (p.spec.suspend) {
    Forget(p.key);  // resuming edits the spec, and a new generation syncs at once
    return Status::OK();
  }

  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = schedule_.find(p.key);
    bool due = it == schedule_.end() || p.now >= it->second.next || p.generation != observed ||
               (!p.requested.empty() && p.requested != handled);
    if (!due) {
      result->requeue_after = std::chrono::ceil<std::chrono::milliseconds>(it->second.next - p.now);
      return Status::OK();
    }
  }

  if (p.generation != observed) {
    runtime::SetCondition(status, a,
                          {S(kReconciling), "True", S(kReasonProgressing),
                           "reconciling generation " + std::to_string(p.generation), p.generation},
                          p.now);
    Status wst = WriteStatus(p, status);
    if (!wst.ok()) log::Warn("gitops: status write failed", {{"gitrepository", p.key}, {"error", wst.message()}});
  }

  Outcome o;
  Sync(p, &o);
  // Shutting down: the next process syncs again; a "cancelled" verdict in
  // status would only mislead.
  if (source_.cancelled()) return Status::OK();

  json::SetInt(status, "observedGeneration", p.generation, a);
  if (!p.requested.empty()) json::SetString(status, "lastHandledSyncAt", p.requested, a);
  if (o.fetched) {
    json::SetString(status, "fetchedRevision", o.revision, a);
    json::SetString(status, "lastAttemptedRevision", o.revision, a);
  }
  if (o.ok) json::SetString(status, "lastAppliedRevision", o.revision, a);
  if (o.inventory_set) {
    json::Value inv = InventoryToJson(o.inventory, a);
    json::SetValue(status, "inventory", inv, a);
  }
  if (!o.drifted.empty()) {
    json::Value d(rapidjson::kObjectType);
    json::SetString(d, "time", clock::Rfc3339(p.now), a);
    json::SetString(d, "revision", o.revision, a);
    json::Value objs(rapidjson::kArrayType);
    for (const auto& x : o.drifted) objs.PushBack(json::Str(x, a), a);
    json::SetValue(d, "objects", objs, a);
    json::SetValue(status, "lastDriftCorrection", d, a);
  }
  if (o.ok) {
    runtime::SetCondition(status, a, {S(kReady), "True", S(kReasonSucceeded), "Applied revision: " + o.revision, p.generation}, p.now);
    runtime::RemoveCondition(status, S(kReconciling));
    runtime::RemoveCondition(status, S(kStalled));
  } else {
    std::string msg = Clip(o.message);
    runtime::SetCondition(status, a, {S(kReady), "False", o.reason, msg, p.generation}, p.now);
    if (o.stalled) {
      runtime::SetCondition(status, a, {S(kStalled), "True", o.reason, msg, p.generation}, p.now);
      runtime::RemoveCondition(status, S(kReconciling));
    } else {
      runtime::SetCondition(status, a, {S(kReconciling), "True", S(kReasonRetrying), msg, p.generation}, p.now);
      runtime::RemoveCondition(status, S(kStalled));
    }
  }
  Status wst = WriteStatus(p, status);

  if (!o.changes.empty()) Event(p.obj, "Normal", "Applied", o.revision + ": " + JoinSome(o.changes));
  if (!o.drifted.empty())
    Event(p.obj, "Warning", "DriftCorrected",
          o.revision + ": put back changes made outside Git to " + JoinSome(o.drifted));
  if (!o.ok) Event(p.obj, "Warning", o.reason.c_str(), o.message);

  std::chrono::milliseconds wait = p.spec.interval;
  {
    std::lock_guard<std::mutex> l(mu_);
    Schedule& s = schedule_[p.key];
    if (o.ok || o.stalled) s.failures = 0;
    else wait = std::min(wait, RetryBackoff(++s.failures));
    s.next = p.now + wait;
  }
  result->requeue_after = wait;
  if (!o.ok)
    log::Info("gitops: sync failed", {{"gitrepository", p.key}, {"reason", o.reason}, {"error", Clip(o.message)}});
  return wst;
}

void GitRepositoryReconciler::Sync(Pass& p, Outcome* o) {
  GitCredentials creds;
  if (!p.spec.secret_name.empty()) {
    Status st = ReadGitCredentials(deps_.client, p.req.ns, p.spec.secret_name, &creds);
    if (!st.ok()) {
      o->reason = S(kReasonAuth);
      o->message = st.message();
      return;
    }
  }
  FetchResult fr;
  Status st = source_.Fetch(p.req.ns, p.req.name, p.spec.url, p.spec.ref, creds, &fr);
  if (!st.ok()) {
    o->reason = S(kReasonGit);
    o->message = st.message();
    return;
  }
  o->fetched = true;
  o->revision = fr.revision;

  std::vector<ManifestObject> set;
  runtime::Client* client = deps_.client;
  st = LoadManifestSet(
      fr.worktree, p.spec.path, p.req.ns,
      [client](const std::string& av, const std::string& kind) { return client->Resolve(av, kind); },
      ManifestLimits{}, &set);
  std::vector<Planned> plan;
  ApplySet applier(deps_.client, S(kFieldManager), p.req.ns);
  if (st.ok()) st = applier.Validate(set, p.old_inv, &plan);
  if (!st.ok()) {
    o->stalled = st.code() == Code::kInvalid || st.IsNotFound();
    o->reason = o->stalled ? S(kReasonValidation) : S(kReasonApply);
    o->message = "revision " + fr.revision + " was not applied:\n" + st.message();
    return;
  }

  std::vector<const Planned*> applied;
  st = applier.Apply(plan, &applied);
  std::vector<InventoryEntry> written;
  for (const Planned* x : applied) {
    o->changes.push_back(x->m->id.Display() + " " + ChangeVerb(x->change));
    if (x->change == Change::kRevert) o->drifted.push_back(x->m->id.Display());
    written.push_back({x->m->id, x->m->digest});
  }
  o->inventory_set = true;
  if (!st.ok()) {
    // What was written is ours now; what was not keeps its old entry.
    o->inventory = Union(written, p.old_inv);
    o->reason = S(kReasonApply);
    o->message = "revision " + fr.revision + " was partly applied:\n" + st.message();
    return;
  }

  o->inventory = InventoryOf(set);
  if (p.spec.prune) {
    std::vector<std::string> failures;
    for (const auto& e : ToPrune(p.old_inv, o->inventory)) {
      bool deleted = false;
      Status pst = applier.Prune(e, &deleted);
      if (deleted) o->changes.push_back(e.id.Display() + " deleted");
      if (!pst.ok()) {
        failures.push_back(pst.message());
        o->inventory.push_back(e);  // tried again at the next sync
      }
    }
    if (!failures.empty()) {
      o->reason = S(kReasonPrune);
      o->message = "revision " + fr.revision + " was applied but pruning failed:\n" + JoinSome(failures);
      return;
    }
  }
  o->ok = true;
}

}  // namespace dw::gitops
