#include "reconcilers/backup/policy_reconciler.h"

#include <algorithm>

#include "operator/runtime/owner_refs.h"
#include "reconcilers/backup/contract.h"
#include "reconcilers/backup/policy_backups.h"
#include "reconcilers/backup/policy_retention.h"
#include "reconcilers/backup/target_resolver.h"

namespace dw::backup {

struct BackupPolicyReconciler::Pass {
  std::string ns, name;
  json::Document policy;
  const json::Value* old_status = nullptr;
  clock::TimePoint now;
  PolicySpec spec;
  PolicyObservation obs;
};

namespace {

std::string Annotation(const json::Value& obj, std::string_view key) {
  const json::Value* ann = json::FindPath(obj, "metadata.annotations");
  return ann ? json::GetString(*ann, key) : std::string();
}

void SetLabel(json::Value& labels, std::string_view k, const std::string& v, json::Allocator& a) {
  json::SetString(labels, k, v, a);
}

}  // namespace

BackupPolicyReconciler::BackupPolicyReconciler(const BackupDeps& deps) : deps_(deps) {
  if (deps_.client) {
    policies_ = deps_.client->Resolve(std::string(kGroupVersion), "BackupPolicy");
    backups_ = deps_.client->Resolve(std::string(kGroupVersion), "Backup");
  }
}

void BackupPolicyReconciler::Event(const json::Value& obj, const char* type, const char* reason,
                                   const std::string& msg) {
  if (deps_.recorder) deps_.recorder->Record(obj, type, reason, msg);
}

Status BackupPolicyReconciler::Reconcile(const runtime::Request& req, runtime::Result* result) {
  if (!policies_ || !backups_) return Status::Internal("BackupPolicy/Backup kinds are not served");
  Pass p;
  p.ns = req.ns;
  p.name = req.name;
  Status st = deps_.client->Get(*policies_, req.ns, req.name, &p.policy);
  if (st.IsNotFound()) {
    HostBackoff(req.Key(), false);  // forget
    return Status::OK();            // Backups go with it through their ownerReference
  }
  DW_RETURN_IF_ERROR(st);
  if (json::FindPath(p.policy, "metadata.deletionTimestamp")) return Status::OK();
  p.now = deps_.now();
  p.old_status = json::Find(p.policy, "status");
  if (const json::Value* g = json::FindPath(p.policy, "metadata.generation"); g && g->IsInt64()) {
    p.obs.generation = g->GetInt64();
  }
  p.obs.last_schedule = p.old_status ? TimeAt(*p.old_status, "lastScheduleTime") : std::nullopt;
  if (p.old_status) {
    p.obs.last_handled_run_request = json::GetString(*p.old_status, "lastHandledRunRequest");
  }

  st = ParsePolicySpec(p.policy, &p.spec);
  if (st.ok() && !meta::ValidateLabelValue(p.name).empty()) {
    st = Status::Invalid("metadata.name: must be at most 63 characters to label its Backups");
  }
  if (!st.ok()) {
    // Nothing to run until the spec is edited, which triggers a new pass.
    p.obs.spec_error = st.message();
    if (p.old_status) p.obs.targets = TargetsFromStatus(*p.old_status, "");
    DW_RETURN_IF_ERROR(ListBackups(p));
    Event(p.policy, "Warning", "InvalidSpec", st.message());
    return WriteStatus(p);
  }

  DW_RETURN_IF_ERROR(ListBackups(p));
  ObserveTargets(p);
  ScheduleDecision decision;
  DW_RETURN_IF_ERROR(RunSchedule(p, &decision));
  DW_RETURN_IF_ERROR(RunManual(p));
  DW_RETURN_IF_ERROR(ApplyRetention(p));
  DW_RETURN_IF_ERROR(ListBackups(p));  // what the status reports is what exists now
  if (!p.spec.suspend) p.obs.next_schedule = decision.next;
  DW_RETURN_IF_ERROR(WriteStatus(p));

  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(kPolicySafetyResync);
  if (p.obs.next_schedule) {
    auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*p.obs.next_schedule - p.now);
    // A little past the due time, so the pass that wakes up finds the run due.
    wait = std::clamp(until + std::chrono::milliseconds(100), std::chrono::milliseconds(100), wait);
  }
  auto backoff = HostBackoff(req.Key(), !p.obs.host_errors.empty());
  if (backoff.count() > 0) wait = std::min(wait, backoff);
  result->requeue_after = wait;
  return Status::OK();
}

