// Following Backups or Restores until every one is terminal, showing
// progress: on a terminal one line rewritten in place, otherwise (logs, CI)
// one line per run when its phase changes and at most every 2 s while its
// byte count moves. Shared by `backup run --wait` and `backup restore --wait`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "operator/cli/backup_follow.h"
#include "operator/cli/backup_format.h"
#include "operator/cli/env.h"

namespace dw::cli {

// /apis/dockward.io/v1alpha1/namespaces/NS/PLURAL[/NAME]
std::string DockwardPath(const std::string& ns, const std::string& plural, const std::string& name = "");

struct FollowRunsRequest {
  std::string collection;  // DockwardPath(ns, "backups")
  std::string selector;    // escaped query, e.g. "labelSelector=..."
  std::optional<SteadyTime> deadline;
  bool progress = true;  // false: print nothing while following (dry runs)
};

// `runs` holds the runs to wait for (names set); on return each holds the
// last observed state. A run deleted meanwhile counts as Failed/Deleted.
// Timeout (message worded here) when the deadline passes first.
Status FollowRuns(Env& env, const FollowRunsRequest& req, std::vector<RunView>* runs);

// True when every run Succeeded.
bool AllSucceeded(const std::vector<RunView>& runs);

}  // namespace dw::cli
