// WatchHub: the in-memory history ring of committed events and the set of
// live watchers. Publish() is called by the store's committer, in revision
// order, and only pushes shared_ptr'd events onto per-watcher queues (no I/O,
// no copies of documents). A watcher whose queue exceeds the limit is closed
// with reason "watcher too slow" instead of growing without bound.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "operator/store/store.h"

namespace dw::store {

class WatchHub : public std::enable_shared_from_this<WatchHub> {
 public:
  WatchHub(int64_t history_limit, int64_t queue_limit);

  // Sets the revision the (empty) history starts after, e.g. after recovery.
  void Reset(int64_t revision);

  void Publish(std::vector<std::shared_ptr<const Event>> events);

  // Registers a watcher for keys under `prefix` with revisions > from_rv
  // (from_rv == 0: after the last published revision). Gone if the history
  // no longer holds every event after from_rv.
  Status Watch(const std::string& prefix, int64_t from_rv, std::unique_ptr<Watcher>* out);

  void CloseAll(const std::string& reason);

  int64_t watchers() const;
  // Highest revision a watch gets Gone for (0 when none).
  int64_t compacted_revision() const;

  struct Stream;  // one watcher's queue; defined in watch_hub.cpp

 private:
  friend class HubWatcher;
  void Remove(const Stream* s);
  // Queues the history after from_rv for `s` and adds it to the live streams.
  Status Register(const std::shared_ptr<Stream>& s, int64_t from_rv);

  const size_t history_limit_;
  const size_t queue_limit_;
  mutable std::mutex mu_;
  std::deque<std::shared_ptr<const Event>> history_;
  int64_t floor_ = 0;     // every event with rev > floor_ is in history_
  int64_t last_rev_ = 0;  // last published revision
  bool closed_ = false;
  std::vector<std::shared_ptr<Stream>> streams_;
};

}  // namespace dw::store
