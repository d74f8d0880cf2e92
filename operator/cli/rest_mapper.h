// RestMapper: what the user typed ("bp", "backuppolicies.dockward.io",
// "BackupPolicy") or what a manifest says (apiVersion + kind) -> the REST
// resource, built from the server's discovery documents (APIResourceList).
#pragma once

#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::cli {

struct ApiResource {
  std::string group, version, kind, plural, singular;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;  // e.g. "dockward": `get dockward` lists them all
  bool namespaced = true;

  std::string GroupVersion() const { return group.empty() ? version : group + "/" + version; }
  // "backuppolicies.dockward.io" (kubectl's error-message name).
  std::string GroupResource() const { return group.empty() ? plural : plural + "." + group; }
  // "backuppolicy.dockward.io" (kubectl's -o name / apply-output prefix).
  std::string KindGroup() const;
  // /apis/G/V/namespaces/NS/PLURAL[/NAME] or /api/v1/...; ns ignored when
  // the resource is cluster-scoped; empty ns on a namespaced one lists all.
  std::string Path(const std::string& ns, const std::string& name = "") const;
};

class RestMapper {
 public:
  // Adds the resources of one APIResourceList (subresources skipped).
  Status AddResourceList(const json::Value& list);

  // plural, singular, short name or kind (case-insensitive), optionally
  // qualified "x.group" or "x.version.group". nullptr if unknown.
  const ApiResource* Resolve(const std::string& typed) const;
  const ApiResource* ByKind(const std::string& api_version, const std::string& kind) const;
  // Every resource in category `typed` (case-insensitive), in discovery order.
  std::vector<const ApiResource*> ResolveCategory(const std::string& typed) const;
  const std::vector<ApiResource>& All() const { return resources_; }

 private:
  std::vector<ApiResource> resources_;
};

}  // namespace dw::cli
