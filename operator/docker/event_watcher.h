// EventWatcher: a background thread that follows a daemon's /events stream,
// reconnecting with exponential backoff whenever the daemon goes away.
//
// No event is silently missed: on every (re)connect the watcher
//   1. reads the daemon's own clock (GET /info SystemTime = T),
//   2. calls on_resync() so the caller re-lists (its view is then at least T),
//   3. subscribes with since=T (as Unix "sec.nsec", timestamp.h), so the
//      daemon replays every event from T on,
//      including those that happened during the re-list or before the
//      subscription took effect.
// Events between the last delivered one and T are covered by the re-list.
// The daemon's clock is used (not ours) so clock skew to a remote host does
// not open a gap. Consequence: an event may be delivered twice around a
// reconnect, so handlers must be idempotent (level-triggered reconcilers are).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "operator/docker/client.h"

namespace dw::docker {

struct EventWatcherOptions {
  Filters filters;
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  // A stream silent this long is re-established (with a resync).
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};
};

struct EventWatcherCallbacks {
  std::function<void(const Event&)> on_event;
  std::function<void()> on_resync;
  // Transitions only: connected=true after a (re)connect, false with the cause.
  std::function<void(bool connected, const Status& cause)> on_state;
};

class EventWatcher {
 public:
  EventWatcher(DockerConfig cfg, EventWatcherOptions opts, EventWatcherCallbacks cbs);
  ~EventWatcher();  // Stop()
  EventWatcher(const EventWatcher&) = delete;
  EventWatcher& operator=(const EventWatcher&) = delete;

  void Start();
  // Ends the stream in flight and joins the thread; callbacks are not called
  // after Stop returns.
  void Stop();
  bool connected() const { return connected_; }
  int reconnects() const { return reconnects_; }

 private:
  void Run();
  // One connection's life; returns why it ended.
  Status Session();
  void SetConnected(bool c, const Status& cause);
  // Sleeps up to `d`; false when Stop() was called.
  bool Wait(std::chrono::milliseconds d);

  DockerConfig cfg_;
  EventWatcherOptions opts_;
  EventWatcherCallbacks cbs_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  http::Client* current_ = nullptr;  // stream in flight, guarded by mu_
  std::atomic<bool> connected_{false};
  std::atomic<int> reconnects_{0};
  bool session_established_ = false;
};

}  // namespace dw::docker
