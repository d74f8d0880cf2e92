#include "reconcilers/stacklimits/memory_usage.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace dw::stacklimits {

std::map<std::string, int64_t> MemoryUsages(docker::DockerClient* own, const DockerClientFactory& factory,
                                            const std::vector<std::string>& ids, size_t max_parallel) {
  std::map<std::string, int64_t> out;
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<size_t> next{0};
  // Each worker takes the next unasked id, so a slow or failing client does
  // not hold ids back from the others.
  auto work = [&](docker::DockerClient* c) {
    for (size_t i; (i = next++) < ids.size();) {
      docker::ContainerStats s;
      if (!c->ContainerStatsOnce(ids[i], &s, /*memory_only=*/true).ok()) continue;
      std::lock_guard<std::mutex> l(mu);
      out[ids[i]] = s.memory_usage;
    }
  };
  const size_t width = std::min(std::max<size_t>(max_parallel, 1), ids.size());
  const size_t extra = factory && width > 1 ? width - 1 : 0;
  // Start line: a new client negotiates first (GET /version); the first
  // requests leave together so that they land in the same collector sample
  // rather than one in this sample and the rest a second later.
  size_t getting_ready = extra;
  auto ready = [&] {
    std::unique_lock<std::mutex> l(mu);
    if (getting_ready > 0 && --getting_ready == 0) cv.notify_all();
    cv.wait(l, [&] { return getting_ready == 0; });
  };
  std::vector<std::thread> threads;
  threads.reserve(extra);
  for (size_t t = 0; t < extra; ++t) {
    threads.emplace_back([&] {
      std::unique_ptr<docker::DockerClient> c;
      bool ok = factory(&c).ok() && c && c->Negotiate().ok();
      ready();
      if (ok) work(c.get());
    });
  }
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return getting_ready == 0; });
  }
  work(own);
  for (auto& t : threads) t.join();
  return out;
}

}  // namespace dw::stacklimits
