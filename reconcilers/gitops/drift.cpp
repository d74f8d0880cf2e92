#include "reconcilers/gitops/drift.h"

#include <initializer_list>

namespace dw::gitops {

namespace {

bool EqualExcept(const json::Value& a, const json::Value& b, std::initializer_list<const char*> skip) {
  if (!a.IsObject() || !b.IsObject()) return json::Equal(a, b);
  auto skipped = [&](const json::Value& name) {
    for (const char* s : skip)
      if (name == s) return true;
    return false;
  };
  size_t na = 0, nb = 0;
  for (const auto& m : a.GetObject()) {
    if (skipped(m.name)) continue;
    ++na;
    auto it = b.FindMember(m.name);
    if (it == b.MemberEnd() || !json::Equal(m.value, it->value)) return false;
  }
  for (const auto& m : b.GetObject())
    if (!skipped(m.name)) ++nb;
  return na == nb;
}

}  // namespace

bool ContentDiffers(const json::Value& live, const json::Value& would_be) {
  if (!EqualExcept(live, would_be, {"metadata", "status"})) return true;
  static const json::Value kEmpty(rapidjson::kObjectType);
  const json::Value* ml = json::Find(live, "metadata");
  const json::Value* mw = json::Find(would_be, "metadata");
  return !EqualExcept(ml ? *ml : kEmpty, mw ? *mw : kEmpty, {"managedFields", "resourceVersion", "generation"});
}

bool ManagedBy(const json::Value& obj, const std::string& manager) {
  const json::Value* mf = json::FindPath(obj, "metadata.managedFields");
  if (!mf || !mf->IsArray()) return false;
  for (const auto& e : mf->GetArray())
    if (json::GetString(e, "manager") == manager) return true;
  return false;
}

Change Classify(bool exists, bool differs, const std::string& old_digest, const std::string& new_digest) {
  if (!exists) return Change::kCreate;
  if (!differs) return Change::kNone;
  if (!old_digest.empty() && old_digest == new_digest) return Change::kRevert;
  return Change::kUpdate;
}

const char* ChangeVerb(Change c) {
  switch (c) {
    case Change::kNone: return "unchanged";
    case Change::kCreate: return "created";
    case Change::kUpdate: return "configured";
    case Change::kRevert: return "reverted";
  }
  return "";
}

}  // namespace dw::gitops
