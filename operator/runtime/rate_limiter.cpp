#include "operator/runtime/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace dw::runtime {

Duration ItemExponentialLimiter::When(const std::string& key) {
  std::lock_guard<std::mutex> g(mu_);
  int n = failures_[key]++;
  // Compute in double: 2^n overflows an integer long before the cap matters.
  double d = static_cast<double>(base_.count()) * std::pow(2.0, n);
  if (d >= static_cast<double>(cap_.count())) return cap_;
  return Duration(static_cast<Duration::rep>(d));
}

void ItemExponentialLimiter::Forget(const std::string& key) {
  std::lock_guard<std::mutex> g(mu_);
  failures_.erase(key);
}

int ItemExponentialLimiter::NumRequeues(const std::string& key) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

BucketLimiter::BucketLimiter(double qps, int burst, Clock* clock)
    : qps_(qps), burst_(burst), clock_(clock), tokens_(burst), last_(clock->Now()) {}

Duration BucketLimiter::When(const std::string&) {
  std::lock_guard<std::mutex> g(mu_);
  auto now = clock_->Now();
  if (now > last_) {
    double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_ = now;
  }
  tokens_ -= 1;  // may go negative: a reservation of a future token
  if (tokens_ >= 0) return Duration(0);
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(-tokens_ / qps_));
}

Duration MaxOfLimiter::When(const std::string& key) { return std::max(a_->When(key), b_->When(key)); }

void MaxOfLimiter::Forget(const std::string& key) {
  a_->Forget(key);
  b_->Forget(key);
}

int MaxOfLimiter::NumRequeues(const std::string& key) {
  return std::max(a_->NumRequeues(key), b_->NumRequeues(key));
}

std::unique_ptr<RateLimiter> DefaultControllerLimiter(Clock* clock, const RateLimiterOptions& o) {
  return std::make_unique<MaxOfLimiter>(std::make_unique<ItemExponentialLimiter>(o.base_delay, o.max_delay),
                                        std::make_unique<BucketLimiter>(o.qps, o.burst, clock));
}

std::chrono::milliseconds DoublingBackoff(int failures, std::chrono::milliseconds first,
                                          std::chrono::milliseconds max) {
  std::chrono::milliseconds d = first;
  for (int i = 1; i < failures && d < max; ++i) d *= 2;
  return std::min(d, max);
}

}  // namespace dw::runtime
