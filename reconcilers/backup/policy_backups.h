// A Backup object as the policy reconciler sees it: the few fields that
// scheduling, retention and status read, parsed once per reconcile so the
// pure functions over them need no JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/clock.h"
#include "operator/json/json.h"

namespace dw::backup {

struct BackupView {
  std::string name;
  std::string target;       // kLabelTarget
  std::string run_request;  // kLabelRequest (manual runs)
  std::string phase;        // "" until the Backup reconciler sets one
  bool dry_run = false;
  bool deleting = false;    // metadata.deletionTimestamp set
  clock::TimePoint created{};
  std::optional<clock::TimePoint> start;
  std::optional<clock::TimePoint> completion;
  std::string path;
  int64_t size_bytes = -1;  // -1: not reported
  std::string sha256;
  std::string message;

  // Pending, Running or no phase yet, and not already being deleted.
  bool Active() const;
  // Succeeded or Failed.
  bool Finished() const;
  // completionTime, else creationTimestamp (what retention orders by).
  clock::TimePoint FinishedAt() const { return completion.value_or(created); }
};

BackupView ViewOfBackup(const json::Value& backup);

// The RFC 3339 time at `dotted` under `obj` ("status.completionTime"), or
// nullopt when absent or malformed.
std::optional<clock::TimePoint> TimeAt(const json::Value& obj, std::string_view dotted);

// Names of the active Backups, sorted.
std::vector<std::string> ActiveBackupNames(const std::vector<BackupView>& backups);

}  // namespace dw::backup
