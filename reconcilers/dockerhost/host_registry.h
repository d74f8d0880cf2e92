// HostRegistry: what the DockerHost reconciler knows about each Docker
// daemon, shared with every reconciler that talks to Docker. The DockerHost
// reconciler is its only writer (it resolves the TLS Secrets and probes the
// daemon); the others ask it for a client by the DockerHost's namespace and
// name, and for a slot before a long operation on that daemon.
//
// DockerClient is single-threaded, so NewClient hands every caller its own
// client built from the current configuration. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/docker/client.h"

namespace dw::dockerhost {

struct HostState {
  bool reachable = false;
  std::string message;      // why not reachable (never contains key material)
  std::string version;      // engine version when reachable
  std::string api_version;  // negotiated API version when reachable
};

// True when a client built from `a` reaches the daemon exactly as one built
// from `b` would (endpoint, TLS material, timeouts).
bool SameDockerConfig(const docker::DockerConfig& a, const docker::DockerConfig& b);

class HostRegistry {
 public:
  // Called by the DockerHost reconciler after every probe.
  void Upsert(const std::string& ns, const std::string& name, const docker::DockerConfig& cfg,
              const HostState& state);
  // The DockerHost was deleted.
  void Remove(const std::string& ns, const std::string& name);

  // A client of its own for the caller. NotFound ("DockerHost ns/name not
  // found") if no such DockerHost was reconciled yet; Unavailable (with the
  // probe's message) when the last probe failed, so callers back off.
  Status NewClient(const std::string& ns, const std::string& name,
                   std::unique_ptr<docker::DockerClient>* out) const;
  // The last probe's outcome; NotFound as above.
  Status State(const std::string& ns, const std::string& name, HostState* out) const;

  // Calls fn(ns, name) after every Upsert/Remove that changed reachability or
  // configuration (e.g. to requeue the policies that use the host).
  void OnChange(std::function<void(const std::string& ns, const std::string& name)> fn);

  // Per-host concurrency cap for long operations (backups, restores). A Slot
  // is held for the duration of the operation and released by its
  // destructor. TryAcquire never blocks: false when `limit` slots are taken
  // (the caller requeues), so a worker never waits on another host's work.
  // limit <= 0 means no cap (the slot is still counted by InUse).
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& o) noexcept;
    Slot& operator=(Slot&& o) noexcept;
    ~Slot();
    bool held() const { return reg_ != nullptr; }
   private:
    friend class HostRegistry;
    const HostRegistry* reg_ = nullptr;
    std::string key_;
  };
  bool TryAcquire(const std::string& ns, const std::string& name, int limit, Slot* out) const;
  int InUse(const std::string& ns, const std::string& name) const;

 private:
  void Release(const std::string& key) const;
  struct Entry {
    docker::DockerConfig cfg;
    HostState state;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> hosts_;          // "ns/name"
  mutable std::map<std::string, int> in_use_;   // "ns/name" -> held slots
  std::vector<std::function<void(const std::string&, const std::string&)>> listeners_;
};

}  // namespace dw::dockerhost
