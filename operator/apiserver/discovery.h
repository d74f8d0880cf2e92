// Discovery documents (/api, /apis, /api/v1, /apis/<group>/<version>, /version
// and the aggregated apidiscovery.k8s.io/v2 form), rendered once from the
// ResourceRegistry at start-up: they never change while the server runs.
#pragma once

#include <map>
#include <string>

#include "operator/schema/resource_info.h"

namespace dw::apiserver {

class Discovery {
 public:
  Discovery(const schema::ResourceRegistry& kinds, const std::string& server_address);

  const std::string& ApiVersions() const { return api_versions_; }   // GET /api
  const std::string& ApiGroupList() const { return api_group_list_; } // GET /apis
  // GET /apis/<group> (APIGroup); nullptr if unknown.
  const std::string* ApiGroup(const std::string& group) const;
  // GET /api/v1 or /apis/<group>/<version> (APIResourceList); nullptr if unknown.
  const std::string* ResourceList(const std::string& group_version) const;
  // Aggregated discovery (APIGroupDiscoveryList) for /api and /apis.
  const std::string& AggregatedLegacy() const { return aggregated_legacy_; }
  const std::string& AggregatedApis() const { return aggregated_apis_; }
  const std::string& Version() const { return version_; }  // GET /version

 private:
  std::string api_versions_, api_group_list_, aggregated_legacy_, aggregated_apis_, version_;
  std::map<std::string, std::string> groups_;
  std::map<std::string, std::string> resource_lists_;
};

}  // namespace dw::apiserver
