// `dockward backup run POLICY`: asks the policy reconciler for a run through
// the run-requested-at annotation (Flux's requestedAt pattern), waits for it
// to acknowledge the nonce in status.lastHandledRunRequest, then shows the
// Backups it created and, with --wait or --dry-run, follows them to the end.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>

#include "operator/cli/backup.h"
#include "operator/cli/backup_progress.h"
#include "reconcilers/backup/contract.h"

namespace dw::cli {

namespace {

// How long the policy reconciler gets to react when --timeout is not given.
constexpr std::chrono::seconds kDefaultAckTimeout{60};

std::string Sv(std::string_view s) { return std::string(s); }

Status RequestRun(Env& env, const BackupRunOptions& o, const std::string& nonce) {
  json::Document patch(rapidjson::kObjectType);
  auto& a = patch.GetAllocator();
  json::Value& annotations = json::EnsureObject(json::EnsureObject(patch, "metadata", a), "annotations", a);
  json::SetString(annotations, backup::kAnnotationRunRequest, nonce, a);
  // Merge patch: null removes a dry-run flag left by an earlier request.
  json::Value dry = o.dry_run ? json::Str("true", a) : json::Value(rapidjson::kNullType);
  json::SetValue(annotations, backup::kAnnotationRunDryRun, dry, a);
  return env.api->Send("PATCH", DockwardPath(env.ns, "backuppolicies", o.policy), json::Serialize(patch),
                       "application/merge-patch+json", nullptr);
}

Status WaitForAck(Env& env, const BackupRunOptions& o, const std::string& nonce, SteadyTime deadline) {
  Status gone;
  auto on_object = [&](const std::string& type, const json::Value& obj) {
    if (json::GetStringPath(obj, "metadata.name") != o.policy) return false;
    if (type == "DELETED") {
      gone = Status::NotFound("error: BackupPolicy \"" + o.policy + "\" was deleted while waiting for the run");
      return true;
    }
    return json::GetStringPath(obj, "status.lastHandledRunRequest") == nonce;
  };
  Status st = FollowObjects(*env.api, DockwardPath(env.ns, "backuppolicies"),
                            "fieldSelector=" + http::QueryEscape("metadata.name=" + o.policy), on_object, deadline);
  if (st.code() == Code::kTimeout && st.message().empty())
    return Status::Timeout("error: timed out waiting for BackupPolicy \"" + o.policy + "\" to handle run request " +
                           nonce + " (status.lastHandledRunRequest unchanged); is `dockward serve` running with "
                           "its controllers?");
  return st.ok() ? gone : st;
}

Status ListRunBackups(Env& env, const std::string& nonce, std::vector<RunView>* out) {
  json::Document list;
  DW_RETURN_IF_ERROR(env.api->Get(DockwardPath(env.ns, "backups") + "?labelSelector=" +
                                      http::QueryEscape(Sv(backup::kLabelRequest) + "=" + nonce),
                                  &list));
  if (const json::Value* items = json::Find(list, "items"); items && items->IsArray())
    for (const auto& item : items->GetArray()) out->push_back(ViewOf(item));
  std::sort(out->begin(), out->end(), [](const RunView& x, const RunView& y) { return x.name < y.name; });
  return Status::OK();
}

std::string PlanTable(const std::vector<RunView>& runs) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "CONTAINER", "RESULT", "PLAN"}};
  for (const auto& r : runs) {
    std::string plan = r.message.empty() ? r.reason : r.message;
    for (auto& c : plan)
      if (c == '\n') c = ' ';
    rows.push_back({r.name, r.container, r.phase, plan.empty() ? "-" : plan});
  }
  return AlignColumns(rows);
}

}  // namespace

std::string RunRequestNonce(clock::TimePoint now, uint32_t random) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];  // room for any int fields: no truncation warning
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ-%08x", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, random);
  return buf;
}

Status RunBackupRun(Env& env, const BackupRunOptions& o, int* exit_code) {
  SteadyTime start = std::chrono::steady_clock::now();
  std::optional<SteadyTime> deadline;
  if (o.timeout.count() > 0) deadline = start + o.timeout;
  std::string nonce = RunRequestNonce(clock::Now(), std::random_device{}());
  DW_RETURN_IF_ERROR(RequestRun(env, o, nonce));
  DW_RETURN_IF_ERROR(WaitForAck(env, o, nonce, deadline.value_or(start + kDefaultAckTimeout)));
  std::vector<RunView> runs;
  DW_RETURN_IF_ERROR(ListRunBackups(env, nonce, &runs));
  if (runs.empty()) {
    *exit_code = 1;
    return Status::NotFound("error: BackupPolicy \"" + o.policy + "\" selected no containers; nothing was " +
                            (o.dry_run ? "planned" : "backed up") + " (see `dockward describe bp " + o.policy + "`)");
  }
  *env.out << "Run request " << nonce << ": " << runs.size() << (o.dry_run ? " dry-run" : "")
           << (runs.size() == 1 ? " Backup" : " Backups") << " created\n";
  for (const auto& r : runs) *env.out << "  backup.dockward.io/" << r.name << " (" << r.container << ")\n";
  if (!o.wait && !o.dry_run) return Status::OK();
  FollowRunsRequest req;
  req.collection = DockwardPath(env.ns, "backups");
  req.selector = "labelSelector=" + http::QueryEscape(Sv(backup::kLabelRequest) + "=" + nonce);
  // A dry run is quick; without --timeout it still must not hang forever.
  req.deadline = o.dry_run && !deadline ? std::chrono::steady_clock::now() + kDefaultAckTimeout : deadline;
  req.progress = !o.dry_run;
  DW_RETURN_IF_ERROR(FollowRuns(env, req, &runs));
  *env.out << "\n" << (o.dry_run ? PlanTable(runs) : RunTable(runs));
  if (!AllSucceeded(runs)) {
    *exit_code = 1;
    size_t failed = std::count_if(runs.begin(), runs.end(), [](const RunView& r) { return !(r.phase == "Succeeded"); });
    return Status::Internal("error: " + std::to_string(failed) + " of " + std::to_string(runs.size()) +
                            (o.dry_run ? " dry-run Backups failed" : " Backups failed"));
  }
  return Status::OK();
}

}  // namespace dw::cli
