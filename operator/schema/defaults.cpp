// Defaulting half of validator.h: applies `default` values of absent fields.
#include "operator/schema/schema_util.h"
#include "operator/schema/validator.h"

namespace dw::schema {

namespace {

void DefaultNode(const json::Value& s, json::Value& v, json::Allocator& a, bool root);

// Kubernetes drops a null for a field that is not nullable before defaulting,
// so `field: null` behaves like an absent field (and picks up the default).
void FillAbsent(const json::Value& props, json::Value& v, json::Allocator& a, bool root) {
  for (const auto& p : props.GetObject()) {
    std::string_view name(p.name.GetString(), p.name.GetStringLength());
    if (root && name == "metadata") continue;  // ObjectMeta is not schema-defaulted
    const json::Value& ps = p.value;
    json::Value* cur = json::Find(v, name);
    if (cur != nullptr && cur->IsNull() && !Flag(ps, "nullable")) {
      json::Remove(v, name);
      cur = nullptr;
    }
    if (cur != nullptr) continue;
    const json::Value* def = json::Find(ps, "default");
    if (def == nullptr) continue;
    json::Value copy(*def, a);
    v.AddMember(json::Str(name, a), copy, a);
  }
}

void DefaultObject(const json::Value& s, json::Value& v, json::Allocator& a, bool root) {
  const json::Value* props = json::Find(s, "properties");
  if (props != nullptr && !props->IsObject()) props = nullptr;
  const json::Value* extra = json::Find(s, "additionalProperties");
  if (extra != nullptr && !extra->IsObject()) extra = nullptr;
  if (props != nullptr) FillAbsent(*props, v, a, root);
  // Recurse after filling so defaults inside a just-defaulted object apply too.
  for (auto& m : v.GetObject()) {
    std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (root && name == "metadata") continue;
    const json::Value* ps = props != nullptr ? json::Find(*props, name) : nullptr;
    if (ps == nullptr) ps = extra;
    if (ps != nullptr) DefaultNode(*ps, m.value, a, false);
  }
}

void DefaultNode(const json::Value& s, json::Value& v, json::Allocator& a, bool root) {
  if (!s.IsObject()) return;
  if (v.IsObject()) {
    DefaultObject(s, v, a, root);
  } else if (v.IsArray()) {
    const json::Value* items = json::Find(s, "items");
    if (items == nullptr || !items->IsObject()) return;
    for (auto& e : v.GetArray()) DefaultNode(*items, e, a, false);
  }
}

}  // namespace

void ApplyDefaults(const json::Value& schema, json::Value& obj, json::Allocator& a) {
  DefaultNode(schema, obj, a, true);
}

}  // namespace dw::schema