Status BackupPolicyReconciler::ListBackups(Pass& p) {
  runtime::ListOptions opts;
  DW_RETURN_IF_ERROR(meta::LabelSelector::Parse(std::string(kLabelPolicy) + "=" + p.name, &opts.labels));
  runtime::ObjectList list;
  DW_RETURN_IF_ERROR(deps_.client->List(*backups_, p.ns, opts, &list));
  p.obs.backups.clear();
  p.obs.backups.reserve(list.items.size());
  for (const auto& b : list.items) p.obs.backups.push_back(ViewOfBackup(b));
  return Status::OK();
}

void BackupPolicyReconciler::ObserveTargets(Pass& p) {
  for (const auto& host : p.spec.docker_hosts) {
    std::unique_ptr<docker::DockerClient> docker;
    Status st = deps_.hosts ? deps_.hosts->NewClient(p.ns, host, &docker)
                            : Status::Unavailable("no Docker host registry");
    std::vector<ResolvedTarget> targets;
    if (st.ok()) st = ListHostTargets(*docker, p.spec, host, &targets);
    if (!st.ok()) {
      p.obs.host_errors.push_back({host, st.message()});
      Event(p.policy, "Warning", "HostUnreachable", "DockerHost " + host + ": " + st.message());
      if (p.old_status) targets = TargetsFromStatus(*p.old_status, host);
    }
    for (auto& t : targets) {
      if (!t.valid() && st.ok()) {
        Event(p.policy, "Warning", "InvalidTargetLabels",
              "container " + t.container + " on " + host + " is not backed up: " + t.error);
      }
      for (const auto& w : t.warnings) {
        Event(p.policy, "Warning", "TargetLabelWarning", "container " + t.container + ": " + w);
      }
      p.obs.targets.push_back(std::move(t));
    }
  }
}

Status BackupPolicyReconciler::RunSchedule(Pass& p, ScheduleDecision* d) {
  clock::TimePoint last = p.obs.last_schedule.value_or(
      TimeAt(p.policy, "metadata.creationTimestamp").value_or(p.now));
  std::vector<std::string> active = ActiveBackupNames(p.obs.backups);
  DW_RETURN_IF_ERROR(DecideSchedule(p.spec, last, p.now, active.size(), d));
  if (d->too_many_missed) {
    Event(p.policy, "Warning", "TooManyMissedTimes",
          "more than " + std::to_string(kMaxMissedRuns) +
              " scheduled runs were missed; starting only the most recent one");
  }
  if (!d->run_time) return Status::OK();
  const std::string when = clock::Rfc3339(*d->run_time);
  if (d->action == RunAction::kSkip) {
    Event(p.policy, "Normal", "RunSkipped",
          "run of " + when + " skipped: " + std::to_string(active.size()) +
              " Backup(s) still active and concurrencyPolicy is Forbid");
  } else {
    if (d->action == RunAction::kReplace) {
      for (const auto& name : active) DW_RETURN_IF_ERROR(DeleteBackup(p, name));
      Event(p.policy, "Normal", "RunReplaced",
            "deleted " + std::to_string(active.size()) + " active Backup(s) for the run of " + when);
    }
    int created = 0;
    DW_RETURN_IF_ERROR(CreateBackups(p, Run{d->run_time, "", p.spec.dry_run}, &created));
    if (created > 0) {
      Event(p.policy, "Normal", "RunStarted",
            "created " + std::to_string(created) + " Backup(s) for the run of " + when);
    }
  }
  p.obs.last_schedule = d->run_time;
  return Status::OK();
}

Status BackupPolicyReconciler::RunManual(Pass& p) {
  std::string nonce = Annotation(p.policy, kAnnotationRunRequest);
  if (nonce.empty() || nonce == p.obs.last_handled_run_request) return Status::OK();
  bool dry = p.spec.dry_run || Annotation(p.policy, kAnnotationRunDryRun) == "true";
  int created = 0;
  DW_RETURN_IF_ERROR(CreateBackups(p, Run{std::nullopt, nonce, dry}, &created));
  Event(p.policy, "Normal", "RunRequested",
        "created " + std::to_string(created) + (dry ? " dry-run" : "") +
            " Backup(s) for run request " + RunRequestLabelValue(nonce));
  p.obs.last_handled_run_request = nonce;
  return Status::OK();
}

