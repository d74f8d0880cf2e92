// Strategic merge patch (k8s.io/apimachinery strategicpatch) driven by the
// kind's openAPIV3Schema instead of Go struct tags. Directives are consumed
// while merging and never copied into the result.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "operator/patch/patch.h"
#include "operator/patch/schema_nav.h"

namespace dw::patch {
namespace {

using schema_nav::ListType;

constexpr std::string_view kPatch = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";

std::string_view Name(const json::Value& v) { return {v.GetString(), v.GetStringLength()}; }
bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

void EraseKey(json::Value& obj, std::string_view key) {
  auto it = obj.FindMember(json::Value(rapidjson::StringRef(key.data(), key.size())));
  if (it != obj.MemberEnd()) obj.EraseMember(it);  // keeps the member order
}

bool Contains(const json::Value& arr, const json::Value& v) {
  for (const auto& e : arr.GetArray())
    if (json::Equal(e, v)) return true;
  return false;
}

// True when list item `item` carries the same merge-key values as `probe`.
bool KeysMatch(const json::Value& item, const json::Value& probe, const std::vector<std::string>& keys) {
  if (!item.IsObject()) return false;
  for (const auto& k : keys) {
    const json::Value* a = json::Find(item, k);
    const json::Value* b = json::Find(probe, k);
    if ((a == nullptr) != (b == nullptr)) return false;
    if (a != nullptr && !json::Equal(*a, *b)) return false;
  }
  return true;
}

class Merger {
 public:
  explicit Merger(json::Allocator& a) : a_(a) {}

  // Merges object `patch` into object `orig`. Sets *deleted for `$patch: delete`.
  Status MergeMap(json::Value& orig, const json::Value& patch, const json::Value* s, bool root,
                  bool* deleted) {
    *deleted = false;
    if (const json::Value* d = json::Find(patch, kPatch)) {
      std::string dir = d->IsString() ? std::string(Name(*d)) : "";
      if (dir == "delete") {
        *deleted = true;
        return Status::OK();
      }
      if (dir == "replace") {
        orig.SetObject();
      } else if (dir != "merge") {
        return Status::BadRequest("unknown patch type: \"" + dir + "\" in map");
      }
    }
    if (const json::Value* rk = json::Find(patch, kRetainKeys)) DW_RETURN_IF_ERROR(RetainKeys(orig, *rk));
    for (auto it = patch.MemberBegin(); it != patch.MemberEnd(); ++it) {
      std::string_view k = Name(it->name);
      if (StartsWith(k, kDeleteFromPrimitiveList))
        DW_RETURN_IF_ERROR(DeleteFromList(orig, k.substr(kDeleteFromPrimitiveList.size()), it->value));
    }
    for (auto it = patch.MemberBegin(); it != patch.MemberEnd(); ++it) {
      std::string_view k = Name(it->name);
      if (!k.empty() && k[0] == '$') continue;
      DW_RETURN_IF_ERROR(MergeField(orig, k, it->value, schema_nav::Field(s, k, root)));
    }
    for (auto it = patch.MemberBegin(); it != patch.MemberEnd(); ++it) {
      std::string_view k = Name(it->name);
      if (StartsWith(k, kSetElementOrder))
        DW_RETURN_IF_ERROR(SetOrder(orig, k.substr(kSetElementOrder.size()), it->value,
                                    schema_nav::Field(s, k.substr(kSetElementOrder.size()), root)));
    }
    return Status::OK();
  }

  // Builds the value a patch fragment produces on its own (directives
  // stripped). Sets *deleted when the fragment deletes itself.
  Status Fresh(const json::Value& patch, const json::Value* s, json::Value* out, bool* deleted) {
    *deleted = false;
    if (patch.IsObject()) {
      out->SetObject();
      return MergeMap(*out, patch, s, false, deleted);
    }
    if (patch.IsArray()) {
      out->SetArray();
      return MergeList(*out, patch, s);
    }
    out->CopyFrom(patch, a_);
    return Status::OK();
  }

 private:
  Status MergeField(json::Value& orig, std::string_view k, const json::Value& pv, const json::Value* s) {
    if (pv.IsNull()) {
      EraseKey(orig, k);
      return Status::OK();
    }
    json::Value* cur = json::Find(orig, k);
    bool deleted = false;
    if (cur != nullptr && cur->IsObject() && pv.IsObject()) {
      DW_RETURN_IF_ERROR(MergeMap(*cur, pv, s, false, &deleted));
      if (deleted) EraseKey(orig, k);
      return Status::OK();
    }
    if (cur != nullptr && cur->IsArray() && pv.IsArray()) return MergeList(*cur, pv, s);
    json::Value v;
    DW_RETURN_IF_ERROR(Fresh(pv, s, &v, &deleted));
    if (deleted) {
      EraseKey(orig, k);
    } else {
      json::SetValue(orig, k, v, a_);
    }
    return Status::OK();
  }

  Status MergeList(json::Value& orig, const json::Value& patch, const json::Value* s) {
    schema_nav::ListInfo info = schema_nav::List(s);
    const json::Value* item_schema = schema_nav::Items(s);
    for (const auto& p : patch.GetArray()) {
      const json::Value* d = p.IsObject() ? json::Find(p, kPatch) : nullptr;
      if (d != nullptr && d->IsString() && Name(*d) == "replace" && p.MemberCount() == 1) {
        orig.SetArray();
        return AppendFresh(orig, patch, item_schema);
      }
    }
    if (info.type == ListType::kAtomic) {
      orig.SetArray();
      return AppendFresh(orig, patch, item_schema);
    }
    if (info.type == ListType::kSet) {
      for (const auto& p : patch.GetArray())
        if (!p.IsObject() && !Contains(orig, p)) orig.PushBack(json::Value(p, a_), a_);
      return Status::OK();
    }
    for (const auto& p : patch.GetArray()) DW_RETURN_IF_ERROR(MergeItem(orig, p, item_schema, info.keys));
    return Status::OK();
  }

