#include "operator/cli/backup_progress.h"

#include <unistd.h>

#include <algorithm>

#include "reconcilers/backup/contract.h"

namespace dw::cli {

namespace {

bool IsTerminalStdout(const Env& env) { return env.out == &std::cout && ::isatty(STDOUT_FILENO); }

RunView* FindRun(std::vector<RunView>* runs, const std::string& name) {
  for (auto& r : *runs)
    if (r.name == name) return &r;
  return nullptr;
}

bool AllTerminal(const std::vector<RunView>& runs) {
  return std::all_of(runs.begin(), runs.end(), [](const RunView& r) { return r.Terminal(); });
}

}  // namespace

std::string DockwardPath(const std::string& ns, const std::string& plural, const std::string& name) {
  std::string p = "/apis/" + std::string(backup::kGroupVersion) + "/namespaces/" + http::QueryEscape(ns) + "/" + plural;
  return name.empty() ? p : p + "/" + http::QueryEscape(name);
}

bool AllSucceeded(const std::vector<RunView>& runs) {
  return std::all_of(runs.begin(), runs.end(), [](const RunView& r) { return r.phase == backup::kPhaseSucceeded; });
}

Status FollowRuns(Env& env, const FollowRunsRequest& req, std::vector<RunView>* runs) {
  bool tty = req.progress && IsTerminalStdout(env);
  ProgressThrottle throttle;
  std::string last_summary;
  auto on_object = [&](const std::string& type, const json::Value& obj) {
    RunView seen = ViewOf(obj);
    RunView* run = FindRun(runs, seen.name);
    if (!run) return false;  // not one of ours (a selector can match older runs)
    if (type == "DELETED" && !seen.Terminal()) {
      seen.phase = backup::kPhaseFailed;
      seen.reason = "Deleted";
      seen.message = "the object was deleted before the run finished";
    }
    *run = std::move(seen);
    if (tty) {
      std::string summary = SummaryLine(*runs);
      if (summary != last_summary) *env.out << "\r\033[K" << summary << std::flush;
      last_summary = summary;
    } else if (req.progress) {
      std::string line = ProgressLine(*run);
      if (throttle.ShouldPrint(*run, line, std::chrono::steady_clock::now())) *env.out << line << "\n" << std::flush;
    }
    return AllTerminal(*runs);
  };
  Status st = AllTerminal(*runs) ? Status::OK()
                                 : FollowObjects(*env.api, req.collection, req.selector, on_object, req.deadline);
  if (tty && !last_summary.empty()) *env.out << "\n";
  if (st.code() == Code::kTimeout && st.message().empty()) {
    size_t open = std::count_if(runs->begin(), runs->end(), [](const RunView& r) { return !r.Terminal(); });
    return Status::Timeout("error: timed out with " + std::to_string(open) + " of " +
                           std::to_string(runs->size()) + " still unfinished (they keep running on the server)");
  }
  return st;
}

}  // namespace dw::cli
