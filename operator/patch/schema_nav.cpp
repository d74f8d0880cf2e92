#include "operator/patch/schema_nav.h"

namespace dw::patch::schema_nav {
namespace {

// ObjectMeta as structured-merge-diff sees it for core types: labels and
// annotations are granular maps, finalizers a set, ownerReferences keyed by uid.
constexpr const char kObjectMeta[] = R"({"type":"object","properties":{
 "labels":{"type":"object","additionalProperties":{"type":"string"}},
 "annotations":{"type":"object","additionalProperties":{"type":"string"}},
 "finalizers":{"type":"array","items":{"type":"string"},
   "x-kubernetes-list-type":"set","x-kubernetes-patch-strategy":"merge"},
 "ownerReferences":{"type":"array","items":{"type":"object"},
   "x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["uid"],
   "x-kubernetes-patch-merge-key":"uid","x-kubernetes-patch-strategy":"merge"}}})";

const json::Value& ObjectMeta() {
  static const json::Document* doc = [] {
    auto* d = new json::Document();
    d->Parse(kObjectMeta);
    return d;
  }();
  return *doc;
}

}  // namespace

const json::Value* Field(const json::Value* s, std::string_view name, bool is_root) {
  if (is_root && name == "metadata") return &ObjectMeta();
  if (s == nullptr || !s->IsObject()) return nullptr;
  if (const json::Value* props = json::Find(*s, "properties")) {
    if (const json::Value* f = json::Find(*props, name)) return f;
  }
  const json::Value* add = json::Find(*s, "additionalProperties");
  if (add != nullptr && add->IsObject()) return add;
  return nullptr;
}

const json::Value* Items(const json::Value* s) {
  if (s == nullptr || !s->IsObject()) return nullptr;
  const json::Value* items = json::Find(*s, "items");
  return items != nullptr && items->IsObject() ? items : nullptr;
}

ListInfo List(const json::Value* s) {
  ListInfo info;
  if (s == nullptr || !s->IsObject()) return info;
  std::string strategy = json::GetString(*s, "x-kubernetes-patch-strategy");
  info.retain_keys = strategy.find("retainKeys") != std::string::npos;
  std::string type = json::GetString(*s, "x-kubernetes-list-type");
  if (type == "map") {
    if (const json::Value* keys = json::Find(*s, "x-kubernetes-list-map-keys");
        keys != nullptr && keys->IsArray()) {
      for (const auto& k : keys->GetArray())
        if (k.IsString()) info.keys.emplace_back(k.GetString(), k.GetStringLength());
    }
    if (info.keys.empty()) {
      std::string mk = json::GetString(*s, "x-kubernetes-patch-merge-key");
      if (!mk.empty()) info.keys.push_back(mk);
    }
    info.type = info.keys.empty() ? ListType::kAtomic : ListType::kMap;
    return info;
  }
  if (type == "set") { info.type = ListType::kSet; return info; }
  if (type == "atomic") return info;
  if (strategy.find("merge") != std::string::npos) {
    std::string mk = json::GetString(*s, "x-kubernetes-patch-merge-key");
    if (mk.empty()) {
      info.type = ListType::kSet;
    } else {
      info.type = ListType::kMap;
      info.keys.push_back(mk);
    }
  }
  return info;
}

bool AtomicMap(const json::Value* s) {
  return s != nullptr && s->IsObject() && json::GetString(*s, "x-kubernetes-map-type") == "atomic";
}

}  // namespace dw::patch::schema_nav
