#include "reconcilers/backup/restore_reconciler.h"

#include <utility>

#include "operator/runtime/finalizers.h"
#include "reconcilers/backup/artifact_metadata.h"
#include "reconcilers/backup/contract.h"
#include "reconcilers/backup/engine_registry.h"
#include "reconcilers/backup/run_retry.h"
#include "reconcilers/backup/target_labels.h"

namespace dw::backup {

namespace {

constexpr const char* kInterruptedMessage = "dockward stopped while the run was in progress";
constexpr int kDefaultSlotLimit = 2;  // PolicySpec's default, for artifacts without a policy

}  // namespace

struct RestoreReconciler::RunInput {
  std::string ns, name, uid;
  RestoreSpec spec;
  std::string artifact_path;
  std::optional<PolicySpec> policy;
  std::string policy_name;
  clock::TimePoint start;
  std::shared_ptr<dockerhost::HostRegistry::Slot> slot;
};

RestoreReconciler::RestoreReconciler(const BackupDeps& deps, RunOptions opts)
    : RunLifecycle(deps, std::move(opts), "Restore") {
  if (deps_.client) backups_ = deps_.client->Resolve(std::string(kGroupVersion), "Backup");
}

RestoreReconciler::~RestoreReconciler() { tracker_.Shutdown(); }

Status RestoreReconciler::Admit(json::Document& obj) {
  DW_RETURN_IF_ERROR(EnsureFinalizer(obj));
  RestoreSpec spec;
  Status st = ParseRestoreSpec(obj, &spec);
  if (!st.ok()) return FailNow(obj, "InvalidSpec", st.message());
  return MarkPending(obj);
}

Status RestoreReconciler::ResolveSource(const RestoreSpec& spec, const std::string& ns, RunInput* in,
                                        std::string* fail_reason, std::string* wait) {
  in->artifact_path = spec.artifact_path;
  in->policy_name = spec.policy_name;
  if (!spec.backup_name.empty()) {
    json::Document backup;
    Status st = deps_.client->Get(*backups_, ns, spec.backup_name, &backup);
    if (st.IsNotFound()) {
      *fail_reason = "BackupNotFound";
      return Status::NotFound("Backup " + ns + "/" + spec.backup_name + " not found");
    }
    DW_RETURN_IF_ERROR(st);
    const std::string phase = json::GetStringPath(backup, "status.phase");
    if (phase != kPhaseSucceeded && phase != kPhaseFailed) {
      *wait = "waiting for Backup " + spec.backup_name + " to finish";
      return Status::OK();
    }
    in->artifact_path = json::GetStringPath(backup, "status.path");
    const json::Value* bspec = json::Find(backup, "spec");
    const bool dry_run = bspec != nullptr && json::GetBool(*bspec, "dryRun");
    if (phase != kPhaseSucceeded || dry_run || in->artifact_path.empty()) {
      *fail_reason = "BackupNotReady";
      return Status::Invalid("Backup " + spec.backup_name + " has no artifact (phase " + phase +
                             (dry_run ? ", dry run)" : ")"));
    }
    if (in->policy_name.empty()) in->policy_name = json::GetStringPath(backup, "spec.policyName");
  }
  if (!in->policy_name.empty()) {
    PolicySpec policy;
    Status st = LoadPolicy(deps_.client, ns, in->policy_name, &policy);
    if (!st.ok()) {
      *fail_reason = st.IsNotFound() ? "PolicyNotFound" : "InvalidPolicy";
      return st;
    }
    in->policy = std::move(policy);
  }
  return Status::OK();
}

Status RestoreReconciler::Start(json::Document& obj, runtime::Result* result) {
  const std::string ns = runtime::NamespaceOf(obj), key = runtime::KeyOf(obj);
  if (tracker_.Knows(key, runtime::UidOf(obj))) return Status::OK();
  if (tracker_.Live(key)) {
    result->requeue_after = std::chrono::seconds(1);
    return Status::OK();
  }
  auto in = std::make_shared<RunInput>();
  in->ns = ns;
  in->name = runtime::NameOf(obj);
  in->uid = runtime::UidOf(obj);
  Status st = ParseRestoreSpec(obj, &in->spec);
  if (!st.ok()) return FailNow(obj, "InvalidSpec", st.message());
  std::string fail_reason, wait;
  st = ResolveSource(in->spec, ns, in.get(), &fail_reason, &wait);
  if (!st.ok() && !fail_reason.empty()) return FailNow(obj, fail_reason, st.message());
  DW_RETURN_IF_ERROR(st);
  if (!wait.empty()) {
    result->requeue_after = std::chrono::seconds(10);
    return Writer(obj).Edit([&](json::Value& s, json::Allocator& a) { return SetIfChanged(s, "message", wait, a); });
  }
  const int limit = in->policy ? in->policy->max_concurrent_per_host : kDefaultSlotLimit;
  in->slot = std::make_shared<dockerhost::HostRegistry::Slot>();
  if (!deps_.hosts->TryAcquire(ns, in->spec.host, limit, in->slot.get())) {
    const std::string msg = "waiting for a free slot on host " + in->spec.host + " (" +
                            std::to_string(deps_.hosts->InUse(ns, in->spec.host)) + " running)";
    result->requeue_after = opts_.slot_requeue;
    return Writer(obj).Edit([&](json::Value& s, json::Allocator& a) { return SetIfChanged(s, "message", msg, a); });
  }
  in->start = deps_.now();
  DW_RETURN_IF_ERROR(Writer(obj).Edit([&](json::Value& s, json::Allocator& a) {
    json::SetString(s, "phase", kPhaseRunning, a);
    json::SetString(s, "startTime", clock::Rfc3339(in->start), a);
    json::SetString(s, "path", in->artifact_path, a);
    json::SetInt(s, "attempts", 0, a);
    json::SetString(s, "message", "starting", a);
    json::Remove(s, "reason");
    return true;
  }));
  tracker_.Start(key, in->uid, [this, in](RunContext& ctx) { Run(ctx, *in); });
  return Status::OK();
}

Status RestoreReconciler::Observe(json::Document& obj) {
  bool owned = false;
  DW_RETURN_IF_ERROR(RunOwned(obj, &owned));
  if (owned) return Status::OK();
  // A restore writes only into the container, never next to the artifact:
  // there is no temp file of ours to sweep.
  return FailNow(obj, "Interrupted", kInterruptedMessage);
}

Status RestoreReconciler::RunOnce(RunContext& ctx, const RunInput& in, const RunControl& control,
                                  int attempt, RestoreJob* job, RestoreOutcome* outcome) {
  const RestoreSpec& spec = in.spec;
  *job = RestoreJob{};
  job->artifact_path = in.artifact_path;
  Status st = ReadMetadataFile(in.artifact_path + ".json", &job->metadata);
  // A sidecar that is there but does not parse is damage, like a bad checksum.
  if (!st.ok() && !st.IsNotFound() && st.code() != Code::kIOError) return Status::Corruption(st.message());
  DW_RETURN_IF_ERROR(st);
  const std::string engine_name = spec.engine.empty() ? job->metadata.engine : spec.engine;
  DW_RETURN_IF_ERROR(LookupEngine(engine_name, &job->engine));
  std::string database = spec.database;
  if (database.empty() && !job->metadata.databases.empty()) database = job->metadata.databases[0];
  const bool sqlite = job->engine->name() == "sqlite";
  // SQLite has no databases inside a file: the file path is the database.
  if (sqlite) database.clear();

  std::unique_ptr<docker::DockerClient> docker;
  DW_RETURN_IF_ERROR(deps_.hosts->NewClient(in.ns, spec.host, &docker));
  std::map<std::string, std::string> labels;
  DW_RETURN_IF_ERROR(opts_.inspect_labels(*docker, spec.container, &labels));
  if (sqlite) {
    // The file to restore into: spec.database when it is a path, else the
    // target's own path label, else the path the backup was taken from (the
    // sidecar records it), so a fresh unlabelled container works as well.
    const std::string p(in.policy && !in.policy->label_prefix.empty() ? in.policy->label_prefix
                                                                       : kDefaultLabelPrefix);
    if (!spec.database.empty() && spec.database[0] == '/')
      labels[p + "path"] = spec.database;
    else if (!labels.count(p + "path") && !job->metadata.databases.empty())
      labels[p + "path"] = job->metadata.databases[0];
  }
  ParsedTarget parsed;
  DW_RETURN_IF_ERROR(MergeTarget(labels, in.policy ? in.policy->label_prefix : "", std::string(job->engine->name()),
                                 database.empty() ? std::vector<std::string>{} : std::vector<std::string>{database},
                                 &parsed));
  job->target = parsed.target;
  if (database.empty() && job->engine->name() != "sqlite") {
    job->target.databases.clear();
    job->target.all_databases = true;
  }
  DW_RETURN_IF_ERROR(ReadCredentials(deps_.client, in.ns, parsed.target.credentials_secret, &job->credentials));
  if (job->metadata.encryption != kEncryptionNone) {
    if (!in.policy || !in.policy->encryption_key)
      return Status::Invalid("the artifact is encrypted (key id " + job->metadata.key_id +
                             "): name the BackupPolicy holding its key in spec.policyName");
    DW_RETURN_IF_ERROR(ReadEncryptionKey(deps_.client, in.ns, *in.policy, &job->key));
  }
  job->container = spec.container;
  job->timeout = in.policy ? in.policy->timeout : std::chrono::seconds(3600);
  return opts_.run_restore(*docker, *job, control, outcome);
}

void RestoreReconciler::Run(RunContext& ctx, const RunInput& in) {
  StatusWriter w(deps_.client, *runs_, in.ns, in.name, in.uid);
  RunControl control;
  control.cancel = &ctx.cancel_flag();
  control.progress_interval = opts_.progress_interval;
  control.on_progress = [&](const RunProgress& p) {
    w.Edit([&](json::Value& s, json::Allocator& a) {
      ApplyProgress(s, a, p.bytes, p.bytes_per_second);
      return true;
    });
  };
  RestoreJob job;
  RestoreOutcome outcome;
  int attempts = 0;
  const int total = in.policy ? in.policy->retry_attempts : 1;
  const auto backoff = in.policy ? in.policy->retry_backoff : std::chrono::seconds(10);
  Status st = RunWithRetries(
      ctx, total, backoff,
      [&](int attempt) {
        attempts = attempt;
        w.Edit([&](json::Value& s, json::Allocator& a) {
          json::SetInt(s, "attempts", attempt, a);
          return true;
        });
        return RunOnce(ctx, in, control, attempt, &job, &outcome);
      },
      [&](int failed, const Status& err, std::chrono::milliseconds delay) {
        std::string msg = "attempt " + std::to_string(failed) + " of " + std::to_string(total) +
                          " failed: " + err.message() + "; retrying in " +
                          clock::HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(delay));
        json::Document obj;
        if (w.Edit([&](json::Value& s, json::Allocator& a) { return SetIfChanged(s, "message", msg, a); }, &obj).ok())
          Record(obj, "Warning", "RetryingAfterError", msg);
      });
  *in.slot = dockerhost::HostRegistry::Slot();

