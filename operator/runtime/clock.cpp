// FakeClock wake-ups: Advance() takes each sleeper's own mutex before
// notifying, so a sleeper that read the old time cannot miss the wake-up
// between its check and its wait.
#include "operator/runtime/clock.h"

#include <algorithm>

namespace dw::runtime {

RealClock* RealClock::Get() {
  static RealClock c;
  return &c;
}

Clock::TimePoint FakeClock::Now() const {
  std::lock_guard<std::mutex> g(mu_);
  return now_;
}

void FakeClock::WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& l,
                          TimePoint deadline) {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (now_ >= deadline) return;
    sleepers_.push_back({&cv, l.mutex()});
  }
  cv.wait(l);
  std::lock_guard<std::mutex> g(mu_);
  auto it = std::find_if(sleepers_.begin(), sleepers_.end(),
                         [&](const Sleeper& s) { return s.cv == &cv && s.mu == l.mutex(); });
  if (it != sleepers_.end()) sleepers_.erase(it);
}

void FakeClock::Advance(std::chrono::nanoseconds d) {
  std::vector<Sleeper> wake;
  {
    std::lock_guard<std::mutex> g(mu_);
    now_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
    wake = sleepers_;
  }
  for (const auto& s : wake) {
    std::lock_guard<std::mutex> g(*s.mu);
    s.cv->notify_all();
  }
}

int FakeClock::Sleepers() const {
  std::lock_guard<std::mutex> g(mu_);
  return static_cast<int>(sleepers_.size());
}

}  // namespace dw::runtime
