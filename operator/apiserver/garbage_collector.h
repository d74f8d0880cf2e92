// GarbageCollector: the server-side controllers that Kubernetes runs in
// kube-controller-manager and that every client relies on:
//  - ownerReferences: a dependent whose owners are all gone is deleted
//    (background propagation); dangling references beside a live owner are
//    removed; an owner deleted with propagationPolicy=Foreground keeps its
//    "foregroundDeletion" finalizer until its dependents are gone; one
//    deleted with Orphan has its dependents' references removed first;
//  - namespace lifecycle: a Terminating namespace's content is deleted, then
//    the namespace itself;
//  - Events expire after a TTL (one hour by default, like kube-apiserver).
// Event-driven from one store watch over every key, with a bounded retry
// timer for work that is waiting on other finalizers.
#pragma once

#include <chrono>
#include <memory>

#include "operator/apiserver/object_registry.h"

namespace dw::apiserver {

struct GarbageCollectorOptions {
  std::chrono::seconds event_ttl{3600};
  std::chrono::milliseconds retry_interval{2000};  // while work is pending
};

class GarbageCollector {
 public:
  GarbageCollector(ObjectRegistry* registry, GarbageCollectorOptions opts = {});
  ~GarbageCollector();
  Status Start();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dw::apiserver