  Status MergeItem(json::Value& orig, const json::Value& p, const json::Value* s,
                   const std::vector<std::string>& keys) {
    if (!p.IsObject()) return Status::BadRequest("list item with merge key \"" + keys[0] + "\" is not an object");
    const json::Value* d = json::Find(p, kPatch);
    std::string dir = d != nullptr && d->IsString() ? std::string(Name(*d)) : "";
    if (!dir.empty() && dir != "delete" && dir != "replace" && dir != "merge")
      return Status::BadRequest("unknown patch type: \"" + dir + "\" in list item");
    rapidjson::SizeType i = 0;
    while (i < orig.Size() && !KeysMatch(orig[i], p, keys)) ++i;
    if (dir == "delete") {
      for (rapidjson::SizeType j = orig.Size(); j-- > 0;)
        if (KeysMatch(orig[j], p, keys)) orig.Erase(orig.Begin() + j);
      return Status::OK();
    }
    for (const auto& k : keys)
      if (!p.HasMember(json::Value(rapidjson::StringRef(k.data(), k.size()))))
        return Status::BadRequest("list item is missing merge key \"" + k + "\"");
    bool deleted = false;
    if (i < orig.Size() && dir != "replace") return MergeMap(orig[i], p, s, false, &deleted);
    json::Value v;
    DW_RETURN_IF_ERROR(Fresh(p, s, &v, &deleted));
    if (i < orig.Size()) {
      orig[i].Swap(v);
    } else {
      orig.PushBack(v, a_);
    }
    return Status::OK();
  }

  Status AppendFresh(json::Value& out, const json::Value& patch, const json::Value* item_schema) {
    for (const auto& p : patch.GetArray()) {
      if (p.IsObject() && json::Find(p, kPatch) != nullptr && p.MemberCount() == 1) continue;
      json::Value v;
      bool deleted = false;
      DW_RETURN_IF_ERROR(Fresh(p, item_schema, &v, &deleted));
      if (!deleted) out.PushBack(v, a_);
    }
    return Status::OK();
  }

  Status RetainKeys(json::Value& orig, const json::Value& keys) {
    if (!keys.IsArray()) return Status::BadRequest("$retainKeys must be a list of field names");
    for (const auto& k : keys.GetArray())
      if (!k.IsString()) return Status::BadRequest("$retainKeys must be a list of field names");
    for (auto it = orig.MemberBegin(); it != orig.MemberEnd();) {
      if (Contains(keys, it->name)) {
        ++it;
      } else {
        it = orig.EraseMember(it);
      }
    }
    return Status::OK();
  }

  Status DeleteFromList(json::Value& orig, std::string_view field, const json::Value& values) {
    if (!values.IsArray())
      return Status::BadRequest("$deleteFromPrimitiveList/" + std::string(field) + " must be a list");
    json::Value* list = json::Find(orig, field);
    if (list == nullptr || !list->IsArray()) return Status::OK();
    for (rapidjson::SizeType j = list->Size(); j-- > 0;)
      if (Contains(values, (*list)[j])) list->Erase(list->Begin() + j);
    return Status::OK();
  }

  // Items named by the order come first, in that order; the others keep
  // their relative order after them.
  Status SetOrder(json::Value& orig, std::string_view field, const json::Value& order, const json::Value* s) {
    if (!order.IsArray())
      return Status::BadRequest("$setElementOrder/" + std::string(field) + " must be a list");
    json::Value* list = json::Find(orig, field);
    if (list == nullptr || !list->IsArray()) return Status::OK();
    schema_nav::ListInfo info = schema_nav::List(s);
    auto rank = [&](const json::Value& item) -> rapidjson::SizeType {
      for (rapidjson::SizeType r = 0; r < order.Size(); ++r) {
        bool hit = info.type == ListType::kMap ? order[r].IsObject() && KeysMatch(item, order[r], info.keys)
                                               : json::Equal(item, order[r]);
        if (hit) return r;
      }
      return order.Size();
    };
    std::vector<std::pair<rapidjson::SizeType, rapidjson::SizeType>> ranked;  // (rank, index)
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) ranked.emplace_back(rank((*list)[i]), i);
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    json::Value sorted(rapidjson::kArrayType);
    for (const auto& [r, i] : ranked) sorted.PushBack(json::Value(std::move((*list)[i])), a_);
    list->Swap(sorted);
    return Status::OK();
  }

  json::Allocator& a_;
};

}  // namespace

Status ApplyStrategicMergePatch(json::Value& target, const json::Value& patch, const json::Value* schema,
                                json::Allocator& a) {
  if (!patch.IsObject()) return Status::BadRequest("strategic merge patch must be a JSON object");
  json::Value work(rapidjson::kObjectType);
  if (target.IsObject()) work.CopyFrom(target, a);
  Merger m(a);
  bool deleted = false;
  DW_RETURN_IF_ERROR(m.MergeMap(work, patch, schema, true, &deleted));
  if (deleted) work.SetObject();
  target.Swap(work);
  return Status::OK();
}

}  // namespace dw::patch
