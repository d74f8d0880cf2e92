// PluginPolicyReconciler: keeps the plugin policy and WASM packages of the
// communities a PluginPolicy names in the declared state. One pass:
//  1. parse the spec (InvalidSpec: no retry until it is edited);
//  2. read the credentials and CA Secrets (SecretError);
//  3. fetch and verify every declared package itself (PackageChecker)
//     before anything reaches a community;
//  4. per community: read policy and packages, diff; Audit reports, Enforce
//     writes the policy, installs verified packages, sets active/settings
//     (settings checked locally against the package's schema first);
//  5. write status (per community and package, conditions Ready, Drifted,
//     Degraded) and Events, once per change, not once per pass.
// The server has no push channel, so drift is found by reading it again
// every spec.intervalSeconds. A pass triggered by our own status write (or
// any event that changes neither the generation nor the sync request
// annotation) before that time touches no server. Server failures back off
// (5 s doubling to 5 min; 30 s first for refused credentials), never loop.
// Thread-safe: workers reconcile distinct keys.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "operator/common/status.h"
#include "operator/runtime/controller.h"
#include "reconcilers/pluginpolicy/deps.h"
#include "reconcilers/pluginpolicy/package_check.h"

namespace dw::pluginpolicy {

// Setting this annotation to a new value (a timestamp, say) forces a pass
// now, like Flux's reconcile.fluxcd.io/requestedAt (the same annotation
// `dockward gitops sync` writes on a GitRepository).
inline constexpr const char* kRequestedAtAnnotation = "dockward.io/sync-requested-at";

// Backoff after `failures` >= 1 consecutive failed passes.
std::chrono::milliseconds ServerBackoff(int failures, bool credentials);

class PluginPolicyReconciler {
 public:
  explicit PluginPolicyReconciler(PluginDeps deps);
  ~PluginPolicyReconciler();
  PluginPolicyReconciler(const PluginPolicyReconciler&) = delete;
  PluginPolicyReconciler& operator=(const PluginPolicyReconciler&) = delete;

  Status Reconcile(const runtime::Request& req, runtime::Result* result);

  const PackageChecker& checker() const { return checker_; }

 private:
  struct Pass;
  struct Memory;  // per policy: when the next pass is due, what was said

  Status Run(Pass& p, runtime::Result* result);
  Status LoadSecrets(Pass& p);
  void CheckPackages(Pass& p);
  void ReconcileCommunity(Pass& p, const std::string& id, const std::string& name);
  bool SyncPolicy(Pass& p, struct CommunityReport& r);
  void SyncPackages(Pass& p, struct CommunityReport& r);
  Status Finish(Pass& p, runtime::Result* result);
  Status WriteFailure(Pass& p, const std::string& reason, const std::string& message, bool degraded,
                      runtime::Result* result, bool credentials);
  Status WriteStatus(Pass& p);
  void Event(const json::Value& obj, const char* type, const std::string& reason, const std::string& msg);
  // Whether a pass must read the server now; else *wait until it is due.
  bool Due(const Pass& p, std::chrono::milliseconds* wait);
  Memory& MemoryOf(const std::string& key);  // mu_ held

  PluginDeps deps_;
  const schema::ResourceInfo* kind_ = nullptr;
  std::unique_ptr<Resolver> own_resolver_;
  PackageChecker checker_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Memory>> memory_;  // policy key
};

}  // namespace dw::pluginpolicy
