// RequestInfo: what a Kubernetes API path means, parsed like the apiserver's
// RequestInfoFactory. "/apis/dockward.io/v1alpha1/namespaces/ns/backuppolicies/x/status"
// -> group dockward.io, version v1alpha1, namespace ns, resource backuppolicies,
// name x, subresource status, and a verb from the method and query.
#pragma once

#include <string>

#include "operator/apiserver/http_server.h"

namespace dw::apiserver {

struct RequestInfo {
  bool is_resource_request = false;
  std::string api_prefix;  // "api" or "apis"
  std::string group;       // "" for core
  std::string version;
  std::string namespace_;  // from the path ("" when not namespaced in the URL)
  std::string resource;    // plural
  std::string name;
  std::string subresource;
  // get, list, watch, create, update, patch, delete, deletecollection
  std::string verb;
};

// Fills `info` for resource requests; is_resource_request stays false for
// discovery and other non-resource paths (which the caller routes itself).
RequestInfo ParseRequestInfo(const HttpRequest& req);

}  // namespace dw::apiserver
