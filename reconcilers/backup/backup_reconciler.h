// BackupReconciler: drives one Backup from creation to a terminal phase.
//
//   ""       -> finalizer added, policy resolved -> Pending (or Failed
//               PolicyNotFound / InvalidPolicy / InvalidSpec)
//   Pending  -> a per-host slot is taken -> Running, and the run starts on
//               its own thread (RunTracker); no slot: stays Pending, requeued
//   Running  -> the run writes progress, attempts and its terminal phase;
//               a Running Backup this process never started was interrupted
//               (dockward died): Failed Interrupted, its directory's temp
//               files swept
//   Succeeded / Failed -> terminal: the finalizer is dropped
//   deleted  -> the run is cancelled and joined (bounded), finalizer removed
//
// Reconcile never waits on a run. Dry runs resolve the target and report the
// dump command in the message instead of dumping (phase Succeeded, reason
// DryRun, no artifact, no notification). Notifications go out from the run's
// thread after the terminal status is written.
#pragma once

#include <memory>
#include <string>

#include "reconcilers/backup/run_lifecycle.h"
#include "reconcilers/backup/run_target.h"

namespace dw::backup {

class BackupReconciler : public RunLifecycle {
 public:
  explicit BackupReconciler(const BackupDeps& deps, RunOptions opts = RunOptions());
  // Cancels running runs and joins their threads.
  ~BackupReconciler() override;

 private:
  struct RunInput;
  Status Admit(json::Document& obj) override;
  Status Start(json::Document& obj, runtime::Result* result) override;
  Status Observe(json::Document& obj) override;

  void Run(RunContext& ctx, const RunInput& in);
  void Finish(RunContext& ctx, const RunInput& in, const Status& st, const std::string& stage,
              const ResolvedBackup& resolved, const BackupOutcome& outcome, int attempts);
  void Notify(const std::string& ns, const std::string& policy_name, const PolicySpec& policy,
              const json::Value& obj, bool success);
};

}  // namespace dw::backup
