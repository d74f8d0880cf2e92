#include "reconcilers/stacklimits/inspect_cache.h"

namespace dw::stacklimits {

CachedContainerPtr InspectCache::Get(const std::string& id) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second.entry;
}

uint64_t InspectCache::Begin() const {
  std::lock_guard<std::mutex> l(mu_);
  return epoch_;
}

bool InspectCache::Put(const std::string& id, CachedContainerPtr entry, uint64_t token) {
  std::lock_guard<std::mutex> l(mu_);
  if (cleared_at_ > token) return false;
  // The record stays after a successful Put: a slower reader holding a token
  // from before the invalidation must still be refused.
  auto inv = invalidated_at_.find(id);
  if (inv != invalidated_at_.end() && inv->second > token) return false;
  auto& slot = entries_[id];
  if (slot.entry && slot.token > token) return false;  // a fresher read won
  slot = Slot{std::move(entry), token};
  return true;
}

void InspectCache::Invalidate(const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  invalidated_at_[id] = ++epoch_;
  entries_.erase(id);
}

void InspectCache::Clear() {
  std::lock_guard<std::mutex> l(mu_);
  cleared_at_ = ++epoch_;
  entries_.clear();
  invalidated_at_.clear();  // cleared_at_ now rejects every older token
}

void InspectCache::Retain(const std::set<std::string>& alive) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = alive.count(it->first) ? std::next(it) : entries_.erase(it);
  }
  for (auto it = invalidated_at_.begin(); it != invalidated_at_.end();) {
    it = alive.count(it->first) ? std::next(it) : invalidated_at_.erase(it);
  }
}

size_t InspectCache::size() const {
  std::lock_guard<std::mutex> l(mu_);
  return entries_.size();
}

}  // namespace dw::stacklimits
