// One thread per sampled container, blocked in a stats stream: the daemon
// pushes a sample a second. A stream that ends (container stopped, daemon
// restarted) is reopened after a backoff wait, never in a spin.
#include "reconcilers/stacklimits/stats_sampler.h"

#include <algorithm>
#include <condition_variable>
#include <set>
#include <thread>

namespace dw::stacklimits {

namespace {
constexpr std::chrono::seconds kMinBackoff{1};
constexpr std::chrono::seconds kMaxBackoff{30};

// Removes from `streams` (id -> stream) those no scope refers to any more and
// returns them, to be closed once the lock is released.
template <class Streams, class Scopes>
std::vector<typename Streams::mapped_type> TakeOrphans(Streams& streams, const Scopes& scopes) {
  std::set<std::string> used;
  for (const auto& [scope, ids] : scopes) used.insert(ids.begin(), ids.end());
  std::vector<typename Streams::mapped_type> out;
  for (auto it = streams.begin(); it != streams.end();) {
    if (used.count(it->first)) {
      ++it;
    } else {
      out.push_back(std::move(it->second));
      it = streams.erase(it);
    }
  }
  return out;
}
}  // namespace

struct StatsSampler::Stream {
  std::string id;
  std::unique_ptr<docker::DockerClient> docker;
  std::function<clock::TimePoint()> now;
  std::function<void(const std::string&)> notify;  // the sampler's OnSample hook
  std::thread thread;

  std::mutex mu;  // guards everything below
  std::condition_variable cv;
  bool stop = false;
  http::Client* live = nullptr;  // the connection to Cancel() on stop
  UsageAccumulator acc;
  clock::TimePoint since{};
  bool streaming = false;
  std::string error;

  void Run() {
    auto backoff = kMinBackoff;
    while (true) {
      std::unique_ptr<http::Client> conn = docker->NewStreamClient();
      {
        std::lock_guard<std::mutex> l(mu);
        if (stop) return;
        live = conn.get();
      }
      bool got_sample = false;
      Status st = conn ? docker->StreamStats(conn.get(), id,
                                             [&](const docker::ContainerStats& s) {
                                               got_sample = true;
                                               return OnStats(s);
                                             })
                       : Status::BadRequest("docker endpoint configuration is invalid");
      std::unique_lock<std::mutex> l(mu);
      live = nullptr;
      streaming = false;
      if (stop) return;
      error = st.ok() ? "stats stream ended" : st.ToString();
      if (got_sample) backoff = kMinBackoff;
      cv.wait_for(l, backoff, [&] { return stop; });
      if (stop) return;
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }

  // False ends the stream: after stop, the sampler may be gone.
  bool OnStats(const docker::ContainerStats& s) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (stop) return false;
      if (acc.peak().samples == 0) since = now();
      acc.Add(s);
      streaming = true;
      error.clear();
    }
    notify(id);
    return true;
  }

  // Stops the thread: flag, abort the stream in flight, join. From the
  // stream's own thread (an OnSample hook that untracks) it detaches instead.
  void Close() {
    {
      std::lock_guard<std::mutex> l(mu);
      stop = true;
      if (live) live->Cancel();
    }
    cv.notify_all();
    if (!thread.joinable()) return;
    if (thread.get_id() == std::this_thread::get_id()) thread.detach();
    else thread.join();
  }
};

StatsSampler::StatsSampler(int max_streams, std::function<clock::TimePoint()> now)
    : max_streams_(std::max(max_streams, 1)), now_(std::move(now)) {}

StatsSampler::~StatsSampler() { Stop(); }

void StatsSampler::OnSample(std::function<void(const std::string& id)> fn) {
  std::lock_guard<std::mutex> l(mu_);
  on_sample_ = std::move(fn);
}

std::vector<std::string> StatsSampler::Track(const std::string& scope,
                                             const ClientFactory& factory,
                                             const std::vector<std::string>& ids) {
  std::vector<std::shared_ptr<Stream>> to_close;
  std::vector<std::string> left_out;
  {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<std::string> kept;
    for (const auto& id : ids) {
      if (std::find(kept.begin(), kept.end(), id) != kept.end()) continue;
      if (!streams_.count(id)) {
        if (static_cast<int>(streams_.size()) >= max_streams_) {
          left_out.push_back(id);
          continue;
        }
        auto s = std::make_shared<Stream>();
        Status st = factory(&s->docker);
        if (!st.ok() || !s->docker) {
          left_out.push_back(id);
          continue;
        }
        s->id = id;
        s->now = now_;
        s->notify = [this](const std::string& sid) {
          std::function<void(const std::string&)> fn;
          {
            std::lock_guard<std::mutex> l2(mu_);
            fn = on_sample_;
          }
          if (fn) fn(sid);
        };
        s->thread = std::thread([s] { s->Run(); });
        streams_[id] = s;
      }
      kept.push_back(id);
    }
    scopes_[scope] = kept;
    to_close = TakeOrphans(streams_, scopes_);
  }
  for (auto& s : to_close) s->Close();
  return left_out;
}

void StatsSampler::Untrack(const std::string& scope) {
  std::vector<std::shared_ptr<Stream>> to_close;
  {
    std::lock_guard<std::mutex> l(mu_);
    scopes_.erase(scope);
    to_close = TakeOrphans(streams_, scopes_);
  }
  for (auto& s : to_close) s->Close();
}

bool StatsSampler::Get(const std::string& id, Usage* out) const {
  std::shared_ptr<Stream> s;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = streams_.find(id);
    if (it == streams_.end()) return false;
    s = it->second;
  }
  std::lock_guard<std::mutex> l(s->mu);
  out->peak = s->acc.peak();
  out->since = s->since;
  out->streaming = s->streaming;
  out->error = s->error;
  return true;
}

void StatsSampler::ResetWindow(const std::string& id) {
  std::shared_ptr<Stream> s;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = streams_.find(id);
    if (it == streams_.end()) return;
    s = it->second;
  }
  std::lock_guard<std::mutex> l(s->mu);
  s->acc = UsageAccumulator();
  s->since = {};
}

void StatsSampler::Stop() {
  std::vector<std::shared_ptr<Stream>> to_close;
  {
    std::lock_guard<std::mutex> l(mu_);
    scopes_.clear();
    to_close = TakeOrphans(streams_, scopes_);
  }
  for (auto& s : to_close) s->Close();
}

}  // namespace dw::stacklimits