  RunResult r;
  if (st.ok()) {
    r.phase = kPhaseSucceeded;
    r.message = "restored " + std::to_string(outcome.bytes) + " bytes into container " + in.spec.container;
    if (!job.target.databases.empty()) r.message += " database " + job.target.databases[0];
    if (!outcome.note.empty()) r.message += "; note: " + outcome.note;
  } else {
    r.phase = kPhaseFailed;
    r.reason = FailureReason(st, ctx.cancelled(), ctx.shutting_down(), "RestoreFailed");
    if (r.reason == "NotFound") r.reason = "ArtifactNotFound";
    r.message = ctx.shutting_down() ? kInterruptedMessage
                                    : (ctx.cancelled() ? "cancelled: the Restore is being deleted" : st.message());
    if (attempts > 1) r.message += " (after " + std::to_string(attempts) + " attempts)";
  }
  const auto now = deps_.now();
  json::Document written;
  Status ws = w.Edit(
      [&](json::Value& s, json::Allocator& a) {
        ApplyTerminal(s, a, r, now);
        if (st.ok()) {
          json::SetInt(s, "bytes", static_cast<int64_t>(outcome.bytes), a);
          json::SetInt(s, "sizeBytes", static_cast<int64_t>(job.metadata.artifact_bytes), a);
          if (!job.metadata.artifact_sha256.empty())
            json::SetString(s, "sha256", job.metadata.artifact_sha256, a);
        }
        return true;
      },
      &written);
  if (!ws.ok()) return;
  Record(written, st.ok() ? "Normal" : "Warning", st.ok() ? "RestoreSucceeded" : "RestoreFailed",
         r.reason.empty() ? r.message : r.reason + ": " + r.message);
}

}  // namespace dw::backup
