#include "operator/schema/schema_check.h"

#include "operator/schema/pattern_cache.h"
#include "operator/schema/schema_util.h"
#include "operator/schema/validator.h"

namespace dw::schema {

namespace {

class Checker {
 public:
  void Node(const json::Value& s, std::string& path) {
    if (!s.IsObject()) {
      Add(path, "schema node must be an object");
      return;
    }
    Pattern(s, path);
    Default(s, path);
    Enum(s, path);
    Children(s, path);
  }
  std::vector<FieldCause> causes;

 private:
  void Add(const std::string& path, std::string msg) {
    causes.push_back({"FieldValueInvalid", path, std::move(msg)});
  }

  void Pattern(const json::Value& s, std::string& path) {
    const json::Value* p = json::Find(s, "pattern");
    if (p == nullptr) return;
    PathScope ps(path, PathScope::kField, "pattern");
    if (!p->IsString()) return Add(path, "must be a string");
    if (CompiledPattern({p->GetString(), p->GetStringLength()}) == nullptr) {
      Add(path, "Invalid value: " + Render(*p) + ": not a valid ECMAScript regular expression");
    }
  }

  void Default(const json::Value& s, std::string& path) {
    const json::Value* d = json::Find(s, "default");
    if (d == nullptr) return;
    PathScope ps(path, PathScope::kField, "default");
    json::Document copy;
    copy.CopyFrom(*d, copy.GetAllocator());
    ApplyDefaults(s, copy, copy.GetAllocator());
    AdmissionResult r;
    PruneUnknown(s, copy, FieldValidation::kStrict, &r);
    Validate(s, copy, &r);
    for (const auto& e : r.errors) {
      Add(path, "default " + Render(*d) + " is invalid" + (e.field.empty() ? "" : " at " + e.field) +
                    ": " + e.message);
    }
  }

  void Enum(const json::Value& s, std::string& path) {
    const json::Value* e = json::Find(s, "enum");
    if (e == nullptr) return;
    PathScope ps(path, PathScope::kField, "enum");
    if (!e->IsArray()) return Add(path, "must be an array");
    for (const auto& v : e->GetArray()) {
      AdmissionResult r;
      Validate(s, v, &r);
      for (const auto& err : r.errors) Add(path, "enum value " + Render(v) + " is invalid: " + err.message);
    }
  }

  void Children(const json::Value& s, std::string& path) {
    if (const json::Value* props = json::Find(s, "properties"); props && props->IsObject()) {
      PathScope ps(path, PathScope::kField, "properties");
      for (const auto& m : props->GetObject()) {
        PathScope child(path, PathScope::kField, {m.name.GetString(), m.name.GetStringLength()});
        Node(m.value, path);
      }
    }
    for (const char* key : {"items", "additionalProperties", "not"}) {
      const json::Value* sub = json::Find(s, key);
      if (sub == nullptr || sub->IsBool()) continue;
      PathScope ps(path, PathScope::kField, key);
      Node(*sub, path);
    }
    for (const char* key : {"allOf", "anyOf", "oneOf"}) {
      const json::Value* list = json::Find(s, key);
      if (list == nullptr || !list->IsArray()) continue;
      PathScope ps(path, PathScope::kField, key);
      for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        PathScope idx(path, i);
        Node((*list)[i], path);
      }
    }
  }
};

}  // namespace

Status CheckSchema(const json::Value& schema) {
  Checker c;
  std::string path;
  c.Node(schema, path);
  if (c.causes.empty()) return Status::OK();
  std::string msg = "invalid openAPIV3Schema: " + c.causes.front().field + ": " + c.causes.front().message;
  if (c.causes.size() > 1) msg += " (and " + std::to_string(c.causes.size() - 1) + " more)";
  return Status::Invalid(std::move(msg), std::move(c.causes));
}

}  // namespace dw::schema
