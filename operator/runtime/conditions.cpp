#include "operator/runtime/conditions.h"

namespace dw::runtime {

namespace {

json::Value* FindMutable(json::Value& status, const std::string& type) {
  json::Value* list = json::Find(status, "conditions");
  if (!list || !list->IsArray()) return nullptr;
  for (auto& c : list->GetArray())
    if (json::GetString(c, "type") == type) return &c;
  return nullptr;
}

// Sets a string member, reporting whether the value differed.
bool Assign(json::Value& obj, const char* key, const std::string& v, json::Allocator& a) {
  if (json::GetString(obj, key) == v && json::Find(obj, key)) return false;
  json::SetString(obj, key, v, a);
  return true;
}

}  // namespace

bool SetCondition(json::Value& status, json::Allocator& a, const Condition& c, clock::TimePoint now) {
  if (!status.IsObject()) status.SetObject();
  json::Value* list = json::Find(status, "conditions");
  if (!list || !list->IsArray()) {
    json::Value arr(rapidjson::kArrayType);
    json::SetValue(status, "conditions", arr, a);
    list = json::Find(status, "conditions");
  }
  json::Value* cur = FindMutable(status, c.type);
  if (!cur) {
    json::Value fresh(rapidjson::kObjectType);
    json::SetString(fresh, "type", c.type, a);
    list->PushBack(fresh, a);
    cur = &(*list)[list->Size() - 1];
  }
  bool changed = false;
  if (json::GetString(*cur, "status") != c.status || !json::Find(*cur, "lastTransitionTime")) {
    json::SetString(*cur, "lastTransitionTime", clock::Rfc3339(now), a);
    changed = true;
  }
  changed |= Assign(*cur, "status", c.status, a);
  changed |= Assign(*cur, "reason", c.reason, a);
  changed |= Assign(*cur, "message", c.message, a);
  if (c.observed_generation > 0 && json::GetInt(*cur, "observedGeneration", -1) != c.observed_generation) {
    json::SetInt(*cur, "observedGeneration", c.observed_generation, a);
    changed = true;
  }
  return changed;
}

const json::Value* FindCondition(const json::Value& status, const std::string& type) {
  return FindMutable(const_cast<json::Value&>(status), type);
}

bool IsTrue(const json::Value& status, const std::string& type) {
  const json::Value* c = FindCondition(status, type);
  return c && json::GetString(*c, "status") == "True";
}

bool RemoveCondition(json::Value& status, const std::string& type) {
  json::Value* list = json::Find(status, "conditions");
  if (!list || !list->IsArray()) return false;
  for (auto it = list->Begin(); it != list->End(); ++it) {
    if (json::GetString(*it, "type") == type) {
      list->Erase(it);
      return true;
    }
  }
  return false;
}

}  // namespace dw::runtime
