// GitRepositoryReconciler: one pass per GitRepository, level-triggered.
//
// A pass decides first whether a sync is due: the spec changed (generation
// != status.observedGeneration), a sync was requested (the annotation of
// contract.h differs from status.lastHandledSyncAt), the interval passed
// since the last sync of this process, or a failed sync's backoff ran out.
// Otherwise it only requeues for the time left, so the watch event caused
// by its own status write costs a Get and nothing else.
//
// A sync: credentials (secretRef: keys username, password, ca.crt; see
// credentials.h) -> fetch and
// checkout (GitSource) -> load every manifest under spec.path (ManifestSet)
// -> dry-run apply of all of them (nothing is written if any fails; status
// names FILE:LINE) -> apply what changed -> prune what left Git (spec.prune)
// -> status. Every sync re-applies, so a hand edit of a managed object is
// put back and reported as drift (status.lastDriftCorrection, a Warning
// Event DriftCorrected).
//
// Conditions (Flux's): success Ready=True ReconciliationSucceeded and no
// Reconciling/Stalled; an invalid spec or an invalid commit Ready=False and
// Stalled=True (InvalidSpec / ValidationFailed; a new commit or spec moves it
// on); transient failures (credentials, git, apply, prune) Ready=False and
// Reconciling=True ProgressingWithRetry, retried with backoff 5 s .. 5 min
// (never later than the interval). A new generation first writes
// Reconciling=True Progressing. Suspended: nothing runs, status is kept.
//
// Deletion (Flux's garbage collection): while spec.prune is true the
// object carries the finalizer of contract.h (added before the first apply,
// removed when prune is turned off). When it is deleted, every object in
// status.inventory that this field manager still owns is deleted (Namespaces
// last), an Event Pruned names them, and the finalizer is removed. A failure
// keeps the finalizer: status keeps the objects still to delete, Ready=False
// PruneFailed says why (also as a Warning Event), and the pass is retried
// with the same backoff. Suspended at deletion: nothing is deleted (Event
// PruneSkipped), the finalizer is removed.
//
// Status is written only when it changed. Secret values never reach status,
// events or logs.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "operator/common/clock.h"
#include "operator/runtime/controller.h"
#include "operator/runtime/event_recorder.h"
#include "reconcilers/gitops/git_source.h"
#include "reconcilers/gitops/inventory.h"

namespace dw::gitops {

inline constexpr std::chrono::seconds kRetryFirst{5};
inline constexpr std::chrono::seconds kRetryMax{300};

// 5 s, 10 s, 20 s ... capped at 5 min, for `failures` >= 1.
std::chrono::milliseconds RetryBackoff(int failures);

struct GitOpsDeps {
  runtime::Client* client = nullptr;
  runtime::EventRecorder* recorder = nullptr;  // may be null in tests
  std::string cache_dir;                       // GitSource checkouts
  std::chrono::milliseconds fetch_timeout{std::chrono::seconds(120)};
  std::function<clock::TimePoint()> now = [] { return clock::Now(); };
};

class GitRepositoryReconciler {
 public:
  explicit GitRepositoryReconciler(GitOpsDeps deps);

  Status Reconcile(const runtime::Request& req, runtime::Result* result);
  // Kills git commands in flight so the controller's Stop() does not wait
  // for a slow fetch; later passes fail fast. Call before stopping it.
  void StopFetches() { source_.Cancel(); }

 private:
  struct Pass;
  struct Outcome;

  void Sync(Pass& p, Outcome* o);
  // Adds or removes the prune finalizer to match spec.prune.
  Status SyncFinalizer(Pass& p);
  // The object is being deleted: prune its inventory if it asks for that.
  Status Finalize(Pass& p, runtime::Result* result);
  Status WriteStatus(Pass& p, json::Value& status);
  void Event(const json::Value& obj, const char* type, const char* reason, const std::string& msg);
  void Forget(const std::string& key);

  GitOpsDeps deps_;
  GitSource source_;
  const schema::ResourceInfo* kind_ = nullptr;

  std::mutex mu_;
  struct Schedule {
    clock::TimePoint next;
    int failures = 0;
  };
  std::map<std::string, Schedule> schedule_;  // by "ns/name"
};

}  // namespace dw::gitops
