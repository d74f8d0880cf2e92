#include "operator/patch/typed_walk.h"

#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "operator/patch/schema_nav.h"

namespace dw::patch::typed {
namespace {

using schema_nav::ListType;
using V = json::Value;

enum class Kind { kLeaf, kMap, kSet, kMapList };

struct Node {
  const V* schema;
  bool root;
};

std::string_view Name(const V& v) { return {v.GetString(), v.GetStringLength()}; }

bool IsManagedFields(const Path& p, std::string_view key) {
  return p.size() == 1 && p[0] == "f:metadata" && key == "managedFields";
}

bool HasAllKeys(const V& item, const std::vector<std::string>& keys) {
  if (!item.IsObject()) return false;
  for (const auto& k : keys)
    if (json::Find(item, k) == nullptr) return false;
  return true;
}

Kind KindOf(const V* v, const V* s) {
  if (v == nullptr || v->IsNull()) return Kind::kLeaf;
  if (v->IsObject()) return schema_nav::AtomicMap(s) ? Kind::kLeaf : Kind::kMap;
  if (!v->IsArray()) return Kind::kLeaf;
  schema_nav::ListInfo info = schema_nav::List(s);
  if (info.type == ListType::kSet) return Kind::kSet;
  if (info.type != ListType::kMap) return Kind::kLeaf;
  for (const auto& item : v->GetArray())
    if (!HasAllKeys(item, info.keys)) return Kind::kLeaf;  // unkeyable: handled whole
  return Kind::kMapList;
}

bool EmptyOrAbsent(const V* v) {
  return v == nullptr || v->IsNull() || (v->IsObject() && v->MemberCount() == 0) ||
         (v->IsArray() && v->Empty());
}

// Items of a granular list by path element, first occurrence wins.
std::vector<std::pair<std::string, const V*>> Items(const V& list, Kind k, const V* s) {
  std::vector<std::pair<std::string, const V*>> out;
  if (!list.IsArray()) return out;
  std::vector<std::string> keys;
  if (k == Kind::kMapList) keys = schema_nav::List(s).keys;
  for (const auto& item : list.GetArray())
    out.emplace_back(k == Kind::kSet ? ValueElement(item) : KeyElement(item, keys), &item);
  return out;
}

const V* FindItem(const std::vector<std::pair<std::string, const V*>>& items, const std::string& pe) {
  for (const auto& [p, v] : items)
    if (p == pe) return v;
  return nullptr;
}

// ---- ToFieldSet -----------------------------------------------------------

void Collect(const V& v, const V* s, bool root, Path& p, FieldSet& out) {
  Kind k = KindOf(&v, s);
  if (k == Kind::kLeaf) {
    if (!root) out.Insert(p);
    return;
  }
  if (k == Kind::kMap) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string_view name = Name(it->name);
      if (IsManagedFields(p, name)) continue;
      const V* cs = schema_nav::Field(s, name, root);
      p.push_back(FieldElement(name));
      Collect(it->value, cs, false, p, out);
      bool declared = (root && name == "metadata") ||
                      (s != nullptr && json::Find(*s, "properties") != nullptr &&
                       json::Find(*json::Find(*s, "properties"), name) != nullptr);
      if (EmptyOrAbsent(&it->value) || !declared) out.Insert(p);
      p.pop_back();
    }
    return;
  }
  const V* is = schema_nav::Items(s);
  for (const auto& [pe, item] : Items(v, k, s)) {
    p.push_back(pe);
    out.Insert(p);
    if (k == Kind::kMapList) Collect(*item, is, false, p, out);
    p.pop_back();
  }
}

// ---- Compare ---------------------------------------------------------------

class Comparer {
 public:
  explicit Comparer(Comparison* c) : c_(c) {}

  void Cmp(const V* l, const V* r, const V* s, bool root, Path& p) {
    Kind kl = KindOf(l, s), kr = KindOf(r, s);
    if (l != nullptr && r != nullptr && kl != kr) {
      if (!json::Equal(*l, *r)) c_->modified.Insert(p);
      Children(l, nullptr, kl, s, root, p);
      Children(nullptr, r, kr, s, root, p);
      return;
    }
    Kind k = l != nullptr ? kl : kr;
    if (k == Kind::kLeaf || (EmptyOrAbsent(l) && EmptyOrAbsent(r))) {
      if (l == nullptr) {
        c_->added.Insert(p);
      } else if (r == nullptr) {
        c_->removed.Insert(p);
      } else if (!json::Equal(*l, *r)) {
        c_->modified.Insert(p);
      }
      return;
    }
    Children(l, r, k, s, root, p);
    if (!root && l == nullptr) c_->added.Insert(p);
    if (!root && r == nullptr) c_->removed.Insert(p);
  }

