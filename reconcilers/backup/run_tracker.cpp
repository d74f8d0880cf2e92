#include "reconcilers/backup/run_tracker.h"

#include <utility>
#include <vector>

namespace dw::backup {

bool RunContext::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return cancel_.load(); });
}

void RunContext::RequestCancel(bool shutdown) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown) shutdown_ = true;
    cancel_ = true;
  }
  cv_.notify_all();
}

RunTracker::~RunTracker() { Shutdown(); }

bool RunTracker::Start(const std::string& key, const std::string& uid, RunFn fn) {
  std::unique_lock<std::mutex> lock(mu_);
  if (shutdown_) return false;
  auto it = runs_.find(key);
  if (it != runs_.end()) {
    if (!it->second.done) return false;
    JoinLocked(lock, key);
  }
  Run& run = runs_[key];
  run.uid = uid;
  run.ctx = std::make_shared<RunContext>();
  std::shared_ptr<RunContext> ctx = run.ctx;
  run.thread = std::thread([this, key, ctx, fn = std::move(fn)] {
    fn(*ctx);
    {
      std::lock_guard<std::mutex> l(mu_);
      auto r = runs_.find(key);
      if (r != runs_.end() && r->second.ctx == ctx) r->second.done = true;
    }
    done_cv_.notify_all();
  });
  return true;
}

bool RunTracker::Knows(const std::string& key, const std::string& uid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = runs_.find(key);
  return it != runs_.end() && it->second.uid == uid;
}

bool RunTracker::Live(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = runs_.find(key);
  return it != runs_.end() && !it->second.done;
}

void RunTracker::Cancel(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = runs_.find(key);
  if (it != runs_.end()) it->second.ctx->RequestCancel(false);
}

bool RunTracker::Wait(const std::string& key, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  bool ended = done_cv_.wait_for(lock, timeout, [&] {
    auto it = runs_.find(key);
    return it == runs_.end() || it->second.done;
  });
  if (ended) JoinLocked(lock, key);
  return ended;
}

void RunTracker::Forget(const std::string& key) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = runs_.find(key);
  if (it != runs_.end() && it->second.done) JoinLocked(lock, key);
}

// Only for a done run: its thread no longer needs mu_, so joining under the
// lock cannot deadlock and returns at once.
void RunTracker::JoinLocked(std::unique_lock<std::mutex>& lock, const std::string& key) {
  auto it = runs_.find(key);
  if (it == runs_.end()) return;
  if (it->second.thread.joinable()) it->second.thread.join();
  runs_.erase(it);
}

void RunTracker::Shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutdown_ = true;
    for (auto& [key, run] : runs_) run.ctx->RequestCancel(true);
    for (auto& [key, run] : runs_)
      if (run.thread.joinable()) threads.push_back(std::move(run.thread));
  }
  // Joined outside the lock: a finishing run takes mu_ to mark itself done.
  for (auto& t : threads) t.join();
  std::lock_guard<std::mutex> lock(mu_);
  runs_.clear();
}

size_t RunTracker::live_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [key, run] : runs_)
    if (!run.done) ++n;
  return n;
}

bool RunTracker::SweepOnce(const std::string& dir,
                           const std::function<Status(const std::string&)>& sweep, Status* st) {
  std::lock_guard<std::mutex> lock(sweep_mu_);
  if (!swept_.insert(dir).second) return false;
  Status s = sweep(dir);
  if (st) *st = s;
  return true;
}

}  // namespace dw::backup
