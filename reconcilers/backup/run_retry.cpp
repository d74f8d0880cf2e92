#include "reconcilers/backup/run_retry.h"

#include <algorithm>

#include "operator/docker/errors.h"

namespace dw::backup {

std::chrono::milliseconds RetryDelay(std::chrono::milliseconds backoff, int k) {
  constexpr std::chrono::milliseconds kCap = std::chrono::hours(1);
  auto d = backoff;
  for (int i = 1; i < k && d < kCap; ++i) d *= 2;
  return std::min(d, kCap);
}

Status RunWithRetries(RunContext& ctx, int attempts, std::chrono::milliseconds backoff,
                      const AttemptFn& once, const RetryNoticeFn& on_retry) {
  const int total = std::max(1, attempts);
  for (int attempt = 1;; ++attempt) {
    if (ctx.cancelled()) return Status::Timeout("cancelled");
    Status st = once(attempt);
    if (st.ok() || ctx.cancelled() || !docker::IsTransient(st) || attempt >= total) return st;
    auto delay = RetryDelay(backoff, attempt);
    if (on_retry) on_retry(attempt, st, delay);
    if (!ctx.SleepFor(delay)) return Status::Timeout("cancelled");
  }
}

}  // namespace dw::backup
