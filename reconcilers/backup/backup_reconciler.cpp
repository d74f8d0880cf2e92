#include "reconcilers/backup/backup_reconciler.h"

#include <filesystem>
#include <utility>

#include "operator/runtime/conditions.h"
#include "operator/runtime/finalizers.h"
#include "reconcilers/backup/atomic_file_sink.h"
#include "reconcilers/backup/contract.h"
#include "reconcilers/backup/run_retry.h"

namespace dw::backup {

namespace {

constexpr const char* kInterruptedMessage = "dockward stopped while the run was in progress";

std::string Plural(uint64_t n, const char* unit) {
  return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

WebhookPayload PayloadOf(const json::Value& obj) {
  WebhookPayload p;
  p.policy = json::GetStringPath(obj, "spec.policyName");
  p.backup = runtime::NameOf(obj);
  p.ns = runtime::NamespaceOf(obj);
  p.host = json::GetStringPath(obj, "spec.host");
  p.container = json::GetStringPath(obj, "spec.container");
  if (const json::Value* s = json::Find(obj, "status")) {
    p.phase = json::GetString(*s, "phase");
    p.reason = json::GetString(*s, "reason");
    p.message = json::GetString(*s, "message");
    p.path = json::GetString(*s, "path");
    p.sha256 = json::GetString(*s, "sha256");
    p.size_bytes = static_cast<uint64_t>(json::GetInt(*s, "sizeBytes"));
    p.start_time = json::GetString(*s, "startTime");
    p.completion_time = json::GetString(*s, "completionTime");
  }
  return p;
}

std::string ParentDir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos || slash == 0 ? "" : path.substr(0, slash);
}

}  // namespace

// Everything a run's thread needs, copied so the thread owns it.
struct BackupReconciler::RunInput {
  std::string ns, name, uid;
  BackupSpec spec;
  PolicySpec policy;
  clock::TimePoint start;
  std::shared_ptr<dockerhost::HostRegistry::Slot> slot;
};

BackupReconciler::BackupReconciler(const BackupDeps& deps, RunOptions opts)
    : RunLifecycle(deps, std::move(opts), "Backup") {}

BackupReconciler::~BackupReconciler() { tracker_.Shutdown(); }

Status BackupReconciler::Admit(json::Document& obj) {
  DW_RETURN_IF_ERROR(EnsureFinalizer(obj));
  const std::string ns = runtime::NamespaceOf(obj);
  BackupSpec spec;
  Status st = ParseBackupSpec(obj, &spec);
  if (!st.ok()) return FailNow(obj, "InvalidSpec", st.message());
  PolicySpec policy;
  st = LoadPolicy(deps_.client, ns, spec.policy_name, &policy);
  if (st.IsNotFound()) return FailNow(obj, "PolicyNotFound", st.message());
  if (st.code() == Code::kInvalid) return FailNow(obj, "InvalidPolicy", st.message());
  DW_RETURN_IF_ERROR(st);
  return MarkPending(obj);
}

Status BackupReconciler::Start(json::Document& obj, runtime::Result* result) {
  const std::string ns = runtime::NamespaceOf(obj), key = runtime::KeyOf(obj);
  if (tracker_.Knows(key, runtime::UidOf(obj))) return Status::OK();  // our Running write is in flight
  if (tracker_.Live(key)) {  // a run of an earlier object of this name is still ending
    result->requeue_after = std::chrono::seconds(1);
    return Status::OK();
  }
  auto in = std::make_shared<RunInput>();
  in->ns = ns;
  in->name = runtime::NameOf(obj);
  in->uid = runtime::UidOf(obj);
  Status st = ParseBackupSpec(obj, &in->spec);
  if (!st.ok()) return FailNow(obj, "InvalidSpec", st.message());
  st = LoadPolicy(deps_.client, ns, in->spec.policy_name, &in->policy);
  if (st.IsNotFound()) return FailNow(obj, "PolicyNotFound", st.message());
  if (st.code() == Code::kInvalid) return FailNow(obj, "InvalidPolicy", st.message());
  DW_RETURN_IF_ERROR(st);

  in->slot = std::make_shared<dockerhost::HostRegistry::Slot>();
  if (!in->spec.dry_run &&
      !deps_.hosts->TryAcquire(ns, in->spec.host, in->policy.max_concurrent_per_host, in->slot.get())) {
    const std::string msg = "waiting for a free slot on host " + in->spec.host + " (" +
                            std::to_string(deps_.hosts->InUse(ns, in->spec.host)) + " running)";
    result->requeue_after = opts_.slot_requeue;
    return Writer(obj).Edit([&](json::Value& s, json::Allocator& a) { return SetIfChanged(s, "message", msg, a); });
  }
  in->start = deps_.now();
  DW_RETURN_IF_ERROR(Writer(obj).Edit([&](json::Value& s, json::Allocator& a) {
    json::SetString(s, "phase", kPhaseRunning, a);
    json::SetString(s, "startTime", clock::Rfc3339(in->start), a);
    json::SetInt(s, "attempts", 0, a);
    json::SetString(s, "message", in->spec.dry_run ? "resolving the target (dry run)" : "starting", a);
    json::Remove(s, "reason");
    return true;
  }));
  tracker_.Start(key, in->uid, [this, in](RunContext& ctx) { Run(ctx, *in); });
  return Status::OK();
}

Status BackupReconciler::Observe(json::Document& obj) {
  bool owned = false;
  DW_RETURN_IF_ERROR(RunOwned(obj, &owned));
  if (owned) return Status::OK();
  const std::string key = runtime::KeyOf(obj), uid = runtime::UidOf(obj);
  // Running, and no run of this process: dockward stopped mid-run. Its
  // temp file is swept unless a run of this process already writes there
  // (then the first sweep of the directory removed it).
  const std::string path = json::GetStringPath(obj, "status.path");
  if (!path.empty()) {
    const std::string dir = ParentDir(path);
    if (!dir.empty())
      tracker_.SweepOnce(dir, [](const std::string& d) { return CleanupStaleTemps(d); });
  }
  json::Document written;
  RunResult r{std::string(kPhaseFailed), "Interrupted", kInterruptedMessage};
  auto now = deps_.now();
  DW_RETURN_IF_ERROR(Writer(obj).Edit(
      [&](json::Value& s, json::Allocator& a) {
        ApplyTerminal(s, a, r, now);
        std::error_code ec;
        if (!path.empty() && !std::filesystem::exists(path, ec)) json::Remove(s, "path");
        return true;
      },
      &written));
  Record(written, "Warning", "BackupFailed", std::string("Interrupted: ") + kInterruptedMessage);
  // The webhook may take seconds: send it from a thread, never the worker.
  auto doc = std::make_shared<json::Document>();
  doc->Swap(written);
  tracker_.Start(key, uid, [this, doc](RunContext&) {
    PolicySpec policy;
    const std::string ns = runtime::NamespaceOf(*doc), pname = json::GetStringPath(*doc, "spec.policyName");
    if (LoadPolicy(deps_.client, ns, pname, &policy).ok()) Notify(ns, pname, policy, *doc, false);
  });
  return Status::OK();
}

void BackupReconciler::Run(RunContext& ctx, const RunInput& in) {
  StatusWriter w(deps_.client, *runs_, in.ns, in.name, in.uid);
  ResolvedBackup resolved;
  BackupOutcome outcome;
  std::unique_ptr<docker::DockerClient> docker;
  std::string stage = "resolve";
  int attempts = 0;
  bool path_written = false;

  RunControl control;
  control.cancel = &ctx.cancel_flag();
  control.progress_interval = opts_.progress_interval;
  control.on_progress = [&](const RunProgress& p) {
    w.Edit([&](json::Value& s, json::Allocator& a) {
      ApplyProgress(s, a, p.bytes, p.bytes_per_second);
      return true;
    });
  };

  auto once = [&](int attempt) -> Status {
    attempts = attempt;
    stage = "resolve";
    w.Edit([&](json::Value& s, json::Allocator& a) {
      json::SetInt(s, "attempts", attempt, a);
      return true;
    });
    DW_RETURN_IF_ERROR(deps_.hosts->NewClient(in.ns, in.spec.host, &docker));
    std::map<std::string, std::string> labels;
    DW_RETURN_IF_ERROR(opts_.inspect_labels(*docker, in.spec.container, &labels));
    resolved = ResolvedBackup{};
    DW_RETURN_IF_ERROR(ResolveBackup(deps_.client, in.ns, in.spec, in.policy, labels, in.start, &resolved));
    if (in.spec.dry_run) return Status::OK();
    if (!path_written) {
      const std::string path = resolved.job.dir + "/" + resolved.job.artifact_name;
      path_written = w.Edit([&](json::Value& s, json::Allocator& a) {
        json::SetString(s, "path", path, a);
        json::SetString(s, "message", "dumping", a);
        return true;
      }).ok();
    }
    tracker_.SweepOnce(resolved.job.dir, [](const std::string& d) { return CleanupStaleTemps(d); });
    stage = "dump";
    DW_RETURN_IF_ERROR(opts_.run_backup(*docker, resolved.job, control, &outcome));
    if (!in.policy.restore_test.enabled) return Status::OK();
    stage = "restore-test";
    RestoreTestJob rt;
    rt.source_container = in.spec.container;
    rt.image = in.policy.restore_test.image;
    rt.check_query = in.policy.restore_test.check_query;
    rt.restore.engine = resolved.job.engine;
    rt.restore.target = resolved.job.target;
    rt.restore.credentials = resolved.job.credentials;
    rt.restore.artifact_path = outcome.path;
    rt.restore.metadata = outcome.metadata;
    rt.restore.key = resolved.job.options.key;
    rt.restore.timeout = in.policy.timeout;
    std::string check_output;
    return opts_.run_restore_test(*docker, rt, control, &check_output);
  };
  auto on_retry = [&](int failed, const Status& st, std::chrono::milliseconds delay) {
    std::string msg = "attempt " + std::to_string(failed) + " of " +
                      std::to_string(in.policy.retry_attempts) + " failed: " + st.message() +
                      "; retrying in " + clock::HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(delay));
    json::Document obj;
    if (w.Edit([&](json::Value& s, json::Allocator& a) { return SetIfChanged(s, "message", msg, a); }, &obj).ok())
      Record(obj, "Warning", "RetryingAfterError", msg);
  };
  Status st = RunWithRetries(ctx, in.spec.dry_run ? 1 : in.policy.retry_attempts,
                             in.policy.retry_backoff, once, on_retry);
  // The slot is for the dump, not for the notification.
  *in.slot = dockerhost::HostRegistry::Slot();
  Finish(ctx, in, st, stage, resolved, outcome, attempts);
}

