#include "operator/docker/event_watcher.h"

#include "operator/docker/timestamp.h"

namespace dw::docker {

EventWatcher::EventWatcher(DockerConfig cfg, EventWatcherOptions opts, EventWatcherCallbacks cbs)
    : cfg_(std::move(cfg)), opts_(std::move(opts)), cbs_(std::move(cbs)) {}

EventWatcher::~EventWatcher() { Stop(); }

void EventWatcher::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void EventWatcher::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
    if (current_) current_->Cancel();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool EventWatcher::Wait(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> l(mu_);
  return !cv_.wait_for(l, d, [this] { return stop_; });
}

void EventWatcher::SetConnected(bool c, const Status& cause) {
  if (connected_.exchange(c) == c) return;
  if (cbs_.on_state) cbs_.on_state(c, cause);
}

Status EventWatcher::Session() {
  session_established_ = false;
  // A fresh client per session renegotiates: the daemon may have been upgraded.
  DockerClient dc(cfg_);
  SystemInfo info;
  DW_RETURN_IF_ERROR(dc.Info(&info));
  std::string since;
  DW_RETURN_IF_ERROR(UnixSinceFromRfc3339(info.system_time, &since));
  std::unique_ptr<http::Client> stream = dc.NewStreamClient();
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_) return Status::OK();
    current_ = stream.get();
  }
  session_established_ = true;
  SetConnected(true, Status::OK());
  if (cbs_.on_resync) cbs_.on_resync();
  Status st = dc.StreamEvents(
      stream.get(), opts_.filters, since,
      [this](const Event& ev) {
        if (cbs_.on_event) cbs_.on_event(ev);
        return true;
      },
      opts_.idle_timeout);
  {
    std::lock_guard<std::mutex> l(mu_);
    current_ = nullptr;
  }
  if (st.ok()) st = Status::Unavailable("docker daemon " + cfg_.endpoint + " ended the event stream");
  return st;
}

void EventWatcher::Run() {
  auto backoff = opts_.min_backoff;
  bool first = true;
  while (true) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stop_) break;
    }
    if (!first) reconnects_++;
    first = false;
    auto began = std::chrono::steady_clock::now();
    Status st = Session();
    bool lasted = std::chrono::steady_clock::now() - began >= opts_.max_backoff;
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stop_) break;
    }
    SetConnected(false, st);
    // A session that connected and then held for a while resets the backoff;
    // one that fails right after connecting must not make us spin.
    if (session_established_ && lasted) backoff = opts_.min_backoff;
    if (!Wait(backoff)) break;
    backoff = std::min(backoff * 2, opts_.max_backoff);
  }
  connected_ = false;
}

}  // namespace dw::docker
