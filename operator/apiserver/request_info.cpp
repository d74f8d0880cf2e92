#include "operator/apiserver/request_info.h"

#include <vector>

namespace dw::apiserver {

namespace {
std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

bool IsWatch(const HttpRequest& req) {
  std::string w = req.Query("watch");
  return w == "1" || w == "true";
}
}  // namespace

RequestInfo ParseRequestInfo(const HttpRequest& req) {
  RequestInfo info;
  auto parts = SplitPath(req.path);
  if (parts.empty()) return info;
  size_t i = 0;
  if (parts[0] == "api") {
    if (parts.size() < 3) return info;  // /api, /api/v1 are discovery
    info.api_prefix = "api";
    info.version = parts[1];
    i = 2;
  } else if (parts[0] == "apis") {
    if (parts.size() < 4) return info;  // /apis, /apis/g, /apis/g/v are discovery
    info.api_prefix = "apis";
    info.group = parts[1];
    info.version = parts[2];
    i = 3;
  } else {
    return info;
  }
  std::vector<std::string> rest(parts.begin() + static_cast<long>(i), parts.end());
  // /namespaces/{ns}/{resource}... but "/namespaces/{name}" alone is the
  // Namespace object itself, and "/namespaces/{name}/status|finalize" its subresources.
  if (rest.size() >= 3 && rest[0] == "namespaces" && info.group.empty() == false) {
    info.namespace_ = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  } else if (rest.size() >= 3 && rest[0] == "namespaces" && rest[2] != "status" &&
             rest[2] != "finalize") {
    info.namespace_ = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3) return info;
  info.is_resource_request = true;
  info.resource = rest[0];
  if (rest.size() >= 2) info.name = rest[1];
  if (rest.size() == 3) info.subresource = rest[2];

  const std::string& m = req.method;
  if (m == "GET" || m == "HEAD") {
    if (IsWatch(req)) info.verb = "watch";
    else info.verb = info.name.empty() ? "list" : "get";
  } else if (m == "POST") {
    info.verb = "create";
  } else if (m == "PUT") {
    info.verb = "update";
  } else if (m == "PATCH") {
    info.verb = "patch";
  } else if (m == "DELETE") {
    info.verb = info.name.empty() ? "deletecollection" : "delete";
  } else {
    info.verb = "unknown";
  }
  return info;
}

}  // namespace dw::apiserver
