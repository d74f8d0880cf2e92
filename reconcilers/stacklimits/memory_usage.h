// MemoryUsages: the current memory usage of several running containers, asked
// of one daemon together (Enforce needs it before lowering a memory limit).
//
// Why together: the daemon answers GET /containers/{id}/stats from one
// collector that samples every container subscribed at that moment, publishes,
// and then sleeps its interval (1 s, moby daemon/stats/collector.go) before it
// looks at new subscribers. A request made during that sleep waits for its
// end, even with one-shot=true. Asked one after another, N containers cost
// about N-1 seconds (8 drifted containers: 7 s, docs/benchmarks.md); asked
// at once, they share one or two samples.
//
// Promise: every id is asked at most once; an id whose request failed is
// absent from the result (the caller then treats its usage as unknown and
// does not lower the limit). `own` serves requests on the calling thread;
// up to max_parallel - 1 more run on threads with clients from `factory`
// (DockerClient is single-threaded). A factory that fails only means fewer
// threads. Returns after every request has ended.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/docker/client.h"

namespace dw::stacklimits {

// Requests of one batch in flight at once. The daemon samples them in one
// pass, so this bounds connections and threads, not daemon work.
inline constexpr size_t kMaxParallelUsage = 16;

using DockerClientFactory = std::function<Status(std::unique_ptr<docker::DockerClient>*)>;

// id -> memory usage in bytes (page cache excluded, as `docker stats` shows).
std::map<std::string, int64_t> MemoryUsages(docker::DockerClient* own, const DockerClientFactory& factory,
                                            const std::vector<std::string>& ids,
                                            size_t max_parallel = kMaxParallelUsage);

}  // namespace dw::stacklimits