Status BackupPolicyReconciler::CreateBackups(Pass& p, const Run& run, int* created) {
  *created = 0;
  for (const auto& t : p.obs.targets) {
    if (!t.valid()) continue;
    json::Document b(rapidjson::kObjectType);
    auto& a = b.GetAllocator();
    json::SetString(b, "apiVersion", kGroupVersion, a);
    json::SetString(b, "kind", "Backup", a);
    json::Value& meta = json::EnsureObject(b, "metadata", a);
    json::SetString(meta, "name",
                    run.scheduled ? ScheduledBackupName(p.name, *run.scheduled, t.key)
                                  : ManualBackupName(p.name, run.nonce, t.key),
                    a);
    json::SetString(meta, "namespace", p.ns, a);
    json::Value& labels = json::EnsureObject(meta, "labels", a);
    SetLabel(labels, kLabelPolicy, p.name, a);
    SetLabel(labels, kLabelTarget, t.key, a);
    if (run.scheduled) {
      json::Value& ann = json::EnsureObject(meta, "annotations", a);
      json::SetString(ann, kAnnotationScheduledTime, clock::Rfc3339(*run.scheduled), a);
    } else {
      SetLabel(labels, kLabelRequest, RunRequestLabelValue(run.nonce), a);
    }
    json::Value& spec = json::EnsureObject(b, "spec", a);
    json::SetString(spec, "policyName", p.name, a);
    json::SetString(spec, "host", t.host, a);
    json::SetString(spec, "container", t.container, a);
    json::SetString(spec, "engine", t.engine, a);
    json::Value dbs(rapidjson::kArrayType);
    for (const auto& d : t.databases) dbs.PushBack(json::Str(d, a), a);
    json::SetValue(spec, "databases", dbs, a);
    json::SetBool(spec, "dryRun", run.dry_run, a);
    DW_RETURN_IF_ERROR(runtime::SetControllerReference(p.policy, b));

    runtime::WriteOptions wo;
    wo.field_manager = std::string(kFieldManager);
    Status st = deps_.client->Create(*backups_, b, wo, nullptr);
    if (st.IsAlreadyExists()) continue;  // created by an earlier pass that did not record it
    DW_RETURN_IF_ERROR(st);
    ++*created;
  }
  return Status::OK();
}

Status BackupPolicyReconciler::DeleteBackup(Pass& p, const std::string& name) {
  Status st = deps_.client->Delete(*backups_, p.ns, name, runtime::DeleteOptions{});
  return st.IsNotFound() ? Status::OK() : st;
}

Status BackupPolicyReconciler::ApplyRetention(Pass& p) {
  std::vector<RetentionRemoval> plan;
  const TimeZone& zone = p.spec.schedule.zone ? *p.spec.schedule.zone : *TimeZone::Utc();
  DW_RETURN_IF_ERROR(PlanPolicyRetention(p.obs.backups, p.spec.retention, zone, p.now, &plan));
  int pruned = 0, dry = 0;
  for (const auto& r : plan) {
    if (!r.path.empty()) {
      Status st = RemoveArtifactFiles(p.spec.destination, r.path);
      if (!st.ok()) {
        // Keep the Backup so the artifact stays accounted for; a human decides.
        Event(p.policy, "Warning", "PruneFailed", "Backup " + r.backup + ": " + st.message());
        continue;
      }
    }
    DW_RETURN_IF_ERROR(DeleteBackup(p, r.backup));
    (r.reasons == "dry-run-expired" ? dry : pruned)++;
  }
  if (pruned + dry > 0) {
    Event(p.policy, "Normal", "Pruned",
          "removed " + std::to_string(pruned) + " Backup(s) and their artifacts by retention" +
              (dry ? ", " + std::to_string(dry) + " expired dry-run Backup(s)" : ""));
  }
  return Status::OK();
}

Status BackupPolicyReconciler::WriteStatus(Pass& p) {
  json::Document status;
  BuildPolicyStatus(p.old_status, p.obs, p.now, &status);
  if (p.old_status && json::Equal(*p.old_status, status)) return Status::OK();
  auto& a = p.policy.GetAllocator();
  json::Value copy(status, a);
  json::SetValue(p.policy, "status", copy, a);
  runtime::WriteOptions wo;
  wo.field_manager = std::string(kFieldManager);
  // The resourceVersion we read is the precondition: on Conflict the pass is
  // retried against the newer object (Backups it created are AlreadyExists).
  return deps_.client->UpdateStatus(*policies_, p.policy, wo, nullptr);
}

std::chrono::milliseconds BackupPolicyReconciler::HostBackoff(const std::string& key, bool failing) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!failing) {
    host_failures_.erase(key);
    return std::chrono::milliseconds(0);
  }
  int n = std::min(++host_failures_[key], 8);
  auto d = std::min<std::chrono::seconds>(kHostBackoffMin * (1 << (n - 1)), kHostBackoffMax);
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

}  // namespace dw::backup