void BackupReconciler::Finish(RunContext& ctx, const RunInput& in, const Status& st,
                              const std::string& stage, const ResolvedBackup& resolved,
                              const BackupOutcome& outcome, int attempts) {
  StatusWriter w(deps_.client, *runs_, in.ns, in.name, in.uid);
  const auto now = deps_.now();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - in.start);
  RunResult r;
  if (st.ok()) {
    r.phase = kPhaseSucceeded;
    if (in.spec.dry_run) {
      r.reason = "DryRun";
      r.message = DryRunMessage(resolved);
    } else {
      r.message = "backed up " + Plural(outcome.metadata.dump_bytes, "byte") + " (" +
                  Plural(outcome.metadata.artifact_bytes, "byte") + " on disk) in " +
                  clock::HumanDuration(secs);
    }
  } else {
    r.phase = kPhaseFailed;
    if (stage == "restore-test" && !ctx.cancelled()) {
      r.reason = "VerificationFailed";
      r.message = "restore test failed: " + st.message();
    } else if (stage == "resolve" && !ctx.cancelled() && (st.code() == Code::kInvalid || st.IsNotFound())) {
      r.reason = "InvalidTarget";
      r.message = st.message();
    } else {
      r.reason = FailureReason(st, ctx.cancelled(), ctx.shutting_down());
      r.message = ctx.shutting_down() ? kInterruptedMessage
                                      : (ctx.cancelled() ? "cancelled: the Backup is being deleted" : st.message());
    }
    if (attempts > 1) r.message += " (after " + Plural(attempts, "attempt") + ")";
  }
  const bool artifact = st.ok() && !in.spec.dry_run;
  const bool verified = in.policy.verify_checksum || in.policy.verify_content ||
                        in.policy.verify_decode || in.policy.restore_test.enabled;
  json::Document written;
  Status ws = w.Edit(
      [&](json::Value& s, json::Allocator& a) {
        ApplyTerminal(s, a, r, now);
        if (artifact) {
          json::SetString(s, "path", outcome.path, a);
          json::SetInt(s, "sizeBytes", static_cast<int64_t>(outcome.metadata.artifact_bytes), a);
          json::SetString(s, "sha256", outcome.metadata.artifact_sha256, a);
          json::SetInt(s, "bytes", static_cast<int64_t>(outcome.metadata.dump_bytes), a);
        } else if (stage != "restore-test") {
          json::Remove(s, "path");  // no artifact was left behind
        }
        if (in.spec.dry_run) return true;
        runtime::Condition c{"Verified", "Unknown", "NotVerified", "verification is disabled by the policy", 0};
        if (artifact && verified) {
          c = {"Verified", "True",
               in.policy.restore_test.enabled ? "RestoreTested"
               : in.policy.verify_decode      ? "Decoded"
               : in.policy.verify_content     ? "ContentVerified"
                                              : "ChecksumVerified",
               "the artifact was verified", 0};
        } else if (r.reason == "VerificationFailed") {
          c = {"Verified", "False", "VerificationFailed", r.message, 0};
        } else if (!artifact) {
          c = {"Verified", "False", "NoArtifact", "the run produced no artifact", 0};
        }
        runtime::SetCondition(s, a, c, now);
        return true;
      },
      &written);
  if (!ws.ok()) return;  // object gone, or the API is down (shutdown): nothing to report on
  Record(written, st.ok() ? "Normal" : "Warning", st.ok() ? "BackupSucceeded" : "BackupFailed",
         r.reason.empty() ? r.message : r.reason + ": " + r.message);
  if (!in.spec.dry_run && !ctx.shutting_down()) Notify(in.ns, in.spec.policy_name, in.policy, written, st.ok());
}

void BackupReconciler::Notify(const std::string& ns, const std::string& policy_name,
                              const PolicySpec& policy, const json::Value& obj, bool success) {
  if (!policy.webhook_url) return;
  if (success ? !policy.notify_success : !policy.notify_failure) return;
  NotifyResult res;
  Status st = NotifyWebhook(deps_.client, ns, *policy.webhook_url, PayloadOf(obj), opts_.notifier, &res);
  if (!st.ok()) Record(obj, "Warning", "NotificationFailed", st.message());
}

}  // namespace dw::backup
