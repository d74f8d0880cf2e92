#include "reconcilers/backup/run_lifecycle.h"

#include <utility>

#include "operator/runtime/finalizers.h"
#include "reconcilers/backup/contract.h"

namespace dw::backup {

RunLifecycle::RunLifecycle(const BackupDeps& deps, RunOptions opts, const char* kind)
    : deps_(deps), opts_(std::move(opts)), kind_(kind) {
  if (deps_.client) runs_ = deps_.client->Resolve(std::string(kGroupVersion), kind_);
}

Status RunLifecycle::Reconcile(const runtime::Request& req, runtime::Result* result) {
  if (runs_ == nullptr || deps_.hosts == nullptr || !Ready())
    return Status::Internal(kind_ + " reconciler: the kind is not served or no host registry");
  json::Document obj;
  Status st = deps_.client->Get(*runs_, req.ns, req.name, &obj);
  if (st.IsNotFound()) {
    // Gone without our finalizer running (forced removal): stop any run.
    tracker_.Cancel(req.Key());
    tracker_.Forget(req.Key());
    return Status::OK();
  }
  DW_RETURN_IF_ERROR(st);
  if (runtime::IsBeingDeleted(obj)) return Finalize(obj, result);

  const std::string phase = json::GetStringPath(obj, "status.phase");
  if (phase == kPhaseSucceeded || phase == kPhaseFailed) {
    tracker_.Forget(req.Key());
    return DropFinalizer(obj);
  }
  if (phase.empty()) return Admit(obj);
  if (phase == kPhasePending) return Start(obj, result);
  if (phase == kPhaseRunning) return Observe(obj);
  return Status::OK();
}

Status RunLifecycle::Finalize(json::Document& obj, runtime::Result* result) {
  const std::string key = runtime::KeyOf(obj);
  tracker_.Cancel(key);
  if (!tracker_.Wait(key, opts_.cancel_wait)) {
    result->requeue_after = std::chrono::seconds(1);
    return Status::OK();
  }
  // The cancelled run wrote its status; re-read so the update is not stale.
  json::Document fresh;
  Status st = Reread(obj, &fresh);
  if (st.IsNotFound()) return Status::OK();
  DW_RETURN_IF_ERROR(st);
  return DropFinalizer(fresh);
}

Status RunLifecycle::DropFinalizer(json::Document& obj) {
  if (!runtime::RemoveFinalizer(obj, std::string(kFinalizerRun))) return Status::OK();
  return deps_.client->Update(*runs_, obj, runtime::WriteOptions{std::string(kFieldManager)}, nullptr);
}

Status RunLifecycle::EnsureFinalizer(json::Document& obj) {
  if (!runtime::AddFinalizer(obj, std::string(kFinalizerRun))) return Status::OK();
  json::Document stored;
  DW_RETURN_IF_ERROR(
      deps_.client->Update(*runs_, obj, runtime::WriteOptions{std::string(kFieldManager)}, &stored));
  obj.Swap(stored);
  return Status::OK();
}

Status RunLifecycle::MarkPending(const json::Value& obj) {
  return Writer(obj).Edit([](json::Value& s, json::Allocator& a) {
    json::SetString(s, "phase", kPhasePending, a);
    json::SetString(s, "message", "waiting to start", a);
    return true;
  });
}

Status RunLifecycle::FailNow(const json::Value& obj, const std::string& reason, const std::string& message) {
  json::Document written;
  RunResult r{std::string(kPhaseFailed), reason, message};
  auto now = deps_.now();
  DW_RETURN_IF_ERROR(Writer(obj).Edit(
      [&](json::Value& s, json::Allocator& a) {
        ApplyTerminal(s, a, r, now);
        return true;
      },
      &written));
  Record(written, "Warning", kind_ + "Failed", reason + ": " + message);
  return Status::OK();
}

Status RunLifecycle::Reread(const json::Value& obj, json::Document* fresh) const {
  return deps_.client->Get(*runs_, runtime::NamespaceOf(obj), runtime::NameOf(obj), fresh);
}

Status RunLifecycle::RunOwned(const json::Value& obj, bool* owned) const {
  *owned = false;
  const std::string key = runtime::KeyOf(obj);
  if (!tracker_.Knows(key, runtime::UidOf(obj))) return Status::OK();
  *owned = true;
  if (tracker_.Live(key)) return Status::OK();  // the run's own writes wake us
  // The run ended; its terminal write may just have landed after our Get.
  json::Document fresh;
  DW_RETURN_IF_ERROR(Reread(obj, &fresh));
  *owned = json::GetStringPath(fresh, "status.phase") != kPhaseRunning;
  return Status::OK();
}

void RunLifecycle::Record(const json::Value& obj, const char* type, const std::string& reason,
                          const std::string& message) {
  if (deps_.recorder) deps_.recorder->Record(obj, type, reason, message);
}

StatusWriter RunLifecycle::Writer(const json::Value& obj) const {
  return StatusWriter(deps_.client, *runs_, runtime::NamespaceOf(obj), runtime::NameOf(obj),
                      runtime::UidOf(obj));
}

}  // namespace dw::backup
