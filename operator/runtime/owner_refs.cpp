#include "operator/runtime/owner_refs.h"

#include "operator/runtime/client.h"

namespace dw::runtime {

namespace {
const json::Value* Refs(const json::Value& obj) {
  const json::Value* r = json::FindPath(obj, "metadata.ownerReferences");
  return r && r->IsArray() ? r : nullptr;
}
}  // namespace

const json::Value* GetControllerOf(const json::Value& obj) {
  const json::Value* refs = Refs(obj);
  if (!refs) return nullptr;
  for (const auto& r : refs->GetArray())
    if (json::GetBool(r, "controller")) return &r;
  return nullptr;
}

bool IsOwnedBy(const json::Value& obj, const std::string& owner_uid) {
  const json::Value* refs = Refs(obj);
  if (!refs) return false;
  for (const auto& r : refs->GetArray())
    if (json::GetString(r, "uid") == owner_uid) return true;
  return false;
}

Status SetControllerReference(const json::Value& owner, json::Document& obj) {
  std::string uid = UidOf(owner);
  std::string api_version = json::GetString(owner, "apiVersion");
  std::string kind = json::GetString(owner, "kind");
  if (uid.empty() || NameOf(owner).empty() || api_version.empty() || kind.empty())
    return Status::BadRequest("owner needs apiVersion, kind, metadata.name and metadata.uid");
  // Cross-namespace owners are invalid in Kubernetes (the GC would delete the dependent).
  std::string owner_ns = NamespaceOf(owner);
  if (!owner_ns.empty() && owner_ns != NamespaceOf(obj))
    return Status::BadRequest("owner namespace \"" + owner_ns + "\" differs from the object's");
  if (const json::Value* cur = GetControllerOf(obj); cur && json::GetString(*cur, "uid") != uid) {
    return Status::AlreadyExists("object is already controlled by " + json::GetString(*cur, "kind") +
                                 " \"" + json::GetString(*cur, "name") + "\"");
  }
  auto& a = obj.GetAllocator();
  json::Value ref(rapidjson::kObjectType);
  json::SetString(ref, "apiVersion", api_version, a);
  json::SetString(ref, "kind", kind, a);
  json::SetString(ref, "name", NameOf(owner), a);
  json::SetString(ref, "uid", uid, a);
  json::SetBool(ref, "controller", true, a);
  json::SetBool(ref, "blockOwnerDeletion", true, a);
  json::Value& meta = json::EnsureObject(obj, "metadata", a);
  json::Value* refs = json::Find(meta, "ownerReferences");
  if (!refs || !refs->IsArray()) {
    json::Value arr(rapidjson::kArrayType);
    json::SetValue(meta, "ownerReferences", arr, a);
    refs = json::Find(meta, "ownerReferences");
  }
  for (auto& r : refs->GetArray()) {
    if (json::GetString(r, "uid") == uid) {
      r = ref;  // same owner: refresh in place
      return Status::OK();
    }
  }
  refs->PushBack(ref, a);
  return Status::OK();
}

}  // namespace dw::runtime
