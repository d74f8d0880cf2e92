// WorkQueue: the rate-limited queue of object keys between event handlers and
// reconcile workers, with client-go's guarantees:
//  - a key is queued at most once however often it is added (dirty set);
//  - a key is never handed to two workers at once: one added while being
//    processed is queued again once, when Done() is called;
//  - AddAfter() delays a key (requeueAfter) on a single timer thread that
//    sleeps until the earliest deadline (a min-heap, no polling); a key
//    already waiting keeps the earlier deadline;
//  - AddRateLimited() delays by the RateLimiter (per-key backoff plus an
//    overall token bucket); Forget() resets the key's backoff;
//  - ShutDown() refuses new keys and wakes every waiter; Get() then returns
//    false and keys still queued are dropped (a restarted controller
//    re-lists, so nothing is lost).
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "operator/common/metrics.h"
#include "operator/runtime/clock.h"
#include "operator/runtime/rate_limiter.h"

namespace dw::runtime {

class WorkQueue {
 public:
  // `limiter` nullptr: DefaultControllerLimiter(clock). `clock` must outlive the queue.
  explicit WorkQueue(std::string name, Clock* clock = RealClock::Get(),
                     std::unique_ptr<RateLimiter> limiter = nullptr);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Add(const std::string& key);
  void AddAfter(const std::string& key, Duration delay);
  void AddRateLimited(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key);

  // Blocks until a key is ready (true) or the queue shuts down (false).
  bool Get(std::string* key);
  // Marks `key` (from Get) finished; re-queues it if it was added meanwhile.
  void Done(const std::string& key);

  void ShutDown();
  bool ShuttingDown() const;
  size_t Len() const;         // keys ready to be processed
  size_t WaitingLen() const;  // keys delayed by AddAfter

 private:
  struct Delayed {
    Clock::TimePoint when;
    std::string key;
    bool operator>(const Delayed& o) const { return when > o.when; }
  };

  void AddLocked(const std::string& key);
  void TimerLoop();

  const std::string name_;
  Clock* clock_;
  std::unique_ptr<RateLimiter> limiter_;
  metrics::Gauge& depth_;
  metrics::Counter& adds_;
  metrics::Counter& retries_;

  mutable std::mutex mu_;
  std::condition_variable ready_cv_;
  std::condition_variable timer_cv_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;       // queued or to be re-queued
  std::set<std::string> processing_;  // handed out by Get, not yet Done
  // Min-heap with lazy deletion: an entry is live only while waiting_[key]
  // still holds its deadline.
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<Delayed>> heap_;
  std::map<std::string, Clock::TimePoint> waiting_;
  bool shutting_down_ = false;
  std::thread timer_;
};

}  // namespace dw::runtime
