// InspectCache: the inspect documents (and the facts built from them) of one
// Docker host's containers, so a pass inspects only containers that changed.
// Docker events invalidate an entry; a resync clears the host's cache.
//
// Promise: a Put never resurrects data older than an invalidation. A reader
// takes a token (Begin) before it inspects; if the container is invalidated
// (or the cache cleared) after that token, its Put is dropped, so an event
// that races an inspect in flight still forces a fresh inspect next pass.
// Thread-safe; entries are shared read-only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "operator/json/json.h"
#include "reconcilers/stacklimits/facts.h"

namespace dw::stacklimits {

struct CachedContainer {
  json::Document inspect;  // the whole inspect document (recreate needs it)
  ContainerFacts facts;
};
using CachedContainerPtr = std::shared_ptr<const CachedContainer>;

class InspectCache {
 public:
  // nullptr when `id` is not cached (or was invalidated).
  CachedContainerPtr Get(const std::string& id) const;
  // The token to pass to Put for an inspect started now.
  uint64_t Begin() const;
  // Stores `entry` unless `id` was invalidated or the cache cleared after
  // `token`. Returns whether it was stored.
  bool Put(const std::string& id, CachedContainerPtr entry, uint64_t token);
  void Invalidate(const std::string& id);
  void Clear();
  // Drops entries (and invalidation records) of ids not in `alive`: the
  // containers a full, unfiltered list just returned. Invalidation records
  // of destroyed containers otherwise live until Clear (a few bytes each).
  void Retain(const std::set<std::string>& alive);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  uint64_t epoch_ = 0;
  uint64_t cleared_at_ = 0;
  struct Slot {
    CachedContainerPtr entry;
    uint64_t token = 0;  // when the read that produced it began
  };
  std::map<std::string, Slot> entries_;
  std::map<std::string, uint64_t> invalidated_at_;  // id -> epoch of its last invalidation
};

}  // namespace dw::stacklimits
