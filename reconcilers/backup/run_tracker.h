// RunTracker: the long-running backup and restore runs of this process, one
// thread each, keyed by "ns/name" and the object's uid. Reconcilers start,
// observe and cancel runs through it and never block on one: a run reports
// its outcome by writing its object's status, which wakes the reconciler.
//
// Promises:
//  - at most one live run per key;
//  - a run whose key and uid the tracker does not know was not started by
//    this process (after a restart: an interrupted run);
//  - Cancel wakes a run's SleepFor at once; Shutdown (and the destructor)
//    cancels every run and joins every thread;
//  - SweepOnce removes a directory's leftover temp files at most once per
//    process, under the tracker's lock, before any run of this process can
//    write there, so a sweep never races a live writer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "operator/common/status.h"

namespace dw::backup {

// What a run's thread sees of its own lifecycle.
class RunContext {
 public:
  const std::atomic<bool>& cancel_flag() const { return cancel_; }
  bool cancelled() const { return cancel_.load(); }
  // True when the cancel came from Shutdown (the process is stopping), not
  // from a Cancel of this run (its object is being deleted).
  bool shutting_down() const { return shutdown_.load(); }
  // Sleeps up to `d`; false if cancelled first (or already).
  bool SleepFor(std::chrono::milliseconds d);

 private:
  friend class RunTracker;
  void RequestCancel(bool shutdown);

  std::atomic<bool> cancel_{false};
  std::atomic<bool> shutdown_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

class RunTracker {
 public:
  using RunFn = std::function<void(RunContext& ctx)>;

  RunTracker() = default;
  ~RunTracker();
  RunTracker(const RunTracker&) = delete;
  RunTracker& operator=(const RunTracker&) = delete;

  // Starts `fn` on its own thread. False (and nothing started) while a run
  // for `key` is still live, or after Shutdown. A finished run under the
  // same key is reaped first.
  bool Start(const std::string& key, const std::string& uid, RunFn fn);
  // A run for key with this uid was started here (live or finished, not yet
  // forgotten).
  bool Knows(const std::string& key, const std::string& uid) const;
  // A run for key is live (its function has not returned).
  bool Live(const std::string& key) const;
  // Asks the run for key to stop; no-op when none.
  void Cancel(const std::string& key);
  // Waits up to `timeout` for the run's function to return and joins its
  // thread. True when no live run remains for key.
  bool Wait(const std::string& key, std::chrono::milliseconds timeout);
  // Drops a finished run's record (joins its thread); a live run stays.
  void Forget(const std::string& key);
  // Cancels every run and joins every thread; later Starts fail.
  void Shutdown();
  size_t live_count() const;

  // Calls sweep(dir) the first time `dir` is named (concurrent callers for
  // the same dir wait for that first sweep); true
  // when it ran now. The sweep's Status goes to *st (optional).
  bool SweepOnce(const std::string& dir, const std::function<Status(const std::string&)>& sweep,
                 Status* st = nullptr);

 private:
  struct Run {
    std::string uid;
    std::shared_ptr<RunContext> ctx;
    std::thread thread;
    bool done = false;
  };
  void JoinLocked(std::unique_lock<std::mutex>& lock, const std::string& key);

  mutable std::mutex mu_;
  std::condition_variable done_cv_;
  std::map<std::string, Run> runs_;
  bool shutdown_ = false;
  // Separate from mu_ so a slow sweep never stalls Knows/Start; a run's own
  // SweepOnce blocks on it until the directory's first sweep is over.
  std::mutex sweep_mu_;
  std::set<std::string> swept_;  // under sweep_mu_
};

}  // namespace dw::backup
