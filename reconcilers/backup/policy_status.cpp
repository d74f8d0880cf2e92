#include "reconcilers/backup/policy_status.h"

#include <cmath>
#include <map>

#include "operator/runtime/conditions.h"
#include "reconcilers/backup/contract.h"

namespace dw::backup {
namespace {

using json::Allocator;
using json::Value;

void SetOrRemoveTime(Value& st, const char* key, const std::optional<clock::TimePoint>& t,
                     Allocator& a) {
  if (t) {
    json::SetString(st, key, clock::Rfc3339(*t), a);
  } else {
    json::Remove(st, key);
  }
}

Value StringArray(const std::vector<std::string>& items, Allocator& a) {
  Value arr(rapidjson::kArrayType);
  for (const auto& s : items) arr.PushBack(json::Str(s, a), a);
  return arr;
}

Value LastResult(const BackupView& b, Allocator& a) {
  Value r(rapidjson::kObjectType);
  json::SetString(r, "phase", b.phase, a);
  if (b.size_bytes >= 0) json::SetInt(r, "sizeBytes", b.size_bytes, a);
  if (b.sha256.size() == 64) json::SetString(r, "sha256", b.sha256, a);
  if (b.start && b.completion && *b.completion >= *b.start) {
    double secs = std::chrono::duration<double>(*b.completion - *b.start).count();
    Value d(std::round(secs * 1000) / 1000);
    json::SetValue(r, "durationSeconds", d, a);
  }
  if (!b.path.empty()) json::SetString(r, "path", b.path, a);
  if (!b.message.empty()) json::SetString(r, "message", b.message, a);
  if (b.completion) json::SetString(r, "completionTime", clock::Rfc3339(*b.completion), a);
  return r;
}

// Newest finished, non-dry-run Backup per target key.
std::map<std::string, const BackupView*> NewestFinished(const std::vector<BackupView>& backups) {
  std::map<std::string, const BackupView*> out;
  for (const auto& b : backups) {
    if (!b.Finished() || b.dry_run || b.target.empty()) continue;
    const BackupView*& cur = out[b.target];
    if (!cur || b.FinishedAt() > cur->FinishedAt() ||
        (b.FinishedAt() == cur->FinishedAt() && b.name > cur->name)) {
      cur = &b;
    }
  }
  return out;
}

Value TargetEntry(const ResolvedTarget& t, const BackupView* last, Allocator& a) {
  Value e(rapidjson::kObjectType);
  json::SetString(e, "host", t.host, a);
  json::SetString(e, "container", t.container, a);
  if (!t.key.empty()) json::SetString(e, "key", t.key, a);
  json::SetString(e, "name", t.name, a);
  if (!t.error.empty()) {
    json::SetString(e, "error", t.error, a);
    return e;
  }
  json::SetString(e, "engine", t.engine, a);
  if (!t.databases.empty()) {
    Value dbs = StringArray(t.databases, a);
    json::SetValue(e, "databases", dbs, a);
  }
  if (last) {
    json::SetString(e, "lastBackup", last->name, a);
    Value r = LastResult(*last, a);
    json::SetValue(e, "lastResult", r, a);
  }
  return e;
}

std::optional<clock::TimePoint> LastSuccess(const Value* old, const std::vector<BackupView>& bs) {
  std::optional<clock::TimePoint> best;
  clock::TimePoint t;
  if (old && clock::ParseRfc3339(json::GetString(*old, "lastSuccessfulTime"), &t)) best = t;
  for (const auto& b : bs) {
    if (b.phase != kPhaseSucceeded || b.dry_run) continue;
    if (!best || b.FinishedAt() > *best) best = b.FinishedAt();
  }
  return best;
}

void SetConditions(Value& st, Allocator& a, const PolicyObservation& obs,
                   const std::vector<std::string>& failed_targets, clock::TimePoint now) {
  runtime::Condition ready{"Ready", "True", "Ready", "", obs.generation};
  runtime::Condition degraded{"Degraded", "False", "AsExpected", "", obs.generation};
  size_t invalid = 0;
  for (const auto& t : obs.targets) invalid += t.valid() ? 0 : 1;
  if (!obs.spec_error.empty()) {
    ready.status = "False";
    ready.reason = "InvalidSpec";
    ready.message = obs.spec_error;
  } else if (!obs.host_errors.empty()) {
    ready.status = "False";
    ready.reason = "HostUnreachable";
  } else {
    ready.message = std::to_string(obs.targets.size() - invalid) + " target(s) selected";
  }
  std::string msg;
  auto add = [&](const char* reason, const std::string& text) {
    if (degraded.status == "False") {
      degraded.status = "True";
      degraded.reason = reason;
    }
    if (!msg.empty()) msg += "; ";
    msg += text;
  };
  for (const auto& h : obs.host_errors) add("HostUnreachable", "DockerHost " + h.host + ": " + h.message);
  if (!failed_targets.empty()) {
    std::string names;
    for (const auto& n : failed_targets) names += (names.empty() ? "" : ", ") + n;
    add("BackupFailed", "last backup failed for " + names);
  }
  if (invalid > 0) add("InvalidTargetLabels", std::to_string(invalid) + " container(s) with invalid backup labels");
  if (ready.reason == "HostUnreachable") ready.message = msg;
  degraded.message = msg;
  runtime::SetCondition(st, a, ready, now);
  runtime::SetCondition(st, a, degraded, now);
}

}  // namespace

void BuildPolicyStatus(const json::Value* old_status, const PolicyObservation& obs,
                       clock::TimePoint now, json::Document* out) {
  Allocator& a = out->GetAllocator();
  if (old_status && old_status->IsObject()) {
    out->CopyFrom(*old_status, a);
  } else {
    out->SetObject();
  }
  Value& st = *out;
  json::SetInt(st, "observedGeneration", obs.generation, a);
  SetOrRemoveTime(st, "lastScheduleTime", obs.last_schedule, a);
  SetOrRemoveTime(st, "nextScheduleTime", obs.next_schedule, a);
  SetOrRemoveTime(st, "lastSuccessfulTime", LastSuccess(old_status, obs.backups), a);
  if (obs.last_handled_run_request.empty()) {
    json::Remove(st, "lastHandledRunRequest");
  } else {
    json::SetString(st, "lastHandledRunRequest", obs.last_handled_run_request, a);
  }
  Value active = StringArray(ActiveBackupNames(obs.backups), a);
  json::SetValue(st, "activeBackups", active, a);

  auto newest = NewestFinished(obs.backups);
  std::vector<std::string> failed;
  Value targets(rapidjson::kArrayType);
  for (const auto& t : obs.targets) {
    const BackupView* last = nullptr;
    if (t.valid()) {
      auto it = newest.find(t.key);
      if (it != newest.end()) last = it->second;
    }
    if (last && last->phase == kPhaseFailed) failed.push_back(t.host + "/" + t.container);
    targets.PushBack(TargetEntry(t, last, a), a);
  }
  json::SetValue(st, "targets", targets, a);
  SetConditions(st, a, obs, failed, now);
}

std::vector<ResolvedTarget> TargetsFromStatus(const json::Value& status, const std::string& host) {
  std::vector<ResolvedTarget> out;
  const Value* targets = json::Find(status, "targets");
  if (!targets || !targets->IsArray()) return out;
  for (const auto& e : targets->GetArray()) {
    if (!host.empty() && json::GetString(e, "host") != host) continue;
    ResolvedTarget t;
    t.host = json::GetString(e, "host");
    t.container = json::GetString(e, "container");
    t.key = json::GetString(e, "key");
    t.name = json::GetString(e, "name");
    t.engine = json::GetString(e, "engine");
    t.error = json::GetString(e, "error");
    if (const Value* dbs = json::Find(e, "databases"); dbs && dbs->IsArray()) {
      for (const auto& d : dbs->GetArray())
        if (d.IsString()) t.databases.emplace_back(d.GetString(), d.GetStringLength());
    }
    // An entry that lost its identity cannot be scheduled; report it as is.
    if (t.error.empty() && (t.key.empty() || t.engine.empty() || t.container.empty())) {
      t.error = "incomplete target recorded in status";
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace dw::backup
