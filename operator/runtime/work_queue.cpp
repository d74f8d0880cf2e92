#include "operator/runtime/work_queue.h"

#include "operator/runtime/metrics.h"

namespace dw::runtime {

WorkQueue::WorkQueue(std::string name, Clock* clock, std::unique_ptr<RateLimiter> limiter)
    : name_(std::move(name)),
      clock_(clock),
      limiter_(limiter ? std::move(limiter) : DefaultControllerLimiter(clock)),
      depth_(RuntimeMetrics::Get().queue_depth.With({name_})),
      adds_(RuntimeMetrics::Get().queue_adds.With({name_})),
      retries_(RuntimeMetrics::Get().queue_retries.With({name_})) {
  timer_ = std::thread([this] { TimerLoop(); });
}

WorkQueue::~WorkQueue() {
  ShutDown();
  timer_.join();
}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key)) return;
  adds_.Inc();
  dirty_.insert(key);
  if (processing_.count(key)) return;  // Done() queues it
  queue_.push_back(key);
  depth_.Set(static_cast<double>(queue_.size()));
  ready_cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> g(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, Duration delay) {
  if (delay <= Duration::zero()) return Add(key);
  std::lock_guard<std::mutex> g(mu_);
  if (shutting_down_) return;
  auto when = clock_->Now() + std::chrono::duration_cast<Clock::TimePoint::duration>(delay);
  auto it = waiting_.find(key);
  if (it != waiting_.end() && it->second <= when) return;
  waiting_[key] = when;
  bool earliest = heap_.empty() || when < heap_.top().when;
  heap_.push({when, key});
  if (earliest) timer_cv_.notify_one();
}

void WorkQueue::AddRateLimited(const std::string& key) {
  retries_.Inc();
  AddAfter(key, limiter_->When(key));
}

void WorkQueue::Forget(const std::string& key) { limiter_->Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) { return limiter_->NumRequeues(key); }

bool WorkQueue::Get(std::string* key) {
  std::unique_lock<std::mutex> l(mu_);
  ready_cv_.wait(l, [&] { return shutting_down_ || !queue_.empty(); });
  if (shutting_down_) return false;
  *key = std::move(queue_.front());
  queue_.pop_front();
  depth_.Set(static_cast<double>(queue_.size()));
  processing_.insert(*key);
  dirty_.erase(*key);
  return true;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> g(mu_);
  processing_.erase(key);
  if (dirty_.count(key) && !shutting_down_) {
    queue_.push_back(key);
    depth_.Set(static_cast<double>(queue_.size()));
    ready_cv_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> g(mu_);
  shutting_down_ = true;
  ready_cv_.notify_all();
  timer_cv_.notify_all();
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard<std::mutex> g(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard<std::mutex> g(mu_);
  return queue_.size();
}

size_t WorkQueue::WaitingLen() const {
  std::lock_guard<std::mutex> g(mu_);
  return waiting_.size();
}

void WorkQueue::TimerLoop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!shutting_down_) {
    if (heap_.empty()) {
      timer_cv_.wait(l);
      continue;
    }
    Delayed top = heap_.top();
    auto it = waiting_.find(top.key);
    if (it == waiting_.end() || it->second != top.when) {  // superseded entry
      heap_.pop();
      continue;
    }
    if (clock_->Now() < top.when) {
      clock_->WaitUntil(timer_cv_, l, top.when);
      continue;
    }
    heap_.pop();
    waiting_.erase(it);
    AddLocked(top.key);
  }
}

}  // namespace dw::runtime
