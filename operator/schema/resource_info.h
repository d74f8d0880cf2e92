// ResourceInfo: everything the server knows about one kind, read from a
// CustomResourceDefinition. dockward's own kinds come from crds/*.yaml
// (compiled in at build time); the few core kinds it serves (v1 Namespace,
// Secret, Event, coordination.k8s.io/v1 Lease) are described by CRD-shaped
// YAML under operator/schema/builtin/ so one code path serves both.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::schema {

struct PrinterColumn {
  std::string name;
  std::string type;         // string, integer, number, boolean, date
  std::string format;
  std::string description;
  std::string json_path;    // e.g. ".status.conditions[?(@.type==\"Ready\")].status"
  int priority = 0;         // > 0: only with -o wide
};

struct ResourceInfo {
  std::string group;        // "" for core
  std::string version;      // "v1alpha1"
  std::string kind;         // "BackupPolicy"
  std::string list_kind;    // "BackupPolicyList"
  std::string plural;       // "backuppolicies"
  std::string singular;     // "backuppolicy"
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  bool namespaced = true;
  bool has_status = false;  // status subresource
  std::vector<PrinterColumn> columns;
  // The openAPIV3Schema of the served version (owned document).
  std::shared_ptr<json::Document> schema;
  // The whole CRD object (for serving/inspection).
  std::shared_ptr<json::Document> crd;

  std::string GroupVersion() const { return group.empty() ? version : group + "/" + version; }
  // "backuppolicies.dockward.io" or "namespaces": the store's resource name.
  std::string GroupResource() const { return group.empty() ? plural : plural + "." + group; }
};

// The set of kinds the server serves. Immutable after construction.
class ResourceRegistry {
 public:
  // Loads every CRD compiled into the binary (crds/ plus builtins).
  static Status LoadBuiltin(std::unique_ptr<ResourceRegistry>* out);
  // Loads CRDs from YAML text (for tests and for `dockward` tooling).
  static Status LoadFromYaml(const std::vector<std::pair<std::string, std::string>>& name_and_text,
                             std::unique_ptr<ResourceRegistry>* out);

  const std::vector<std::shared_ptr<const ResourceInfo>>& All() const { return all_; }
  // By group + plural ("dockward.io", "backuppolicies"). nullptr if unknown.
  const ResourceInfo* ByResource(const std::string& group, const std::string& plural) const;
  // By group + version + kind. nullptr if unknown.
  const ResourceInfo* ByKind(const std::string& group_version, const std::string& kind) const;
  // Resolves what a user typed: plural, singular, short name, kind (any case),
  // optionally "name.group". nullptr if unknown.
  const ResourceInfo* Resolve(const std::string& typed) const;

  void Add(std::shared_ptr<const ResourceInfo> info);

 private:
  std::vector<std::shared_ptr<const ResourceInfo>> all_;
};

// Parses one CRD document into a ResourceInfo (served+storage version only).
Status ResourceInfoFromCrd(const json::Value& crd, std::shared_ptr<ResourceInfo>* out);

}  // namespace dw::schema
