#include "reconcilers/gitops/inventory.h"

#include <set>

namespace dw::gitops {

std::vector<InventoryEntry> InventoryFromStatus(const json::Value* status) {
  std::vector<InventoryEntry> out;
  const json::Value* inv = status ? json::Find(*status, "inventory") : nullptr;
  if (!inv || !inv->IsArray()) return out;
  for (const auto& e : inv->GetArray()) {
    InventoryEntry x;
    x.id.api_version = json::GetString(e, "apiVersion");
    x.id.kind = json::GetString(e, "kind");
    x.id.ns = json::GetString(e, "namespace");
    x.id.name = json::GetString(e, "name");
    x.digest = json::GetString(e, "digest");
    if (x.id.api_version.empty() || x.id.kind.empty() || x.id.name.empty()) continue;
    out.push_back(std::move(x));
  }
  return out;
}

json::Value InventoryToJson(const std::vector<InventoryEntry>& inv, json::Allocator& a) {
  json::Value arr(rapidjson::kArrayType);
  for (const auto& e : inv) {
    json::Value o(rapidjson::kObjectType);
    json::SetString(o, "apiVersion", e.id.api_version, a);
    json::SetString(o, "kind", e.id.kind, a);
    if (!e.id.ns.empty()) json::SetString(o, "namespace", e.id.ns, a);
    json::SetString(o, "name", e.id.name, a);
    if (!e.digest.empty()) json::SetString(o, "digest", e.digest, a);
    arr.PushBack(o, a);
  }
  return arr;
}

std::vector<InventoryEntry> InventoryOf(const std::vector<ManifestObject>& set) {
  std::vector<InventoryEntry> out;
  for (const auto& m : set) out.push_back({m.id, m.digest});
  return out;
}

std::vector<InventoryEntry> ToPrune(const std::vector<InventoryEntry>& old_inv,
                                    const std::vector<InventoryEntry>& current) {
  std::set<ObjectId> keep;
  for (const auto& e : current) keep.insert(e.id);
  std::vector<InventoryEntry> objects, namespaces;
  for (auto it = old_inv.rbegin(); it != old_inv.rend(); ++it) {
    if (keep.count(it->id)) continue;
    (IsNamespace(it->id) ? namespaces : objects).push_back(*it);
  }
  objects.insert(objects.end(), namespaces.begin(), namespaces.end());
  return objects;
}

std::string DigestIn(const std::vector<InventoryEntry>& inv, const ObjectId& id) {
  for (const auto& e : inv)
    if (e.id == id) return e.digest;
  return "";
}

std::vector<InventoryEntry> Union(const std::vector<InventoryEntry>& base,
                                  const std::vector<InventoryEntry>& extra) {
  std::vector<InventoryEntry> out = base;
  std::set<ObjectId> have;
  for (const auto& e : base) have.insert(e.id);
  for (const auto& e : extra)
    if (have.insert(e.id).second) out.push_back(e);
  return out;
}

}  // namespace dw::gitops
