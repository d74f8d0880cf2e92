#include "reconcilers/backup/policy_retention.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include <unistd.h>

#include "reconcilers/backup/contract.h"

namespace dw::backup {
namespace fs = std::filesystem;

Status PlanPolicyRetention(const std::vector<BackupView>& backups,
                           const std::optional<RetentionPolicy>& policy, const TimeZone& zone,
                           clock::TimePoint now, std::vector<RetentionRemoval>* out) {
  out->clear();
  std::map<std::string, std::vector<const BackupView*>> groups;
  for (const auto& b : backups) {
    if (!b.Finished() || b.deleting) continue;
    if (b.dry_run) {
      if (now - b.FinishedAt() >= kDryRunTtl) out->push_back({b.name, "", "dry-run-expired"});
      continue;
    }
    if (b.target.empty()) continue;
    groups[b.target].push_back(&b);
  }
  if (!policy || policy->KeepsEverything()) return Status::OK();
  for (const auto& [target, members] : groups) {
    std::vector<Artifact> artifacts;
    artifacts.reserve(members.size());
    for (const BackupView* b : members) {
      artifacts.push_back({b->name, b->FinishedAt(), b->phase == kPhaseSucceeded});
    }
    RetentionPlan plan;
    DW_RETURN_IF_ERROR(PlanRetention(artifacts, *policy, zone, &plan));
    for (const auto& r : plan.remove) {
      out->push_back({r.id, members[r.index]->path, ReasonString(r.reasons)});
    }
  }
  return Status::OK();
}

Status ResolveInsideDestination(const std::string& destination, const std::string& path,
                                std::string* resolved) {
  if (path.empty() || path.front() != '/' || destination.empty() || destination.front() != '/') {
    return Status::Forbidden("artifact path must be absolute");
  }
  std::error_code ec;
  fs::path dest = fs::weakly_canonical(destination, ec);
  if (ec) return Status::IOError("resolving " + destination + ": " + ec.message());
  fs::path p = fs::weakly_canonical(path, ec);
  if (ec) return Status::IOError("resolving artifact path: " + ec.message());
  // Component-wise prefix check: "/backups2/x" is not inside "/backups".
  auto d = dest.begin(), q = p.begin();
  for (; d != dest.end(); ++d, ++q) {
    if (d->empty()) continue;  // trailing separator of dest
    if (q == p.end() || *d != *q) {
      return Status::Forbidden("artifact path is outside the destination " + destination);
    }
  }
  if (q == p.end()) return Status::Forbidden("artifact path is the destination itself");
  *resolved = p.string();
  return Status::OK();
}

Status RemoveArtifactFiles(const std::string& destination, const std::string& path) {
  for (const std::string& f : {path, path + ".json"}) {
    std::string resolved;
    DW_RETURN_IF_ERROR(ResolveInsideDestination(destination, f, &resolved));
    // Unlink the name itself (lexically normalised, so a symlinked artifact
    // is removed as a link, never its target). Its parents resolved inside.
    std::string victim = fs::path(f).lexically_normal().string();
    if (::unlink(victim.c_str()) != 0 && errno != ENOENT) {
      return Status::IOError("removing " + victim + ": " + std::strerror(errno));
    }
  }
  return Status::OK();
}

}  // namespace dw::backup
