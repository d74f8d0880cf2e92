// StatsSampler: Recommend mode's usage source. One GET /containers/{id}/stats
// ?stream=true per sampled container, each on its own connection and thread:
// the daemon pushes a sample a second, dockward never polls. At most
// `max_streams` streams (default 32) at once; beyond that, Track reports the
// containers left out. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "operator/common/clock.h"
#include "operator/common/status.h"
#include "operator/docker/client.h"
#include "reconcilers/stacklimits/recommend.h"

namespace dw::stacklimits {

class StatsSampler {
 public:
  using ClientFactory = std::function<Status(std::unique_ptr<docker::DockerClient>*)>;
  explicit StatsSampler(int max_streams = 32, std::function<clock::TimePoint()> now = [] { return clock::Now(); });
  ~StatsSampler();  // Stop()

  // Makes the set of containers sampled for `scope` ("ns/policy") exactly
  // `ids`: opens streams for new ones (clients from `factory`), closes the
  // rest. A container already sampled keeps its window. Returns the ids left
  // out by the stream cap.
  std::vector<std::string> Track(const std::string& scope, const ClientFactory& factory,
                                 const std::vector<std::string>& ids);
  void Untrack(const std::string& scope);

  struct Usage {
    UsagePeak peak;
    clock::TimePoint since{};  // first sample of the current window
    bool streaming = false;
    std::string error;         // last stream error ("" when fine)
  };
  // False when `id` is not sampled.
  bool Get(const std::string& id, Usage* out) const;
  // The container restarted: start a new window.
  void ResetWindow(const std::string& id);
  // Called (from a stream thread) after each sample; e.g. to requeue a policy
  // when its window completes. Set before Track.
  void OnSample(std::function<void(const std::string& id)> fn);
  void Stop();

 private:
  struct Stream;
  int max_streams_;
  std::function<clock::TimePoint()> now_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Stream>> streams_;      // id -> stream
  std::map<std::string, std::vector<std::string>> scopes_;      // scope -> ids
  std::function<void(const std::string&)> on_sample_;
};

}  // namespace dw::stacklimits
