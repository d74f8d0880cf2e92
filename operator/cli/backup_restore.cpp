// `dockward backup restore`: creates a Restore object (the Restore
// reconciler streams the artifact into the container) and, with --wait,
// follows it to its end.
#include "operator/cli/backup.h"
#include "operator/cli/backup_progress.h"
#include "reconcilers/backup/contract.h"

namespace dw::cli {

namespace {

std::string RestoreManifest(const Env& env, const BackupRestoreOptions& o) {
  json::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  json::SetString(d, "apiVersion", backup::kGroupVersion, a);
  json::SetString(d, "kind", "Restore", a);
  json::Value& md = json::EnsureObject(d, "metadata", a);
  json::SetString(md, "generateName", "restore-", a);
  json::SetString(md, "namespace", env.ns, a);
  json::Value& spec = json::EnsureObject(d, "spec", a);
  auto set_if = [&](const char* key, const std::string& v) {
    if (!v.empty()) json::SetString(spec, key, v, a);
  };
  set_if("backupName", o.backup);
  set_if("artifactPath", o.artifact);
  set_if("container", o.container);
  set_if("host", o.host);
  set_if("database", o.database);
  set_if("policyName", o.policy);
  return json::Serialize(d);
}

}  // namespace

Status RunBackupRestore(Env& env, const BackupRestoreOptions& o, int* exit_code) {
  SteadyTime start = std::chrono::steady_clock::now();
  json::Document created;
  DW_RETURN_IF_ERROR(env.api->Send("POST", DockwardPath(env.ns, "restores"), RestoreManifest(env, o),
                                   "application/json", &created));
  RunView run = ViewOf(created);
  *env.out << "restore.dockward.io/" << run.name << " created\n";
  if (!o.wait) return Status::OK();
  std::vector<RunView> runs{run};
  FollowRunsRequest req;
  req.collection = DockwardPath(env.ns, "restores");
  req.selector = "fieldSelector=" + http::QueryEscape("metadata.name=" + run.name);
  if (o.timeout.count() > 0) req.deadline = start + o.timeout;
  DW_RETURN_IF_ERROR(FollowRuns(env, req, &runs));
  *env.out << "\n" << RunTable(runs);
  if (!AllSucceeded(runs)) {
    *exit_code = 1;
    return Status::Internal("error: restore " + run.name + " failed");
  }
  return Status::OK();
}

}  // namespace dw::cli
