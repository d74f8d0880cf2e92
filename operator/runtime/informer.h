// Informer: a local, always-converging copy of one kind (optionally one
// namespace), as client-go's SharedIndexInformer. It lists, then watches from
// the list's resourceVersion on its own thread, blocking on the watch. When
// the watch closes or its version is Gone it re-lists (with exponential
// backoff between failed attempts, logged) and diffs the new list against the
// cache, so handlers see adds, updates and deletes they missed. Every
// `resync` it re-delivers each cached object as an update, which makes level-
// triggered controllers retry work that failed silently.
//
// Handlers run on the informer thread, in event order, after the cache is
// updated; they must be quick (a controller only enqueues a key).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "operator/runtime/client.h"

namespace dw::runtime {

struct EventHandler {
  std::function<void(const ObjectPtr& obj)> on_add;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)> on_update;
  std::function<void(const ObjectPtr& obj)> on_delete;  // the last known state
};

struct InformerOptions {
  std::string ns;                                   // "" = all namespaces
  std::chrono::milliseconds resync{0};              // 0 = never
  std::chrono::milliseconds relist_backoff{100};    // first wait after a failed list
  std::chrono::milliseconds relist_backoff_max{30000};
  // Upper bound of one blocking watch read; only bounds how long a quiet
  // watch goes without a liveness check of the stop flag.
  std::chrono::milliseconds watch_wait{30000};
};

class Informer {
 public:
  Informer(Client* client, const schema::ResourceInfo& r, InformerOptions opts = {});
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Before Start().
  void AddEventHandler(EventHandler h);
  // Starts the thread. After a Stop(), Start() resumes watching from the last
  // seen resourceVersion (re-listing if that is Gone); the cache is kept.
  void Start();
  void Stop();

  bool HasSynced() const { return synced_.load(); }
  bool WaitForSync(std::chrono::milliseconds timeout);

  ObjectPtr Get(const std::string& ns, const std::string& name) const;
  // Cached objects matching `sel` (in key order), restricted to `ns` if set.
  std::vector<ObjectPtr> List(const meta::LabelSelector& sel = {}, const std::string& ns = "") const;
  size_t Size() const;
  std::string LastResourceVersion() const;
  int64_t Relists() const { return relists_.load(); }
  const schema::ResourceInfo& resource() const { return r_; }

 private:
  void Run();
  bool ListAndReplace();
  void WatchUntilClosed(std::unique_ptr<WatchStream> w);
  void Apply(const WatchEvent& e);
  void Resync();
  // Sleeps up to d; false when stopping.
  bool SleepFor(std::chrono::milliseconds d);
  bool Stopping() const;

  Client* client_;
  const schema::ResourceInfo& r_;
  const InformerOptions opts_;
  std::vector<EventHandler> handlers_;

  mutable std::mutex cache_mu_;
  std::map<std::string, ObjectPtr> cache_;
  std::string last_rv_;

  mutable std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool stop_ = false;
  std::shared_ptr<WatchStream> watch_;  // guarded by run_mu_; Stop() ends it
  std::thread thread_;
  std::atomic<bool> synced_{false};
  std::atomic<int64_t> relists_{0};
  std::chrono::steady_clock::time_point next_resync_;
};

}  // namespace dw::runtime
