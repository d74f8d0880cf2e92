// StackLimitsReconciler: one pass per StackLimits, level-triggered and
// idempotent. A pass reads the policy, lists the host's containers once,
// inspects only those whose cached inspect an event invalidated, evaluates
// the rules, and then by mode:
//   Audit      reports;
//   Enforce    fixes what `docker update` can (Event Enforced/EnforceFailed),
//              recreates what it cannot when allowRecreate (Recreated), else
//              says NeedsRecreate once per (container, rule); the changed
//              containers are re-inspected so status shows the fixed state;
//   Recommend  samples usage streams (never writes to Docker) and proposes
//              limits when a service's window completes (Recommended).
// Status is written only when it changed, so our own `update` event (and any
// quiet resync) costs a list and no write. ViolationsFound is a Warning only
// when the open violation set grows.
//
// Condition reasons: Ready=False InvalidSpec (no requeue until the spec
// changes), HostNotFound / HostUnavailable (requeue with backoff 2 s..60 s).
// Secret values never reach events, status or logs: findings carry names.
//
// Thread-safe: the Controller runs several workers over distinct keys; the
// inspect cache of a host is shared by the policies on it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "operator/common/status.h"
#include "operator/runtime/controller.h"
#include "reconcilers/stacklimits/deps.h"
#include "reconcilers/stacklimits/event_router.h"
#include "reconcilers/stacklimits/inspect_cache.h"
#include "reconcilers/stacklimits/stack_status.h"
#include "reconcilers/stacklimits/stats_sampler.h"

namespace dw::stacklimits {

inline constexpr std::chrono::seconds kHostBackoffFirst{2};
inline constexpr std::chrono::seconds kHostBackoffMax{60};
// Recommend mode saves partial peaks at least this often.
inline constexpr std::chrono::seconds kRecommendSaveEvery{30};

// 2 s, 4 s, 8 s ... capped at 60 s, for `failures` >= 1 consecutive failures.
std::chrono::milliseconds HostBackoff(int failures);

class StackLimitsReconciler {
 public:
  explicit StackLimitsReconciler(StackDeps deps);
  ~StackLimitsReconciler();  // StopWatchers()
  StackLimitsReconciler(const StackLimitsReconciler&) = delete;
  StackLimitsReconciler& operator=(const StackLimitsReconciler&) = delete;

  Status Reconcile(const runtime::Request& req, runtime::Result* result);

  // Routes Docker events of the hosts in use to `controller` (Enqueue) and
  // reads its primary informer to find the policies. Before Start.
  void WatchDaemons(runtime::Controller* controller);
  // A DockerHost's configuration or reachability changed (HostRegistry
  // OnChange): drop its watcher if the configuration is no longer current;
  // the next pass starts a new one and resyncs.
  void OnHostChange(const std::string& ns, const std::string& host);
  // Stops event watchers and usage streams; no callback runs afterwards.
  void StopWatchers();
  size_t watcher_count() const { return router_ ? router_->watcher_count() : 0; }

 private:
  struct Pass;

  Status Observe(Pass& p);
  Status InspectInto(Pass& p, const std::string& id, bool fresh);
  void Enforce(Pass& p);
  void EnforceLive(Pass& p, const CachedContainer& c, const std::vector<Finding>& own);
  void EnforceRecreate(Pass& p, const CachedContainer& c, const std::vector<Finding>& own);
  void Recommend(Pass& p, runtime::Result* result);
  Status WriteAudit(Pass& p);
  Status WriteNotReady(Pass& p, const std::string& reason, const std::string& message);
  Status WriteStatusIfChanged(Pass& p, json::Value& status);
  void NoteViolations(Pass& p);
  void Forget(const std::string& key);
  std::shared_ptr<InspectCache> CacheFor(const std::string& host_key);
  std::chrono::milliseconds NextHostBackoff(const std::string& key, bool failing);
  void Event(const json::Value& obj, const char* type, const char* reason, const std::string& msg);
  void OnContainerEvent(const std::string& host_key, const docker::Event& e);

  StackDeps deps_;
  const schema::ResourceInfo* kind_ = nullptr;
  std::unique_ptr<EventRouter> router_;  // set by WatchDaemons
  StatsSampler sampler_;

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<InspectCache>> caches_;  // "ns/host"
  std::map<std::string, int> host_failures_;                      // policy key
  // Per policy key: what was already said, so events are not repeated.
  std::map<std::string, std::set<std::string>> needs_recreate_said_;  // "container/rule"
  std::map<std::string, std::set<std::string>> unsafe_said_;          // "container/what"
  std::map<std::string, std::set<std::string>> open_violations_;      // finding keys
  std::map<std::string, std::set<std::string>> recommended_said_;     // service keys
  std::map<std::string, std::map<std::string, Enforcement>> last_enforcement_;
};

}  // namespace dw::stacklimits
