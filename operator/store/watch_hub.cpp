#include "operator/store/watch_hub.h"

#include <algorithm>

namespace dw::store {

struct WatchHub::Stream {
  std::string prefix;
  int64_t from_rv = 0;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::shared_ptr<const Event>> queue;
  bool closed = false;
  std::string reason;

  bool Wants(const Event& e) const {
    return e.object.rv > from_rv && e.object.key.compare(0, prefix.size(), prefix) == 0;
  }
  void Close(const std::string& why) {
    std::lock_guard<std::mutex> l(mu);
    if (closed) return;
    closed = true;
    reason = why;
    cv.notify_all();
  }
};

// The handle given to callers. Holds the hub alive so Stop() after the store
// is gone is still safe.
class HubWatcher : public Watcher {
 public:
  HubWatcher(std::shared_ptr<WatchHub> hub, std::shared_ptr<WatchHub::Stream> s)
      : hub_(std::move(hub)), s_(std::move(s)) {}
  ~HubWatcher() override { Stop(); }

  bool Next(std::vector<Event>* out, std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> l(s_->mu);
    s_->cv.wait_for(l, timeout, [&] { return !s_->queue.empty() || s_->closed; });
    if (s_->queue.empty()) return !s_->closed;
    out->reserve(out->size() + s_->queue.size());
    for (const auto& e : s_->queue) out->push_back(*e);
    s_->queue.clear();
    return true;
  }

  void Stop() override {
    s_->Close("stopped");
    hub_->Remove(s_.get());
  }

  std::string closed_reason() const override {
    std::lock_guard<std::mutex> l(s_->mu);
    return s_->reason;
  }

 private:
  std::shared_ptr<WatchHub> hub_;
  std::shared_ptr<WatchHub::Stream> s_;
};

WatchHub::WatchHub(int64_t history_limit, int64_t queue_limit)
    : history_limit_(static_cast<size_t>(std::max<int64_t>(history_limit, 1))),
      queue_limit_(static_cast<size_t>(std::max<int64_t>(queue_limit, 1))) {}

void WatchHub::Reset(int64_t revision) {
  std::lock_guard<std::mutex> l(mu_);
  history_.clear();
  floor_ = revision;
  last_rev_ = revision;
}

void WatchHub::Publish(std::vector<std::shared_ptr<const Event>> events) {
  std::lock_guard<std::mutex> l(mu_);
  bool dropped = false;
  for (auto& e : events) {
    last_rev_ = e->object.rv;
    for (auto& s : streams_) {
      if (!s->Wants(*e)) continue;
      std::lock_guard<std::mutex> sl(s->mu);
      if (s->closed) continue;
      if (s->queue.size() >= queue_limit_) {
        s->queue.clear();  // an incomplete stream is useless: the client must re-list
        s->closed = true;
        s->reason = "watcher too slow";
        dropped = true;
      } else {
        s->queue.push_back(e);
      }
      s->cv.notify_one();
    }
    history_.push_back(std::move(e));
    if (history_.size() > history_limit_) {
      floor_ = history_.front()->object.rv;
      history_.pop_front();
    }
  }
  if (dropped) {
    streams_.erase(std::remove_if(streams_.begin(), streams_.end(),
                                  [](const std::shared_ptr<Stream>& s) {
                                    std::lock_guard<std::mutex> sl(s->mu);
                                    return s->closed;
                                  }),
                   streams_.end());
  }
}

Status WatchHub::Watch(const std::string& prefix, int64_t from_rv, std::unique_ptr<Watcher>* out) {
  auto s = std::make_shared<Stream>();
  s->prefix = prefix;
  // Registered under mu_, but handed out after unlocking: assigning to *out
  // may destroy a previous watcher, whose destructor takes mu_ too.
  DW_RETURN_IF_ERROR(Register(s, from_rv));
  *out = std::make_unique<HubWatcher>(shared_from_this(), std::move(s));
  return Status::OK();
}

Status WatchHub::Register(const std::shared_ptr<Stream>& s, int64_t from_rv) {
  std::lock_guard<std::mutex> l(mu_);
  if (closed_) return Status::Unavailable("store is closed");
  if (from_rv < 0) return Status::BadRequest("resourceVersion must not be negative");
  if (from_rv == 0) from_rv = last_rev_;
  if (from_rv < floor_) {
    return Status::Gone("too old resource version: " + std::to_string(from_rv) + " (" +
                        std::to_string(floor_) + ")");
  }
  s->from_rv = from_rv;
  // History is in revision order: binary-search the first event to replay.
  auto it = std::upper_bound(history_.begin(), history_.end(), from_rv,
                             [](int64_t rv, const std::shared_ptr<const Event>& e) { return rv < e->object.rv; });
  for (; it != history_.end(); ++it) {
    if (s->Wants(**it)) s->queue.push_back(*it);
  }
  if (s->queue.size() > queue_limit_) {
    s->queue.clear();
    s->closed = true;
    s->reason = "watcher too slow";
  } else {
    streams_.push_back(s);
  }
  return Status::OK();
}

void WatchHub::CloseAll(const std::string& reason) {
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = true;
    streams.swap(streams_);
  }
  for (auto& s : streams) s->Close(reason);
}

void WatchHub::Remove(const Stream* s) {
  std::lock_guard<std::mutex> l(mu_);
  streams_.erase(std::remove_if(streams_.begin(), streams_.end(),
                                [s](const std::shared_ptr<Stream>& p) { return p.get() == s; }),
                 streams_.end());
}

int64_t WatchHub::watchers() const {
  std::lock_guard<std::mutex> l(mu_);
  return static_cast<int64_t>(streams_.size());
}

int64_t WatchHub::compacted_revision() const {
  std::lock_guard<std::mutex> l(mu_);
  return std::max<int64_t>(0, floor_ - 1);
}

}  // namespace dw::store
