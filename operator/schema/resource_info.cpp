#include "operator/schema/resource_info.h"

#include <algorithm>
#include <cctype>

#include "operator/json/yaml.h"
#include "operator/schema/embedded.h"
#include "operator/schema/schema_check.h"

namespace dw::schema {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::vector<std::string> StringList(const json::Value& obj, std::string_view key) {
  std::vector<std::string> out;
  const json::Value* arr = json::Find(obj, key);
  if (arr == nullptr || !arr->IsArray()) return out;
  for (const auto& v : arr->GetArray()) {
    if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

// The version the server serves and stores; CRDs with several versions must
// mark exactly one as storage.
const json::Value* ServedStorageVersion(const json::Value& spec) {
  const json::Value* versions = json::Find(spec, "versions");
  if (versions == nullptr || !versions->IsArray()) return nullptr;
  for (const auto& v : versions->GetArray()) {
    if (json::GetBool(v, "served") && json::GetBool(v, "storage")) return &v;
  }
  return nullptr;
}

Status ReadColumns(const json::Value& version, std::vector<PrinterColumn>* out) {
  const json::Value* cols = json::Find(version, "additionalPrinterColumns");
  if (cols == nullptr) return Status::OK();
  if (!cols->IsArray()) return Status::Invalid("additionalPrinterColumns must be a list");
  for (const auto& c : cols->GetArray()) {
    PrinterColumn pc;
    pc.name = json::GetString(c, "name");
    pc.type = json::GetString(c, "type");
    pc.format = json::GetString(c, "format");
    pc.description = json::GetString(c, "description");
    pc.json_path = json::GetString(c, "jsonPath");
    pc.priority = static_cast<int>(json::GetInt(c, "priority"));
    if (pc.name.empty() || pc.json_path.empty() || pc.json_path[0] != '.') {
      return Status::Invalid("printer column \"" + pc.name + "\" needs a name and a jsonPath starting with '.'");
    }
    static const char* kTypes[] = {"string", "integer", "number", "boolean", "date"};
    if (std::find(std::begin(kTypes), std::end(kTypes), pc.type) == std::end(kTypes)) {
      return Status::Invalid("printer column \"" + pc.name + "\": unsupported type \"" + pc.type + "\"");
    }
    out->push_back(std::move(pc));
  }
  return Status::OK();
}

Status ReadNames(const json::Value& spec, ResourceInfo* info) {
  const json::Value* names = json::Find(spec, "names");
  if (names == nullptr || !names->IsObject()) return Status::Invalid("spec.names: Required value");
  info->kind = json::GetString(*names, "kind");
  info->plural = json::GetString(*names, "plural");
  if (info->kind.empty()) return Status::Invalid("spec.names.kind: Required value");
  if (info->plural.empty() || info->plural != Lower(info->plural)) {
    return Status::Invalid("spec.names.plural: must be a non-empty lowercase name");
  }
  info->singular = json::GetString(*names, "singular", Lower(info->kind));
  info->list_kind = json::GetString(*names, "listKind", info->kind + "List");
  info->short_names = StringList(*names, "shortNames");
  info->categories = StringList(*names, "categories");
  return Status::OK();
}

Status FromCrd(const json::Value& crd, ResourceInfo* info) {
  if (json::GetString(crd, "kind") != "CustomResourceDefinition") {
    return Status::Invalid("kind must be CustomResourceDefinition, got \"" + json::GetString(crd, "kind") + "\"");
  }
  const json::Value* spec = json::Find(crd, "spec");
  if (spec == nullptr || !spec->IsObject()) return Status::Invalid("spec: Required value");
  const json::Value* group = json::Find(*spec, "group");
  // "" is the core group: the builtin kinds use it.
  if (group == nullptr || !group->IsString()) return Status::Invalid("spec.group: Required value");
  info->group.assign(group->GetString(), group->GetStringLength());
  DW_RETURN_IF_ERROR(ReadNames(*spec, info));
  const json::Value* meta = json::Find(crd, "metadata");
  std::string name = meta ? json::GetString(*meta, "name") : "";
  // The apiextensions rule; core kinds (group "") are dockward's own
  // descriptions and are named by plural alone.
  std::string want = info->group.empty() ? info->plural : info->plural + "." + info->group;
  if (name != want) {
    return Status::Invalid("metadata.name: Invalid value: \"" + name + "\": must be spec.names.plural+\".\"+spec.group (\"" +
                           want + "\")");
  }
  std::string scope = json::GetString(*spec, "scope");
  if (scope != "Namespaced" && scope != "Cluster") {
    return Status::Invalid("spec.scope: Unsupported value: \"" + scope + "\": supported values: \"Namespaced\", \"Cluster\"");
  }
  info->namespaced = scope == "Namespaced";
  const json::Value* version = ServedStorageVersion(*spec);
  if (version == nullptr) return Status::Invalid("spec.versions: no version is both served and storage");
  info->version = json::GetString(*version, "name");
  const json::Value* subresources = json::Find(*version, "subresources");
  info->has_status = subresources != nullptr && json::Find(*subresources, "status") != nullptr;
  DW_RETURN_IF_ERROR(ReadColumns(*version, &info->columns));
  const json::Value* schema = json::Find(*version, "schema");
  if (schema != nullptr) schema = json::Find(*schema, "openAPIV3Schema");
  if (schema == nullptr || !schema->IsObject()) {
    return Status::Invalid("spec.versions[" + info->version + "].schema.openAPIV3Schema: Required value");
  }
  DW_RETURN_IF_ERROR(CheckSchema(*schema));
  info->schema = std::make_shared<json::Document>();
  info->schema->CopyFrom(*schema, info->schema->GetAllocator());
  info->crd = std::make_shared<json::Document>();
  info->crd->CopyFrom(crd, info->crd->GetAllocator());
  return Status::OK();
}

Status LoadInto(const std::vector<std::pair<std::string, std::string>>& files, ResourceRegistry* reg) {
  for (const auto& [name, text] : files) {
    std::vector<yaml::YamlDocument> docs;
    yaml::ParseOptions opts;
    opts.source_name = name;
    opts.track_lines = false;
    DW_RETURN_IF_ERROR(yaml::ParseAll(text, opts, &docs));
    for (const auto& d : docs) {
      if (d.doc.IsNull()) continue;
      std::shared_ptr<ResourceInfo> info;
      Status st = ResourceInfoFromCrd(d.doc, &info);
      if (!st.ok()) {
        return Status(st.code(), name + ":" + std::to_string(d.first_line) + ": " + st.message(), st.causes());
      }
      if (reg->ByResource(info->group, info->plural) != nullptr) {
        return Status::AlreadyExists(name + ": resource " + info->GroupResource() + " is defined twice");
      }
      reg->Add(std::move(info));
    }
  }
  return Status::OK();
}

}  // namespace

Status ResourceInfoFromCrd(const json::Value& crd, std::shared_ptr<ResourceInfo>* out) {
  auto info = std::make_shared<ResourceInfo>();
  Status st = FromCrd(crd, info.get());
  if (!st.ok()) {
    // (json::FindPath is avoided: it looks up non-terminated key slices.)
    const json::Value* meta = json::Find(crd, "metadata");
    std::string name = meta ? json::GetString(*meta, "name", "<unnamed>") : "<unnamed>";
    return Status(st.code(), "CustomResourceDefinition " + name + ": " + st.message(), st.causes());
  }
  *out = std::move(info);
  return Status::OK();
}

Status ResourceRegistry::LoadFromYaml(const std::vector<std::pair<std::string, std::string>>& name_and_text,
                                      std::unique_ptr<ResourceRegistry>* out) {
  auto reg = std::make_unique<ResourceRegistry>();
  DW_RETURN_IF_ERROR(LoadInto(name_and_text, reg.get()));
  *out = std::move(reg);
  return Status::OK();
}

Status ResourceRegistry::LoadBuiltin(std::unique_ptr<ResourceRegistry>* out) {
  auto reg = std::make_unique<ResourceRegistry>();
  DW_RETURN_IF_ERROR(LoadInto(EmbeddedBuiltinKinds(), reg.get()));
  DW_RETURN_IF_ERROR(LoadInto(EmbeddedCrds(), reg.get()));
  *out = std::move(reg);
  return Status::OK();
}

void ResourceRegistry::Add(std::shared_ptr<const ResourceInfo> info) { all_.push_back(std::move(info)); }

// Linear scans: a registry holds about a dozen kinds, fewer than a hash
// lookup's constant factor would pay for.
const ResourceInfo* ResourceRegistry::ByResource(const std::string& group, const std::string& plural) const {
  for (const auto& i : all_) {
    if (i->group == group && i->plural == plural) return i.get();
  }
  return nullptr;
}

const ResourceInfo* ResourceRegistry::ByKind(const std::string& group_version, const std::string& kind) const {
  for (const auto& i : all_) {
    if (i->kind == kind && i->GroupVersion() == group_version) return i.get();
  }
  return nullptr;
}

const ResourceInfo* ResourceRegistry::Resolve(const std::string& typed) const {
  std::string want = Lower(typed);
  // Like kubectl's RESTMapper: plural beats singular beats short name beats kind.
  auto find = [&](const std::string& name, auto&& group_ok) -> const ResourceInfo* {
    for (int tier = 0; tier < 4; ++tier) {
      for (const auto& i : all_) {
        if (!group_ok(*i)) continue;
        bool hit = tier == 0   ? i->plural == name
                   : tier == 1 ? i->singular == name
                   : tier == 2 ? std::find(i->short_names.begin(), i->short_names.end(), name) != i->short_names.end()
                               : Lower(i->kind) == name;
        if (hit) return i.get();
      }
    }
    return nullptr;
  };
  if (const ResourceInfo* r = find(want, [](const ResourceInfo&) { return true; })) return r;
  size_t dot = want.find('.');
  if (dot == std::string::npos || dot == 0) return nullptr;
  std::string name = want.substr(0, dot), rest = want.substr(dot + 1);
  // "backuppolicies.dockward.io" or "backuppolicies.v1alpha1.dockward.io".
  return find(name, [&](const ResourceInfo& i) {
    return !i.group.empty() && (rest == i.group || rest == i.version + "." + i.group);
  });
}

}  // namespace dw::schema
