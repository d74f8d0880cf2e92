// EventRouter: Docker events -> the StackLimits that must look again, at once.
//
// One docker::EventWatcher (type=container) per DockerHost in use, started
// lazily by the first pass that uses the host and dropped when the host's
// configuration changes or it goes away (the next pass starts a new one).
// For each event that can change what a policy sees, the router first calls
// on_container_event (the reconciler invalidates its inspect cache), then
// enqueues every StackLimits of the host's namespace, on that host, whose
// selection matches the event's attributes (Docker puts the container's
// labels there, plus name/image/exitCode; those extra keys are harmless to a
// compose-project or label selector). No inspect is needed to route.
// After a (re)connect the watcher's resync clears the host (on_resync) and
// enqueues all its policies, so a daemon restart loses nothing.
//
// Parsed policies are cached by resourceVersion, so an event storm costs one
// label match per policy, not a parse. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "operator/docker/event_watcher.h"
#include "operator/runtime/controller.h"
#include "reconcilers/stacklimits/stack_policy.h"

namespace dw::stacklimits {

// False for actions that cannot change a policy's view (exec_*, attach,
// resize, top, export, commit, archive-path, copy) and unknown ones.
bool EventMatters(std::string_view action);

struct EventRouterHooks {
  // StackLimits objects of a namespace (typically the primary informer's cache).
  std::function<std::vector<runtime::ObjectPtr>(const std::string& ns)> list_policies;
  std::function<void(const runtime::Request&)> enqueue;
  // Called before routing; `host_key` is "ns/dockerhost".
  std::function<void(const std::string& host_key, const docker::Event&)> on_container_event;
  std::function<void(const std::string& host_key)> on_resync;
};

class EventRouter {
 public:
  explicit EventRouter(EventRouterHooks hooks);
  ~EventRouter();  // StopAll()
  EventRouter(const EventRouter&) = delete;
  EventRouter& operator=(const EventRouter&) = delete;

  // Starts the host's watcher unless one with the same configuration runs
  // (a different one is replaced). No-op after StopAll.
  void EnsureWatcher(const std::string& ns, const std::string& host, const docker::DockerConfig& cfg);
  // Stops the host's watcher if it does not follow `cfg` (nullptr: always).
  void DropWatcherUnless(const std::string& ns, const std::string& host, const docker::DockerConfig* cfg);
  // Stops every watcher for good; callbacks do not run after it returns.
  void StopAll();
  size_t watcher_count() const;

  // What a watcher does with an event / a resync (public for tests).
  void HandleEvent(const std::string& ns, const std::string& host, const docker::Event& e);
  void HandleResync(const std::string& ns, const std::string& host);
  // The StackLimits of `ns` on `host` whose selection matches `labels`.
  std::vector<runtime::Request> Match(const std::string& ns, const std::string& host,
                                      const std::map<std::string, std::string>& labels);
  // Every StackLimits of `ns` on `host` (parseable or not: an invalid one is
  // enqueued so its status stays truthful).
  std::vector<runtime::Request> PoliciesOn(const std::string& ns, const std::string& host);

 private:
  struct Parsed {
    std::string resource_version;
    std::shared_ptr<const StackPolicy> policy;  // nullptr: the spec does not parse
  };
  // The policy of `obj`, parsed once per resourceVersion.
  std::shared_ptr<const StackPolicy> PolicyOf(const runtime::ObjectPtr& obj);
  // Drops parsed policies of `ns` that are no longer listed.
  void PruneParsed(const std::string& ns, const std::vector<runtime::ObjectPtr>& listed);

  EventRouterHooks hooks_;

  struct Watch {
    docker::DockerConfig cfg;
    std::unique_ptr<docker::EventWatcher> watcher;
  };
  mutable std::mutex mu_;
  bool stopped_ = false;
  std::map<std::string, Watch> watchers_;  // "ns/host"
  std::map<std::string, Parsed> parsed_;   // "ns/name"
};

}  // namespace dw::stacklimits
