// ControllerManager: the server-side control loops of `dockward serve`. It
// owns everything the reconcilers share — the Client (an InProcessClient over
// the ObjectRegistry, or an injected one such as the RestClient of
// `serve --kubeconfig`), one EventRecorder (component "dockward", instance
// the host name or the given replica name), the HostRegistry —
// and one runtime::Controller per kind:
//   DockerHost    1 worker; a per-host Docker event watcher enqueues it when
//                 the daemon disconnects or comes back
//   BackupPolicy  2 workers, Owns Backup, resync 5 min; a HostRegistry change
//                 enqueues every policy of that namespace
//   Backup        4 workers
//   Restore       2 workers
//   StackLimits   2 workers, resync 5 min (a safety net: Docker events drive
//                 it); one container event watcher per DockerHost in use; a
//                 HostRegistry change enqueues every policy of that namespace
//   PluginPolicy  2 workers; no watch on the community server exists, so the
//                 reconciler requeues itself every spec.intervalSeconds
// Start() after the API handler is ready; Stop() before the store closes: it
// stops the watchers, then the controllers (no new reconciles), then the
// reconcilers (in-flight runs are cancelled and joined), then flushes events.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "operator/apiserver/object_registry.h"
#include "operator/common/status.h"
#include "operator/runtime/controller.h"
#include "operator/runtime/event_recorder.h"
#include "operator/runtime/inprocess_client.h"
#include "reconcilers/dockerhost/dockerhost_reconciler.h"
#include "reconcilers/dockerhost/host_registry.h"

namespace dw::backup {
class BackupPolicyReconciler;
class BackupReconciler;
class RestoreReconciler;
}  // namespace dw::backup

namespace dw::stacklimits {
class StackLimitsReconciler;
}  // namespace dw::stacklimits

namespace dw::pluginpolicy {
class PluginPolicyReconciler;
}  // namespace dw::pluginpolicy

namespace dw::gitops {
class GitRepositoryReconciler;
}  // namespace dw::gitops

namespace dw::serve {

class ControllerManager {
 public:
  // Embedded mode: an InProcessClient over `registry`.
  explicit ControllerManager(apiserver::ObjectRegistry* registry);
  // Any Client (not owned; outlives the manager). `instance` is the Events'
  // reportingInstance (default: the host name).
  explicit ControllerManager(runtime::Client* client, std::string instance = "");
  ~ControllerManager();  // Stop()
  ControllerManager(const ControllerManager&) = delete;
  ControllerManager& operator=(const ControllerManager&) = delete;

  // Builds and starts every controller; on error nothing is left running.
  // Once per manager (a stopped manager is not restarted).
  // Start and Stop may race (leader election starts on one thread and stops
  // on another): they are serialized, and a Stop() that comes first wins —
  // the Start() after it fails and starts nothing.
  Status Start();
  // Idempotent. Waits for a Start() in progress.
  void Stop();

  dockerhost::HostRegistry& hosts() { return hosts_; }
  runtime::Client& client() { return *client_; }
  // Before Start(): where controllers keep local state (GitOps checkouts
  // under DIR/gitops, reused across restarts). Empty: a temp dir.
  void set_state_dir(std::string dir) { state_dir_ = std::move(dir); }

 private:
  Status StartLocked();
  void StopLocked();
  Status AddDockerHostController();
  // The BackupPolicy, Backup and Restore controllers.
  Status AddBackupControllers();
  // The StackLimits controller, its Docker event routing and the
  // dockward_docker_api_requests metric.
  Status AddStackLimitsController();
  Status AddPluginPolicyController();
  // GitRepository: reconcilers/gitops/setup.h (checkouts under state_dir_/gitops).
  Status AddGitOpsController();
  // Resolves a served kind or fails naming it.
  Status Kind(const char* kind, const schema::ResourceInfo** out);

  std::unique_ptr<runtime::Client> owned_client_;  // embedded mode
  runtime::Client* client_;
  std::string instance_;
  std::string state_dir_;
  dockerhost::HostRegistry hosts_;
  std::unique_ptr<runtime::EventRecorder> recorder_;
  std::unique_ptr<dockerhost::DockerHostReconciler> hosts_rec_;
  std::unique_ptr<backup::BackupPolicyReconciler> policy_rec_;
  std::unique_ptr<backup::BackupReconciler> backup_rec_;
  std::unique_ptr<backup::RestoreReconciler> restore_rec_;
  std::unique_ptr<stacklimits::StackLimitsReconciler> stacklimits_rec_;
  std::unique_ptr<pluginpolicy::PluginPolicyReconciler> pluginpolicy_rec_;
  std::unique_ptr<gitops::GitRepositoryReconciler> gitops_rec_;
  std::vector<std::unique_ptr<runtime::Controller>> controllers_;  // in start order
  std::mutex lifecycle_mu_;  // held by Start() and Stop()
  bool started_ = false;
  bool stopped_ = false;  // Stop() was called: Start() refuses
};

}  // namespace dw::serve
