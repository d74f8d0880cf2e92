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

#include "reconcilers/backup/run_lifecycle.h"
#include "reconcilers/backup/run_target.h"

namespace dw::backup {

class RestoreReconciler : public RunLifecycle {
 public:
  explicit RestoreReconciler(const BackupDeps& deps, RunOptions opts = RunOptions());
  // Cancels running restores and joins their threads.
  ~RestoreReconciler() override;

 private:
  struct RunInput;
  Status Admit(json::Document& obj) override;
  Status Start(json::Document& obj, runtime::Result* result) override;
  Status Observe(json::Document& obj) override;
  bool Ready() const override { return backups_ != nullptr; }
  // Fills in->artifact_path / in->policy from the spec; `wait` is set (and
  // OK returned) while the named Backup has not finished yet.
  Status ResolveSource(const RestoreSpec& spec, const std::string& ns, RunInput* in,
                       std::string* fail_reason, std::string* wait);

  void Run(RunContext& ctx, const RunInput& in);
  Status RunOnce(RunContext& ctx, const RunInput& in, const RunControl& control, int attempt,
                 RestoreJob* job, RestoreOutcome* outcome);

  const schema::ResourceInfo* backups_ = nullptr;  // the Backups restores read from
};

}  // namespace dw::backup
