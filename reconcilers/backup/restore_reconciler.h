// RestoreReconciler: drives one Restore from creation to a terminal phase,
// with the Backup reconciler's shape (finalizer, Pending -> slot ->
// Running on a RunTracker thread -> Succeeded/Failed, Interrupted after a
// restart, cancel on deletion).
//
// The artifact is spec.backupName's status.path (a Backup still Pending or
// Running is waited for; a failed or dry-run one fails the Restore with
// BackupNotReady) or spec.artifactPath. The policy (spec.policyName, else
// the Backup's) supplies the encryption key, the label prefix and the host
// slot limit. The sidecar (<artifact>.json) supplies the engine and the
// database unless the spec names them; credentials come from the TARGET
// container's labels. A damaged artifact fails with VerificationFailed.
// Restores send no webhook notifications; their Events say how they ended.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "operator/runtime/controller.h"
#include "reconcilers/backup/deps.h"
#include "reconcilers/backup/run_options.h"
#include "reconcilers/backup/run_status.h"
#include "reconcilers/backup/run_target.h"
#include "reconcilers/backup/run_tracker.h"

namespace dw::backup {

class RestoreReconciler {
 public:
  explicit RestoreReconciler(const BackupDeps& deps, RunOptions opts = RunOptions());
  // Cancels running restores and joins their threads.
  ~RestoreReconciler();
  RestoreReconciler(const RestoreReconciler&) = delete;
  RestoreReconciler& operator=(const RestoreReconciler&) = delete;

  Status Reconcile(const runtime::Request& req, runtime::Result* result);

  RunTracker& tracker() { return tracker_; }

 private:
  struct RunInput;
  Status Admit(json::Document& obj);
  Status Start(json::Document& obj, runtime::Result* result);
  Status Observe(json::Document& obj);
  Status Finalize(json::Document& obj, runtime::Result* result);
  Status DropFinalizer(json::Document& obj);
  Status FailNow(const json::Document& obj, const std::string& reason, const std::string& message);
  // Fills in->artifact_path / in->policy from the spec; `wait` is set (and
  // OK returned) while the named Backup has not finished yet.
  Status ResolveSource(const RestoreSpec& spec, const std::string& ns, RunInput* in,
                       std::string* fail_reason, std::string* wait);

  void Run(RunContext& ctx, const RunInput& in);
  Status RunOnce(RunContext& ctx, const RunInput& in, const RunControl& control, int attempt,
                 RestoreJob* job, RestoreOutcome* outcome);
  void Record(const json::Value& obj, const char* type, const std::string& reason,
              const std::string& message);
  StatusWriter Writer(const json::Value& obj) const;

  BackupDeps deps_;
  RunOptions opts_;
  const schema::ResourceInfo* restores_ = nullptr;
  const schema::ResourceInfo* backups_ = nullptr;
  RunTracker tracker_;  // last member: its threads use everything above
};

}  // namespace dw::backup
