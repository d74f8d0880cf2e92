#include "operator/schema/object_meta.h"

#include "operator/meta/label_selector.h"
#include "operator/schema/formats.h"
#include "operator/schema/schema_util.h"

namespace dw::schema {

namespace {

constexpr size_t kMaxAnnotationBytes = 256 * 1024;

const char kSubdomainMsg[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char kLabelMsg[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
    "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

class MetaChecker {
 public:
  MetaChecker(std::vector<FieldCause>* out, NameRule rule) : out_(out), rule_(rule) {}

  void Run(const json::Value& m, bool namespaced) {
    if (!m.IsObject()) {
      Add("FieldValueRequired", "metadata", "Required value");
      return;
    }
    Name(m);
    Namespace(m, namespaced);
    Labels(m);
    Annotations(m);
    Finalizers(m);
    OwnerReferences(m);
  }

 private:
  void Add(const char* type, std::string field, std::string msg) {
    out_->push_back({type, std::move(field), std::move(msg)});
  }
  void Invalid(const std::string& field, const json::Value& v, const std::string& why) {
    Add("FieldValueInvalid", field, "Invalid value: " + Render(v) + ": " + why);
  }
  // Non-string where a string belongs.
  bool StringOrReport(const json::Value* v, const std::string& field) {
    if (v == nullptr || v->IsString()) return true;
    Add("FieldValueTypeInvalid", field, "Invalid value: " + Render(*v) + ": must be a string");
    return false;
  }

  void Name(const json::Value& m) {
    const json::Value* name = json::Find(m, "name");
    const json::Value* gen = json::Find(m, "generateName");
    if (!StringOrReport(name, "metadata.name") || !StringOrReport(gen, "metadata.generateName")) return;
    bool has_name = name != nullptr && name->GetStringLength() > 0;
    bool has_gen = gen != nullptr && gen->GetStringLength() > 0;
    if (!has_name && !has_gen) {
      Add("FieldValueRequired", "metadata.name", "Required value: name or generateName is required");
      return;
    }
    std::string_view n(name ? name->GetString() : "", name ? name->GetStringLength() : 0);
    if (has_name && rule_ == NameRule::kDnsLabel && !IsDns1123Label(n)) {
      Invalid("metadata.name", *name, kLabelMsg);
    } else if (has_name && !IsDns1123Subdomain(n)) {
      Invalid("metadata.name", *name, kSubdomainMsg);
    }
    if (has_gen) {
      // A prefix: a trailing '-' is fine because a random suffix follows.
      std::string prefix(gen->GetString(), gen->GetStringLength());
      if (prefix.back() == '-') prefix.back() = 'a';
      if (!IsDns1123Subdomain(prefix)) Invalid("metadata.generateName", *gen, kSubdomainMsg);
    }
  }

  void Namespace(const json::Value& m, bool namespaced) {
    const json::Value* ns = json::Find(m, "namespace");
    if (!StringOrReport(ns, "metadata.namespace")) return;
    bool present = ns != nullptr && ns->GetStringLength() > 0;
    if (namespaced && !present) {
      Add("FieldValueRequired", "metadata.namespace", "Required value");
    } else if (!namespaced && present) {
      Add("FieldValueForbidden", "metadata.namespace", "Forbidden: not allowed on this type");
    } else if (present && !IsDns1123Label({ns->GetString(), ns->GetStringLength()})) {
      Invalid("metadata.namespace", *ns, kLabelMsg);
    }
  }

  // Labels and annotations are string maps; returns nullptr when absent or
  // reported as malformed.
  const json::Value* StringMap(const json::Value& m, const char* key, const std::string& field) {
    const json::Value* map = json::Find(m, key);
    if (map == nullptr || map->IsNull()) return nullptr;
    if (!map->IsObject()) {
      Add("FieldValueTypeInvalid", field, "Invalid value: " + Render(*map) + ": must be a map of strings");
      return nullptr;
    }
    for (const auto& e : map->GetObject()) {
      if (!e.value.IsString()) {
        std::string f = field + "[" + std::string(e.name.GetString(), e.name.GetStringLength()) + "]";
        Add("FieldValueTypeInvalid", f, "Invalid value: " + Render(e.value) + ": must be a string");
        return nullptr;
      }
    }
    return map;
  }

  void Labels(const json::Value& m) {
    const json::Value* labels = StringMap(m, "labels", "metadata.labels");
    if (labels == nullptr) return;
    for (const auto& e : labels->GetObject()) {
      std::string key(e.name.GetString(), e.name.GetStringLength());
      std::string why = meta::ValidateLabelKey(key);
      if (!why.empty()) Invalid("metadata.labels", e.name, why);
      why = meta::ValidateLabelValue(std::string(e.value.GetString(), e.value.GetStringLength()));
      if (!why.empty()) Invalid("metadata.labels", e.value, why);
    }
  }

  void Annotations(const json::Value& m) {
    const json::Value* ann = StringMap(m, "annotations", "metadata.annotations");
    if (ann == nullptr) return;
    size_t total = 0;
    for (const auto& e : ann->GetObject()) {
      total += e.name.GetStringLength() + e.value.GetStringLength();
      // Annotation keys follow the label key syntax (qualified names).
      std::string why = meta::ValidateLabelKey(std::string(e.name.GetString(), e.name.GetStringLength()));
      if (!why.empty()) Invalid("metadata.annotations", e.name, why);
    }
    if (total > kMaxAnnotationBytes) {
      Add("FieldValueTooLong", "metadata.annotations",
          "Too long: must have at most " + std::to_string(kMaxAnnotationBytes) + " bytes");
    }
  }

  void Finalizers(const json::Value& m) {
    const json::Value* fins = json::Find(m, "finalizers");
    if (fins == nullptr || fins->IsNull()) return;
    if (!fins->IsArray()) {
      Add("FieldValueTypeInvalid", "metadata.finalizers", "Invalid value: " + Render(*fins) + ": must be a list of strings");
      return;
    }
    for (rapidjson::SizeType i = 0; i < fins->Size(); ++i) {
      const json::Value& f = (*fins)[i];
      std::string field = "metadata.finalizers[" + std::to_string(i) + "]";
      if (!StringOrReport(&f, field)) continue;
      std::string why = meta::ValidateLabelKey(std::string(f.GetString(), f.GetStringLength()));
      if (!why.empty()) Invalid(field, f, why);
    }
  }

  void OwnerReferences(const json::Value& m) {
    const json::Value* refs = json::Find(m, "ownerReferences");
    if (refs == nullptr || refs->IsNull()) return;
    if (!refs->IsArray()) {
      Add("FieldValueTypeInvalid", "metadata.ownerReferences", "Invalid value: " + Render(*refs) + ": must be a list");
      return;
    }
    int controllers = 0;
    for (rapidjson::SizeType i = 0; i < refs->Size(); ++i) {
      const json::Value& r = (*refs)[i];
      std::string base = "metadata.ownerReferences[" + std::to_string(i) + "]";
      for (const char* key : {"apiVersion", "kind", "name", "uid"}) {
        const json::Value* v = json::Find(r, key);
        std::string field = base + "." + key;
        if (v == nullptr || (v->IsString() && v->GetStringLength() == 0)) {
          Add("FieldValueRequired", field, "Required value");
        } else {
          StringOrReport(v, field);
        }
      }
      controllers += json::GetBool(r, "controller");
    }
    if (controllers > 1) {
      Add("FieldValueInvalid", "metadata.ownerReferences",
          "Invalid value: " + std::to_string(controllers) + ": Only one reference can have Controller set to true");
    }
  }

  std::vector<FieldCause>* out_;
  NameRule rule_;
};

}  // namespace

std::vector<FieldCause> ValidateObjectMeta(const json::Value& metadata, bool namespaced,
                                           NameRule name_rule) {
  std::vector<FieldCause> out;
  MetaChecker(&out, name_rule).Run(metadata, namespaced);
  return out;
}

}  // namespace dw::schema
