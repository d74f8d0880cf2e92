// Controller: turns changes into reconcile calls, as controller-runtime's
// controller does. Sources enqueue "ns/name" keys of the primary kind:
//  - the primary kind's informer (every add/update/delete);
//  - owned kinds: an event on an object enqueues its controller owner (the
//    ownerReference with controller=true whose kind is the primary kind);
//  - custom sources (Docker events later) through Enqueue().
// N workers take keys from a WorkQueue, so one key is never reconciled twice
// at once. After Reconcile:
//  - error (or an exception, caught and logged): AddRateLimited (backoff);
//  - result.requeue_after > 0: Forget, then AddAfter(requeue_after);
//  - result.requeue: AddRateLimited;
//  - otherwise: Forget.
// A Reconciler is a plain function of a Request: unit-testable without a
// server, and it reads the cache through the informers the Controller exposes.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "operator/runtime/client.h"
#include "operator/runtime/informer.h"
#include "operator/runtime/work_queue.h"

namespace dw::runtime {

struct Request {
  std::string ns;
  std::string name;
  std::string Key() const { return KeyOf(ns, name); }
  bool operator==(const Request& o) const { return ns == o.ns && name == o.name; }
};

struct Result {
  bool requeue = false;
  std::chrono::milliseconds requeue_after{0};
};

// Returns OK or the error that makes the key retry with backoff.
using Reconciler = std::function<Status(const Request& req, Result* result)>;

struct ControllerOptions {
  std::string name;  // metrics label and queue name, e.g. "backuppolicy"
  int workers = 1;
  std::chrono::milliseconds resync{0};  // informer resync period, 0 = never
  std::string ns;                       // "" = all namespaces
  Clock* clock = nullptr;               // nullptr: RealClock
  RateLimiterOptions rate_limits;
};

class Controller {
 public:
  Controller(Client* client, const schema::ResourceInfo& primary, Reconciler reconciler,
             ControllerOptions opts);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Before Start(): also watch `owned`, mapping its events to the owner.
  void Owns(const schema::ResourceInfo& owned);
  // Starts the informers, waits for their first list (up to `sync_timeout`),
  // then the workers. Unavailable if the caches did not sync.
  Status Start(std::chrono::milliseconds sync_timeout = std::chrono::seconds(30));
  // Stops sources, shuts the queue down and joins the workers (a running
  // Reconcile finishes first).
  void Stop();

  // For custom event sources.
  void Enqueue(const Request& req);
  void EnqueueAfter(const Request& req, std::chrono::milliseconds delay);

  Informer& primary_informer() { return *informers_.front(); }
  // The informer of an owned kind, or nullptr.
  Informer* informer_for(const schema::ResourceInfo& r);
  WorkQueue& queue() { return *queue_; }
  const std::string& name() const { return opts_.name; }

 private:
  void EnqueueObject(const ObjectPtr& obj);
  void EnqueueOwner(const ObjectPtr& obj);
  void Worker();
  bool ProcessNext();
  Status Invoke(const Request& req, Result* res);

  Client* client_;
  const schema::ResourceInfo& primary_;
  Reconciler reconciler_;
  const ControllerOptions opts_;
  std::unique_ptr<WorkQueue> queue_;
  std::vector<std::unique_ptr<Informer>> informers_;  // [0] = primary
  std::vector<std::thread> workers_;
  bool started_ = false;
};

// "ns/name" or "name" back into a Request.
Request RequestFromKey(const std::string& key);

}  // namespace dw::runtime
