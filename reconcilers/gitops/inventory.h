// Inventory: what a GitRepository applied, kept in status.inventory so the
// next sync knows what to prune and which manifests did not change. Pure
// functions, no server.
#pragma once

#include <string>
#include <vector>

#include "operator/json/json.h"
#include "reconcilers/gitops/manifest_set.h"

namespace dw::gitops {

struct InventoryEntry {
  ObjectId id;
  std::string digest;  // sha256 of the manifest last applied for it
};

// status.inventory; malformed entries are skipped.
std::vector<InventoryEntry> InventoryFromStatus(const json::Value* status);
json::Value InventoryToJson(const std::vector<InventoryEntry>& inv, json::Allocator& a);
std::vector<InventoryEntry> InventoryOf(const std::vector<ManifestObject>& set);

// Entries of `old_inv` whose object is not in `current`, in deletion order:
// reverse of the old order, Namespaces last (deleting a namespace deletes
// what is in it).
std::vector<InventoryEntry> ToPrune(const std::vector<InventoryEntry>& old_inv,
                                    const std::vector<InventoryEntry>& current);

// The digest recorded for `id`, or "".
std::string DigestIn(const std::vector<InventoryEntry>& inv, const ObjectId& id);

// `base` plus the entries of `extra` it does not have (same id: base wins).
std::vector<InventoryEntry> Union(const std::vector<InventoryEntry>& base,
                                  const std::vector<InventoryEntry>& extra);

}  // namespace dw::gitops
