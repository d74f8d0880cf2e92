// Pruning half of validator.h: drops (or reports) fields the schema does not
// declare, following structural-schema rules: `properties` and
// `additionalProperties` declare fields; x-kubernetes-preserve-unknown-fields
// keeps undeclared ones at that level (declared ones are still walked);
// x-kubernetes-embedded-resource keeps apiVersion/kind/metadata.
#include "operator/schema/schema_util.h"
#include "operator/schema/validator.h"

namespace dw::schema {

namespace {

bool IsTypeMetaOrMeta(std::string_view name) {
  return name == "apiVersion" || name == "kind" || name == "metadata";
}

struct Pruner {
  FieldValidation mode;
  AdmissionResult* result;
  std::string path;

  void Unknown() {
    std::string what = "unknown field \"" + path + "\"";
    if (mode == FieldValidation::kStrict) {
      result->errors.push_back({"FieldValueInvalid", path, what});
    } else if (mode == FieldValidation::kWarn) {
      result->warnings.push_back(std::move(what));
    }
  }

  void Node(const json::Value& s, json::Value& v, bool root) {
    if (!s.IsObject()) return;
    if (v.IsObject()) {
      Object(s, v, root);
    } else if (v.IsArray()) {
      const json::Value* items = json::Find(s, "items");
      if (items == nullptr) return;
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        PathScope ps(path, i);
        Node(*items, v[i], false);
      }
    }
  }

  void Object(const json::Value& s, json::Value& v, bool root) {
    const json::Value* props = json::Find(s, "properties");
    if (props != nullptr && !props->IsObject()) props = nullptr;
    const json::Value* extra = json::Find(s, "additionalProperties");
    bool keep_unknown = Flag(s, "x-kubernetes-preserve-unknown-fields") ||
                        (extra != nullptr && extra->IsBool() && extra->GetBool());
    if (extra != nullptr && !extra->IsObject()) extra = nullptr;
    bool keep_meta = root || Flag(s, "x-kubernetes-embedded-resource");
    for (auto it = v.MemberBegin(); it != v.MemberEnd();) {
      std::string_view name(it->name.GetString(), it->name.GetStringLength());
      if (keep_meta && IsTypeMetaOrMeta(name)) {
        ++it;
        continue;
      }
      const json::Value* ps = props != nullptr ? json::Find(*props, name) : nullptr;
      if (ps != nullptr || extra != nullptr) {
        PathScope scope(path, ps != nullptr ? PathScope::kField : PathScope::kKey, name);
        Node(ps != nullptr ? *ps : *extra, it->value, false);
        ++it;
      } else if (keep_unknown) {
        ++it;
      } else {
        PathScope scope(path, PathScope::kField, name);
        Unknown();
        it = v.EraseMember(it);  // keeps member order, unlike RemoveMember
      }
    }
  }
};

}  // namespace

void PruneUnknown(const json::Value& schema, json::Value& obj, FieldValidation mode,
                  AdmissionResult* result) {
  Pruner p{mode, result, {}};
  p.Node(schema, obj, true);
}

AdmissionResult Admit(const json::Value& schema, json::Value& obj, FieldValidation mode,
                      json::Allocator& a) {
  AdmissionResult r;
  ApplyDefaults(schema, obj, a);
  PruneUnknown(schema, obj, mode, &r);
  Validate(schema, obj, &r);
  return r;
}

}  // namespace dw::schema
