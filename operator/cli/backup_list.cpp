// `dockward backup list [POLICY]`: the Backups of a namespace (or of one
// policy), newest first, with human sizes and ages.
#include <algorithm>

#include "operator/cli/backup.h"
#include "operator/cli/backup_progress.h"
#include "reconcilers/backup/contract.h"

namespace dw::cli {

namespace {

struct Row {
  clock::TimePoint created{};
  std::vector<std::string> cells;
};

Row RowOf(const json::Value& obj, clock::TimePoint now) {
  Row row;
  RunView v = ViewOf(obj);
  std::string age = "<unknown>";
  if (clock::ParseRfc3339(json::GetStringPath(obj, "metadata.creationTimestamp"), &row.created))
    age = clock::HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - row.created));
  std::string policy = json::GetStringPath(obj, "spec.policyName");
  row.cells = {v.name,
               policy.empty() ? "-" : policy,
               v.container,
               v.phase.empty() ? "Pending" : v.phase,
               v.size_bytes > 0 ? HumanBytes(v.size_bytes) : "-",
               age};
  return row;
}

}  // namespace

Status RunBackupList(Env& env, const BackupListOptions& o) {
  std::string path = DockwardPath(env.ns, "backups");
  if (!o.policy.empty())
    path += "?labelSelector=" + http::QueryEscape(std::string(backup::kLabelPolicy) + "=" + o.policy);
  json::Document list;
  DW_RETURN_IF_ERROR(env.api->Get(path, &list));
  clock::TimePoint now = clock::Now();
  std::vector<Row> rows;
  if (const json::Value* items = json::Find(list, "items"); items && items->IsArray())
    for (const auto& item : items->GetArray()) rows.push_back(RowOf(item, now));
  if (rows.empty()) {
    *env.err << "No backups found in " << env.ns << " namespace"
             << (o.policy.empty() ? "" : " for BackupPolicy \"" + o.policy + "\"") << ".\n";
    return Status::OK();
  }
  // Newest first; equal timestamps (one run's Backups) by name.
  std::sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) {
    return x.created != y.created ? x.created > y.created : x.cells[0] < y.cells[0];
  });
  std::vector<std::vector<std::string>> table = {{"NAME", "POLICY", "CONTAINER", "PHASE", "SIZE", "AGE"}};
  for (auto& r : rows) table.push_back(std::move(r.cells));
  *env.out << AlignColumns(table);
  return Status::OK();
}

}  // namespace dw::cli
