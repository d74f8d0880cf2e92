#include "operator/serve/controllers.h"

#include <sys/stat.h>
#include <unistd.h>

#include "operator/common/log.h"
#include "operator/common/metrics.h"
#include "operator/docker/api_counter.h"
#include "reconcilers/backup/backup_reconciler.h"
#include "reconcilers/backup/policy_reconciler.h"
#include "reconcilers/backup/restore_reconciler.h"
#include "reconcilers/pluginpolicy/pluginpolicy_reconciler.h"
#include "reconcilers/gitops/setup.h"
#include "reconcilers/stacklimits/stacklimits_reconciler.h"

namespace dw::serve {

namespace {

constexpr const char* kGroupVersion = "dockward.io/v1alpha1";

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

// Wraps a reconciler object's member function as a runtime::Reconciler.
template <typename R>
runtime::Reconciler Bind(R* r) {
  return [r](const runtime::Request& req, runtime::Result* res) { return r->Reconcile(req, res); };
}

}  // namespace

ControllerManager::ControllerManager(apiserver::ObjectRegistry* registry)
    : owned_client_(std::make_unique<runtime::InProcessClient>(registry)), client_(owned_client_.get()) {}

ControllerManager::ControllerManager(runtime::Client* client, std::string instance)
    : client_(client), instance_(std::move(instance)) {}

ControllerManager::~ControllerManager() { Stop(); }

Status ControllerManager::Kind(const char* kind, const schema::ResourceInfo** out) {
  *out = client_->Resolve(kGroupVersion, kind);
  if (!*out) return Status::Internal(std::string("kind ") + kind + " is not served");
  return Status::OK();
}

Status ControllerManager::Start() {
  std::lock_guard<std::mutex> g(lifecycle_mu_);
  return StartLocked();
}

Status ControllerManager::StartLocked() {
  if (stopped_) return Status::Unavailable("controllers are stopped");
  if (started_ || !controllers_.empty()) return Status::Internal("controllers can be started once");
  const schema::ResourceInfo* events = client_->Resolve("v1", "Event");
  if (!events) return Status::Internal("kind v1 Event is not served");
  recorder_ = std::make_unique<runtime::EventRecorder>(
      client_, *events, runtime::EventRecorderOptions{"dockward", instance_.empty() ? HostName() : instance_});
  started_ = true;  // from here on Stop() has something to undo
  Status st = AddDockerHostController();
  if (st.ok()) st = AddBackupControllers();
  if (st.ok()) st = AddStackLimitsController();
  if (st.ok()) st = AddPluginPolicyController();
  if (st.ok()) st = AddGitOpsController();
  for (size_t i = 0; st.ok() && i < controllers_.size(); ++i) {
    st = controllers_[i]->Start();
    if (!st.ok()) st = Status(st.code(), "controller " + controllers_[i]->name() + ": " + st.message());
  }
  if (!st.ok()) {
    StopLocked();
    return st;
  }
  log::Info("controllers started", {{"count", std::to_string(controllers_.size())}});
  return Status::OK();
}

Status ControllerManager::AddDockerHostController() {
  const schema::ResourceInfo* kind;
  DW_RETURN_IF_ERROR(Kind("DockerHost", &kind));
  hosts_rec_ = std::make_unique<dockerhost::DockerHostReconciler>(client_, recorder_.get(), &hosts_,
                                                                  [] { return clock::Now(); });
  runtime::ControllerOptions o;
  o.name = "dockerhost";
  auto c = std::make_unique<runtime::Controller>(client_, *kind, Bind(hosts_rec_.get()), o);
  runtime::Controller* ctl = c.get();
  hosts_rec_->WatchDaemons([ctl](const runtime::Request& req) { ctl->Enqueue(req); });
  controllers_.push_back(std::move(c));
  return Status::OK();
}

Status ControllerManager::AddBackupControllers() {
  const schema::ResourceInfo *policies, *backups, *restores;
  DW_RETURN_IF_ERROR(Kind("BackupPolicy", &policies));
  DW_RETURN_IF_ERROR(Kind("Backup", &backups));
  DW_RETURN_IF_ERROR(Kind("Restore", &restores));
  backup::BackupDeps deps;
  deps.client = client_;
  deps.recorder = recorder_.get();
  deps.hosts = &hosts_;

  policy_rec_ = std::make_unique<backup::BackupPolicyReconciler>(deps);
  runtime::ControllerOptions po;
  po.name = "backuppolicy";
  po.workers = 2;
  po.resync = std::chrono::minutes(5);
  auto pc = std::make_unique<runtime::Controller>(client_, *policies, Bind(policy_rec_.get()), po);
  pc->Owns(*backups);
  runtime::Controller* policy_ctl = pc.get();
  // A host that comes back (or goes away, or changes) changes what every
  // policy of its namespace can do right now; the informer cache is cheap.
  hosts_.OnChange([policy_ctl](const std::string& ns, const std::string&) {
    for (const auto& p : policy_ctl->primary_informer().List({}, ns)) policy_ctl->Enqueue({ns, runtime::NameOf(*p)});
  });
  controllers_.push_back(std::move(pc));

  backup_rec_ = std::make_unique<backup::BackupReconciler>(deps);
  runtime::ControllerOptions bo;
  bo.name = "backup";
  bo.workers = 4;
  controllers_.push_back(std::make_unique<runtime::Controller>(client_, *backups, Bind(backup_rec_.get()), bo));

  restore_rec_ = std::make_unique<backup::RestoreReconciler>(deps);
  runtime::ControllerOptions ro;
  ro.name = "restore";
  ro.workers = 2;
  controllers_.push_back(std::make_unique<runtime::Controller>(client_, *restores, Bind(restore_rec_.get()), ro));
  return Status::OK();
}

Status ControllerManager::AddStackLimitsController() {
  const schema::ResourceInfo* kind;
  DW_RETURN_IF_ERROR(Kind("StackLimits", &kind));
  stacklimits::StackDeps deps;
  deps.client = client_;
  deps.recorder = recorder_.get();
  deps.hosts = &hosts_;
  stacklimits_rec_ = std::make_unique<stacklimits::StackLimitsReconciler>(deps);
  runtime::ControllerOptions o;
  o.name = "stacklimits";
  o.workers = 2;
  o.resync = std::chrono::minutes(5);
  auto c = std::make_unique<runtime::Controller>(client_, *kind, Bind(stacklimits_rec_.get()), o);
  runtime::Controller* ctl = c.get();
  stacklimits_rec_->WatchDaemons(ctl);
  // Listeners run on DockerHost workers, which Stop() joins before it
  // releases the reconciler, so the pointer read here is never dangling.
  hosts_.OnChange([this, ctl](const std::string& ns, const std::string& name) {
    if (stacklimits_rec_) stacklimits_rec_->OnHostChange(ns, name);
    for (const auto& p : ctl->primary_informer().List({}, ns)) ctl->Enqueue({ns, runtime::NameOf(*p)});
  });
  controllers_.push_back(std::move(c));
  // A process-wide count kept by DockerClient (the scale benchmark reads it).
  metrics::Default().AddCallbackCounter("dockward_docker_api_requests_total",
                                      "Docker Engine API requests sent since start (all hosts).",
                                      [] { return static_cast<double>(docker::ApiRequestCount()); });
  return Status::OK();
}

Status ControllerManager::AddPluginPolicyController() {
  const schema::ResourceInfo* kind;
  DW_RETURN_IF_ERROR(Kind("PluginPolicy", &kind));
  pluginpolicy::PluginDeps deps;
  deps.client = client_;
  deps.recorder = recorder_.get();
  if (!state_dir_.empty()) {
    // Where operators put bundles for `artifact` packages; nothing else on
    // the host is readable through a PluginPolicy.
    deps.artifact_root = state_dir_ + "/plugin-artifacts";
    ::mkdir(deps.artifact_root.c_str(), 0700);  // EEXIST is fine; a failure shows in the package's status
  }
  pluginpolicy_rec_ = std::make_unique<pluginpolicy::PluginPolicyReconciler>(deps);
  runtime::ControllerOptions o;
  o.name = "pluginpolicy";
  o.workers = 2;
  controllers_.push_back(std::make_unique<runtime::Controller>(client_, *kind, Bind(pluginpolicy_rec_.get()), o));
  return Status::OK();
}

Status ControllerManager::AddGitOpsController() {
  gitops::GitOpsController g;
  DW_RETURN_IF_ERROR(gitops::NewGitOpsController(client_, recorder_.get(),
                                                 state_dir_.empty() ? "" : state_dir_ + "/gitops", &g));
  gitops_rec_ = std::move(g.reconciler);
  controllers_.push_back(std::move(g.controller));
  return Status::OK();
}

void ControllerManager::Stop() {
  std::lock_guard<std::mutex> g(lifecycle_mu_);
  StopLocked();
}

void ControllerManager::StopLocked() {
  stopped_ = true;
  if (!started_) return;
  started_ = false;
  // Watchers first: their callbacks enqueue into the DockerHost controller.
  if (hosts_rec_) hosts_rec_->StopWatchers();
  if (stacklimits_rec_) stacklimits_rec_->StopWatchers();
  if (gitops_rec_) gitops_rec_->StopFetches();  // a slow fetch must not hold up shutdown
  for (auto it = controllers_.rbegin(); it != controllers_.rend(); ++it) (*it)->Stop();
  // Reconcilers with runs of their own cancel and join them here, while the
  // store is still open for their last status writes.
  gitops_rec_.reset();
  pluginpolicy_rec_.reset();
  stacklimits_rec_.reset();
  restore_rec_.reset();
  backup_rec_.reset();
  policy_rec_.reset();
  hosts_rec_.reset();
  if (recorder_) recorder_->Flush(std::chrono::seconds(5));
  recorder_.reset();
  // controllers_ stay (stopped) until destruction: the HostRegistry listener
  // still points at the policy controller, whose stopped queue ignores adds.
  log::Info("controllers stopped");
}

}  // namespace dw::serve
