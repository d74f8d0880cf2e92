#include "reconcilers/gitops/setup.h"

namespace dw::gitops {

Status NewGitOpsController(runtime::Client* client, runtime::EventRecorder* recorder, std::string cache_dir,
                           GitOpsController* out) {
  const schema::ResourceInfo* kind = client->Resolve("dockward.io/v1alpha1", "GitRepository");
  if (!kind) return Status::Internal("kind GitRepository is not served");
  GitOpsDeps deps;
  deps.client = client;
  deps.recorder = recorder;
  deps.cache_dir = cache_dir;
  out->reconciler = std::make_unique<GitRepositoryReconciler>(deps);
  runtime::ControllerOptions o;
  o.name = "gitrepository";
  o.workers = 2;
  o.resync = std::chrono::minutes(10);
  GitRepositoryReconciler* rec = out->reconciler.get();
  out->controller = std::make_unique<runtime::Controller>(
      client, *kind, [rec](const runtime::Request& req, runtime::Result* res) { return rec->Reconcile(req, res); },
      o);
  return Status::OK();
}

}  // namespace dw::gitops
