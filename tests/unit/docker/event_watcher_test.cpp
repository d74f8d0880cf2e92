#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "operator/docker/event_watcher.h"

using namespace dw::docker;
using Clock = std::chrono::steady_clock;

TEST_CASE("watcher against an absent daemon retries with backoff and stops promptly") {
  DockerConfig cfg;
  cfg.endpoint = "unix:///nonexistent/dw/docker.sock";
  EventWatcherOptions opts;
  opts.min_backoff = std::chrono::milliseconds(20);
  opts.max_backoff = std::chrono::milliseconds(80);
  std::atomic<int> resyncs{0}, events{0}, state_changes{0};
  EventWatcherCallbacks cbs;
  cbs.on_event = [&](const Event&) { events++; };
  cbs.on_resync = [&] { resyncs++; };
  cbs.on_state = [&](bool, const dw::Status&) { state_changes++; };
  EventWatcher w(cfg, opts, cbs);
  w.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK_FALSE(w.connected());
  // 20+40+80+80+80... ms waits: a handful of attempts, not a spin.
  CHECK(w.reconnects() >= 3);
  CHECK(w.reconnects() <= 10);
  auto t0 = Clock::now();
  w.Stop();
  CHECK(Clock::now() - t0 < std::chrono::milliseconds(300));
  CHECK(resyncs == 0);  // never connected, so nothing to re-list against
  CHECK(events == 0);
  CHECK(state_changes == 0);  // it never was connected: no transition to report
  int after = w.reconnects();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(w.reconnects() == after);  // really stopped
}

TEST_CASE("watcher Stop without Start and double Stop are harmless") {
  DockerConfig cfg;
  cfg.endpoint = "unix:///nonexistent/dw/docker.sock";
  EventWatcher w(cfg, {}, {});
  w.Stop();
  w.Stop();
  CHECK_FALSE(w.connected());
}
