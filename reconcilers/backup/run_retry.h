// The retry loop of a run: transient failures (docker::IsTransient: daemon
// down or restarting, timeouts talking to it) are retried with exponential
// backoff; everything else, and a cancel, ends the loop at once.
#pragma once

#include <chrono>
#include <functional>

#include "operator/common/status.h"
#include "reconcilers/backup/run_tracker.h"

namespace dw::backup {

using AttemptFn = std::function<Status(int attempt)>;  // attempt counts from 1
using RetryNoticeFn =
    std::function<void(int failed_attempt, const Status& st, std::chrono::milliseconds delay)>;

// Up to `attempts` calls of `once` (at least one). Before retry k (k = 1, 2,
// ...) it calls on_retry and sleeps backoff * 2^(k-1), capped at one hour;
// a cancel during the sleep returns Timeout "cancelled".
Status RunWithRetries(RunContext& ctx, int attempts, std::chrono::milliseconds backoff,
                      const AttemptFn& once, const RetryNoticeFn& on_retry);

// The delay before retry k (k >= 1).
std::chrono::milliseconds RetryDelay(std::chrono::milliseconds backoff, int k);

}  // namespace dw::backup
