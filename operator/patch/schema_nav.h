// Navigation of an openAPIV3Schema (CRD-style: properties / items /
// additionalProperties) and the list/map strategies both strategic merge
// patch and server-side apply read from it. A nullptr schema means "unknown":
// maps are granular, lists atomic -- the same treatment upstream gives
// x-kubernetes-preserve-unknown-fields subtrees.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "operator/json/json.h"

namespace dw::patch::schema_nav {

enum class ListType { kAtomic, kSet, kMap };

struct ListInfo {
  ListType type = ListType::kAtomic;
  std::vector<std::string> keys;  // kMap only, in schema order
  bool retain_keys = false;       // x-kubernetes-patch-strategy contains retainKeys
};

// Schema of member `name` of an object described by `s`. `is_root` selects the
// built-in ObjectMeta schema for "metadata" (CRDs leave it as a bare object).
const json::Value* Field(const json::Value* s, std::string_view name, bool is_root);
// Schema of the items of an array described by `s`.
const json::Value* Items(const json::Value* s);
// List strategy of the array described by `s`.
ListInfo List(const json::Value* s);
// True for x-kubernetes-map-type: atomic (and granular otherwise).
bool AtomicMap(const json::Value* s);

}  // namespace dw::patch::schema_nav
