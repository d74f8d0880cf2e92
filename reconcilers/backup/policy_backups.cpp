#include "reconcilers/backup/policy_backups.h"

#include <algorithm>

#include "reconcilers/backup/contract.h"

namespace dw::backup {
std::optional<clock::TimePoint> TimeAt(const json::Value& obj, std::string_view dotted) {
  const json::Value* v = json::FindPath(obj, dotted);
  clock::TimePoint t;
  if (!v || !v->IsString() || !clock::ParseRfc3339(v->GetString(), &t)) return std::nullopt;
  return t;
}

bool BackupView::Active() const {
  return !deleting && (phase.empty() || phase == kPhasePending || phase == kPhaseRunning);
}

bool BackupView::Finished() const { return phase == kPhaseSucceeded || phase == kPhaseFailed; }

BackupView ViewOfBackup(const json::Value& b) {
  BackupView v;
  v.name = json::GetStringPath(b, "metadata.name");
  if (const json::Value* labels = json::FindPath(b, "metadata.labels")) {
    v.target = json::GetString(*labels, kLabelTarget);
    v.run_request = json::GetString(*labels, kLabelRequest);
  }
  v.deleting = json::FindPath(b, "metadata.deletionTimestamp") != nullptr;
  v.created = TimeAt(b, "metadata.creationTimestamp").value_or(clock::TimePoint{});
  if (const json::Value* spec = json::Find(b, "spec")) v.dry_run = json::GetBool(*spec, "dryRun");
  if (const json::Value* st = json::Find(b, "status")) {
    v.phase = json::GetString(*st, "phase");
    v.path = json::GetString(*st, "path");
    v.sha256 = json::GetString(*st, "sha256");
    v.message = json::GetString(*st, "message");
    v.size_bytes = json::GetInt(*st, "sizeBytes", -1);
    v.start = TimeAt(*st, "startTime");
    v.completion = TimeAt(*st, "completionTime");
  }
  return v;
}

std::vector<std::string> ActiveBackupNames(const std::vector<BackupView>& backups) {
  std::vector<std::string> out;
  for (const auto& b : backups)
    if (b.Active()) out.push_back(b.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace dw::backup