 private:
  void Children(const V* l, const V* r, Kind k, const V* s, bool root, Path& p) {
    if (k == Kind::kMap) {
      if (l != nullptr) {
        for (auto it = l->MemberBegin(); it != l->MemberEnd(); ++it) {
          std::string_view name = Name(it->name);
          if (IsManagedFields(p, name)) continue;
          p.push_back(FieldElement(name));
          Cmp(&it->value, r != nullptr ? json::Find(*r, name) : nullptr, schema_nav::Field(s, name, root), false, p);
          p.pop_back();
        }
      }
      if (r != nullptr) {
        for (auto it = r->MemberBegin(); it != r->MemberEnd(); ++it) {
          std::string_view name = Name(it->name);
          if (IsManagedFields(p, name) || (l != nullptr && json::Find(*l, name) != nullptr)) continue;
          p.push_back(FieldElement(name));
          Cmp(nullptr, &it->value, schema_nav::Field(s, name, root), false, p);
          p.pop_back();
        }
      }
      return;
    }
    const V* is = schema_nav::Items(s);
    auto li = l != nullptr ? Items(*l, k, s) : decltype(Items(*l, k, s)){};
    auto ri = r != nullptr ? Items(*r, k, s) : decltype(Items(*r, k, s)){};
    for (const auto& [pe, item] : li) {
      p.push_back(pe);
      Cmp(item, FindItem(ri, pe), is, false, p);
      p.pop_back();
    }
    for (const auto& [pe, item] : ri) {
      if (FindItem(li, pe) != nullptr) continue;
      p.push_back(pe);
      Cmp(nullptr, item, is, false, p);
      p.pop_back();
    }
  }

  Comparison* c_;
};

// ---- Merge -----------------------------------------------------------------

void MergeValue(const V& l, const V& r, const V* s, bool root, V* out, json::Allocator& a) {
  Kind kl = KindOf(&l, s), kr = KindOf(&r, s);
  if (kl != kr || kr == Kind::kLeaf) {
    out->CopyFrom(r, a);
    return;
  }
  if (kr == Kind::kMap) {
    out->SetObject();
    for (auto it = l.MemberBegin(); it != l.MemberEnd(); ++it) {
      std::string_view name = Name(it->name);
      const V* rv = json::Find(r, name);
      V v;
      if (rv != nullptr) {
        MergeValue(it->value, *rv, schema_nav::Field(s, name, root), false, &v, a);
      } else {
        v.CopyFrom(it->value, a);
      }
      out->AddMember(V(it->name, a), v, a);
    }
    for (auto it = r.MemberBegin(); it != r.MemberEnd(); ++it)
      if (json::Find(l, Name(it->name)) == nullptr) out->AddMember(V(it->name, a), V(it->value, a), a);
    return;
  }
  const V* is = schema_nav::Items(s);
  auto li = Items(l, kr, s);
  auto ri = Items(r, kr, s);
  out->SetArray();
  for (const auto& [pe, item] : li) {
    const V* rv = FindItem(ri, pe);
    V v;
    if (rv != nullptr && kr == Kind::kMapList) {
      MergeValue(*item, *rv, is, false, &v, a);
    } else {
      v.CopyFrom(*item, a);
    }
    out->PushBack(v, a);
  }
  for (const auto& [pe, item] : ri)
    if (FindItem(li, pe) == nullptr) out->PushBack(V(*item, a), a);
}

// ---- Prune -----------------------------------------------------------------

// True when `pe` must go: the applier owned it, nobody owns it now, and no
// descendant of it is owned either.
bool Drop(const FieldSet& last, const FieldSet* owned) {
  return last.member && (owned == nullptr || (!owned->member && owned->children.empty()));
}

void PruneValue(V& v, const FieldSet& last, const FieldSet* owned, const V* s, bool root) {
  Kind k = KindOf(&v, s);
  if (k == Kind::kLeaf) return;
  if (k == Kind::kMap) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd();) {
      std::string pe = FieldElement(Name(it->name));
      const FieldSet* l = last.Find(pe);
      const FieldSet* o = owned != nullptr ? owned->Find(pe) : nullptr;
      if (l != nullptr && Drop(*l, o)) {
        it = v.EraseMember(it);
        continue;
      }
      if (l != nullptr) PruneValue(it->value, *l, o, schema_nav::Field(s, Name(it->name), root), false);
      ++it;
    }
    return;
  }
  const V* is = schema_nav::Items(s);
  std::vector<std::string> keys;
  if (k == Kind::kMapList) keys = schema_nav::List(s).keys;
  for (rapidjson::SizeType i = 0; i < v.Size();) {
    std::string pe = k == Kind::kSet ? ValueElement(v[i]) : KeyElement(v[i], keys);
    const FieldSet* l = last.Find(pe);
    const FieldSet* o = owned != nullptr ? owned->Find(pe) : nullptr;
    if (l != nullptr && Drop(*l, o)) {
      v.Erase(v.Begin() + i);
      continue;
    }
    if (l != nullptr) PruneValue(v[i], *l, o, is, false);
    ++i;
  }
}

}  // namespace

FieldSet ToFieldSet(const json::Value& obj, const json::Value* schema) {
  FieldSet out;
  Path p;
  Collect(obj, schema, true, p, out);
  return out;
}

Comparison Compare(const json::Value& from, const json::Value& to, const json::Value* schema) {
  Comparison c;
  Comparer cmp(&c);
  Path p;
  cmp.Cmp(&from, &to, schema, true, p);
  return c;
}

void Merge(const json::Value& live, const json::Value& config, const json::Value* schema, json::Value* out,
           json::Allocator& a) {
  MergeValue(live, config, schema, true, out, a);
}

void Prune(json::Value& obj, const FieldSet& last, const FieldSet& owned, const json::Value* schema) {
  PruneValue(obj, last, &owned, schema, true);
}

const FieldSet& Untracked() {
  static const FieldSet* set = [] {
    auto* s = new FieldSet();
    s->Insert({"f:apiVersion"});
    s->Insert({"f:kind"});
    s->Insert({"f:metadata"});
    for (const char* f : {"name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
                          "managedFields", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"})
      s->Insert({"f:metadata", FieldElement(f)});
    return s;
  }();
  return *set;
}

}  // namespace dw::patch::typed
