// Clock: the monotonic time source of the work queue and rate limiters,
// injectable so tests can drive backoff and delays without sleeping.
// WaitUntil is part of the clock because a fake clock must wake sleepers
// when it is advanced; the real one just waits on the condition variable.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace dw::runtime {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  // With `l` (the caller's lock on `mu`) held: blocks until `cv` is notified
  // or Now() >= deadline. May wake spuriously; callers re-check.
  virtual void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& l,
                         TimePoint deadline) = 0;
};

class RealClock : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& l,
                 TimePoint deadline) override {
    cv.wait_until(l, deadline);
  }
  static RealClock* Get();
};

// Time moves only by Advance(). Sleepers are woken on every Advance.
class FakeClock : public Clock {
 public:
  TimePoint Now() const override;
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& l,
                 TimePoint deadline) override;
  void Advance(std::chrono::nanoseconds d);
  // Number of threads currently sleeping in WaitUntil (tests wait for >0).
  int Sleepers() const;

 private:
  struct Sleeper {
    std::condition_variable* cv;
    std::mutex* mu;
  };
  mutable std::mutex mu_;
  TimePoint now_{std::chrono::hours(1)};
  std::vector<Sleeper> sleepers_;
};

}  // namespace dw::runtime
