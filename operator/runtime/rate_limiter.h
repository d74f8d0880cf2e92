// Rate limiters for the work queue, with client-go's defaults:
//  - ItemExponentialLimiter: per key, base * 2^failures, capped (5 ms .. 1000 s);
//  - BucketLimiter: one token bucket over all keys (10 qps, burst 100), so a
//    storm of failures cannot hammer the API server;
//  - DefaultControllerLimiter: the larger of the two delays.
// When() says how long to wait before the key may be processed again and
// counts it as a retry; Forget() clears a key's history after a success.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "operator/runtime/clock.h"

namespace dw::runtime {

using Duration = std::chrono::nanoseconds;

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  virtual Duration When(const std::string& key) = 0;
  virtual void Forget(const std::string& key) = 0;
  virtual int NumRequeues(const std::string& key) = 0;
};

class ItemExponentialLimiter : public RateLimiter {
 public:
  ItemExponentialLimiter(Duration base, Duration cap) : base_(base), cap_(cap) {}
  Duration When(const std::string& key) override;
  void Forget(const std::string& key) override;
  int NumRequeues(const std::string& key) override;

 private:
  const Duration base_, cap_;
  std::mutex mu_;
  std::map<std::string, int> failures_;
};

// Reservation semantics as golang.org/x/time/rate: each call takes a token,
// possibly from the future, and waits until that token exists.
class BucketLimiter : public RateLimiter {
 public:
  BucketLimiter(double qps, int burst, Clock* clock);
  Duration When(const std::string& key) override;
  void Forget(const std::string&) override {}
  int NumRequeues(const std::string&) override { return 0; }

 private:
  const double qps_;
  const double burst_;
  Clock* clock_;
  std::mutex mu_;
  double tokens_;
  Clock::TimePoint last_;
};

class MaxOfLimiter : public RateLimiter {
 public:
  MaxOfLimiter(std::unique_ptr<RateLimiter> a, std::unique_ptr<RateLimiter> b)
      : a_(std::move(a)), b_(std::move(b)) {}
  Duration When(const std::string& key) override;
  void Forget(const std::string& key) override;
  int NumRequeues(const std::string& key) override;

 private:
  std::unique_ptr<RateLimiter> a_, b_;
};

struct RateLimiterOptions {
  Duration base_delay = std::chrono::milliseconds(5);
  Duration max_delay = std::chrono::seconds(1000);
  double qps = 10;
  int burst = 100;
};

std::unique_ptr<RateLimiter> DefaultControllerLimiter(Clock* clock, const RateLimiterOptions& o = {});

// first, 2*first, 4*first ... capped at max, for `failures` >= 1 consecutive
// failures: the requeue delay of a reconciler that talks to something that
// may be down (a Docker host, a community server, a Git remote).
std::chrono::milliseconds DoublingBackoff(int failures, std::chrono::milliseconds first,
                                          std::chrono::milliseconds max);

}  // namespace dw::runtime
