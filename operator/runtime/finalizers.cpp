#include "operator/runtime/finalizers.h"

namespace dw::runtime {

namespace {
const json::Value* List(const json::Value& obj) {
  const json::Value* l = json::FindPath(obj, "metadata.finalizers");
  return l && l->IsArray() ? l : nullptr;
}
}  // namespace

bool HasFinalizer(const json::Value& obj, const std::string& finalizer) {
  const json::Value* l = List(obj);
  if (!l) return false;
  for (const auto& f : l->GetArray())
    if (f.IsString() && finalizer == f.GetString()) return true;
  return false;
}

bool AddFinalizer(json::Document& obj, const std::string& finalizer) {
  if (HasFinalizer(obj, finalizer)) return false;
  auto& a = obj.GetAllocator();
  json::Value& meta = json::EnsureObject(obj, "metadata", a);
  json::Value* l = json::Find(meta, "finalizers");
  if (!l || !l->IsArray()) {
    json::Value arr(rapidjson::kArrayType);
    json::SetValue(meta, "finalizers", arr, a);
    l = json::Find(meta, "finalizers");
  }
  l->PushBack(json::Str(finalizer, a), a);
  return true;
}

bool RemoveFinalizer(json::Document& obj, const std::string& finalizer) {
  json::Value* meta = json::Find(obj, "metadata");
  json::Value* l = meta ? json::Find(*meta, "finalizers") : nullptr;
  if (!l || !l->IsArray()) return false;
  bool removed = false;
  for (auto it = l->Begin(); it != l->End();) {
    if (it->IsString() && finalizer == it->GetString()) {
      it = l->Erase(it);
      removed = true;
    } else {
      ++it;
    }
  }
  return removed;
}

bool IsBeingDeleted(const json::Value& obj) {
  const json::Value* t = json::FindPath(obj, "metadata.deletionTimestamp");
  return t && !t->IsNull();
}

}  // namespace dw::runtime
