// RunLifecycle: the part every run object (Backup, Restore) shares, as a base
// its reconciler derives from. It owns the phase machine's skeleton:
//
//   NotFound           -> cancel and forget any run of that key
//   being deleted      -> cancel, wait (bounded) for the run, drop the finalizer
//   Succeeded / Failed -> terminal: drop the finalizer
//   "" / Pending / Running -> Admit / Start / Observe (the derived class)
//
// plus the status writer, Event recording and the RunTracker. A derived
// class's destructor must call tracker_.Shutdown() first: the runs' threads
// use the derived class's members.
#pragma once

#include <string>

#include "operator/runtime/controller.h"
#include "reconcilers/backup/deps.h"
#include "reconcilers/backup/run_options.h"
#include "reconcilers/backup/run_status.h"
#include "reconcilers/backup/run_tracker.h"

namespace dw::backup {

class RunLifecycle {
 public:
  RunLifecycle(const RunLifecycle&) = delete;
  RunLifecycle& operator=(const RunLifecycle&) = delete;

  Status Reconcile(const runtime::Request& req, runtime::Result* result);
  RunTracker& tracker() { return tracker_; }

 protected:
  // `kind` is the run object's kind ("Backup", "Restore") in dockward.io;
  // terminal failures are recorded as Warning Events "<kind>Failed".
  RunLifecycle(const BackupDeps& deps, RunOptions opts, const char* kind);
  virtual ~RunLifecycle() = default;

  virtual Status Admit(json::Document& obj) = 0;
  virtual Status Start(json::Document& obj, runtime::Result* result) = 0;
  virtual Status Observe(json::Document& obj) = 0;
  // Extra resources the derived class needs; checked before every pass.
  virtual bool Ready() const { return true; }

  Status DropFinalizer(json::Document& obj);
  // Adds the run finalizer if missing; `obj` becomes the stored object.
  Status EnsureFinalizer(json::Document& obj);
  // Admitted: phase Pending, waiting for a slot.
  Status MarkPending(const json::Value& obj);
  // A terminal verdict written by the reconciler itself (no run started),
  // with a Warning Event.
  Status FailNow(const json::Value& obj, const std::string& reason, const std::string& message);
  void Record(const json::Value& obj, const char* type, const std::string& reason,
              const std::string& message);
  StatusWriter Writer(const json::Value& obj) const;
  // The object as stored now (after a run's own writes).
  Status Reread(const json::Value& obj, json::Document* fresh) const;
  // For a Running object: true while a run of this process owns it (live,
  // or ended with its terminal write landed); false means dockward stopped
  // mid-run and the object is an orphan to mark Interrupted.
  Status RunOwned(const json::Value& obj, bool* owned) const;

  BackupDeps deps_;
  RunOptions opts_;
  const std::string kind_;
  const schema::ResourceInfo* runs_ = nullptr;
  RunTracker tracker_;

 private:
  Status Finalize(json::Document& obj, runtime::Result* result);
};

}  // namespace dw::backup
